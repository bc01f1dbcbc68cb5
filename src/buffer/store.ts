/**
 * The disk tier: one LMDB environment with four sub-databases.
 *   bodies  id -> OTLP body, stored as raw bytes (binary encoding)
 *   batches id -> [signal, dataPoints, createdAt, attempts, bodyLength] (msgpack)
 *   cursors key -> read position of a log file (msgpack)
 *   state   'format' -> FORMAT_VERSION, 'reservedUntil' -> first id not yet handed out
 * Ids are integer keys, so LMDB's ordered-binary key encoding iterates them oldest first.
 * Every write goes through `env.transaction`, so writes commit in the order they were issued
 * (a remove can never overtake the put it undoes).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { open, type Database, type RootDatabase } from 'lmdb'
import { inspectDataFile } from './lmdb-file'
import { moveAside, pathKind, replaceLocked, type Held, type MovedAside } from './moved-aside'
import { lockStore } from './lock'
import { rebuildFromPages } from './salvage'
import { committed } from './write-error'
import type { Signal } from './types'

export const FORMAT_VERSION = 1

type MetaTuple = [
  signal: Signal,
  dataPoints: number,
  createdAt: number,
  attempts: number,
  bodyLength: number,
  encoding: BodyEncoding,
]

/** How a body is stored: 0 as the OTLP request itself, 1 deflate-raw compressed. */
export type BodyEncoding = 0 | 1

export interface StoredMeta {
  id: number
  signal: Signal
  dataPoints: number
  createdAt: number
  attempts: number
  /** Bytes as stored (compressed when `encoding` is 1). */
  bodyLength: number
  encoding: BodyEncoding
}

export interface WriteItem {
  meta: StoredMeta
  /** Omitted when only the metadata changes (the body is already on disk). */
  body?: Uint8Array
}

export { logMovedAside, type MovedAside } from './moved-aside'

export interface OpenedStore {
  store: Store
  batches: StoredMeta[]
  cursors: Map<string, unknown>
  reservedUntil: number
  movedAside?: MovedAside
}

interface Scan {
  batches: StoredMeta[]
  cursors: Map<string, unknown>
  reservedUntil: number
  badRecords: number
  badDataPoints: number
  /** Set when a damaged page stopped the walk over the batches. */
  incomplete?: string
}

class StoreProblem extends Error {}

const SCAN_CHUNK = 256
const SIGNALS: ReadonlySet<unknown> = new Set<Signal>(['metrics', 'logs'])

function toMeta(id: unknown, value: unknown): StoredMeta | undefined {
  // Five fields: a record written before bodies could be compressed (encoding 0).
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || !Array.isArray(value)) return undefined
  if (value.length !== 5 && value.length !== 6) return undefined
  const [signal, dataPoints, createdAt, attempts, bodyLength, encoding = 0] = value as unknown[]
  const counts = [dataPoints, createdAt, attempts, bodyLength]
  if (!SIGNALS.has(signal) || !counts.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0))
    return undefined
  if (encoding !== 0 && encoding !== 1) return undefined
  return {
    id,
    signal: signal as Signal,
    dataPoints: dataPoints as number,
    createdAt: createdAt as number,
    attempts: attempts as number,
    bodyLength: bodyLength as number,
    encoding,
  }
}

export class Store {
  private constructor(
    private readonly env: RootDatabase,
    private readonly bodies: Database<Buffer, number>,
    private readonly metas: Database<MetaTuple, number>,
    private readonly cursorDb: Database<unknown, string>,
    private readonly state: Database<unknown, string>,
  ) {}

  /** Lets the store's lock go; set by `open`. */
  private unlock: () => void = () => undefined

  /**
   * Opens the store at `path`; a store that cannot be opened, is corrupt or has another format
   * is renamed to `<path>.corrupt-<timestamp>` and replaced by a fresh one: the batches and
   * cursors that can be read are copied over (through LMDB, or page by page where LMDB cannot
   * walk the file: `salvage.ts`), and the batches that cannot are counted. Throws
   * `BufferLockedError` when another agent has the store, and otherwise only when the directory
   * itself cannot be created or renamed.
   */
  static async open(path: string, now: () => number): Promise<OpenedStore> {
    // A file where the store should be cannot be locked (nor hold a store): it goes aside first.
    const early =
      pathKind(path) === 'other'
        ? { problem: `${path} is not a directory`, movedTo: moveAside(path, now()) }
        : undefined
    const held: Held = { release: lockStore(path) }
    try {
      const opened = await Store.openLocked(path, now, held, early)
      opened.store.unlock = () => held.release()
      return opened
    } catch (err) {
      held.release()
      throw err
    }
  }

