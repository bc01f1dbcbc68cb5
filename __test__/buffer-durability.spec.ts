import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { BatchBuffer, BufferLockedError, type BufferOptions } from '../src/buffer'
import { bodyFor } from './helpers/buffer-bodies'

const root = mkdtempSync(join(tmpdir(), 'tfo-buffer-durability-'))
after(() => rmSync(root, { recursive: true, force: true }))

function options(path: string, overrides: Partial<BufferOptions> = {}): BufferOptions {
  return {
    path,
    maxSizeBytes: 512 * 1024 * 1024,
    maxAgeMs: 24 * 3600_000,
    maxRetries: 5,
    memoryMaxBytes: 1024 * 1024,
    syncWrites: false,
    ...overrides,
  }
}

/** Runs the writer helper until it has printed `count` pushes, then SIGKILLs it mid-stream. */
async function killWriterAfter(
  path: string,
  mode: 'sync' | 'cursor' | 'outage',
  count: number,
): Promise<Map<number, number>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'helpers', 'buffer-writer.ts'), path, mode],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const printed = new Map<number, number>() // id -> index
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  )
  for await (const line of createInterface({ input: child.stdout })) {
    const [id, index] = line.split(' ').map(Number)
    printed.set(id, index)
    if (printed.size === count) child.kill('SIGKILL')
  }
  assert.equal(await exited, 'SIGKILL', 'the writer was killed, it did not exit on its own')
  return printed
}

