/**
 * The buffer's writes to its store, and what it does when the disk refuses them.
 *
 * A write that does not commit (a full disk: LMDB reports ENOSPC or EIO) puts the tier in
 * the `full` state: it says so once, and writes are not tried again until `RETRY_FULL_MS`
 * has passed, so a full disk costs one failed commit every few seconds, not one per
 * batch. The first write that commits again ends the state, and it says that once too.
 * Removals that fail (LMDB needs free pages to delete) are kept and retried with the
 * next write, so a sent batch is not left on disk to be sent again after a restart.
 */
import type { Logger } from 'pino'
import type { Store, WriteItem } from './store'
import { StoreWriteError } from './write-error'

/** While the disk is full, a write is tried again at most this often. */
export const RETRY_FULL_MS = 5_000

export class DiskTier {
  /** A write failed and no write has committed since. */
  full = false
  /** Full spells so far (each logged once). */
  spells = 0
  #retryAt = 0
  readonly #unremoved = new Set<number>()
  readonly #pending = new Set<Promise<void>>()

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  /** False while the disk is full and its retry time has not come. */
  writable(): boolean {
    return !this.full || this.now() >= this.#retryAt
  }

  /** Writes in one transaction; rejects with `StoreWriteError` (and enters `full`) when it does not commit. */
  write(items: WriteItem[], cursor?: { key: string; value: unknown }): Promise<void> {
    const retried = [...this.#unremoved]
    const written = this.store.write(items, cursor).then(
      () => this.#committed(retried),
      (err: unknown) => {
        this.#failed(err)
        throw err
      },
    )
    return this.track(written)
  }

  /** Deletes batches; never rejects (what could not be deleted is retried with the next write). */
  remove(ids: number[]): Promise<void> {
    if (!ids.length) return Promise.resolve()
    const removed = this.store.remove(ids).then(
      () => undefined,
      (err: unknown) => {
        for (const id of ids) this.#unremoved.add(id)
        this.#failed(err)
      },
    )
    return this.track(removed)
  }

  /** A write whose failure leaves no harm but a log line (id reservations). */
  bestEffort(p: Promise<void>): void {
    void this.track(p.catch((err: unknown) => this.#failed(err)))
  }

  /** Resolves when every write issued so far has settled. */
  async settled(): Promise<void> {
    await Promise.all(this.#pending)
    await this.store.flushed()
  }

  /** Remembers a write until it settles, so `settled` can wait for all of them. */
  track<T>(p: Promise<T>): Promise<T> {
    const settled = p.then(
      () => undefined,
      () => undefined,
    )
    this.#pending.add(settled)
    void settled.then(() => this.#pending.delete(settled))
    return p
  }

  #committed(retried: number[]): void {
    if (this.full) {
      this.full = false
      this.log.info('the buffer can write to disk again; batches go to disk as before')
    }
    if (retried.length) {
      for (const id of retried) this.#unremoved.delete(id)
      void this.remove(retried)
    }
  }

  #failed(err: unknown): void {
    this.#retryAt = this.now() + RETRY_FULL_MS
    if (this.full) return
    this.full = true
    this.spells++
    const cause = err instanceof StoreWriteError ? err.message : String(err)
    this.log.error(
      { err: cause },
      'the buffer cannot write to disk (full or failing); holding batches in memory up to buffer.memory_max_mb and dropping the oldest beyond it (counted as disk_full) until writes succeed again',
    )
  }
}