  private static async openLocked(
    path: string,
    now: () => number,
    held: Held,
    early?: { problem: string; movedTo: string },
  ): Promise<OpenedStore> {
    let problem = early?.problem ?? inspectDataFile(join(path, 'data.mdb'))
    let scan: Scan | undefined
    let salvage: Array<WriteItem> = []
    let otherFormat = false
    if (problem === undefined) {
      let store: Store | undefined
      try {
        store = Store.openEnv(path)
        scan = store.scan()
        if (scan.badRecords === 0 && !scan.incomplete)
          return { store, batches: scan.batches, cursors: scan.cursors, reservedUntil: scan.reservedUntil }
        problem = scan.incomplete ?? `${scan.badRecords} damaged record(s)`
        salvage = store.salvage(scan)
      } catch (err) {
        otherFormat = err instanceof StoreProblem
        problem = otherFormat ? (err as Error).message : `LMDB could not open it: ${(err as Error).message}`
      }
      await store?.close().catch(() => undefined)
    }
    if (!early && !otherFormat) {
      // LMDB's own walk stops at a damaged page; the page reader goes around it.
      const fromPages = await Store.fromPages(join(path, 'data.mdb')).catch(() => undefined)
      const accounted = (x: { salvage: WriteItem[]; scan?: Scan }) =>
        x.salvage.length + (x.scan?.badRecords ?? 0)
      if (
        fromPages &&
        fromPages.salvage.length >= salvage.length &&
        accounted(fromPages) >= accounted({ salvage, scan })
      ) {
        scan = fromPages.scan
        salvage = fromPages.salvage
      }
    }

    const movedTo = early?.movedTo ?? replaceLocked(path, now(), held)
    const store = Store.openEnv(path)
    const fresh = store.scan()
    const cursors = scan?.cursors ?? new Map<string, unknown>()
    await store.env.transaction(() => {
      for (const item of salvage) store.putItem(item)
      for (const [key, value] of cursors) store.cursorDb.putSync(key, value)
      if (scan) store.state.putSync('reservedUntil', scan.reservedUntil)
    })
    await store.flushed()
    return {
      store,
      batches: salvage.map((item) => item.meta),
      cursors,
      reservedUntil: Math.max(fresh.reservedUntil, scan?.reservedUntil ?? 1),
      movedAside: {
        problem,
        movedTo,
        lostBatches: scan?.badRecords ?? 0,
        lostDataPoints: scan?.badDataPoints ?? 0,
        salvagedBatches: salvage.length,
        uncounted: !scan || scan.incomplete !== undefined,
      },
    }
  }

