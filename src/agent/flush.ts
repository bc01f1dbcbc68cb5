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
  /** The first failure of this flush, if any. */
  failure?: Extract<ExportOutcome, { kind: 'retryable' | 'permanent' }>
  /**
   * Every request of this flush was refused for good and none was accepted: the endpoint
   * or the configuration is at fault, not the data. The batches are held, not dropped.
   */
  refused?: Extract<ExportOutcome, { kind: 'permanent' }>
  /** Batches dropped because the collector refused them while it accepted others. */
  dropped: number
  /** True when the flush filled its quota without failing: more may be waiting. */
  more: boolean
}

/**
 * Refused requests of several batches are split, a batch at a time, to tell one bad batch
 * from an endpoint that refuses everything. With nothing accepted yet, this many refused
 * batches are enough to call it the endpoint's fault.
 */
const REFUSAL_PROBES = 3

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

/**
 * A refusal drops a batch only when the same endpoint accepts others: a batch refused before
 * anything is accepted is a suspect, dropped once a later request of the flush is accepted,
 * and held (released, no attempt counted) when none is.
 */
export async function flushOnce(
  buffer: BatchBuffer,
  sender: Sender,
  opts: FlushOptions,
): Promise<FlushReport> {
  const taken = await buffer.take(opts.batchSize)
  const report: FlushReport = { exported: [], rejectedDataPoints: 0, dropped: 0, more: false }
  const groups = groupIntoRequests(taken, opts.maxRequestBytes)
  const suspects: Array<{ group: Batch[]; outcome: Extract<ExportOutcome, { kind: 'permanent' }> }> = []
  let accepted = false
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
      accepted = true
      // Refused while this one was accepted: those batches themselves are bad.
      for (const s of suspects.splice(0)) await drop(buffer, s.group, s.outcome, report)
      continue
    }
    report.failure ??= outcome
    if (outcome.kind === 'permanent') {
      if (group.length > 1 && (accepted || suspects.length < REFUSAL_PROBES)) {
        groups.splice(i + 1, 0, group.slice(0, 1), group.slice(1))
        continue
      }
      if (accepted) await drop(buffer, group, outcome, report)
      else suspects.push({ group, outcome })
      continue
    }
    await buffer.fail(group, {
      permanent: false,
      error: outcome.error,
      // An unreachable collector says nothing about the data: it waits, bounded by age and size.
      countAttempt: !outcome.unavailable,
      outcomeUnknown: outcome.outcomeUnknown,
    })
    break
  }
  // After a retryable failure the rest goes back untouched: the collector is down or
  // pushing back, so hammering it with the remaining requests would not help.
  const untouched = groups.slice(i + 1).flat()
  if (suspects.length > 0) {
    report.refused = suspects[0].outcome
    untouched.push(...suspects.flatMap((s) => s.group))
  }
  if (untouched.length > 0) buffer.release(untouched)
  report.more = report.failure?.kind !== 'retryable' && !report.refused && taken.length >= opts.batchSize
  return report
}

async function drop(
  buffer: BatchBuffer,
  group: Batch[],
  outcome: Extract<ExportOutcome, { kind: 'permanent' }>,
  report: FlushReport,
): Promise<void> {
  await buffer.fail(group, { permanent: true, error: outcome.error })
  report.dropped += group.length
}
