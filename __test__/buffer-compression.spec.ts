import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { open } from 'lmdb'

import { BatchBuffer, BATCH_OVERHEAD_BYTES, type BufferOptions } from '../src/buffer'
import { bodyFor } from './helpers/buffer-bodies'

const root = mkdtempSync(join(tmpdir(), 'tfo-buffer-z-'))
after(() => rmSync(root, { recursive: true, force: true }))
let dirs = 0

function options(overrides: Partial<BufferOptions> = {}): BufferOptions {
  return {
    path: join(root, `store-${++dirs}`),
    maxSizeBytes: 64 << 20,
    maxAgeMs: 86_400_000,
    maxRetries: 3,
    memoryMaxBytes: 16 << 20,
    syncWrites: false,
    compression: 'deflate',
    ...overrides,
  }
}

/** A body shaped like OTLP metrics: repetitive, so it compresses as real requests do. */
function otlpLike(i: number): Uint8Array {
  const text = Array.from(
    { length: 200 },
    (_, k) => `system.cpu.time state=user cpu=${k % 4} value=${i * k}`,
  ).join('\n')
  return new TextEncoder().encode(text)
}

describe('compressed buffering', () => {
  it('returns every batch exactly as pushed, from memory, from disk and after a reopen', async () => {
    const opts = options({ memoryMaxBytes: 4000 })
    const buffer = await BatchBuffer.open(opts)
    const bodies = Array.from({ length: 12 }, (_, i) => (i % 2 ? otlpLike(i) : bodyFor(i)))
    for (const body of bodies) await buffer.push({ signal: 'metrics', body, dataPoints: 1 })
    assert.ok(buffer.stats().diskBatches > 0, 'some spilled to disk')
    const first = await buffer.take(6)
    assert.deepEqual(
      first.map((b) => Buffer.from(b.body)),
      bodies.slice(0, 6).map((b) => Buffer.from(b)),
    )
    await buffer.ack(first)
    await buffer.close()

    const reopened = await BatchBuffer.open({ ...opts })
    const rest = await reopened.take(10)
    assert.deepEqual(
      rest.map((b) => Buffer.from(b.body)),
      bodies.slice(6).map((b) => Buffer.from(b)),
    )
    await reopened.close()
  })

  it('counts stored (compressed) bytes against the size bound, so it holds several times more', async () => {
    const body = otlpLike(1)
    const plain = await BatchBuffer.open(options({ compression: 'none' }))
    const packed = await BatchBuffer.open(options())
    await plain.push({ signal: 'metrics', body, dataPoints: 1 })
    await packed.push({ signal: 'metrics', body, dataPoints: 1 })
    assert.equal(plain.stats().memoryBytes, body.byteLength + BATCH_OVERHEAD_BYTES)
    assert.ok(packed.stats().memoryBytes * 4 < plain.stats().memoryBytes, 'at least 4x smaller')
    await plain.close()
    await packed.close()
  })

  it('reads batches stored without compression after compression is switched on, and the other way round', async () => {
    const path = join(root, 'mixed')
    const before = await BatchBuffer.open(options({ path, compression: 'none' }))
    await before.push({ signal: 'metrics', body: otlpLike(1), dataPoints: 1 })
    await before.close()
    const during = await BatchBuffer.open(options({ path }))
    await during.push({ signal: 'metrics', body: otlpLike(2), dataPoints: 1 })
    await during.close()
    const after = await BatchBuffer.open(options({ path, compression: 'none' }))
    const all = await after.take(10)
    assert.deepEqual(
      all.map((b) => Buffer.from(b.body)),
      [otlpLike(1), otlpLike(2)].map((b) => Buffer.from(b)),
    )
    await after.close()
  })

  it('drops and counts a compressed body that no longer inflates, and keeps going', async () => {
    const path = join(root, 'damaged')
    const buffer = await BatchBuffer.open(options({ path }))
    await buffer.push({ signal: 'metrics', body: otlpLike(1), dataPoints: 7 })
    await buffer.push({ signal: 'metrics', body: otlpLike(2), dataPoints: 3 })
    await buffer.close()

    // Overwrite the first body with garbage of the same length, as a damaged page would.
    const env = open({ path, maxDbs: 8 })
    const bodies = env.openDB<Buffer, number>({ name: 'bodies', encoding: 'binary' })
    const [firstId] = [...bodies.getKeys()] as number[]
    const length = bodies.getBinary(firstId)!.length
    await bodies.put(firstId, Buffer.alloc(length, 0xff))
    await env.close()

    const reopened = await BatchBuffer.open(options({ path }))
    const taken = await reopened.take(10)
    assert.deepEqual(
      taken.map((b) => Buffer.from(b.body)),
      [Buffer.from(otlpLike(2))],
    )
    assert.deepEqual(reopened.stats().dropped.byReason.corrupt, { batches: 1, dataPoints: 7 })
    await reopened.close()
  })
})
