import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { after, describe, it } from 'node:test'
import { asBinary, open } from 'lmdb'
import pino from 'pino'
import { BatchBuffer, type Batch, type BufferOptions, type DropEvent } from '../src/buffer'
import { PageFile } from '../src/buffer/pages'
import { bodyFor } from './helpers/buffer-bodies'

const root = mkdtempSync(join(tmpdir(), 'tfo-buffer-corrupt-'))
after(() => rmSync(root, { recursive: true, force: true }))

interface LogLine {
  level: number
  msg: string
  movedTo?: string
}

function capture(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) })
  return { logger, lines }
}

function options(path: string, logger?: pino.Logger): BufferOptions {
  return {
    path,
    maxSizeBytes: 64 * 1024 * 1024,
    maxAgeMs: 24 * 3600_000,
    maxRetries: 5,
    memoryMaxBytes: 1 << 20,
    syncWrites: false,
    logger,
  }
}

/** A healthy store holding `count` batches (data points 1..count), closed. */
async function healthyStore(name: string, count = 50): Promise<string> {
  const path = join(root, name)
  const buffer = await BatchBuffer.open(options(path))
  for (let i = 1; i <= count; i++) await buffer.push({ signal: 'metrics', body: bodyFor(i), dataPoints: i })
  await buffer.close()
  return path
}

function asideOf(path: string): string[] {
  return readdirSync(dirname(path))
    .filter((f) => f.startsWith(`${basename(path)}.corrupt-`))
    .map((f) => join(dirname(path), f))
}

