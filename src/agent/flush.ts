/**
 * One flush: take the oldest batches from the buffer, send them, and settle each
 * with the buffer according to the collector's answer. Consecutive batches of one
 * signal travel in one request: OTLP export requests are a single repeated field,
 * so concatenated request bodies are themselves a valid request.
 */
import type { Logger } from 'pino'
import type { Batch, BatchBuffer } from '../buffer'
import type { ExportOutcome } from '../export'

export interface Sender {
  send(signal: Batch['signal'], body: Uint8Array): Promise<ExportOutcome>
}

export interface FlushOptions {
  /** Batches taken per flush. */
  batchSize: number
  /** Upper bound of one request's body (collectors refuse > 4 MiB by default). */
  maxRequestBytes: number
  logger: Logger
  /** Told of every request's outcome (self-metrics). */
  onOutcome?: (signal: Batch['signal'], outcome: ExportOutcome, batches: Batch[]) => void
}

export interface FlushReport {
  exported: Batch[]
  /** Data points the collector accepted but reported as rejected (partial success). */
  rejectedDataPoints: number
  /** The first failure that stopped this flush, if any. */
  failure?: Extract<ExportOutcome, { kind: 'retryable' | 'permanent' }>
  /** True when the flush filled its quota without failing: more may be waiting. */
  more: boolean
}

/** Splits batches into requests: same signal, in order, within the byte bound. */
export function groupIntoRequests(batches: Batch[], maxRequestBytes: number): Batch[][] {
  const groups: Batch[][] = []
  let current: Batch[] = []
  let bytes = 0
  for (const b of batches) {
    const fits =
      current.length > 0 && current[0].signal === b.signal && bytes + b.body.length <= maxRequestBytes
    if (!fits && current.length > 0) {
      groups.push(current)
      current = []
      bytes = 0
    }
    current.push(b)
    bytes += b.body.length
  }
  if (current.length > 0) groups.push(current)
  return groups
}

function concat(batches: Batch[]): Uint8Array {
  if (batches.length === 1) return batches[0].body
  return Buffer.concat(batches.map((b) => b.body))
}

export async function flushOnce(
  buffer: BatchBuffer,
  sender: Sender,
  opts: FlushOptions,
): Promise<FlushReport> {
  const taken = await buffer.take(opts.batchSize)
  const report: FlushReport = { exported: [], rejectedDataPoints: 0, more: false }
  const groups = groupIntoRequests(taken, opts.maxRequestBytes)
  let i = 0
  for (; i < groups.length; i++) {
    const group = groups[i]
    const outcome = await sender.send(group[0].signal, concat(group))
    if (outcome.kind === 'permanent' && outcome.tooLarge && group.length > 1) {
      // Something on the way (a gateway, a smaller receive limit) refused the request's
      // size, not its data: send the halves instead, down to single batches.
      const half = Math.ceil(group.length / 2)
      groups.splice(i + 1, 0, group.slice(0, half), group.slice(half))
      opts.logger.debug({ batches: group.length, error: outcome.error }, 'request too large; splitting it')
      continue
    }
    opts.onOutcome?.(group[0].signal, outcome, group)
    if (outcome.kind === 'ok') {
      await buffer.ack(group)
      report.exported.push(...group)
      report.rejectedDataPoints += (outcome.rejectedDataPoints ?? 0) + (outcome.rejectedLogRecords ?? 0)
      continue
    }
    report.failure = outcome
    await buffer.fail(group, {
      permanent: outcome.kind === 'permanent',
      error: outcome.error,
      // An unreachable collector says nothing about the data: it waits, bounded by age and size.
      countAttempt: !(outcome.kind === 'retryable' && outcome.unavailable),
    })
    if (outcome.kind === 'retryable') break
  }
  // After a retryable failure the rest goes back untouched: the collector is down or
  // pushing back, so hammering it with the remaining requests would not help.
  const untouched = groups.slice(i + 1).flat()
  if (untouched.length > 0) buffer.release(untouched)
  report.more = !report.failure && taken.length >= opts.batchSize
  return report
}
