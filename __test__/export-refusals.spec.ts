/**
 * Who is at fault when a collector refuses: only a batch refused while the same endpoint
 * accepts others is dropped; an endpoint that refuses everything alike holds the data and
 * says what to fix. And a collector's Retry-After is honoured up to `retry.max_retry_after`.
 */
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import pino from 'pino'

import { EndpointState } from '../src/agent/endpoint-state'
import { flushOnce, type Sender } from '../src/agent/flush'
import { BatchBuffer } from '../src/buffer'
import { parseConfig } from '../src/config'
import { classifyGrpc, classifyHttp, type ExportOutcome } from '../src/export'
import { AgentStats, evaluateHealth, httpStatusFor, renderPrometheus } from '../src/health'

const root = mkdtempSync(join(tmpdir(), 'tfo-refusals-'))
after(() => rmSync(root, { recursive: true, force: true }))
let n = 0
const logger = pino({ level: 'silent' })
const opts = { batchSize: 10, maxRequestBytes: 1 << 20, logger }

async function buffer(): Promise<BatchBuffer> {
  return BatchBuffer.open({
    path: join(root, `b${++n}`),
    maxSizeBytes: 64 << 20,
    maxAgeMs: 86_400_000,
    maxRetries: 3,
    memoryMaxBytes: 16 << 20,
    syncWrites: false,
  })
}

async function pushAll(b: BatchBuffer, ids: number[]): Promise<void> {
  for (const i of ids) await b.push({ signal: 'metrics', body: Uint8Array.of(i), dataPoints: 1 })
}

/** A collector that answers each request by the batch bytes it carries. */
function answering(answer: (bodies: number[]) => ExportOutcome): Sender & { requests: number[][] } {
  const requests: number[][] = []
  return {
    requests,
    send: async (_signal, body) => {
      const bodies = [...body]
      requests.push(bodies)
      return answer(bodies)
    },
  }
}

const notFound = classifyHttp(404, 'page not found')

describe('refusals judged by what the endpoint accepts', () => {
  for (const [what, refusal] of [
    ['HTTP 404', notFound],
    ['HTTP 401', classifyHttp(401, 'bad key')],
    ['HTTP 500 from a proxy', classifyHttp(500, 'upstream reset')],
    ['gRPC UNIMPLEMENTED', classifyGrpc(12, 'unknown service')],
    ['gRPC PERMISSION_DENIED', classifyGrpc(7, '')],
  ] as const) {
    test(`an endpoint that refuses every batch (${what}) drops none: the data is held, no retry spent`, async () => {
      const b = await buffer()
      await pushAll(b, [1, 2, 3, 4, 5])
      const endpoint = answering(() => refusal)
      for (let i = 0; i < 5; i++) {
        const report = await flushOnce(b, endpoint, opts)
        assert.equal(report.refused?.error, (refusal as { error: string }).error)
        assert.equal(report.dropped, 0)
      }
      const stats = b.stats()
      assert.equal(stats.dropped.batches, 0)
      assert.equal(stats.memoryBatches + stats.diskBatches, 5)
      assert.deepEqual(
        (await b.take(10)).map((x) => x.attempts),
        [0, 0, 0, 0, 0],
      )
      await b.close()
    })
  }

  test('a batch refused while the endpoint accepts others is dropped, alone, and counted as rejected', async () => {
    const b = await buffer()
    await pushAll(b, [1, 2, 3, 4, 5, 6])
    const endpoint = answering((bodies) =>
      bodies.includes(4) ? classifyHttp(400, 'bad data point') : { kind: 'ok' },
    )
    const report = await flushOnce(b, endpoint, opts)
    assert.equal(report.refused, undefined)
    assert.equal(report.dropped, 1)
    assert.deepEqual(report.exported.map((x) => [...x.body][0]).sort(), [1, 2, 3, 5, 6])
    const stats = b.stats()
    assert.deepEqual(stats.dropped.byReason.rejected, { batches: 1, dataPoints: 1 })
    assert.equal(stats.memoryBatches + stats.diskBatches, 0)
    await b.close()
  })

  test('the oldest batch refused while a newer one is accepted is dropped; the newer is sent', async () => {
    const b = await buffer()
    await pushAll(b, [1])
    const endpoint = answering((bodies) => (bodies.includes(1) ? classifyGrpc(3, 'invalid') : { kind: 'ok' }))
    const alone = await flushOnce(b, endpoint, opts)
    assert.ok(alone.refused, 'one batch refused with nothing accepted: held, not judged yet')
    assert.equal(b.stats().dropped.batches, 0)
    await pushAll(b, [2])
    const report = await flushOnce(b, endpoint, opts)
    assert.equal(report.dropped, 1)
    assert.deepEqual(
      report.exported.map((x) => [...x.body][0]),
      [2],
    )
    await b.close()
  })

  test('once the endpoint accepts again (the configuration fixed), everything held is sent, oldest first', async () => {
    const b = await buffer()
    await pushAll(b, [1, 2, 3])
    let fixed = false
    const endpoint = answering(() => (fixed ? { kind: 'ok' } : notFound))
    await flushOnce(b, endpoint, opts)
    await pushAll(b, [4, 5])
    await flushOnce(b, endpoint, opts)
    fixed = true
    const report = await flushOnce(b, endpoint, opts)
    assert.deepEqual(
      report.exported.map((x) => [...x.body][0]),
      [1, 2, 3, 4, 5],
    )
    assert.equal(b.stats().dropped.batches, 0)
    await b.close()
  })
})

