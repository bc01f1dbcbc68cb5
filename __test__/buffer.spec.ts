import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { BatchBuffer, BATCH_OVERHEAD_BYTES, type BufferOptions, type DropEvent } from '../src/buffer'
import { bodyFor } from './helpers/buffer-bodies'

const root = mkdtempSync(join(tmpdir(), 'tfo-buffer-'))
after(() => rmSync(root, { recursive: true, force: true }))
let dirs = 0

function options(overrides: Partial<BufferOptions> = {}): BufferOptions {
  return {
    path: join(root, `store-${++dirs}`),
    maxSizeBytes: 64 * 1024 * 1024,
    maxAgeMs: 24 * 3600_000,
    maxRetries: 3,
    memoryMaxBytes: 16 * 1024 * 1024,
    syncWrites: false,
    ...overrides,
  }
}

/** A body of exactly `bytes` accounted bytes (body + overhead). */
function sized(bytes: number, fill: number): Uint8Array {
  return new Uint8Array(bytes - BATCH_OVERHEAD_BYTES).fill(fill)
}

describe('the batch buffer', () => {
  it('keeps batches in memory until the memory limit, then spills the oldest to disk', async () => {
    const buffer = await BatchBuffer.open(options({ memoryMaxBytes: 3000 }))
    for (let i = 0; i < 3; i++) await buffer.push({ signal: 'metrics', body: sized(1000, i), dataPoints: 10 })
    assert.deepEqual([buffer.stats().memoryBatches, buffer.stats().diskBatches], [3, 0])
    for (let i = 3; i < 5; i++) await buffer.push({ signal: 'metrics', body: sized(1000, i), dataPoints: 10 })
    const stats = buffer.stats()
    assert.deepEqual(
      [stats.memoryBatches, stats.memoryBytes, stats.diskBatches, stats.diskBytes],
      [3, 3000, 2, 2000],
    )

    const taken = await buffer.take(10)
    assert.deepEqual(
      taken.map((b) => b.body[0]),
      [0, 1, 2, 3, 4],
      'oldest first across disk and memory',
    )
    assert.ok(taken.every((b, i) => i === 0 || b.id > taken[i - 1].id))
    await buffer.close()
  })

  it('puts released batches back in line, oldest first, without counting an attempt', async () => {
    const buffer = await BatchBuffer.open(options({ maxRetries: 1 }))
    for (let i = 0; i < 3; i++) await buffer.push({ signal: 'metrics', body: sized(1000, i), dataPoints: 1 })
    const taken = await buffer.take(3)
    buffer.release(taken.slice(1))
    assert.equal(buffer.stats().inFlight, 1)
    const again = await buffer.take(3)
    assert.deepEqual(
      again.map((b) => [b.body[0], b.attempts]),
      [
        [1, 0],
        [2, 0],
      ],
    )
    assert.equal(buffer.stats().dropped.batches, 0)
    await buffer.close()
  })

  it('does not hand out a batch twice while it is in flight, and ack removes it everywhere', async () => {
    const opts = options({ memoryMaxBytes: 2000 })
    const buffer = await BatchBuffer.open(opts)
    for (let i = 0; i < 4; i++) await buffer.push({ signal: 'metrics', body: sized(1000, i), dataPoints: 1 })
    const first = await buffer.take(2)
    const second = await buffer.take(10)
    assert.deepEqual(
      first.map((b) => b.body[0]),
      [0, 1],
    )
    assert.deepEqual(
      second.map((b) => b.body[0]),
      [2, 3],
    )
    assert.deepEqual(await buffer.take(10), [])
    assert.equal(buffer.stats().inFlight, 4)

    await buffer.ack([...first, ...second])
    const stats = buffer.stats()
    assert.deepEqual([stats.memoryBatches, stats.diskBatches, stats.inFlight, stats.exported], [0, 0, 0, 4])
    await buffer.close()
    const reopened = await BatchBuffer.open(opts)
    assert.deepEqual(await reopened.take(10), [], 'acknowledged batches do not come back after a restart')
    await reopened.close()
  })

  it('takes only the requested signal', async () => {
    const buffer = await BatchBuffer.open(options())
    await buffer.push({ signal: 'metrics', body: bodyFor(1), dataPoints: 1 })
    await buffer.push({ signal: 'logs', body: bodyFor(2), dataPoints: 1 })
    assert.deepEqual(
      (await buffer.take(10, 'logs')).map((b) => b.signal),
      ['logs'],
    )
    assert.deepEqual(
      (await buffer.take(10)).map((b) => b.signal),
      ['metrics'],
    )
    await buffer.close()
  })

  it('counts a failed attempt, keeps the batch on disk and hands it out again', async () => {
    const opts = options()
    const buffer = await BatchBuffer.open(opts)
    await buffer.push({ signal: 'metrics', body: bodyFor(7), dataPoints: 3 })
    const [batch] = await buffer.take(1)
    await buffer.fail([batch], { permanent: false, error: 'UNAVAILABLE' })
    assert.deepEqual([buffer.stats().memoryBatches, buffer.stats().diskBatches], [0, 1])
    const [again] = await buffer.take(1)
    assert.equal(again.id, batch.id)
    assert.equal(again.attempts, 1)
    assert.ok(Buffer.from(again.body).equals(bodyFor(7)), 'byte-identical body')
    await buffer.fail([again], { permanent: false, error: 'UNAVAILABLE' })
    await buffer.close()

    const reopened = await BatchBuffer.open(opts)
    const [restored] = await reopened.take(1)
    assert.equal(restored.attempts, 2, 'the attempt count is persisted')
    await reopened.close()
  })

  it('discards a batch after max_retries failures and counts it', async () => {
    const buffer = await BatchBuffer.open(options({ maxRetries: 2 }))
    const drops: DropEvent[] = []
    buffer.on('drop', (d: DropEvent) => drops.push(d))
    await buffer.push({ signal: 'metrics', body: bodyFor(1), dataPoints: 42 })
    for (let i = 0; i < 2; i++)
      await buffer.fail(await buffer.take(1), { permanent: false, error: 'timeout' })
    assert.deepEqual(await buffer.take(1), [])
    assert.deepEqual(drops, [{ reason: 'retries', batches: 1, dataPoints: 42 }])
    assert.deepEqual(buffer.stats().dropped.byReason.retries, { batches: 1, dataPoints: 42 })
    await buffer.close()
  })

  it('discards a permanently rejected batch at once and counts it', async () => {
    const buffer = await BatchBuffer.open(options({ maxRetries: 10 }))
    await buffer.push({ signal: 'metrics', body: bodyFor(1), dataPoints: 5 })
    await buffer.push({ signal: 'metrics', body: bodyFor(2), dataPoints: 6 })
    const [bad] = await buffer.take(1)
    await buffer.fail([bad], { permanent: true, error: 'INVALID_ARGUMENT' })
    const stats = buffer.stats()
    assert.deepEqual(stats.dropped, {
      batches: 1,
      dataPoints: 5,
      byReason: {
        size: zero(),
        age: zero(),
        retries: zero(),
        rejected: { batches: 1, dataPoints: 5 },
        corrupt: zero(),
        disk_full: zero(),
      },
    })
    assert.deepEqual(
      (await buffer.take(10)).map((b) => b.dataPoints),
      [6],
    )
    await buffer.close()
  })

  it('drops the oldest data first when capped small and counts exactly what it dropped', async () => {
    const buffer = await BatchBuffer.open(options({ maxSizeBytes: 10_000, memoryMaxBytes: 4000 }))
    const drops: DropEvent[] = []
    buffer.on('drop', (d: DropEvent) => drops.push(d))
    // 25 batches of 1000 accounted bytes, data points 1..25: only the newest 10 fit.
    for (let i = 1; i <= 25; i++)
      await buffer.push({ signal: 'metrics', body: sized(1000, i), dataPoints: i })
    const kept = await buffer.take(100)
    assert.deepEqual(
      kept.map((b) => b.dataPoints),
      [16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
    )
    const stats = buffer.stats()
    const expectedDropped = (15 * 16) / 2
    assert.equal(stats.dropped.batches, 15)
    assert.equal(stats.dropped.dataPoints, expectedDropped)
    assert.deepEqual(stats.dropped.byReason.size, { batches: 15, dataPoints: expectedDropped })
    assert.equal(
      drops.reduce((n, d) => n + d.dataPoints, 0),
      expectedDropped,
    )
    assert.ok(stats.memoryBytes + stats.diskBytes <= 10_000)
    await buffer.close()
  })

  it('drops batches older than max_age (injected clock)', async () => {
    let clock = 1_000_000
    const buffer = await BatchBuffer.open(options({ maxAgeMs: 5000, now: () => clock }))
    for (let i = 1; i <= 3; i++) {
      await buffer.push({ signal: 'metrics', body: bodyFor(i), dataPoints: i })
      clock += 1000
    }
    clock = 1_000_000 + 6500 // the first two are more than 5 s old
    const fresh = await buffer.take(10)
    assert.deepEqual(
      fresh.map((b) => b.dataPoints),
      [3],
    )
    assert.deepEqual(buffer.stats().dropped.byReason.age, { batches: 2, dataPoints: 3 })
    await buffer.ack(fresh)

    await buffer.push({ signal: 'metrics', body: bodyFor(4), dataPoints: 4, createdAt: clock - 60_000 })
    assert.deepEqual(
      buffer.stats().dropped.byReason.age,
      { batches: 3, dataPoints: 7 },
      'checked on push too',
    )
    assert.equal(buffer.stats().oldestAgeMs, 0)
    await buffer.close()
  })

  it('persists everything in memory and in flight, and loses nothing across a reopen', async () => {
    const opts = options({ memoryMaxBytes: 5000 })
    const buffer = await BatchBuffer.open(opts)
    for (let i = 1; i <= 20; i++)
      await buffer.push({ signal: i % 2 ? 'metrics' : 'logs', body: bodyFor(i), dataPoints: i })
    await buffer.take(3) // in flight at shutdown
    await buffer.persist()
    assert.equal(buffer.stats().memoryBatches, 0)
    await buffer.close()

    const reopened = await BatchBuffer.open(opts)
    const all = await reopened.take(100)
    assert.deepEqual(
      all.map((b) => b.dataPoints),
      Array.from({ length: 20 }, (_, i) => i + 1),
    )
    for (const b of all)
      assert.ok(Buffer.from(b.body).equals(bodyFor(b.dataPoints)), `batch ${b.id} is byte-identical`)
    await reopened.close()
  })

  it('keeps ids monotonic across restarts', async () => {
    const opts = options()
    let last = 0
    for (let run = 0; run < 3; run++) {
      const buffer = await BatchBuffer.open(opts)
      for (let i = 0; i < 5; i++) {
        const { id } = await buffer.push({ signal: 'metrics', body: bodyFor(i), dataPoints: 1 })
        assert.ok(id > last, `id ${id} after ${last}`)
        last = id
      }
      await buffer.ack(await buffer.take(100)) // an empty store must not restart the ids either
      await buffer.close()
    }
  })

  it('does not grow memory over thousands of take/ack cycles', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const buffer = await BatchBuffer.open(options({ memoryMaxBytes: 20_000 }))
    const body = new Uint8Array(1024).fill(1)
    const cycle = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 30; j++) await buffer.push({ signal: 'metrics', body, dataPoints: 1 })
        await buffer.ack(await buffer.take(30))
      }
    }
    await cycle(200)
    gc()
    const before = process.memoryUsage().heapUsed
    await cycle(1000) // 30,000 batches, a third of them through the disk tier
    gc()
    const growth = process.memoryUsage().heapUsed - before
    const stats = buffer.stats()
    assert.deepEqual(
      [stats.memoryBatches, stats.diskBatches, stats.inFlight, stats.exported],
      [0, 0, 0, 36_000],
    )
    assert.ok(growth < 4 * 1024 * 1024, `heap grew by ${growth} bytes`)
    await buffer.close()
  })
})

function zero(): { batches: number; dataPoints: number } {
  return { batches: 0, dataPoints: 0 }
}
