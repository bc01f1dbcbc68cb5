/**
 * The LMDB memory-to-disk buffer (DESIGN.md "Buffer"): opaque OTLP request bodies held in
 * memory, spilled to disk at the memory limit, on export failure and at shutdown; read back
 * oldest first; bounded by size, age and retries, with every drop counted.
 */
export { BatchBuffer, BATCH_OVERHEAD_BYTES } from './buffer'
export { BufferLockedError } from './lock'
export type {
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
