import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import pino from 'pino'

import { flushOnce, groupIntoRequests, type Sender } from '../src/agent/flush'
import { BatchBuffer, type Batch } from '../src/buffer'
import type { ExportOutcome } from '../src/export'

const root = mkdtempSync(join(tmpdir(), 'tfo-flush-'))
after(() => rmSync(root, { recursive: true, force: true }))
let n = 0
const logger = pino({ level: 'silent' })

async function buffer(maxRetries = 3): Promise<BatchBuffer> {
  return BatchBuffer.open({
    path: join(root, `b${++n}`),
    maxSizeBytes: 64 << 20,
    maxAgeMs: 86_400_000,
    maxRetries,
    memoryMaxBytes: 16 << 20,
    syncWrites: false,
  })
}

function sender(outcome: ExportOutcome): Sender & { bodies: Uint8Array[] } {
  const bodies: Uint8Array[] = []
  return { bodies, send: async (_s, body) => (bodies.push(body), outcome) }
}

const opts = { batchSize: 10, maxRequestBytes: 1 << 20, logger }

describe('flushing the buffer', () => {
  test('an unreachable collector spends none of a batch’s retries, however long it is down', async () => {
    const b = await buffer(3)
    await b.push({ signal: 'metrics', body: Uint8Array.of(1), dataPoints: 5 })
    const down = sender({ kind: 'retryable', error: 'no response: ECONNREFUSED', unavailable: true })
    for (let i = 0; i < 20; i++) await flushOnce(b, down, opts)
    const stats = b.stats()
    assert.equal(stats.dropped.batches, 0)
    assert.equal(stats.diskBatches, 1, 'the waiting batch is on disk')
    const [batch] = await b.take(1)
    assert.equal(batch.attempts, 0)
    await b.close()
  })

  test('a collector that answers with a retryable error spends retries until the batch is dropped', async () => {
    const b = await buffer(3)
    await b.push({ signal: 'metrics', body: Uint8Array.of(1), dataPoints: 5 })
    const throttled = sender({ kind: 'retryable', error: 'gRPC ABORTED' })
    for (let i = 0; i < 3; i++) await flushOnce(b, throttled, opts)
    assert.deepEqual(b.stats().dropped.byReason.retries, { batches: 1, dataPoints: 5 })
    await b.close()
  })

  test('sends consecutive batches of one signal in one request, oldest first, and acks them', async () => {
    const b = await buffer()
    for (let i = 1; i <= 3; i++) await b.push({ signal: 'metrics', body: Uint8Array.of(i), dataPoints: 1 })
    await b.push({ signal: 'logs', body: Uint8Array.of(9), dataPoints: 1 })
    const ok = sender({ kind: 'ok' })
    const report = await flushOnce(b, ok, opts)
    assert.deepEqual(
      ok.bodies.map((x) => [...x]),
      [[1, 2, 3], [9]],
    )
    assert.equal(report.exported.length, 4)
    assert.equal(b.stats().memoryBatches + b.stats().diskBatches, 0)
    await b.close()
  })

  test('after a retryable failure the rest of the flush goes back untouched, with no attempt counted', async () => {
    const b = await buffer()
    await b.push({ signal: 'metrics', body: Uint8Array.of(1), dataPoints: 1 })
    await b.push({ signal: 'logs', body: Uint8Array.of(2), dataPoints: 1 })
    const failing = sender({ kind: 'retryable', error: 'gRPC ABORTED' })
    await flushOnce(b, failing, opts)
    assert.equal(failing.bodies.length, 1, 'the logs request was not sent')
    const again = await b.take(10)
    assert.deepEqual(
      again.map((x) => [x.signal, x.attempts]),
      [
        ['metrics', 1],
        ['logs', 0],
      ],
    )
    await b.close()
  })

  test('a request refused for its size is split and resent; only a batch too large alone is dropped', async () => {
    const b = await buffer()
    for (const size of [3, 3, 3, 9])
      await b.push({ signal: 'metrics', body: new Uint8Array(size), dataPoints: 1 })
    const sizes: number[] = []
    const gateway: Sender = {
      send: async (_s, body) => {
        sizes.push(body.length)
        return body.length > 6
          ? { kind: 'permanent', error: 'HTTP 413: Request Entity Too Large', tooLarge: true }
          : { kind: 'ok' }
      },
    }
    const report = await flushOnce(b, gateway, opts)
    assert.deepEqual(sizes, [18, 6, 12, 3, 9])
    assert.equal(report.exported.length, 3)
    assert.deepEqual(b.stats().dropped.byReason.rejected, { batches: 1, dataPoints: 1 })
    await b.close()
  })

  test('splits requests at a signal change and at the byte bound', () => {
    const batch = (id: number, signal: Batch['signal'], bytes: number): Batch => ({
      id,
      signal,
      body: new Uint8Array(bytes),
      dataPoints: 1,
      createdAt: 0,
      attempts: 0,
    })
    const groups = groupIntoRequests(
      [batch(1, 'metrics', 40), batch(2, 'metrics', 40), batch(3, 'metrics', 40), batch(4, 'logs', 10)],
      100,
    )
    assert.deepEqual(
      groups.map((g) => g.map((x) => x.id)),
      [[1, 2], [3], [4]],
    )
  })

  test('a batch sent again after an attempt that got no answer is counted as a re-send', async () => {
    const b = await buffer(3)
    await b.push({ signal: 'metrics', body: Uint8Array.of(1), dataPoints: 1 })
    await b.push({ signal: 'metrics', body: Uint8Array.of(2), dataPoints: 1 })
    const timedOut = sender({
      kind: 'retryable',
      error: 'no response: timed out',
      unavailable: true,
      outcomeUnknown: true,
    })
    await flushOnce(b, timedOut, opts)
    const report = await flushOnce(b, sender({ kind: 'ok' }), opts)
    assert.equal(report.exported.length, 2)
    const stats = b.stats()
    assert.equal(stats.exported, 2)
    assert.equal(
      stats.resent,
      2,
      'both went out once with no answer: the collector may hold two copies of each',
    )
    await b.push({ signal: 'metrics', body: Uint8Array.of(3), dataPoints: 1 })
    await flushOnce(
      b,
      sender({ kind: 'retryable', error: 'no response: ECONNREFUSED', unavailable: true }),
      opts,
    )
    await flushOnce(b, sender({ kind: 'ok' }), opts)
    assert.equal(b.stats().resent, 2, 'a refused connection sent nothing: no re-send')
    await b.close()
  })
})