describe("the endpoint's wait and health", () => {
  const config = (yaml = '') => parseConfig(yaml, { env: {} }).config
  const retryAfter = (seconds: number): Extract<ExportOutcome, { kind: 'retryable' }> => ({
    kind: 'retryable',
    error: 'HTTP 503: busy',
    retryAfterMs: seconds * 1000,
    unavailable: true,
  })

  test('honours a Retry-After up to retry.max_retry_after (default 5m), not beyond', () => {
    let now = 1_000_000
    const state = new EndpointState(config(), () => now)
    state.failed(retryAfter(100_000))
    const view = state.view()
    assert.deepEqual(view.retryAfter, { askedMs: 100_000_000, honouredMs: 300_000 })
    assert.equal(view.nextAttemptAtMs, now + 300_000)
    now += 300_000
    assert.equal(state.ready(), true, 'tried again once the capped wait is over')
  })

  test('retry.max_retry_after is its own key: a short Retry-After wins over a shorter max_interval', () => {
    const now = 5_000
    const c = config('telemetryflow:\n  retry:\n    max_interval: 2s\n    max_retry_after: 1m\n')
    const state = new EndpointState(c, () => now)
    state.failed(retryAfter(45))
    assert.equal(state.view().nextAttemptAtMs, now + 45_000)
    state.failed(retryAfter(3600))
    assert.equal(state.view().nextAttemptAtMs, now + 60_000)
    state.failed({ kind: 'retryable', error: 'no response: ECONNREFUSED', unavailable: true })
    assert.ok(state.view().nextAttemptAtMs! <= now + 2_000, 'its own backoff stays within max_interval')
  })

  test('an endpoint refusing everything: exporter check unhealthy with the reason and the fix; the agent degraded, HTTP 200', () => {
    const now = 10_000_000
    const stats = new AgentStats({ now: () => now, startTimeMs: now - 60_000 })
    stats.recordCollection(0.01)
    stats.setBuffer({ diskBatches: 7 })
    const state = new EndpointState(config(), () => now)
    state.refused(
      notFound as Extract<ExportOutcome, { kind: 'permanent' }>,
      notFound.kind === 'ok' ? '' : notFound.error,
    )
    stats.recordExport('metrics', false, 'HTTP 404: page not found')
    stats.setExportState(state.view())
    const report = evaluateHealth(stats, now, { version: 't', agentId: 'a' })
    assert.equal(report.status, 'degraded')
    assert.equal(httpStatusFor(report.status), 200)
    assert.equal(report.checks.exporter.status, 'unhealthy')
    assert.match(report.checks.exporter.message, /the endpoint answers HTTP 404: is this an OTLP endpoint\?/)
    assert.match(report.checks.exporter.message, /`telemetryflow\.protocol`/)
    assert.match(report.checks.exporter.message, /7 batches are held in the buffer/)
    assert.match(report.checks.exporter.message, /none is dropped/)
    assert.doesNotMatch(report.checks.exporter.message, /discarded|kept in the buffer/)
    assert.match(
      renderPrometheus(stats, { version: 't', agentId: 'a' }, now),
      /tfo_agent_export_refused\{code="HTTP 404"\} 1/,
    )
  })

  test('shows the wait a Retry-After set, and that it was capped, in /health', () => {
    const now = 10_000_000
    const stats = new AgentStats({ now: () => now, startTimeMs: now - 60_000 })
    stats.recordCollection(0.01)
    const state = new EndpointState(config(), () => now)
    state.failed(retryAfter(100_000))
    stats.recordExport('metrics', false, 'HTTP 503: busy')
    stats.setExportState(state.view())
    const report = evaluateHealth(stats, now, { version: 't', agentId: 'a' })
    assert.equal(report.checks.exporter.status, 'degraded')
    assert.match(
      report.checks.exporter.message,
      /next attempt in 300s \(the collector asked to wait 100000s, capped at 300s/,
    )
    assert.deepEqual(report.export, {
      nextAttemptAt: Math.ceil((now + 300_000) / 1000),
      retryAfterSeconds: { asked: 100_000, honoured: 300 },
    })
    assert.match(report.checks.exporter.message, /nothing is waiting in the buffer/)
  })
})
