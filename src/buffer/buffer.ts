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
 *
 * The guarantee (DESIGN.md "The buffer's guarantee"): while exports succeed, a batch may sit in
 * memory until the next flush; during an outage (`setOutage(true)`, from the first failed
 * export until one succeeds) every batch is committed to disk as it is pushed, and memory
 * holds only what is in flight. When the disk refuses writes (full), batches are held in
 * memory up to `memoryMaxBytes`, the oldest beyond it dropped as `disk_full`.
 */
import { EventEmitter } from 'node:events'
import pino, { type Logger } from 'pino'
import { decode } from './codec'
import { BATCH_OVERHEAD_BYTES, newEntry, oldestCovering, staleHead, toBatch, type Entry } from './entry'
import { DiskTier } from './disk-tier'
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

export { BATCH_OVERHEAD_BYTES } from './entry'
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
  private readonly disk: DiskTier
  /** From the first failed export until one succeeds: every push goes to disk at once. */
  private outage = false
  /** The full-disk spell whose first `disk_full` drop was logged (the rest are only counted). */
  private saidDiskFullDrop = -1
  private closed = false
  /** Drops made during `open`, emitted once it has returned. */
  private opening: DropEvent[] | undefined = []
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
    this.disk = new DiskTier(store, this.log, this.now)
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
      buffer.announce({ reason: 'corrupt', batches: moved.lostBatches, dataPoints: moved.lostDataPoints })
      logMovedAside(buffer.log, opts.path, moved)
    }
    buffer.allocateIdBlock()
    await buffer.reservation
    buffer.dropStale(now())
    buffer.enforceSize()
    // Drops made while opening are emitted after the caller's `await open()` has resumed,
    // so a listener attached then sees every one.
    const opening = buffer.opening ?? []
    buffer.opening = undefined
    setImmediate(() => {
      for (const event of opening) buffer.emit('drop', event)
    })
    return buffer
  }

  async push(input: BatchInput, opts: PushOptions = {}): Promise<Batch> {
    this.assertOpen()
    const now = this.now()
    const entry = newEntry(input, this.nextId, now, this.opts.compression)
    if (this.nextId >= this.reservedUntil) this.allocateIdBlock()
    this.nextId++
    const reservation = this.reservation
    this.entries.set(entry.id, entry)
    this.memory.set(entry.id, entry)
    this.tally.hold(entry, +1)
    this.tally.pushed++
    const batch = toBatch(entry, input.body)

    const toDisk = this.opts.syncWrites || this.outage || opts.cursor !== undefined
    // During an outage, batches held in memory while the disk was full go along with it.
    const held = this.outage ? [...this.memory.values()].filter((e) => !e.inFlight) : [entry]
    const written =
      opts.cursor !== undefined || (toDisk && this.disk.writable())
        ? this.moveToDisk(held, opts.cursor)
        : undefined
    this.dropStale(now)
    this.enforceSize()
    this.fitMemory()

    await reservation
    try {
      if (written) {
        await written
        if (this.opts.syncWrites || opts.cursor) await this.store.flushed()
        if (opts.cursor) this.cursorMap.set(opts.cursor.key, opts.cursor.value)
      }
    } catch (err) {
      if (!opts.cursor) {
        // The disk refused it: the batch is held in memory (within its limit) instead.
        this.fitMemory()
        return batch
      }
      // The caller keeps its records and cursor and learns they were not stored: no copy here.
      if (this.entries.has(entry.id)) this.forget(entry)
      this.tally.pushed--
      throw err
    }
    return batch
  }

  /**
   * Exports are failing (`true`) or succeed again (`false`). Entering an outage moves every
   * batch held in memory (and not in flight) to disk; during it, pushes go to disk at once.
   */
  async setOutage(on: boolean): Promise<void> {
    this.assertOpen()
    if (this.outage === on) return
    this.outage = on
    const held = [...this.memory.values()].filter((e) => !e.inFlight)
    if (on && held.length && this.disk.writable()) await this.moveToDisk(held).catch(() => undefined)
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
      if (entry.uncertain) this.tally.resent++
      if (entry.tier === 'disk') onDisk.push(id)
    }
    await this.disk.remove(onDisk)
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
      if (reason.outcomeUnknown) entry.uncertain = true
      if (reason.permanent) rejected.push(entry)
      else if (entry.attempts >= this.opts.maxRetries) exhausted.push(entry)
      else keep.push(entry)
    }
    this.drop(rejected, 'rejected', reason.error)
    this.drop(exhausted, 'retries', reason.error)
    if (keep.length && this.disk.writable()) await this.moveToDisk(keep).catch(() => undefined)
    this.enforceSize()
    this.fitMemory()
  }

  /**
   * Taken but never sent (an earlier request of the same flush failed): the batches go
   * back in line where they were, with no attempt counted against them.
   */
  release(batches: Batch[]): void {
    this.assertOpen()
    const back: Entry[] = []
    for (const { id } of batches) {
      const entry = this.entries.get(id)
      if (entry?.inFlight) {
        entry.inFlight = false
        this.tally.inFlight--
        if (entry.tier === 'memory') back.push(entry)
      }
    }
    if (this.outage && back.length && this.disk.writable()) void this.moveToDisk(back).catch(() => undefined)
  }

  /**
   * Shutdown: everything held in memory (in flight or not) goes to disk, fsync'd. Never
   * rejects: on a full disk what could not be written stays in memory (`close` counts it).
   */
  async persist(): Promise<void> {
    this.assertOpen()
    const inMemory = [...this.memory.values()]
    if (inMemory.length) await this.moveToDisk(inMemory).catch(() => undefined)
    await this.disk.settled()
  }

  /**
   * Moves a cursor without a batch (every record in between was filtered out, or a
   * file is first seen at its end); committed to disk before it resolves.
   */
  async setCursor(key: string, value: unknown): Promise<void> {
    this.assertOpen()
    await this.disk.write([], { key, value })
    this.cursorMap.set(key, value)
  }

  /** Forgets a cursor (its file is gone). */
  async deleteCursor(key: string): Promise<void> {
    this.assertOpen()
    await this.disk.track(this.store.removeCursor(key))
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
    const oldestAgeMs = first.done ? 0 : Math.max(0, this.now() - first.value.createdAt)
    return this.tally.snapshot(oldestAgeMs, { outage: this.outage, diskFull: this.disk.full })
  }

  /** Persists what is in memory, then closes the store. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    try {
      await this.persist()
      // Only a full disk leaves batches in memory now: they end with the process.
      const lost = [...this.memory.values()]
      if (lost.length) this.drop(lost, 'disk_full', 'the disk was full at shutdown')
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
    // If it fails (a full disk) no harm is done: at open, ids continue after the last batch stored.
    const reserved = this.store.reserveIds(this.reservedUntil)
    this.disk.bestEffort(reserved)
    this.reservation = reserved.catch(() => undefined)
  }

  /** Writes entries (body too if it is only in memory) to disk; they count as disk at once. */
  private moveToDisk(entries: Entry[], cursor?: PushOptions['cursor']): Promise<void> {
    const items: WriteItem[] = entries.map((entry) => {
      this.setTier(entry, 'disk')
      return { meta: entry, body: entry.body }
    })
    // The disk tier logs a failure (once per full spell); the entries come back to memory.
    return this.disk.write(items, cursor).then(
      () => {
        for (const entry of entries) if (entry.tier === 'disk') entry.body = undefined
      },
      (err: unknown) => {
        for (const entry of entries)
          if (this.entries.has(entry.id) && entry.body) this.setTier(entry, 'memory')
        throw err
      },
    )
  }

  /**
   * Over the memory limit: the oldest memory batches go to disk, or, while the disk
   * refuses writes, the oldest not in flight are dropped as `disk_full`.
   */
  private fitMemory(): void {
    const excess = this.tally.tiers.memory.bytes - this.opts.memoryMaxBytes
    if (excess <= 0) return
    if (this.disk.writable()) {
      const out = oldestCovering(this.memory.values(), excess, false)
      if (out.length) void this.moveToDisk(out).catch(() => this.fitMemory())
      return
    }
    this.drop(oldestCovering(this.memory.values(), excess, true), 'disk_full', 'the disk is full')
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
    void this.disk.remove(onDisk)
    this.announce({ reason, batches: entries.length, dataPoints })
    if (reason === 'disk_full') {
      if (this.saidDiskFullDrop === this.disk.spells) return
      this.saidDiskFullDrop = this.disk.spells
    }
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
  }

  /** Counts a drop and tells the listeners (after `open` has returned, for drops made in it). */
  private announce(event: DropEvent): void {
    this.tally.drop(event.reason, event.batches, event.dataPoints)
    if (this.opening) this.opening.push(event)
    else this.emit('drop', event)
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
}
