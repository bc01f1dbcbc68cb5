/**
 * The log collector's public types.
 */
import type { Logger } from 'pino'
import type { BatchBuffer } from '../buffer'

export interface LogCollectorOptions {
  /** Glob patterns of files to follow (tinyglobby syntax), e.g. `/var/log/*.log`, `/var/log/**\/app-*.log`. */
  paths: string[]
  /** Keep only records matching one of these regular expressions (all records when empty). */
  includePatterns?: string[]
  /** Drop records matching any of these regular expressions. */
  excludePatterns?: string[]
  /**
   * Where to start in a file that exists when the collector first polls and has no stored
   * cursor. Files that appear later are always read from their beginning.
   */
  startAt: 'end' | 'beginning'
  /** A line matching this starts a record; other lines join the record before them. */
  multilineStartPattern?: string
  /** Lines (and joined records) longer than this many bytes are cut to it. */
  maxLineBytes: number
  /** Time between polls of the globs and files. */
  pollIntervalMs: number
  /** Records per batch pushed to the buffer (default 1000). */
  maxBatchRecords?: number
  /** OTLP resource attributes of every record. */
  resource: Record<string, string | number | boolean>
  /** Where batches go; it also stores each file's read position (its cursor). */
  buffer: BatchBuffer
  logger: Logger
  /**
   * Backpressure (as Fluent Bit's `mem_buf_limit`): while `waitingBytes()` — what the buffer
   * holds unsent — is over `maxBytes`, files are not read; their unread lines wait in the files
   * (the cursor keeps the position; rotated files stay open) and reading resumes as it drains.
   */
  backlog?: { maxBytes: number; waitingBytes: () => number }
  /** Injectable clock (unix ms) for the observed time, for tests. */
  now?: () => number
}

export interface LogCollectorStats {
  /** Files open now (followed, or rotated away and still being drained). */
  files: number
  /** Complete lines read since start. */
  linesRead: number
  /** Records pushed to the buffer (after include/exclude). */
  recordsBuffered: number
  bytesRead: number
  /** Lines or joined records cut to maxLineBytes. */
  truncatedLines: number
  /** Rotations seen: by rename or deletion (the path names another file, or none) and by truncation. */
  rotations: number
  /** Reads stopped because the buffer's unsent data was over the backlog limit. */
  backlogPauses: number
  /** File, glob and buffer errors (each logged). */
  errors: number
}
