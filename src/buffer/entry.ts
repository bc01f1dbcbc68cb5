/** One buffered batch as the buffer tracks it, and the pure selections the bounds are made of. */
import { encode } from './codec'
import type { StoredMeta } from './store'
import type { Batch, BatchInput } from './types'

/** Bytes counted per batch on top of its body (metadata, keys, map entry). */
export const BATCH_OVERHEAD_BYTES = 64

export interface Entry extends StoredMeta {
  /** Accounted bytes: body length + BATCH_OVERHEAD_BYTES. */
  size: number
  tier: 'memory' | 'disk'
  /** Held for memory batches, and for disk batches until their write commits. */
  body?: Uint8Array
  inFlight: boolean
  /** An attempt went out with no answer: the next successful send is a re-send. */
  uncertain?: boolean
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

/** A pushed batch as a memory-tier entry (its body encoded as the buffer stores it). */
export function newEntry(
  input: BatchInput,
  id: number,
  now: number,
  compression: 'deflate' | 'none' | undefined,
): Entry {
  if (!(input.body instanceof Uint8Array)) throw new TypeError('batch body must be a Uint8Array')
  if (input.signal !== 'metrics' && input.signal !== 'logs')
    throw new TypeError(`unknown signal ${String(input.signal)}`)
  const { stored, encoding } = encode(input.body, compression)
  return {
    id,
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
}

export function toBatch(entry: Entry, body: Uint8Array): Batch {
  const { id, signal, dataPoints, createdAt, attempts } = entry
  return { id, signal, body, dataPoints, createdAt, attempts }
}
