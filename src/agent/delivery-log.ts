/**
 * Delivery, as a person reads it in the log at info level:
 * - the first successful export says so, once;
 * - every `logging.summary_interval` (5 min), one line: batches and data points sent over
 *   that time, what is buffered now, what was dropped (by reason);
 * - an export error is one line per condition: the first time it happens, then a count
 *   in each summary while it repeats, never one line per flush. A condition that has not
 *   come back for a whole summary interval is forgotten, so a later return is news again.
 */
import type { Logger } from 'pino'

import type { Batch, BufferStats } from '../buffer'
import { bytes } from '../cli/format/units'
import { formatDuration } from '../config'
import type { ExportOutcome } from '../export'
import type { AgentStats, DropCount } from '../health'

export interface DeliveryLogOptions {
  logger: Logger
  stats: AgentStats
  /** What is buffered now (memory and disk). */
  buffered: () => Pick<BufferStats, 'memoryBatches' | 'memoryBytes' | 'diskBatches' | 'diskBytes'>
  /** `protocol endpoint`, as the lines name it. */
  endpoint: string
  summaryIntervalMs: number
  /** Clock, unix ms (a test seam). */
  now?: () => number
}

interface Condition {
  level: 'warn' | 'error'
  message: string
  fields: Record<string, unknown>
  /** Occurrences since it was last written. */
  repeats: number
  firstRepeatAt: number
}

export class DeliveryLog {
  readonly #o: DeliveryLogOptions
  readonly #now: () => number
  #firstSent = false
  #windowStart: number
  #sentBatches = 0
  #sentPoints = 0
  #failed = 0
  #droppedAtWindowStart = new Map<string, DropCount>()
  readonly #conditions = new Map<string, Condition>()
  /** Conditions that occurred during the current window (the others are forgotten at its end). */
  readonly #seen = new Set<string>()

  constructor(options: DeliveryLogOptions) {
    this.#o = options
    this.#now = options.now ?? Date.now
    this.#windowStart = this.#now()
    this.#droppedAtWindowStart = snapshotDrops(options.stats)
  }

  /** A request's outcome for `batches`. */
  outcome(signal: string, outcome: ExportOutcome, batches: readonly Batch[]): void {
    if (outcome.kind === 'ok') {
      const points = batches.reduce((n, b) => n + b.dataPoints, 0)
      this.#sentBatches += batches.length
      this.#sentPoints += points
      // The collector answers again (Exporting says so, with the count): a later outage is news.
      for (const key of this.#conditions.keys())
        if (key.startsWith('retryable:')) this.#conditions.delete(key)
      if (!this.#firstSent) {
        this.#firstSent = true
        this.#o.logger.info(
          { endpoint: this.#o.endpoint, signal, batches: batches.length, data_points: points },
          `first export delivered to ${this.#o.endpoint}; from now on a summary every ${minutes(this.#o.summaryIntervalMs)}`,
        )
      }
      const rejected = (outcome.rejectedDataPoints ?? 0) + (outcome.rejectedLogRecords ?? 0)
      if (rejected > 0) {
        this.problem(
          'warn',
          `partial:${outcome.message ?? ''}`,
          'the collector accepted an export but rejected part of it as invalid; counted as dropped',
          { rejected, message: outcome.message },
        )
      }
      return
    }
    this.#failed++
    const fields = { endpoint: this.#o.endpoint, error: outcome.error }
    // A refusal is not yet a drop: the flush judges it (dropped only while the endpoint accepts
    // others, else held), and Exporting says which, as a condition of its own.
    if (outcome.kind === 'permanent') return
    const b = this.#o.buffered()
    this.problem(
      'warn',
      `retryable:${outcome.error}`,
      'cannot reach the collector; data waits in the buffer and is sent when it is back',
      { ...fields, buffered_batches: b.memoryBatches + b.diskBatches },
    )
  }

  /**
   * A condition worth a line: written the first time, counted while it repeats (the
   * count is written with the next summary). `key` names the condition.
   */
  problem(level: 'warn' | 'error', key: string, message: string, fields: Record<string, unknown>): void {
    this.#seen.add(key)
    const known = this.#conditions.get(key)
    if (known) {
      if (known.repeats === 0) known.firstRepeatAt = this.#now()
      known.repeats++
      known.fields = fields
      return
    }
    this.#conditions.set(key, { level, message, fields, repeats: 0, firstRepeatAt: 0 })
    this.#o.logger[level](fields, message)
  }

  /** Called often (every flush): writes the summary when the interval has passed. */
  tick(): void {
    const now = this.#now()
    if (now - this.#windowStart < this.#o.summaryIntervalMs) return
    this.#summarize(now)
  }

  #summarize(now: number): void {
    const { logger, stats } = this.#o
    for (const [key, c] of this.#conditions) {
      if (c.repeats > 0) {
        logger[c.level](
          { ...c.fields, repeats: c.repeats, since: new Date(c.firstRepeatAt).toISOString() },
          `${c.message} (again ${c.repeats} ${c.repeats === 1 ? 'time' : 'times'} in the last ${minutes(now - this.#windowStart)})`,
        )
        c.repeats = 0
      }
      if (!this.#seen.has(key)) this.#conditions.delete(key)
    }
    this.#seen.clear()

    const b = this.#o.buffered()
    const drops = snapshotDrops(stats)
    const dropped: Record<string, number> = {}
    let droppedBatches = 0
    for (const [reason, d] of drops) {
      const n = d.batches - (this.#droppedAtWindowStart.get(reason)?.batches ?? 0)
      if (n > 0) dropped[reason] = n
      droppedBatches += Math.max(0, n)
    }
    const bufferedBatches = b.memoryBatches + b.diskBatches
    const parts = [
      `${this.#sentBatches} batches (${this.#sentPoints} data points) sent`,
      `${bufferedBatches} buffered (${bytes(b.memoryBytes + b.diskBytes)})`,
      droppedBatches > 0
        ? `${droppedBatches} dropped (${Object.entries(dropped)
            .map(([reason, n]) => `${reason} ${n}`)
            .join(', ')})`
        : '0 dropped',
    ]
    if (this.#failed > 0) parts.push(`${this.#failed} ${this.#failed === 1 ? 'export' : 'exports'} failed`)
    logger.info(
      {
        sent_batches: this.#sentBatches,
        sent_data_points: this.#sentPoints,
        buffered_batches: bufferedBatches,
        buffered_bytes: b.memoryBytes + b.diskBytes,
        dropped_batches: droppedBatches,
        dropped,
        failed_exports: this.#failed,
      },
      `delivery in the last ${minutes(now - this.#windowStart)}: ${parts.join(', ')}`,
    )
    this.#windowStart = now
    this.#sentBatches = 0
    this.#sentPoints = 0
    this.#failed = 0
    this.#droppedAtWindowStart = drops
  }
}

function snapshotDrops(stats: AgentStats): Map<string, DropCount> {
  return new Map([...stats.dropped].map(([reason, d]) => [reason, { ...d }]))
}

/** A span as the log says it: `5m`, `1m30s` (whole seconds). */
const minutes = (ms: number): string => formatDuration(Math.round(ms / 1000) * 1000)