describe('the batch buffer on disk', () => {
  it('belongs to one process at a time: a second opener is refused, by name, until the holder dies', async () => {
    const path = join(root, 'held')
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'helpers', 'buffer-writer.ts'), path, 'sync'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    let pushed = 0
    for await (const _line of createInterface({ input: child.stdout! })) if (++pushed === 5) break
    await assert.rejects(BatchBuffer.open(options(path)), (err: unknown) => {
      assert.ok(err instanceof BufferLockedError, String(err))
      assert.equal(err.path, path)
      assert.match(err.message, new RegExp(`in use by tfo-agent \\(pid ${child.pid} on `))
      assert.match(err.message, /give each agent its own agent\.data_dir/)
      return true
    })
    child.kill('SIGKILL')
    await exited
    // The kernel let the lock go with the process: the store opens, with what the writer left.
    const buffer = await BatchBuffer.open(options(path))
    assert.ok(buffer.stats().diskBatches >= 5, `${buffer.stats().diskBatches} batches on disk`)
    await buffer.close()
  })

  it('belongs to the store itself: deleting its lock files lets no second agent in, and the holder keeps writing', async () => {
    const path = join(root, 'lock-files-deleted')
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'helpers', 'buffer-writer.ts'), path, 'sync'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
    const printed = new Map<number, number>()
    const readPushes = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const next = await lines.next()
        assert.ok(!next.done, `the holder stopped writing after ${printed.size} pushes`)
        const [id, index] = next.value.split(' ').map(Number)
        printed.set(id, index)
      }
    }
    await readPushes(5)
    // Everything an operator might delete: the old sibling lock file, the owner note, LMDB's lock file.
    for (const file of [`${path}.lock`, join(path, 'owner'), join(path, 'lock.mdb')])
      rmSync(file, { force: true })
    await assert.rejects(BatchBuffer.open(options(path)), BufferLockedError)
    await readPushes(20)
    await assert.rejects(BatchBuffer.open(options(path)), BufferLockedError)
    child.kill('SIGKILL')
    assert.equal(await exited, null, 'the holder ran until it was killed')

    const buffer = await BatchBuffer.open(options(path))
    assert.equal(buffer.stats().storesMovedAside, 0)
    const all = await buffer.take(10_000)
    const byId = new Map(all.map((b) => [b.id, b]))
    for (const [id, index] of printed) {
      const batch = byId.get(id)
      assert.ok(batch, `batch ${id} reported as pushed is on disk`)
      assert.ok(Buffer.from(batch.body).equals(bodyFor(index)), `batch ${id} is byte-identical`)
    }
    await buffer.close()
  })

  it('refuses a second open in the same process too, and opens again after close', async () => {
    const path = join(root, 'twice')
    const first = await BatchBuffer.open(options(path))
    await assert.rejects(BatchBuffer.open(options(path)), BufferLockedError)
    await first.close()
    const again = await BatchBuffer.open(options(path))
    await again.close()
  })

  it('survives SIGKILL of a writer process: what reached disk is all there, byte-identical, oldest first', async () => {
    const path = join(root, 'killed')
    const printed = await killWriterAfter(path, 'sync', 60)

    const buffer = await BatchBuffer.open(options(path))
    const all = await buffer.take(10_000)
    const ids = all.map((b) => b.id)
    for (const id of printed.keys()) assert.ok(ids.includes(id), `batch ${id} reported as pushed is on disk`)
    assert.ok(
      ids.every((id, i) => i === 0 || id > ids[i - 1]),
      'oldest first',
    )
    for (const b of all) {
      if (printed.has(b.id)) assert.equal(b.dataPoints, printed.get(b.id))
      assert.ok(Buffer.from(b.body).equals(bodyFor(b.dataPoints)), `batch ${b.id} is byte-identical`)
    }
    assert.equal(buffer.stats().dropped.batches, 0)
    const next = await buffer.push({ signal: 'logs', body: bodyFor(0), dataPoints: 0 })
    assert.ok(next.id > Math.max(...ids), 'ids keep growing after the crash')
    await buffer.close()
  })

  it('during an outage puts every batch on disk as it is pushed: a SIGKILL loses none whose push returned', async () => {
    const path = join(root, 'outage-killed')
    const printed = await killWriterAfter(path, 'outage', 50)

    const buffer = await BatchBuffer.open(options(path))
    const all = await buffer.take(10_000)
    const ids = new Set(all.map((b) => b.id))
    const missing = [...printed.keys()].filter((id) => !ids.has(id))
    assert.deepEqual(missing, [], 'every batch whose push returned is on disk')
    for (const b of all)
      assert.ok(Buffer.from(b.body).equals(bodyFor(b.dataPoints)), `batch ${b.id} is byte-identical`)
    await buffer.close()
  })

  it('holds in memory only the batches in flight during an outage; the rest, and batches given back, are on disk', async () => {
    const path = join(root, 'outage-tiers')
    const buffer = await BatchBuffer.open(options(path))
    for (let i = 1; i <= 3; i++) await buffer.push({ signal: 'metrics', body: bodyFor(i), dataPoints: i })
    assert.equal(buffer.stats().memoryBatches, 3, 'while exports succeed, new batches wait in memory')
    await buffer.setOutage(true)
    assert.equal(buffer.stats().diskBatches, 3, 'the first failed export moves what memory held to disk')
    assert.equal(buffer.stats().memoryBatches, 0)
    for (let i = 4; i <= 6; i++) {
      await buffer.push({ signal: 'metrics', body: bodyFor(i), dataPoints: i })
      assert.equal(buffer.stats().memoryBatches, 0, `batch ${i} is on disk when its push returns`)
    }
    const taken = await buffer.take(2)
    buffer.release(taken)
    await buffer.fail(await buffer.take(1), { permanent: false, error: 'down', countAttempt: false })
    await buffer.persist()
    const stats = buffer.stats()
    assert.deepEqual([stats.memoryBatches, stats.diskBatches, stats.outage], [0, 6, true])
    await buffer.setOutage(false)
    await buffer.push({ signal: 'metrics', body: bodyFor(7), dataPoints: 7 })
    assert.equal(buffer.stats().memoryBatches, 1, 'once an export succeeds, memory holds new batches again')
    await buffer.close()
  })

  it('writes a cursor atomically with its batch, and reads it back after a SIGKILL and reopen', async () => {
    const path = join(root, 'cursor')
    const printed = await killWriterAfter(path, 'cursor', 40)

    const buffer = await BatchBuffer.open(options(path))
    const all = await buffer.take(10_000)
    const newest = all[all.length - 1].dataPoints
    assert.ok(newest >= Math.max(...printed.values()))
    assert.deepEqual(
      buffer.getCursor('/var/log/app.log'),
      { offset: newest },
      'the stored position is exactly that of the newest stored batch: never ahead, never behind',
    )
    assert.deepEqual(buffer.cursors(), [{ key: '/var/log/app.log', value: { offset: newest } }])
    await buffer.close()
  })

  it('writes every batch to disk at once in syncWrites mode, keeping nothing only in memory', async () => {
    const path = join(root, 'sync')
    const buffer = await BatchBuffer.open(options(path, { syncWrites: true }))
    for (let i = 1; i <= 5; i++) await buffer.push({ signal: 'metrics', body: bodyFor(i), dataPoints: i })
    const stats = buffer.stats()
    assert.deepEqual([stats.memoryBatches, stats.diskBatches], [0, 5])
    await buffer.close()
  })

  it('stores a batch pushed with a cursor on disk, and the cursor survives a reopen', async () => {
    const path = join(root, 'cursor-reopen')
    const buffer = await BatchBuffer.open(options(path))
    await buffer.push(
      { signal: 'logs', body: bodyFor(1), dataPoints: 1 },
      { cursor: { key: 'a.log', value: { inode: 7, offset: 120 } } },
    )
    assert.equal(buffer.stats().diskBatches, 1)
    assert.deepEqual(buffer.getCursor('a.log'), { inode: 7, offset: 120 })
    assert.equal(buffer.getCursor('b.log'), undefined)
    await buffer.close()

    const reopened = await BatchBuffer.open(options(path))
    assert.deepEqual(reopened.getCursor('a.log'), { inode: 7, offset: 120 })
    assert.equal((await reopened.take(10)).length, 1)
    await reopened.close()
  })

  it('moves and deletes cursors without a batch, and both survive a reopen', async () => {
    const path = join(root, 'cursor-only')
    const buffer = await BatchBuffer.open(options(path))
    await buffer.setCursor('a.log', { offset: 10 })
    await buffer.setCursor('gone.log', { offset: 5 })
    await buffer.deleteCursor('gone.log')
    assert.equal(buffer.stats().diskBatches, 0)
    await buffer.close()

    const reopened = await BatchBuffer.open(options(path))
    assert.deepEqual(reopened.cursors(), [{ key: 'a.log', value: { offset: 10 } }])
    await reopened.close()
  })
})
