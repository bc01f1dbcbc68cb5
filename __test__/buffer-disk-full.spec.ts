/**
 * The buffer on a disk that fills up: a small tmpfs this test mounts itself (root, as the
 * test machines and CI run), filled with a file until the kernel says ENOSPC, then freed.
 */
import { strict as assert } from 'node:assert'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BatchBuffer, type BufferOptions, type BufferStats } from '../src/buffer'
import { bodyFor } from './helpers/buffer-bodies'

const root = mkdtempSync(join(tmpdir(), 'tfo-buffer-disk-full-'))
const disk = join(root, 'disk')

before(() => {
  execFileSync('mkdir', ['-p', disk])
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk])
})
after(() => {
  execFileSync('umount', [disk])
  rmSync(root, { recursive: true, force: true })
})

/** Fills the tmpfs with one file until the kernel refuses more; returns its path. */
function fillDisk(): string {
  const filler = join(disk, 'filler')
  try {
    writeFileSync(filler, Buffer.alloc(4 << 20))
    assert.fail('the 2 MiB tmpfs took 4 MiB')
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC')
  }
  return filler
}

/** Where every batch went adds up: pushed (plus what the store held at open) = sent + held + dropped. */
function assertAccounted(s: BufferStats, recovered = 0): void {
  assert.equal(
    s.pushed + recovered,
    s.exported + s.memoryBatches + s.diskBatches + s.dropped.batches,
    `pushed ${s.pushed} + recovered ${recovered} = exported ${s.exported} + memory ${s.memoryBatches} + disk ${s.diskBatches} + dropped ${s.dropped.batches}`,
  )
}

describe('the batch buffer on a full disk', () => {
  let clock = Date.now()
  const options = (path: string): BufferOptions => ({
    path,
    maxSizeBytes: 64 << 20,
    maxAgeMs: 24 * 3600_000,
    maxRetries: 5,
    // Room for four 20 KiB batches.
    memoryMaxBytes: 90_000,
    syncWrites: false,
    now: () => clock,
  })
  const unhandled: unknown[] = []
  const onUnhandled = (err: unknown) => unhandled.push(err)
  before(() => process.on('unhandledRejection', onUnhandled))
  after(() => process.off('unhandledRejection', onUnhandled))

  it('holds batches in memory up to its limit, drops the oldest as disk_full, and writes again when space returns', async () => {
    const path = join(disk, 'store')
    const buffer = await BatchBuffer.open(options(path))
    await buffer.setOutage(true)
    for (let i = 1; i <= 3; i++)
      await buffer.push({ signal: 'metrics', body: bodyFor(i, 20_000), dataPoints: i })
    assert.equal(buffer.stats().diskBatches, 3, 'during the outage batches go to disk')

    const filler = fillDisk()
    for (let i = 4; i <= 15; i++)
      await buffer.push({ signal: 'metrics', body: bodyFor(i, 20_000), dataPoints: i })
    const full = buffer.stats()
    assert.equal(full.diskFull, true)
    assert.ok(full.memoryBytes <= 90_000, `memory held ${full.memoryBytes} bytes, within its limit`)
    assert.ok(full.memoryBatches >= 3, `${full.memoryBatches} batches held in memory`)
    assert.ok(
      full.dropped.byReason.disk_full.batches > 0,
      'the oldest beyond the limit are dropped as disk_full',
    )
    assert.equal(full.dropped.batches, full.dropped.byReason.disk_full.batches)
    assertAccounted(full)

    // Sending works on: batches leave memory and disk (a delete that fails is retried later).
    await buffer.ack(await buffer.take(2))
    assertAccounted(buffer.stats())

    rmSync(filler)
    clock += 10_000
    await buffer.push({ signal: 'metrics', body: bodyFor(16, 20_000), dataPoints: 16 })
    const back = buffer.stats()
    assert.equal(back.diskFull, false, 'the first write after space returned committed')
    assert.equal(back.memoryBatches, 0, 'what memory held went to disk with it')
    assertAccounted(back)

    // What it held is readable, the newest last, and the batches sent are gone from disk too.
    await buffer.close()
    const reopened = await BatchBuffer.open(options(path))
    const left = await reopened.take(100)
    assert.equal(left.length, back.diskBatches)
    assert.deepEqual(
      left.map((b) => b.dataPoints),
      [...left.map((b) => b.dataPoints)].sort((a, b) => a - b),
    )
    assert.equal(left[left.length - 1].dataPoints, 16)
    for (const b of left) assert.ok(Buffer.from(b.body).equals(bodyFor(b.dataPoints, 20_000)))
    await reopened.close()
    assert.deepEqual(unhandled, [], 'no promise was rejected unhandled')
  })

  it('opens a store on a disk that is already full, and a full disk at shutdown costs only what memory held, counted', async () => {
    const path = join(disk, 'reopen')
    const first = await BatchBuffer.open(options(path))
    await first.push({ signal: 'logs', body: bodyFor(1, 20_000), dataPoints: 1 })
    await first.close()

    const filler = fillDisk()
    const buffer = await BatchBuffer.open(options(path))
    assert.equal(buffer.stats().diskBatches, 1)
    for (let i = 2; i <= 4; i++)
      await buffer.push({ signal: 'logs', body: bodyFor(i, 20_000), dataPoints: i })
    await buffer.setOutage(true)
    const held = buffer.stats()
    assert.equal(held.diskFull, true)
    assertAccounted(held, 1)
    await buffer.close()
    const closed = buffer.stats()
    assert.equal(
      closed.dropped.byReason.disk_full.batches,
      held.memoryBatches,
      'what memory held at shutdown is counted',
    )
    rmSync(filler)
    assert.deepEqual(unhandled, [], 'no promise was rejected unhandled')
  })
})
