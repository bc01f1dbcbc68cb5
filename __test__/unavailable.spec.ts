/**
 * A field the platform cannot give (the snapshot's `unavailable`, see docs/platforms.md)
 * is not a made-up zero: the metrics leave its points out, and the heartbeat keeps the
 * key but names it in the agent state. Driven by the fixture snapshot with the macOS
 * backend's kind of gaps, and by the real portable backend on this host.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { HostCollector } from '../src/host-collector'
import { unavailableSystemInfoKeys } from '../src/heartbeat'
import { buildResource, MetricModel } from '../src/metrics'
import { native, type HostSnapshot } from '../src/native'
import { decodeMetricsRequest, pointRows, type PointRow } from './fixtures/otlp'
import { fixtureSnapshot } from './fixtures/snapshot'

async function rows(snapshot: HostSnapshot, processMetrics = false): Promise<PointRow[]> {
  const model = new MetricModel({ resource: buildResource(snapshot, { agentId: 'a-1' }), processMetrics })
  try {
    model.record(snapshot)
    return pointRows(decodeMetricsRequest((await model.collect()).body))
  } finally {
    await model.shutdown()
  }
}

const has = (all: PointRow[], metric: string, attrs: Record<string, string> = {}) =>
  all.some((r) => r.metric === metric && Object.entries(attrs).every(([k, v]) => r.attributes[k] === v))

describe('fields a platform cannot give', () => {
  test('are left out of the metrics, point by point, while the rest of each metric stays', async () => {
    const known = await rows(fixtureSnapshot())
    const snapshot: HostSnapshot = {
      ...fixtureSnapshot(),
      unavailable: [
        'memory.buffersBytes',
        'cpu.utilization.iowaitPercent',
        'paging.majorFaults',
        'processes.forksTotal',
        'disk.devices[].readsCompleted',
        'disk.devices[].writesCompleted',
        'network.interfaces[].rxDropped',
      ],
    }
    const gaps = await rows(snapshot)
    // Present with every field known, absent when the field is unavailable.
    const left = [
      ['system.memory.usage', { state: 'buffered' }],
      ['system.cpu.utilization', { state: 'wait' }],
      ['system.cpu.time', { state: 'wait' }],
      ['system.paging.faults', { type: 'major' }],
      ['system.processes.created', {}],
      ['system.disk.operations', { direction: 'read' }],
      ['system.disk.operations', { direction: 'write' }],
      ['system.network.dropped', { direction: 'receive' }],
    ] as const
    for (const [metric, attrs] of left) {
      assert.ok(has(known, metric, attrs), `${metric} ${JSON.stringify(attrs)} with the field known`)
      assert.ok(!has(gaps, metric, attrs), `${metric} ${JSON.stringify(attrs)} left out`)
    }
    const kept = [
      ['system.memory.usage', { state: 'used' }],
      ['system.cpu.utilization', { state: 'user' }],
      ['system.paging.faults', { type: 'minor' }],
      ['system.disk.io', { direction: 'read' }],
      ['system.network.dropped', { direction: 'transmit' }],
    ] as const
    for (const [metric, attrs] of kept)
      assert.ok(has(gaps, metric, attrs), `${metric} ${JSON.stringify(attrs)} kept`)
  })

  test('leave per-process metrics out too (CPU time where only the total is known, threads)', async () => {
    const all = await rows(fixtureSnapshot(), true)
    assert.ok(has(all, 'process.cpu.time') && has(all, 'process.threads'))
    const gaps = await rows(
      { ...fixtureSnapshot(), unavailable: ['processes.top[].userSeconds', 'processes.top[].threads'] },
      true,
    )
    assert.ok(!has(gaps, 'process.cpu.time') && !has(gaps, 'process.threads'))
    assert.ok(has(gaps, 'process.memory.usage'))
  })

  test('are named in the heartbeat agent state by their systemInfo keys', () => {
    const snapshot = { unavailable: ['memory.wiredBytes', 'processes.systemCalls', 'tcp', 'load'] }
    assert.deepEqual(unavailableSystemInfoKeys(snapshot), [
      'loadAvg1',
      'loadAvg5',
      'loadAvg15',
      'memoryWired',
      'tcpConnectionsEstablished',
      'tcpConnectionsTimeWait',
      'tcpConnectionsCloseWait',
      'tcpConnectionsListen',
      'tcpConnectionsSynSent',
      'tcpConnectionsSynRecv',
      'tcpConnectionsFinWait1',
      'tcpConnectionsFinWait2',
      'tcpConnectionsLastAck',
      'tcpConnectionsClosing',
      'tcpRetransmits',
      'systemCalls',
    ])
    assert.deepEqual(unavailableSystemInfoKeys({ unavailable: [] }), [])
  })

  test('come from the backend: portable on this host lists what sysinfo lacks, procfs only what Linux lacks', () => {
    const portable = new HostCollector({ backend: 'portable', groups: ['memory', 'process'] }).collectSync()
    const procfs = new HostCollector({ backend: 'procfs', groups: ['memory', 'process'] }).collectSync()
    assert.ok(portable.unavailable.includes('memory.buffersBytes'))
    assert.ok(portable.unavailable.every((f) => f.startsWith('memory.') || f.startsWith('processes.')))
    assert.deepEqual(procfs.unavailable, ['memory.wiredBytes', 'processes.systemCalls'])
    const linux = native()
      .platformGaps()
      .filter((g) => g.platform === 'linux')
    assert.deepEqual(
      linux.map((g) => g.field),
      procfs.unavailable,
    )
  })
})
