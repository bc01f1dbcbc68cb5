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
import { decode, encode } from './codec'
import { oldestCovering, staleHead, toBatch, type Entry } from './entry'
import { Store, logMovedAside, type WriteItem } from './store'
import { Tally } from './tally'
import type {
  Batch,
  BatchInput,
  BufferOptions,
  BufferStats,
  DropEvent,
  DropReason,
  FailReason,
  PushOptions,
  Signal,
} from './types'

/** Bytes counted per batch on top of its body (metadata, keys, map entry). */
export const BATCH_OVERHEAD_BYTES = 64
/** Ids are reserved on disk in blocks, so a restart never hands out an id twice. */
const ID_BLOCK = 1024

export class BatchBuffer extends EventEmitter {
  private readonly entries = new Map<number, Entry>()
  /** The memory-tier entries alone, oldest first (they are only ever created by `push`). */
  private readonly memory = new Map<number, Entry>()
  private readonly tally = new Tally()
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
      const entry: Entry = {
        ...meta,
        size: meta.bodyLength + BATCH_OVERHEAD_BYTES,
        tier: 'disk',
        inFlight: false,
      }
      buffer.entries.set(meta.id, entry)
      buffer.tally.hold(entry, +1)
    }
    const moved = opened.movedAside
    if (moved) {
      buffer.tally.storesMovedAside++
      buffer.tally.drop('corrupt', moved.lostBatches, moved.lostDataPoints)
      logMovedAside(buffer.log, opts.path, moved)
    }
    buffer.allocateIdBlock()
    await buffer.reservation
    buffer.dropStale(now())
    buffer.enforceSize()
    if (moved) {
      // Emitted after the caller's `await open()` has resumed, so a listener attached then sees it.
      const event: DropEvent = {
        reason: 'corrupt',
        batches: moved.lostBatches,
        dataPoints: moved.lostDataPoints,
      }
      setImmediate(() => buffer.emit('drop', event))
    }
    return buffer
  }

  async push(input: BatchInput, opts: PushOptions = {}): Promise<Batch> {
    this.assertOpen()
    if (!(input.body instanceof Uint8Array)) throw new TypeError('batch body must be a Uint8Array')
    if (input.signal !== 'metrics' && input.signal !== 'logs')
      throw new TypeError(`unknown signal ${String(input.signal)}`)
    const now = this.now()
    if (this.nextId >= this.reservedUntil) this.allocateIdBlock()
    const reservation = this.reservation
    const { stored, encoding } = encode(input.body, this.opts.compression)
    const entry: Entry = {
      id: this.nextId++,
      signal: input.signal,
      body: stored,
      bodyLength: stored.byteLength,
      encoding,
      dataPoints: input.dataPoints,
      createdAt: input.createdAt ?? now,
      attempts: 0,
      size: stored.byteLength + BATCH_OVERHEAD_BYTES,
      tier: 'memory',
      inFlight: false,
    }
    this.entries.set(entry.id, entry)
    this.memory.set(entry.id, entry)
    this.tally.hold(entry, +1)
    this.tally.pushed++
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
      this.tally.pushed--
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
      const stored = entry.body ?? this.store.readBody(entry.id)
      const body = stored && stored.byteLength === entry.bodyLength ? decode(entry, stored) : undefined
      if (!body) {
        corrupt.push(entry)
        continue
      }
      entry.inFlight = true
      this.tally.inFlight++
      out.push(toBatch(entry, body))
    }
    this.drop(stale, 'age')
    this.drop(corrupt, 'corrupt', 'body missing, of the wrong length, or not decompressible')
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
      this.tally.exported++
      if (entry.tier === 'disk') onDisk.push(id)
    }
    if (onDisk.length) await this.track(this.store.remove(onDisk))
  }

  /** The export failed: count the attempt (unless told not to) and keep the batch on disk, or drop it. */
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
        this.tally.inFlight--
      }
      if (reason.countAttempt !== false) entry.attempts++
      if (reason.permanent) rejected.push(entry)
      else if (entry.attempts >= this.opts.maxRetries) exhausted.push(entry)
      else keep.push(entry)
    }
    this.drop(rejected, 'rejected', reason.error)
    this.drop(exhausted, 'retries', reason.error)
    if (keep.length) await this.moveToDisk(keep).catch(() => undefined)
    this.enforceSize()
  }

  /**
   * Taken but never sent (an earlier request of the same flush failed): the batches go
   * back in line where they were, with no attempt counted against them.
   */
  release(batches: Batch[]): void {
    this.assertOpen()
    for (const { id } of batches) {
      const entry = this.entries.get(id)
      if (entry?.inFlight) {
        entry.inFlight = false
        this.tally.inFlight--
      }
    }
  }

  /** Shutdown: everything held in memory (in flight or not) goes to disk, fsync'd. */
  async persist(): Promise<void> {
    this.assertOpen()
    const inMemory = [...this.memory.values()]
    if (inMemory.length) await this.moveToDisk(inMemory)
    await Promise.all(this.pending)
    await this.store.flushed()
  }

  /**
   * Moves a cursor without a batch (every record in between was filtered out, or a
   * file is first seen at its end); committed to disk before it resolves.
   */
  async setCursor(key: string, value: unknown): Promise<void> {
    this.assertOpen()
    await this.track(this.store.write([], { key, value }))
    this.cursorMap.set(key, value)
  }

  /** Forgets a cursor (its file is gone). */
  async deleteCursor(key: string): Promise<void> {
    this.assertOpen()
    await this.track(this.store.removeCursor(key))
    this.cursorMap.delete(key)
  }

  getCursor(key: string): unknown | undefined {
    return this.cursorMap.get(key)
  }

  cursors(): Array<{ key: string; value: unknown }> {
    return [...this.cursorMap].map(([key, value]) => ({ key, value }))
  }

  stats(): BufferStats {
    const first = this.entries.values().next()
    return this.tally.snapshot(first.done ? 0 : Math.max(0, this.now() - first.value.createdAt))
  }

  /** Persists what is in memory, then closes the store. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    try {
      await this.persist()
    } finally {
      this.closed = true
      this.entries.clear()
      this.memory.clear()
      await this.store.close()
    }
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
          this.log.error(
            { err, batches: entries.length },
            'buffer could not write batches to disk; keeping them in memory',
          )
          for (const entry of entries)
            if (this.entries.has(entry.id) && entry.body) this.setTier(entry, 'memory')
        },
      ),
    )
    return written
  }

  /** The memory limit is reached: the oldest memory batches go to disk. */
  private spill(): void {
    const excess = this.tally.tiers.memory.bytes - this.opts.memoryMaxBytes
    const out = oldestCovering(this.memory.values(), excess, false)
    if (out.length) void this.moveToDisk(out).catch(() => undefined)
  }

  private dropStale(now: number): void {
    this.drop(staleHead(this.entries.values(), now, this.opts.maxAgeMs), 'age')
  }

  /** Over the size cap: drop the oldest batches not in flight until it fits. */
  private enforceSize(): void {
    const excess = this.tally.totalBytes - this.opts.maxSizeBytes
    this.drop(oldestCovering(this.entries.values(), excess, true), 'size')
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
    this.tally.drop(reason, entries.length, dataPoints)
    this.log.warn(
      {
        reason,
        batches: entries.length,
        dataPoints,
        totalDroppedDataPoints: this.tally.dropped.dataPoints,
        ...(detail ? { detail } : {}),
      },
      `buffer dropped ${entries.length} batch(es) with ${dataPoints} data point(s) (${reason})`,
    )
    this.emit('drop', { reason, batches: entries.length, dataPoints } satisfies DropEvent)
  }

  private forget(entry: Entry): void {
    this.entries.delete(entry.id)
    this.memory.delete(entry.id)
    this.tally.hold(entry, -1)
    if (entry.inFlight) {
      entry.inFlight = false
      this.tally.inFlight--
    }
  }

  private setTier(entry: Entry, tier: Entry['tier']): void {
    if (entry.tier === tier) return
    this.tally.hold(entry, -1)
    entry.tier = tier
    this.tally.hold(entry, +1)
    if (tier === 'disk') this.memory.delete(entry.id)
    else this.memory.set(entry.id, entry)
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
