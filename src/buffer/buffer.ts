/**
 * BatchBuffer: the memory-to-disk buffer between the metric model / log collector and the
 * exporter (the seed's "Buffering" state: InMemory -> OnDisk when the memory limit is reached,
 * OnDisk -> InMemory when read for a flush).
 *
 * Every batch held is one entry in `entries`, a Map in id order (ids only ever grow, and an
 * entry never leaves and re-enters it), so iterating it is "oldest first across both tiers"
 * without merging. An entry is in the memory tier (body held here) or the disk tier (body in
 * LMDB; held here too only until its write commits). A disk batch handed out by `take` stays on
 * disk until it is acknowledged, so a crash mid-export loses nothing.
 */
import { EventEmitter } from 'node:events'
import pino, { type Logger } from 'pino'
import { Store, type StoredMeta, type WriteItem } from './store'
import type { Batch, BatchInput, BufferOptions, BufferStats, DropEvent, DropReason, FailReason, PushOptions, Signal } from './types'

/** Bytes counted per batch on top of its body (metadata, keys, map entry). */
export const BATCH_OVERHEAD_BYTES = 64
/** Ids are reserved on disk in blocks, so a restart never hands out an id twice. */
const ID_BLOCK = 1024
const REASONS: DropReason[] = ['size', 'age', 'retries', 'rejected', 'corrupt']

interface Entry extends StoredMeta {
  size: number
  tier: 'memory' | 'disk'
  body?: Uint8Array
  inFlight: boolean
}

export class BatchBuffer extends EventEmitter {
  private readonly entries = new Map<number, Entry>()
  /** The memory-tier entries alone, oldest first (they are only ever created by `push`). */
  private readonly memory = new Map<number, Entry>()
  private readonly tiers = { memory: { batches: 0, bytes: 0 }, disk: { batches: 0, bytes: 0 } }
  private inFlight = 0
  private pushed = 0
  private exported = 0
  private storesMovedAside = 0
  private readonly dropped = {
    batches: 0,
    dataPoints: 0,
    byReason: Object.fromEntries(REASONS.map((r) => [r, { batches: 0, dataPoints: 0 }])) as BufferStats['dropped']['byReason'],
  }
  private nextId: number
  private reservedUntil: number
  private reservation: Promise<void> = Promise.resolve()
  private readonly pending = new Set<Promise<void>>()
  private closed = false
  private readonly log: Logger
  private readonly now: () => number

