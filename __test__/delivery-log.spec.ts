/**
 * Delivery in the log: the first export once at info, a summary line per interval, and
 * each error condition once with a count, never a line per flush.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import pino from 'pino'

import { Agent } from '../src/agent/agent'
import { DeliveryLog } from '../src/agent/delivery-log'
import type { Batch } from '../src/buffer'
import { parseConfig } from '../src/config'
import { AgentStats } from '../src/health'

interface Record {
  level: number
  msg: string
  [key: string]: unknown
}

function capture(): { logger: pino.Logger; records: Record[] } {
  const records: Record[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line)) })
  return { logger, records }
}

const batch = (dataPoints: number) => ({ signal: 'metrics', dataPoints }) as Batch
const MINUTE = 60_000

function rig() {
  let now = 1_000_000
  const { logger, records } = capture()
  const stats = new AgentStats({ now: () => now })
  let buffered = { memoryBatches: 0, memoryBytes: 0, diskBatches: 0, diskBytes: 0 }
  const log = new DeliveryLog({
    logger,
    stats,
    buffered: () => buffered,
    endpoint: 'grpc 127.0.0.1:4317',
    summaryIntervalMs: 5 * MINUTE,
    now: () => now,
  })
  return {
    log,
    stats,
    records,
    advance: (ms: number) => void (now += ms),
    setBuffered: (b: typeof buffered) => void (buffered = b),
    messages: () => records.map((r) => r.msg),
  }
}

describe('the delivery log', () => {
  test('says at info level when the first export is delivered, and only then', () => {
    const r = rig()
    r.log.outcome('metrics', { kind: 'ok' }, [batch(10), batch(5)])
    r.log.outcome('metrics', { kind: 'ok' }, [batch(7)])
    const first = r.records.filter((x) => x.msg.startsWith('first export delivered'))
    assert.equal(first.length, 1)
    assert.equal(first[0].level, 30)
    assert.equal(first[0].data_points, 15)
    assert.match(first[0].msg, /to grpc 127\.0\.0\.1:4317; from now on a summary every 5m/)
  })

  test('writes one summary line per interval: sent, buffered and dropped by reason', () => {
    const r = rig()
    r.log.outcome('metrics', { kind: 'ok' }, [batch(10), batch(5)])
    r.log.tick()
    r.advance(2 * MINUTE)
    r.log.tick()
    assert.equal(r.messages().filter((m) => m.startsWith('delivery in the last')).length, 0, 'too early')
    r.log.outcome('metrics', { kind: 'ok' }, [batch(20)])
    r.stats.recordDropped('max_age', 2, 40)
    r.setBuffered({ memoryBatches: 1, memoryBytes: 1024, diskBatches: 3, diskBytes: 3 * 1024 * 1024 })
    r.advance(3 * MINUTE)
    r.log.tick()
    r.log.tick()
    const summaries = r.records.filter((x) => x.msg.startsWith('delivery in the last'))
    assert.equal(summaries.length, 1)
    assert.equal(
      summaries[0].msg,
      'delivery in the last 5m: 3 batches (35 data points) sent, 4 buffered (3.0 MiB), 2 dropped (max_age 2)',
    )
    assert.equal(summaries[0].level, 30)
    // The next window counts from zero.
    r.advance(5 * MINUTE)
    r.log.tick()
    assert.equal(
      r.messages().at(-1),
      'delivery in the last 5m: 0 batches (0 data points) sent, 4 buffered (3.0 MiB), 0 dropped',
    )
  })

  test('writes a repeated error once, then its count with the summary, not a line per flush', () => {
    const r = rig()
    const refused = {
      kind: 'retryable',
      error: 'gRPC UNAVAILABLE: connect ECONNREFUSED',
      unavailable: true,
    } as const
    for (let i = 0; i < 30; i++) {
      r.log.outcome('metrics', refused, [batch(1)])
      r.advance(10_000)
      r.log.tick()
    }
    const lines = r.records.filter((x) => x.msg.startsWith('cannot reach the collector'))
    assert.deepEqual(
      lines.map((x) => x.msg),
      [
        'cannot reach the collector; data waits in the buffer and is sent when it is back',
        'cannot reach the collector; data waits in the buffer and is sent when it is back (again 29 times in the last 5m)',
      ],
    )
    assert.equal(lines[0].level, 40)
    assert.equal(lines[0].error, refused.error)
    assert.match(r.messages().at(-1)!, /, 30 exports failed$/)
  })

  test('keeps different conditions apart, and writes a condition again once it had gone for a whole interval', () => {
    const r = rig()
    // A refusal is a condition Exporting reports (a permanent outcome is judged by the flush first).
    const bad = (error: string) =>
      r.log.problem('error', `refused:${error}`, 'the endpoint refuses every batch', { error })
    bad('HTTP 400: bad data')
    bad('HTTP 401: wrong key')
    bad('HTTP 400: bad data')
    assert.equal(r.records.filter((x) => x.level === 50).length, 2)
    r.advance(5 * MINUTE)
    r.log.tick() // the window with the repeat: "(again 1 time …)"
    r.advance(5 * MINUTE)
    r.log.tick() // a window without it: forgotten
    bad('HTTP 400: bad data')
    // Each line: the error and how many repeats it reports (none on a first line).
    const errors = r.records.filter((x) => x.level === 50).map((x) => `${x.error} ×${x.repeats ?? 0}`)
    assert.deepEqual(errors, [
      'HTTP 400: bad data ×0',
      'HTTP 401: wrong key ×0',
      'HTTP 400: bad data ×1',
      'HTTP 400: bad data ×0',
    ])
  })

  test('writes an outage that starts again after a delivery at once', () => {
    const r = rig()
    const refused = { kind: 'retryable', error: 'gRPC UNAVAILABLE: connect ECONNREFUSED' } as const
    r.log.outcome('metrics', refused, [batch(1)])
    r.log.outcome('metrics', { kind: 'ok' }, [batch(1)])
    r.log.outcome('metrics', refused, [batch(1)])
    assert.equal(r.messages().filter((m) => m.startsWith('cannot reach')).length, 2)
  })
})

describe('an agent whose collector is down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfo-agent-delivery-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('writes "cannot reach the collector" once, then counts, over many failed flushes', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    await new Promise((resolve) => server.close(resolve))
    const { config } = parseConfig(
      [
        'telemetryflow:',
        `  endpoint: 127.0.0.1:${port}`,
        '  retry:\n    initial_interval: 10ms\n    max_interval: 20ms',
        `agent:\n  id: delivery-spec\n  data_dir: ${dir}`,
        'collectors:\n  system:\n    interval: 100ms',
        'exporter:\n  otlp:\n    flush_interval: 50ms',
        'logging:\n  summary_interval: 1s',
        'health:\n  enabled: false',
        'cloud:\n  provider: none',
      ].join('\n'),
      { env: {} },
    )
    const { logger, records } = capture()
    const agent = new Agent(config, { logger })
    await agent.start()
    try {
      for (let i = 0; i < 200 && agent.stats.exportTotals().failed < 25; i++)
        await new Promise((r) => setTimeout(r, 50))
      assert.ok(
        agent.stats.exportTotals().failed >= 25,
        `${agent.stats.exportTotals().failed} failed exports`,
      )
    } finally {
      await agent.stop({ deadlineMs: 1000 })
    }
    const failures = agent.stats.exportTotals().failed
    const first = records.filter(
      (x) => x.msg === 'cannot reach the collector; data waits in the buffer and is sent when it is back',
    )
    assert.equal(first.length, 1, `${failures} failed exports`)
    const counted = records
      .filter((x) => x.msg.startsWith('cannot reach the collector') && x.msg !== first[0].msg)
      .reduce((n, x) => n + (x.repeats as number), 0)
    assert.ok(counted <= failures - 1, `${counted} repeats counted for ${failures} failures`)
    assert.ok(records.some((x) => x.msg.startsWith('delivery in the last') && / buffered /.test(x.msg)))
  })
})