  /**
   * Reads the damaged data file page by page into a scratch store and checks that like any
   * other: the batches it can rebuild whole, and a count of those it cannot (the store's own
   * count of its batches, less what was rebuilt). Undefined when the file has no readable
   * meta page.
   */
  private static async fromPages(file: string): Promise<{ scan: Scan; salvage: WriteItem[] } | undefined> {
    const scratch = mkdtempSync(join(tmpdir(), 'tfo-agent-salvage-'))
    try {
      const rebuilt = await rebuildFromPages(file, scratch, FORMAT_VERSION)
      if (!rebuilt) return undefined
      const store = Store.openEnv(scratch)
      try {
        const scan = store.scan()
        const salvage = store.salvage(scan)
        const missing = rebuilt.expected - salvage.length - scan.badRecords
        if (missing > 0) scan.badRecords += missing
        if (!rebuilt.counted) scan.incomplete ??= 'its own count of batches could not be read'
        return { scan, salvage }
      } finally {
        await store.close()
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  }

  private static openEnv(path: string): Store {
    const env = open({
      path,
      maxDbs: 8,
      noSync: false,
      strictAsyncOrder: true,
      encoding: 'msgpack',
      // A failed commit (a full disk) must settle every promise lmdb-js hands out. With event-turn
      // batching it opens each turn's batch with a commit promise nothing awaits (an unhandled
      // rejection); with overlapping sync its `flushed` promise never settles (close would hang).
      // Without either, a commit is written and synced in one step, as durable as before.
      eventTurnBatching: false,
      overlappingSync: false,
    })
    const isNew = (env.getStats() as { entryCount: number }).entryCount === 0
    const store = new Store(
      env,
      env.openDB<Buffer, number>({ name: 'bodies', encoding: 'binary' }),
      env.openDB<MetaTuple, number>({ name: 'batches', encoding: 'msgpack' }),
      env.openDB<unknown, string>({ name: 'cursors', encoding: 'msgpack' }),
      env.openDB<unknown, string>({ name: 'state', encoding: 'msgpack' }),
    )
    if (isNew) store.state.putSync('format', FORMAT_VERSION)
    return store
  }

  /** Reads and checks every record; decode failures are counted, never thrown. */
  private scan(): Scan {
    const format = this.state.get('format')
    if (format !== FORMAT_VERSION)
      throw new StoreProblem(`it has store format ${JSON.stringify(format)}, expected ${FORMAT_VERSION}`)
    const reserved = this.state.get('reservedUntil')
    const scan: Scan = {
      batches: [],
      cursors: new Map(),
      reservedUntil: typeof reserved === 'number' && Number.isSafeInteger(reserved) ? reserved : 1,
      badRecords: 0,
      badDataPoints: 0,
    }
    // Keys are listed a chunk at a time and every record read on its own: after LMDB reports a
    // damaged page the read transaction is reset, so one bad record doesn't end the walk.
    let start: number | undefined
    for (;;) {
      let ids: number[]
      try {
        ids = Array.from(
          this.metas.getKeys({ start, exclusiveStart: start !== undefined, limit: SCAN_CHUNK }),
        )
      } catch (err) {
        scan.incomplete = `reading it stopped after ${scan.batches.length + scan.badRecords} batch(es): ${(err as Error).message}`
        this.env.resetReadTxn()
        break
      }
      for (const id of ids) {
        let meta: StoredMeta | undefined
        let body: Buffer | undefined
        try {
          meta = toMeta(id, this.metas.get(id))
          body = meta && this.bodies.getBinaryFast(id)
        } catch {
          this.env.resetReadTxn()
        }
        if (meta && body && body.length === meta.bodyLength) scan.batches.push(meta)
        else {
          scan.badRecords++
          scan.badDataPoints += meta?.dataPoints ?? 0
        }
      }
      if (ids.length < SCAN_CHUNK) break
      start = ids[ids.length - 1]
    }
    try {
      for (const key of this.cursorDb.getKeys()) scan.cursors.set(key, this.cursorDb.get(key))
    } catch (err) {
      scan.incomplete ??= `reading its cursors failed: ${(err as Error).message}`
      this.env.resetReadTxn()
    }
    const last = scan.batches[scan.batches.length - 1]
    if (last && last.id >= scan.reservedUntil) scan.reservedUntil = last.id + 1
    return scan
  }

  /** Copies of the readable batches, for the fresh store; one that fails now is counted as lost. */
  private salvage(scan: Scan): WriteItem[] {
    const items: WriteItem[] = []
    for (const meta of scan.batches) {
      let body: Buffer | undefined
      try {
        body = this.readBody(meta.id)
      } catch {
        this.env.resetReadTxn()
      }
      if (body && body.length === meta.bodyLength) items.push({ meta, body })
      else {
        scan.badRecords++
        scan.badDataPoints += meta.dataPoints
      }
    }
    return items
  }

  private putItem({ meta, body }: WriteItem): void {
    if (body) this.bodies.putSync(meta.id, body as Buffer)
    const tuple: MetaTuple = [
      meta.signal,
      meta.dataPoints,
      meta.createdAt,
      meta.attempts,
      meta.bodyLength,
      meta.encoding,
    ]
    this.metas.putSync(meta.id, tuple)
  }

  /** Writes batches (and optionally a cursor) in one transaction; resolves once committed. */
  async write(items: WriteItem[], cursor?: { key: string; value: unknown }): Promise<void> {
    await this.commit(() => {
      for (const item of items) this.putItem(item)
      if (cursor) this.cursorDb.putSync(cursor.key, cursor.value)
    })
  }

  /** Deletes a cursor; resolves once committed. */
  async removeCursor(key: string): Promise<void> {
    await this.commit(() => {
      this.cursorDb.removeSync(key)
    })
  }

  async remove(ids: number[]): Promise<void> {
    await this.commit(() => {
      for (const id of ids) {
        this.bodies.removeSync(id)
        this.metas.removeSync(id)
      }
    })
  }

  /** Persists the first id not yet handed out, so ids never repeat across restarts. */
  async reserveIds(until: number): Promise<void> {
    await this.commit(() => this.state.putSync('reservedUntil', until))
  }

  /** One write transaction; rejects with a `StoreWriteError` when it does not commit. */
  private commit(work: () => void): Promise<void> {
    return committed(this.env.transaction(work))
  }

  /** A copy of the body (LMDB's own buffer is only valid until the next read). */
  readBody(id: number): Buffer | undefined {
    return this.bodies.getBinary(id)
  }

  /** Resolves when every write issued so far is committed and fsync'd (a failed write rejects its own caller only). */
  async flushed(): Promise<void> {
    await Promise.resolve(this.env.committed).catch(() => undefined)
    await Promise.resolve(this.env.flushed).catch(() => undefined)
  }

  async close(): Promise<void> {
    try {
      await this.env.close()
    } finally {
      this.unlock()
    }
  }
}
