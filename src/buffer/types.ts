/**
 * The buffer's public types. A batch is an opaque OTLP request body (protobuf bytes) plus the
 * little metadata the buffer needs to order, bound and retry it; the exporter replays exactly
 * these bytes.
 */
import type { Logger } from 'pino'

export type Signal = 'metrics' | 'logs'

export interface BatchInput {
  signal: Signal
  /** The OTLP request body (protobuf bytes), replayed byte for byte. */
  body: Uint8Array
  /** Data points (metrics) or log records (logs) in the body, for drop accounting. */
  dataPoints: number
  /** Unix milliseconds; defaults to the buffer's clock. */
  createdAt?: number
}

export interface Batch extends Required<BatchInput> {
  /** Monotonic across restarts; the order batches are read back in. */
  id: number
  /** Failed export attempts so far. */
  attempts: number
}

export interface BufferOptions {
  /** LMDB directory (created with mode 0700). */
  path: string
  /** The whole buffer (memory + disk); the oldest batches are dropped when it is exceeded. */
  maxSizeBytes: number
  /** Batches older than this are dropped. */
  maxAgeMs: number
  /** A batch that has failed this many times is dropped. */
  maxRetries: number
  /** The in-memory tier; beyond it the oldest batches spill to disk. */
  memoryMaxBytes: number
  /** Every push is committed and fsync'd to disk before it resolves (nothing may be lost). */
  syncWrites: boolean
  logger?: Logger
  /** Injectable clock (unix ms), for tests. */
  now?: () => number
  /**
   * `deflate`: bodies are held compressed (deflate-raw, level 1) in memory and on disk, so
   * the size bound keeps about five times more OTLP metrics; `take` returns them exactly
   * as pushed. Default `none`.
   */
  compression?: 'deflate' | 'none'
}

export interface PushOptions {
  /**
   * A read position (e.g. of a log file) stored in the same disk transaction as the batch, so it
   * never runs ahead of records that are safely buffered. The batch goes to disk at once.
   */
  cursor?: { key: string; value: unknown }
}

/**
 * Why batches were given up: over `max_size_mb` (`size`), older than `max_age` (`age`),
 * out of retries, refused by the collector while it accepted others (`rejected`),
 * unreadable (`corrupt`), or held in memory while the disk was full and over the memory
 * limit (`disk_full`).
 */
export type DropReason = 'size' | 'age' | 'retries' | 'rejected' | 'corrupt' | 'disk_full'

/** Payload of the `'drop'` event. */
export interface DropEvent {
  reason: DropReason
  batches: number
  dataPoints: number
}

export interface FailReason {
  /** The collector rejected the batch as permanently invalid: drop it now. */
  permanent: boolean
  error: string
  /**
   * Count this failure against the batch's retries (default true). False when the
   * collector was unreachable: the batch waits on disk, bounded by age and size only.
   */
  countAttempt?: boolean
  /**
   * The request went out but no answer came (a timeout): the collector may have stored it,
   * so a later successful send is counted as a re-send.
   */
  outcomeUnknown?: boolean
}

export interface BufferStats {
  memoryBatches: number
  memoryBytes: number
  diskBatches: number
  diskBytes: number
  inFlight: number
  /** Age of the oldest batch held (0 when empty). */
  oldestAgeMs: number
  /** Batches pushed since open. */
  pushed: number
  /** Batches acknowledged since open. */
  exported: number
  /** Of those, batches sent again after an attempt with no answer (the collector may hold two copies). */
  resent: number
  /** Exports are failing: every push goes to disk at once. */
  outage: boolean
  /** The disk refuses writes: batches are held in memory, the oldest beyond its limit dropped. */
  diskFull: boolean
  dropped: {
    batches: number
    dataPoints: number
    byReason: Record<DropReason, { batches: number; dataPoints: number }>
  }
  /** Stores found corrupt or unopenable at open and moved aside (their contents may be uncountable). */
  storesMovedAside: number
}
