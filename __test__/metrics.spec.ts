/**
 * The metric model on a hand-built snapshot: every metric the hostmetrics receiver
 * would report, decoded from the exact protobuf bytes the exporter will send.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { HostCollector } from '../src/host-collector'
import { buildResource, MetricModel, type MetricModelOptions } from '../src/metrics'
import type { HostSnapshot } from '../src/native'
import { assertHostMetrics, DESIGN_DEFAULT_METRICS, expectedHostmetrics } from './fixtures/expected-metrics'
import { decodeMetricsRequest, pointRows, type PointRow } from './fixtures/otlp'
import { fixtureSnapshot } from './fixtures/snapshot'

const AGENT_ID = '3f0c9a52-7d4e-4b8e-9a61-2c5d8f1e0b77'

async function collectRows(
  snapshot: HostSnapshot,
  options: Partial<MetricModelOptions> = {},
): Promise<{ rows: PointRow[]; dataPoints: number; metricNames: string[]; resources: number }> {
  const model = new MetricModel({ resource: buildResource(snapshot, { agentId: AGENT_ID }), ...options })
  try {
    model.record(snapshot)
    const { body, dataPoints, metricNames } = await model.collect()
    const decoded = decodeMetricsRequest(body)
    return { rows: pointRows(decoded), dataPoints, metricNames, resources: decoded.resourceMetrics.length }
  } finally {
    await model.shutdown()
  }
}

describe('the metric model', () => {
  test('reports every hostmetrics metric with its unit, type, temporality, attributes and value', async () => {
    const snapshot = fixtureSnapshot()
    const { rows, metricNames } = await collectRows(snapshot)
    const expected = expectedHostmetrics(snapshot)
    assertHostMetrics(rows, expected)
    assert.deepEqual(metricNames, expected.map((e) => e.metric).sort(), 'no metric beyond the expected ones')
    for (const name of DESIGN_DEFAULT_METRICS) assert.ok(metricNames.includes(name), `${name} is reported`)
  })

  test('puts the agent and host facts on the resource', async () => {
    const snapshot = fixtureSnapshot()
    const resource = buildResource(snapshot, {
      agentId: AGENT_ID,
      serviceVersion: '1.2.3',
      environment: 'production',
      tags: { team: 'infra', 'service.name': 'not-this' },
    })
    assert.deepEqual(resource, {
      team: 'infra',
      'service.name': 'tfo-agent',
      'service.version': '1.2.3',
      'service.instance.id': AGENT_ID,
      'telemetryflow.agent.id': AGENT_ID,
      'host.name': 'web-01',
      'host.id': '4c4c4544004e3010804bb4c04f503232',
      'host.arch': 'amd64',
      'os.type': 'linux',
      'os.description': 'Ubuntu 22.04.4 LTS (Linux 5.15.0-105-generic)',
      'deployment.environment.name': 'production',
    })
    const model = new MetricModel({ resource })
    model.record(snapshot)
    const rows = pointRows(decodeMetricsRequest((await model.collect()).body))
    await model.shutdown()
    for (const row of rows) assert.deepEqual(row.resource, resource)
  })

  test('adds cloud and container attributes when they are known', () => {
    const snapshot = fixtureSnapshot()
    snapshot.container = {
      ...snapshot.container,
      isContainer: true,
      runtime: 'docker',
      containerId: 'a'.repeat(64),
      containerName: 'agent',
      containerImage: '',
    }
    const resource = buildResource(snapshot, {
      agentId: AGENT_ID,
      hostname: 'configured-name',
      cloud: {
        provider: 'aws',
        platform: 'aws_ec2',
        region: 'eu-west-1',
        availabilityZone: 'eu-west-1a',
        instanceId: 'i-0abc',
        instanceType: 't3.small',
      },
    })
    assert.equal(resource['host.name'], 'configured-name')
    assert.equal(resource['host.id'], 'i-0abc')
    assert.equal(resource['host.type'], 't3.small')
    assert.equal(resource['cloud.provider'], 'aws')
    assert.equal(resource['cloud.platform'], 'aws_ec2')
    assert.equal(resource['cloud.region'], 'eu-west-1')
    assert.equal(resource['cloud.availability_zone'], 'eu-west-1a')
    assert.equal(resource['container.id'], 'a'.repeat(64))
    assert.equal(resource['container.runtime.name'], 'docker')
    assert.equal(resource['container.name'], 'agent')
    assert.ok(!('container.image.name' in resource), 'an unknown image is left out, not empty')
  })

  test('counts exactly the data points it serialized', async () => {
    const { rows, dataPoints, metricNames } = await collectRows(fixtureSnapshot(), {
      perCore: true,
      processMetrics: true,
    })
    assert.equal(dataPoints, rows.length)
    assert.deepEqual(metricNames, [...new Set(rows.map((r) => r.metric))].sort())
  })

  test('reports per-core CPU only when asked, with a cpu attribute per logical CPU', async () => {
    const off = await collectRows(fixtureSnapshot())
    const offCpu = off.rows.filter((r) => r.metric === 'system.cpu.time')
    assert.equal(offCpu.length, 8)
    assert.ok(offCpu.every((r) => !('cpu' in r.attributes)))

    const on = await collectRows(fixtureSnapshot(), { perCore: true })
    const onCpu = on.rows.filter((r) => r.metric === 'system.cpu.time')
    assert.equal(onCpu.length, 16)
    assert.deepEqual([...new Set(onCpu.map((r) => r.attributes.cpu))].sort(), ['cpu0', 'cpu1'])
    const userCpu1 = onCpu.find((r) => r.attributes.cpu === 'cpu1' && r.attributes.state === 'user')
    assert.equal(userCpu1?.value, fixtureSnapshot().cpu.perCore[1]!.times.userSeconds)
    const util = on.rows.filter((r) => r.metric === 'system.cpu.utilization')
    assert.equal(util.length, 16)
  })

  test('reports each process as its own resource only when asked', async () => {
    const off = await collectRows(fixtureSnapshot())
    assert.equal(off.resources, 1)
    assert.ok(!off.rows.some((r) => r.metric.startsWith('process.')))

    const snapshot = fixtureSnapshot()
    const on = await collectRows(snapshot, { processMetrics: true })
    assert.equal(on.resources, 1 + snapshot.processes.top.length)
    const node = on.rows.filter((r) => r.resource['process.pid'] === 4242)
    const resource = node[0]!.resource
    assert.equal(resource['process.parent_pid'], 1)
    assert.equal(resource['process.executable.name'], 'node (worker)')
    assert.equal(resource['process.executable.path'], '/usr/bin/node')
    assert.equal(resource['process.command'], 'node')
    assert.equal(resource['process.command_line'], 'node /srv/app/server.js --port 8080')
    assert.equal(resource['process.owner'], 'www-data')
    assert.equal(resource['host.name'], 'web-01', 'the host attributes come along')
    assert.equal(resource['telemetryflow.agent.id'], AGENT_ID)

    const get = (metric: string, attrs: Record<string, string> = {}) =>
      node.find((r) => r.metric === metric && Object.entries(attrs).every(([k, v]) => r.attributes[k] === v))
    assert.equal(get('process.cpu.time', { state: 'user' })?.value, 812.5)
    assert.equal(get('process.cpu.time', { state: 'system' })?.value, 97.25)
    assert.equal(get('process.cpu.time', { state: 'wait' })?.value, 1.5, 'block I/O delay, as the receiver')
    assert.equal(get('process.cpu.time', { state: 'user' })?.monotonic, true)
    assert.equal(get('process.memory.usage')?.value, 251_658_240)
    assert.equal(get('process.memory.usage')?.unit, 'By')
    assert.equal(get('process.memory.virtual')?.value, 1_288_490_188)
    // As the receiver: bytes through read/write calls (rchar/wchar), not only storage's.
    assert.equal(get('process.disk.io', { direction: 'read' })?.value, 31_457_280)
    assert.equal(get('process.disk.io', { direction: 'write' })?.value, 4_194_304)
    assert.equal(get('process.threads')?.value, 11)
    assert.equal(get('process.threads')?.unit, '{threads}')
    assert.equal(get('process.open_file_descriptors')?.value, 48)
    assert.equal(get('process.open_file_descriptors')?.unit, '{count}')
    assert.equal(
      get('process.cpu.time', { state: 'user' })?.startTimeUnixNano,
      String(BigInt(1_795_600_000) * 1_000_000_000n),
      'cumulative process sums start when the process started',
    )

    const sshd = on.rows.filter((r) => r.resource['process.pid'] === 777)
    assert.ok(
      !sshd.some((r) => r.metric === 'process.disk.io'),
      'unreadable I/O counters are absent, not zero',
    )
    assert.ok(!sshd.some((r) => r.metric === 'process.open_file_descriptors'))
    // Every process attribute is set, "" where the kernel does not say (as the receiver).
    assert.equal(sshd[0]!.resource['process.executable.path'], '')
  })

  test('spells names, attributes and values by the latest conventions behind one switch', async () => {
    const snapshot = fixtureSnapshot()
    const { rows, metricNames } = await collectRows(snapshot, {
      semconv: 'latest',
      perCore: true,
      processMetrics: true,
    })
    for (const name of [
      'system.network.packet.count',
      'system.network.packet.dropped',
      'system.network.connection.count',
      'system.process.count',
      'system.process.created',
      'system.memory.linux.slab.usage',
      'process.thread.count',
      'process.unix.file_descriptor.count',
    ]) {
      assert.ok(metricNames.includes(name), `${name} is reported`)
    }
    for (const old of [
      'system.network.packets',
      'system.network.dropped',
      'system.network.connections',
      'system.processes.count',
      'process.threads',
      'process.open_file_descriptors',
    ]) {
      assert.ok(!metricNames.includes(old), `${old} is not reported`)
    }
    const cpu = rows.filter((r) => r.metric === 'system.cpu.time' && r.attributes['cpu.logical_number'] === 0)
    assert.deepEqual(cpu.map((r) => r.attributes['cpu.mode']).sort(), [
      'idle',
      'interrupt',
      'iowait',
      'nice',
      'steal',
      'system',
      'user',
    ])
    // Per-CPU frequency carries the conventions' integer CPU number.
    const freq = rows.filter((r) => r.metric === 'system.cpu.frequency')
    assert.deepEqual(
      freq.map((r) => r.attributes['cpu.logical_number']),
      snapshot.cpu.perCore.map((c) => c.coreId),
    )
    // A process's block-I/O wait is the conventions' `iowait` mode.
    const procModes = rows
      .filter((r) => r.metric === 'process.cpu.time' && r.resource['process.pid'] === 4242)
      .map((r) => r.attributes['cpu.mode'])
    assert.deepEqual(procModes.sort(), ['iowait', 'system', 'user'])
    const core0 = snapshot.cpu.perCore[0]!.times
    assert.equal(
      cpu.find((r) => r.attributes['cpu.mode'] === 'interrupt')?.value,
      core0.irqSeconds + core0.softirqSeconds,
    )

    const packets = rows.find(
      (r) =>
        r.metric === 'system.network.packet.count' &&
        r.attributes['network.interface.name'] === 'eth0' &&
        r.attributes['network.io.direction'] === 'receive',
    )
    assert.equal(packets?.value, 98_765_432)
    assert.equal(packets?.unit, '{packet}')
    const synRecv = rows.find(
      (r) =>
        r.metric === 'system.network.connection.count' &&
        r.attributes['network.connection.state'] === 'syn_received',
    )
    assert.equal(synRecv?.value, 2)
    assert.equal(synRecv?.attributes['network.transport'], 'tcp')
    const defunct = rows.find(
      (r) => r.metric === 'system.process.count' && r.attributes['process.state'] === 'defunct',
    )
    assert.equal(defunct?.value, 3)
    const buffers = rows.find(
      (r) => r.metric === 'system.memory.usage' && r.attributes['system.memory.state'] === 'buffers',
    )
    assert.equal(buffers?.value, snapshot.memory.buffersBytes)
    assert.ok(
      !rows.some(
        (r) =>
          r.metric === 'system.memory.usage' &&
          String(r.attributes['system.memory.state']).startsWith('slab'),
      ),
    )
    const disk = rows.find(
      (r) =>
        r.metric === 'system.disk.io' &&
        r.attributes['system.device.name'] === 'sda' &&
        r.attributes['disk.io.direction'] === 'write',
    )
    assert.equal(disk?.value, snapshot.disk.devices[0]!.writeBytes)
    const fs = rows.find(
      (r) =>
        r.metric === 'system.filesystem.usage' &&
        r.attributes['system.filesystem.mountpoint'] === '/mnt/my data' &&
        r.attributes['system.filesystem.state'] === 'used',
    )
    assert.equal(fs?.attributes['system.filesystem.type'], 'xfs')
    const proc = rows.find(
      (r) =>
        r.metric === 'process.cpu.time' &&
        r.resource['process.pid'] === 1 &&
        r.attributes['cpu.mode'] === 'system',
    )
    assert.equal(proc?.value, 9.25)
  })

  test('leaves out the metrics of a group the snapshot reports as failed', async () => {
    const snapshot = fixtureSnapshot()
    snapshot.errors = [
      { group: 'disk', message: 'permission denied' },
      { group: 'resources', message: 'gone' },
    ]
    const { metricNames } = await collectRows(snapshot)
    assert.ok(!metricNames.some((n) => n.startsWith('system.disk.')))
    assert.ok(!metricNames.includes('system.linux.entropy.available'))
    assert.ok(metricNames.includes('system.cpu.time'))
    assert.ok(metricNames.includes('system.linux.context_switches'), 'extras of other groups stay')
  })

  test('never repeats the last value of a device, mount or group that is gone', async () => {
    const snapshot = fixtureSnapshot()
    const model = new MetricModel({ resource: buildResource(snapshot, { agentId: AGENT_ID }) })
    model.record(snapshot)
    await model.collect()
    const later = fixtureSnapshot()
    later.filesystems = later.filesystems.slice(0, 1)
    later.errors = [{ group: 'tcp', message: 'netlink refused' }]
    model.record(later)
    const rows = pointRows(decodeMetricsRequest((await model.collect()).body))
    await model.shutdown()
    assert.ok(!rows.some((r) => r.attributes.mountpoint === '/mnt/my data'))
    assert.ok(!rows.some((r) => r.metric === 'system.network.connections'))
    assert.equal(rows.filter((r) => r.metric === 'system.filesystem.usage').length, 3)
  })

  test('keeps cumulative start times across collections while values move on', async () => {
    const snapshot = fixtureSnapshot()
    const model = new MetricModel({ resource: buildResource(snapshot, { agentId: AGENT_ID }) })
    model.record(snapshot)
    const first = pointRows(decodeMetricsRequest((await model.collect()).body))
    const next = fixtureSnapshot()
    next.cpu.total.userSeconds += 10
    model.record(next)
    const second = pointRows(decodeMetricsRequest((await model.collect()).body))
    await model.shutdown()
    const user = (rows: PointRow[]) =>
      rows.find((r) => r.metric === 'system.cpu.time' && r.attributes.state === 'user')!
    assert.equal(user(second).value, snapshot.cpu.total.userSeconds + 10)
    assert.equal(user(second).startTimeUnixNano, user(first).startTimeUnixNano)
    assert.equal(
      user(first).startTimeUnixNano,
      String(BigInt(snapshot.host.bootTimeUnix) * 1_000_000_000n),
      'host counters start at boot, as the kernel counts them',
    )
    assert.ok(BigInt(user(second).timeUnixNano) >= BigInt(user(first).timeUnixNano))
  })

  test('switches groups off', async () => {
    const { metricNames } = await collectRows(fixtureSnapshot(), {
      enabled: { disk: false, network: false, linux: false, tcp: false },
    })
    assert.ok(
      !metricNames.some(
        (n) =>
          n.startsWith('system.disk.') || n.startsWith('system.network.') || n.startsWith('system.linux.'),
      ),
    )
    assert.ok(metricNames.includes('system.memory.usage'))
  })

  test('has nothing to send before the first snapshot', async () => {
    const model = new MetricModel({ resource: { 'service.name': 'tfo-agent' } })
    const { body, dataPoints, metricNames } = await model.collect()
    await model.shutdown()
    assert.equal(dataPoints, 0)
    assert.deepEqual(metricNames, [])
    assert.equal(decodeMetricsRequest(body).resourceMetrics.length, 0)
  })

  test('turns a live snapshot into metrics for every group that did not fail', async () => {
    const collector = new HostCollector({ topProcesses: 3 })
    await collector.collect()
    const snapshot = await collector.collect()
    const { rows, metricNames } = await collectRows(snapshot, { processMetrics: true })
    const failed = new Set<string>(snapshot.errors.map((e) => e.group))
    const groupMetric: Record<string, string> = {
      cpu: 'system.cpu.time',
      load: 'system.cpu.load_average.1m',
      memory: 'system.memory.usage',
      paging: 'system.paging.faults',
      disk: 'system.disk.io',
      network: 'system.network.io',
      tcp: 'system.network.connections',
      process: 'system.processes.count',
      host: 'system.uptime',
    }
    for (const [group, metric] of Object.entries(groupMetric)) {
      if (failed.has(group))
        assert.ok(!metricNames.includes(metric), `${metric} is absent while ${group} fails`)
      else assert.ok(metricNames.includes(metric), `${metric} is reported`)
    }
    if (!failed.has('memory')) {
      const limit = rows.find((r) => r.metric === 'system.memory.limit')
      assert.equal(limit?.value, snapshot.memory.totalBytes)
    }
  })
})