  private constructor(
    private readonly opts: BufferOptions,
    private readonly store: Store,
    private readonly cursorMap: Map<string, unknown>,
    nextId: number,
  ) {
    super()
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'buffer' })
    this.now = opts.now ?? Date.now
    this.nextId = nextId
    this.reservedUntil = nextId
  }

  /** Opens (or creates) the buffer at `opts.path`; a corrupt store is moved aside, never fatal. */
  static async open(opts: BufferOptions): Promise<BatchBuffer> {
    const now = opts.now ?? Date.now
    const opened = await Store.open(opts.path, now)
    const buffer = new BatchBuffer(opts, opened.store, opened.cursors, opened.reservedUntil)
    for (const meta of opened.batches) {
      const entry: Entry = { ...meta, size: meta.bodyLength + BATCH_OVERHEAD_BYTES, tier: 'disk', inFlight: false }
      buffer.entries.set(meta.id, entry)
      buffer.count(entry, +1)
    }
    const moved = opened.movedAside
    if (moved) {
      buffer.storesMovedAside++
      buffer.countDrop('corrupt', moved.lostBatches, moved.lostDataPoints)
      const outcome = [
        moved.salvagedBatches ? `${moved.salvagedBatches} readable batch(es) copied into it` : '',
        moved.lostBatches ? `${moved.lostBatches} unreadable batch(es) (${moved.lostDataPoints} data points) counted as dropped` : '',
        moved.uncounted ? 'what else the old store held could not be read or counted' : '',
      ].filter(Boolean)
      buffer.log.error(
        { path: opts.path, movedTo: moved.movedTo, problem: moved.problem, salvagedBatches: moved.salvagedBatches, uncounted: moved.uncounted, droppedBatches: moved.lostBatches, droppedDataPoints: moved.lostDataPoints },
        `buffer store at ${opts.path} was unusable (${moved.problem}); moved it to ${moved.movedTo} and started a fresh store` +
          outcome.map((part) => `; ${part}`).join(""),
      )
    }
    buffer.allocateIdBlock()
    await buffer.reservation
    buffer.dropStale(now())
    buffer.enforceSize()
    if (moved) {
      // Emitted after the caller's `await open()` has resumed, so a listener attached then sees it.
      const event: DropEvent = { reason: 'corrupt', batches: moved.lostBatches, dataPoints: moved.lostDataPoints }
      setImmediate(() => buffer.emit('drop', event))
    }
    return buffer
  }

  async push(input: BatchInput, opts: PushOptions = {}): Promise<Batch> {
    this.assertOpen()
    if (!(input.body instanceof Uint8Array)) throw new TypeError('batch body must be a Uint8Array')
    if (input.signal !== 'metrics' && input.signal !== 'logs') throw new TypeError(`unknown signal ${String(input.signal)}`)
    const now = this.now()
    if (this.nextId >= this.reservedUntil) this.allocateIdBlock()
    const reservation = this.reservation
    const entry: Entry = {
      id: this.nextId++,
      signal: input.signal,
      body: input.body,
      bodyLength: input.body.byteLength,
      dataPoints: input.dataPoints,
      createdAt: input.createdAt ?? now,
      attempts: 0,
      size: input.body.byteLength + BATCH_OVERHEAD_BYTES,
      tier: 'memory',
      inFlight: false,
    }
    this.entries.set(entry.id, entry)
    this.memory.set(entry.id, entry)
    this.count(entry, +1)
    this.pushed++
    const batch = toBatch(entry, input.body)

    const toDisk = this.opts.syncWrites || opts.cursor !== undefined
    const written = toDisk ? this.moveToDisk([entry], opts.cursor) : undefined
    this.dropStale(now)
    this.enforceSize()
    if (!toDisk) this.spill()

    try {
      await reservation
      if (written) {
        await written
        await this.store.flushed()
        if (opts.cursor) this.cursorMap.set(opts.cursor.key, opts.cursor.value)
      }
    } catch (err) {
      // The caller still holds the batch and learns it was not stored: don't keep a copy too.
      if (this.entries.has(entry.id)) this.forget(entry)
      this.pushed--
      throw err
    }
    return batch
  }

  /** Up to `max` batches, oldest first across memory and disk, marked in flight. */
  async take(max: number, signal?: Signal): Promise<Batch[]> {
    this.assertOpen()
    const now = this.now()
    this.dropStale(now)
    const out: Batch[] = []
    const stale: Entry[] = []
    const corrupt: Entry[] = []
    for (const entry of this.entries.values()) {
      if (out.length >= max) break
      if (entry.inFlight || (signal !== undefined && entry.signal !== signal)) continue
      if (now - entry.createdAt > this.opts.maxAgeMs) {
        stale.push(entry)
        continue
      }
      const body = entry.body ?? this.store.readBody(entry.id)
      if (!body || body.byteLength !== entry.bodyLength) {
        corrupt.push(entry)
        continue
      }
      entry.inFlight = true
      this.inFlight++
      out.push(toBatch(entry, body))
    }
    this.drop(stale, 'age')
    this.drop(corrupt, 'corrupt', 'body missing or of the wrong length on disk')
    return out
  }

  /** The batches were exported: remove them from memory and disk. */
  async ack(batches: Batch[]): Promise<void> {
    this.assertOpen()
    const onDisk: number[] = []
    for (const { id } of batches) {
      const entry = this.entries.get(id)
      if (!entry) continue
      this.forget(entry)
      this.exported++
      if (entry.tier === 'disk') onDisk.push(id)
    }
    if (onDisk.length) await this.track(this.store.remove(onDisk))
  }

  /** The export failed: count the attempt and keep the batch on disk, or drop it. */
  async fail(batches: Batch[], reason: FailReason): Promise<void> {
    this.assertOpen()
    const keep: Entry[] = []
    const rejected: Entry[] = []
    const exhausted: Entry[] = []
    for (const { id } of batches) {
      const entry = this.entries.get(id)
      if (!entry) continue
      if (entry.inFlight) {
        entry.inFlight = false
        this.inFlight--
      }
      entry.attempts++
      if (reason.permanent) rejected.push(entry)
      else if (entry.attempts >= this.opts.maxRetries) exhausted.push(entry)
      else keep.push(entry)
    }
    this.drop(rejected, 'rejected', reason.error)
    this.drop(exhausted, 'retries', reason.error)
    if (keep.length) await this.moveToDisk(keep).catch(() => undefined)
    this.enforceSize()
  }

  /** Shutdown: everything held in memory (in flight or not) goes to disk, fsync'd. */
  async persist(): Promise<void> {
    this.assertOpen()
    const inMemory = [...this.memory.values()]
    if (inMemory.length) await this.moveToDisk(inMemory)
    await Promise.all(this.pending)
    await this.store.flushed()
  }

  getCursor(key: string): unknown | undefined {
    return this.cursorMap.get(key)
  }

  cursors(): Array<{ key: string; value: unknown }> {
    return [...this.cursorMap].map(([key, value]) => ({ key, value }))
  }

  stats(): BufferStats {
    const first = this.entries.values().next()
    const byReason = Object.fromEntries(REASONS.map((r) => [r, { ...this.dropped.byReason[r] }])) as BufferStats['dropped']['byReason']
    return {
      memoryBatches: this.tiers.memory.batches,
      memoryBytes: this.tiers.memory.bytes,
      diskBatches: this.tiers.disk.batches,
      diskBytes: this.tiers.disk.bytes,
      inFlight: this.inFlight,
      oldestAgeMs: first.done ? 0 : Math.max(0, this.now() - first.value.createdAt),
      pushed: this.pushed,
      exported: this.exported,
      dropped: { batches: this.dropped.batches, dataPoints: this.dropped.dataPoints, byReason },
      storesMovedAside: this.storesMovedAside,
    }
  }

  /** Persists what is in memory, then closes the store. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    await this.persist()
    this.closed = true
    await this.store.close()
    this.entries.clear()
    this.memory.clear()
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the buffer is closed')
  }

  private allocateIdBlock(): void {
    this.reservedUntil = this.nextId + ID_BLOCK
    this.reservation = this.store.reserveIds(this.reservedUntil)
    this.reservation.catch(() => undefined)
  }

  /** Writes entries (body too if it is only in memory) to disk; they count as disk at once. */
  private moveToDisk(entries: Entry[], cursor?: PushOptions['cursor']): Promise<void> {
    const items: WriteItem[] = entries.map((entry) => {
      this.setTier(entry, 'disk')
      return { meta: entry, body: entry.body }
    })
    const written = this.store.write(items, cursor)
    this.track(
      written.then(
        () => {
          for (const entry of entries) if (entry.tier === 'disk') entry.body = undefined
        },
        (err: Error) => {
          this.log.error({ err, batches: entries.length }, 'buffer could not write batches to disk; keeping them in memory')
          for (const entry of entries) if (this.entries.has(entry.id) && entry.body) this.setTier(entry, 'memory')
        },
      ),
    )
    return written
  }

  /** The memory limit is reached: the oldest memory batches go to disk. */
  private spill(): void {
    let excess = this.tiers.memory.bytes - this.opts.memoryMaxBytes
    if (excess <= 0) return
    const out: Entry[] = []
    for (const entry of this.memory.values()) {
      if (excess <= 0) break
      out.push(entry)
      excess -= entry.size
    }
    void this.moveToDisk(out).catch(() => undefined)
  }

  /** Drops stale batches from the head (ids follow creation order closely enough; take catches the rest). */
  private dropStale(now: number): void {
    const stale: Entry[] = []
    for (const entry of this.entries.values()) {
      if (entry.inFlight) continue
      if (now - entry.createdAt <= this.opts.maxAgeMs) break
      stale.push(entry)
    }
    this.drop(stale, 'age')
  }

  /** Over the size cap: drop the oldest batches not in flight until it fits. */
  private enforceSize(): void {
    let excess = this.tiers.memory.bytes + this.tiers.disk.bytes - this.opts.maxSizeBytes
    if (excess <= 0) return
    const out: Entry[] = []
    for (const entry of this.entries.values()) {
      if (excess <= 0) break
      if (entry.inFlight) continue
      out.push(entry)
      excess -= entry.size
    }
    this.drop(out, 'size')
  }

  private drop(entries: Entry[], reason: DropReason, detail?: string): void {
    if (!entries.length) return
    let dataPoints = 0
    const onDisk: number[] = []
    for (const entry of entries) {
      this.forget(entry)
      dataPoints += entry.dataPoints
      if (entry.tier === 'disk') onDisk.push(entry.id)
    }
    if (onDisk.length) void this.track(this.store.remove(onDisk)).catch(() => undefined)
    this.countDrop(reason, entries.length, dataPoints)
    this.log.warn(
      { reason, batches: entries.length, dataPoints, totalDroppedDataPoints: this.dropped.dataPoints, ...(detail ? { detail } : {}) },
      `buffer dropped ${entries.length} batch(es) with ${dataPoints} data point(s) (${reason})`,
    )
    this.emit('drop', { reason, batches: entries.length, dataPoints } satisfies DropEvent)
  }

  private countDrop(reason: DropReason, batches: number, dataPoints: number): void {
    this.dropped.batches += batches
    this.dropped.dataPoints += dataPoints
    this.dropped.byReason[reason].batches += batches
    this.dropped.byReason[reason].dataPoints += dataPoints
  }

  private forget(entry: Entry): void {
    this.entries.delete(entry.id)
    this.memory.delete(entry.id)
    this.count(entry, -1)
    if (entry.inFlight) {
      entry.inFlight = false
      this.inFlight--
    }
  }

  private setTier(entry: Entry, tier: Entry['tier']): void {
    if (entry.tier === tier) return
    this.count(entry, -1)
    entry.tier = tier
    this.count(entry, +1)
    if (tier === 'disk') this.memory.delete(entry.id)
    else this.memory.set(entry.id, entry)
  }

  private count(entry: Entry, sign: 1 | -1): void {
    this.tiers[entry.tier].batches += sign
    this.tiers[entry.tier].bytes += sign * entry.size
  }

  /** Remembers a write until it settles, so persist/close can wait for all of them. */
  private track(p: Promise<void>): Promise<void> {
    const settled = p.then(
      () => undefined,
      () => undefined,
    )
    this.pending.add(settled)
    void settled.then(() => this.pending.delete(settled))
    return p
  }
}

function toBatch(entry: Entry, body: Uint8Array): Batch {
  return { id: entry.id, signal: entry.signal, body, dataPoints: entry.dataPoints, createdAt: entry.createdAt, attempts: entry.attempts }
}
