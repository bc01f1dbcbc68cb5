/** One buffered batch as the buffer tracks it, and the pure selections the bounds are made of. */
import type { StoredMeta } from './store'
import type { Batch } from './types'

export interface Entry extends StoredMeta {
  /** Accounted bytes: body length + BATCH_OVERHEAD_BYTES. */
  size: number
  tier: 'memory' | 'disk'
  /** Held for memory batches, and for disk batches until their write commits. */
  body?: Uint8Array
  inFlight: boolean
}

/** The oldest entries whose sizes add up to at least `excess` bytes (none if excess <= 0). */
export function oldestCovering(entries: Iterable<Entry>, excess: number, skipInFlight: boolean): Entry[] {
  const out: Entry[] = []
  for (const entry of entries) {
    if (excess <= 0) break
    if (skipInFlight && entry.inFlight) continue
    out.push(entry)
    excess -= entry.size
  }
  return out
}

/**
 * The stale entries at the head (ids follow creation order closely enough; `take` drops any
 * stale batch further on as it reaches it). Entries in flight are left to their export.
 */
export function staleHead(entries: Iterable<Entry>, now: number, maxAgeMs: number): Entry[] {
  const out: Entry[] = []
  for (const entry of entries) {
    if (entry.inFlight) continue
    if (now - entry.createdAt <= maxAgeMs) break
    out.push(entry)
  }
  return out
}

export function toBatch(entry: Entry, body: Uint8Array): Batch {
  const { id, signal, dataPoints, createdAt, attempts } = entry
  return { id, signal, body, dataPoints, createdAt, attempts }
}