/** Opens the damaged store: checks it was moved aside with one clear log line and that the fresh store works. */
async function openAndCheck(
  path: string,
): Promise<{ buffer: BatchBuffer; line: LogLine; movedTo: string; salvaged: Batch[] }> {
  const { logger, lines } = capture()
  const buffer = await BatchBuffer.open(options(path, logger))
  const aside = asideOf(path)
  assert.equal(aside.length, 1, 'the old store was moved aside, not deleted')
  const reports = lines.filter((l) => l.level >= 40)
  assert.equal(reports.length, 1, `one log line, got: ${JSON.stringify(reports)}`)
  const [line] = reports
  assert.equal(line.movedTo, aside[0])
  assert.match(line.msg, new RegExp(`moved it to ${aside[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
  assert.equal(buffer.stats().storesMovedAside, 1)

  const pushed = await buffer.push({ signal: 'metrics', body: bodyFor(999), dataPoints: 9 })
  await buffer.persist()
  const taken = await buffer.take(10_000)
  assert.equal(taken.pop()?.id, pushed.id, 'the fresh store works')
  return { buffer, line, movedTo: aside[0], salvaged: taken }
}

/**
 * For a healthy store's data file: batch (by data points) → the pages that hold it (its record
 * and body leaf pages, the body's overflow pages). Read with the salvage's page reader, whose
 * reading of an undamaged file is checked here against what the test stored.
 */
function locateBatches(data: Buffer): Map<number, number[]> {
  const file = PageFile.of(data)!
  const [newest] = file.snapshots()
  const dbs = file.subDbs(newest!)!
  const metas = file.tree(dbs.get('batches')!.root)
  const bodies = file.tree(dbs.get('bodies')!.root)
  assert.equal(metas.damaged + bodies.damaged, 0)
  const out = new Map<number, number[]>()
  for (const body of bodies.records) {
    const index = Array.from({ length: 60 }, (_, i) => i + 1).find((i) => body.value.equals(bodyFor(i)))
    assert.ok(index, 'every body read is one the test stored')
    const meta = metas.records.find((m) => m.key.equals(body.key))
    assert.ok(meta, `batch ${index} has its record`)
    const overflow = body.overflow
      ? Array.from({ length: body.overflow.pages }, (_, k) => body.overflow!.first + k)
      : []
    out.set(index, [meta.page, body.page, ...overflow])
  }
  assert.equal(out.size, 60, 'the reader finds every stored batch in the undamaged file')
  return out
}

describe('a corrupt buffer store at open', () => {
  it('moves a truncated data.mdb aside and starts fresh', async () => {
    const path = await healthyStore('truncated')
    const file = join(path, 'data.mdb')
    truncateSync(file, Math.floor(statSync(file).size / 2))
    const { buffer, line, movedTo } = await openAndCheck(path)
    assert.match(line.msg, /truncated/)
    assert.ok(statSync(join(movedTo, 'data.mdb')).isFile(), 'the old file is kept for inspection')
    await buffer.close()
  })

  it('salvages through the older meta page when the root page is zeroed: every batch is saved, none lost', async () => {
    const path = await healthyStore('zeroed-root', 60)
    const file = join(path, 'data.mdb')
    const data = readFileSync(file)
    const pageSize = data.readUInt32LE(48)
    // The newer meta page (higher txnid at @152) names the main tree's root at @136.
    const newer = [0, pageSize].sort((a, b) =>
      Number(data.readBigUInt64LE(b + 152) - data.readBigUInt64LE(a + 152)),
    )[0]!
    const root = Number(data.readBigUInt64LE(newer + 136))
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.alloc(pageSize), 0, pageSize, root * pageSize)
    closeSync(fd)

    const { buffer, salvaged } = await openAndCheck(path)
    assert.deepEqual(
      salvaged.map((b) => b.dataPoints),
      Array.from({ length: 60 }, (_, i) => i + 1),
      'the root page holds no batch: every one is saved, oldest first',
    )
    for (const b of salvaged)
      assert.ok(Buffer.from(b.body).equals(bodyFor(b.dataPoints)), `batch ${b.id} is byte-identical`)
    assert.equal(buffer.stats().dropped.batches, 0)
    await buffer.close()
  })

  it('salvages by scanning leaf pages when the root of the batch records is zeroed, and loses none', async () => {
    const path = await healthyStore('zeroed-batches-root', 300)
    const file = join(path, 'data.mdb')
    const data = readFileSync(file)
    const pages = PageFile.of(data)!
    const batchesRoot = pages.subDbs(pages.snapshots()[0]!)!.get('batches')!.root!
    const pageSize = pages.pageSize
    assert.equal(
      data.readUInt16LE(batchesRoot * pageSize + 18) & 1,
      1,
      '300 records need a branch page as root',
    )
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.alloc(pageSize), 0, pageSize, batchesRoot * pageSize)
    closeSync(fd)

    const { buffer, salvaged } = await openAndCheck(path)
    assert.deepEqual(
      salvaged.map((b) => b.dataPoints),
      Array.from({ length: 300 }, (_, i) => i + 1),
    )
    for (const b of salvaged) assert.ok(Buffer.from(b.body).equals(bodyFor(b.dataPoints)))
    assert.equal(buffer.stats().dropped.batches, 0)
    await buffer.close()
  })

  it('salvages only what the store still held: batches sent before the damage do not come back from stale pages', async () => {
    const path = join(root, 'stale-pages')
    const buffer = await BatchBuffer.open(options(path))
    for (let i = 1; i <= 120; i++) {
      await buffer.push({ signal: 'metrics', body: bodyFor(i), dataPoints: i })
      if (i % 10 === 0) await buffer.persist() // many transactions: copy-on-write leaves stale pages behind
    }
    await buffer.ack(await buffer.take(40)) // sent: their records are deleted, old copies linger on freed pages
    for (let i = 121; i <= 140; i++) await buffer.push({ signal: 'metrics', body: bodyFor(i), dataPoints: i })
    await buffer.close()

    const file = join(path, 'data.mdb')
    const data = readFileSync(file)
    const pages = PageFile.of(data)!
    const [newest] = pages.snapshots()
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.alloc(pages.pageSize), 0, pages.pageSize, newest!.mainRoot! * pages.pageSize)
    closeSync(fd)

    const { buffer: reopened, salvaged } = await openAndCheck(path)
    assert.deepEqual(
      salvaged.map((b) => b.dataPoints),
      Array.from({ length: 100 }, (_, i) => i + 41),
      'the 100 batches still stored, none of the 40 sent',
    )
    for (const b of salvaged) assert.ok(Buffer.from(b.body).equals(bodyFor(b.dataPoints)))
    await reopened.close()
  })

  for (const kept of [0.9, 0.7, 0.5]) {
    it(`salvages from a file truncated to ${kept * 100}% every batch whose pages survive, and counts the rest as corrupt`, async () => {
      const path = await healthyStore(`cut-${kept * 100}`, 60)
      const file = join(path, 'data.mdb')
      const pagesOf = locateBatches(readFileSync(file))
      const pageSize = readFileSync(file).readUInt32LE(48)
      const cut = Math.floor((statSync(file).size * kept) / pageSize)
      truncateSync(file, cut * pageSize)
      const intact = [...pagesOf].filter(([, pages]) => pages.every((p) => p < cut)).map(([i]) => i)

      const { buffer, line, salvaged } = await openAndCheck(path)
      assert.match(line.msg, /truncated/)
      for (const b of salvaged)
        assert.ok(Buffer.from(b.body).equals(bodyFor(b.dataPoints)), `batch ${b.id} is byte-identical`)
      const saved = salvaged.map((b) => b.dataPoints)
      assert.deepEqual(
        intact.filter((i) => !saved.includes(i)),
        [],
        `every batch with its pages intact is saved (${intact.length} intact, ${saved.length} saved)`,
      )
      const { dropped } = buffer.stats()
      assert.equal(saved.length + dropped.byReason.corrupt.batches, 60, 'salvaged + counted corrupt = stored')
      assert.ok(
        intact.length > 0 && intact.length < 60,
        `${intact.length} intact: the cut must leave some and take some`,
      )
      await buffer.close()
    })
  }

  it('moves a data.mdb of garbage bytes aside and starts fresh', async () => {
    const path = await healthyStore('garbage')
    const file = join(path, 'data.mdb')
    writeFileSync(file, randomBytes(statSync(file).size))
    const { buffer, line } = await openAndCheck(path)
    assert.match(line.msg, /no valid LMDB header/)
    await buffer.close()
  })

  it('moves aside a store with garbage bytes over pages in the middle, keeping every batch still readable', async () => {
    const path = await healthyStore('damaged-pages', 200)
    const file = join(path, 'data.mdb')
    // Deterministic garbage, so the same pages are hit on every run.
    const garbage = Buffer.concat(Array.from({ length: 40 }, (_, i) => bodyFor(5000 + i))).subarray(
      0,
      3 * 4096,
    )
    const fd = openSync(file, 'r+')
    writeSync(fd, garbage, 0, garbage.length, 40 * 4096)
    closeSync(fd)
    const { buffer, line, salvaged: kept } = await openAndCheck(path)
    for (const b of kept)
      assert.ok(Buffer.from(b.body).equals(bodyFor(b.dataPoints)), `batch ${b.id} is byte-identical`)
    const { dropped } = buffer.stats()
    assert.ok(kept.length > 0 && dropped.batches > 0, `kept ${kept.length}, dropped ${dropped.batches}`)
    assert.ok(kept.length + dropped.batches <= 200)
    assert.equal(dropped.batches, dropped.byReason.corrupt.batches)
    assert.match(line.msg, new RegExp(`${kept.length} readable batch`))
    await buffer.close()
  })

  it('moves aside a store whose path is a garbage file instead of a directory', async () => {
    const path = join(root, 'a-file')
    writeFileSync(path, randomBytes(4096))
    const { buffer, line } = await openAndCheck(path)
    assert.match(line.msg, /not a directory/)
    assert.ok(statSync(path).isDirectory())
    await buffer.close()
  })

  it('moves aside a store whose data.mdb is not a file', async () => {
    const path = join(root, 'dir-instead')
    mkdirSync(join(path, 'data.mdb'), { recursive: true })
    writeFileSync(join(path, 'data.mdb', 'junk'), randomBytes(100))
    const { buffer, line } = await openAndCheck(path)
    assert.match(line.msg, /not a regular file/)
    await buffer.close()
  })

  it('moves aside a store of another format version', async () => {
    const path = await healthyStore('version', 3)
    const env = open({ path, maxDbs: 8 })
    await env.openDB({ name: 'state' }).put('format', 99)
    await env.close()
    const { buffer, line } = await openAndCheck(path)
    assert.match(line.msg, /store format 99, expected 1/)
    await buffer.close()
  })

  it('moves aside a store with records that fail to decode, keeps the readable ones and counts the lost ones', async () => {
    const path = await healthyStore('records', 10)
    const env = open({ path, maxDbs: 8 })
    await env.openDB({ name: 'batches' }).put(3, asBinary(Buffer.from([0xc1]))) // never valid msgpack
    await env.openDB({ name: 'bodies', encoding: 'binary' }).put(5, Buffer.from('short')) // length disagrees with its metadata
    await env.close()

    const drops: DropEvent[] = []
    const { logger } = capture()
    const opening = BatchBuffer.open(options(path, logger))
    const buffer = await opening
    buffer.on('drop', (d: DropEvent) => drops.push(d))
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(
      drops,
      [{ reason: 'corrupt', batches: 2, dataPoints: 5 }],
      'batch 3 has no readable data point count; batch 5 had 5',
    )
    assert.deepEqual(buffer.stats().dropped.byReason.corrupt, { batches: 2, dataPoints: 5 })
    const kept = await buffer.take(100)
    assert.deepEqual(
      kept.map((b) => b.dataPoints),
      [1, 2, 4, 6, 7, 8, 9, 10],
    )
    for (const b of kept) assert.ok(Buffer.from(b.body).equals(bodyFor(b.dataPoints)))
    await buffer.close()
    assert.equal(asideOf(path).length, 1)
  })

  it('opens an empty data.mdb as a new store (the Windows lock creates the file before LMDB writes it)', async () => {
    const path = join(root, 'empty-file')
    mkdirSync(path, { recursive: true })
    writeFileSync(join(path, 'data.mdb'), '')
    const { logger, lines } = capture()
    const buffer = await BatchBuffer.open(options(path, logger))
    assert.deepEqual(
      lines.filter((l) => l.level >= 40),
      [],
      'nothing to move aside or report',
    )
    const pushed = await buffer.push({ signal: 'metrics', body: bodyFor(1), dataPoints: 1 })
    await buffer.persist()
    assert.equal((await buffer.take(10))[0]?.id, pushed.id)
    await buffer.close()
    assert.equal(asideOf(path).length, 0)
  })

  it('opens the moved-aside-and-replaced store again without complaint', async () => {
    const path = await healthyStore('twice', 2)
    truncateSync(join(path, 'data.mdb'), 100)
    const first = await openAndCheck(path)
    await first.buffer.close()
    const { logger, lines } = capture()
    const again = await BatchBuffer.open(options(path, logger))
    assert.deepEqual(
      lines.filter((l) => l.level >= 40),
      [],
      'no crash loop, no second move',
    )
    assert.equal((await again.take(10)).length, 1)
    await again.close()
  })
})
