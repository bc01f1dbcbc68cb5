/**
 * The export side of the agent: flushes the buffer through the exporter, backs off
 * after retryable failures (honouring a collector's Retry-After up to its cap), holds the
 * data when the endpoint refuses everything (and says what to fix), puts the buffer in its
 * outage mode from the first failed export until one succeeds, keeps the export
 * self-metrics, and tells the log about delivery through a DeliveryLog (the first
 * export, a summary every few minutes, each error condition once with a count).
 */
import type { Logger } from 'pino'

import type { Batch, BatchBuffer } from '../buffer'
import { scrubSecrets, secretsOf, type AgentConfig } from '../config'
import type { Exporter, ExportOutcome } from '../export'
import type { AgentStats } from '../health'
import { DeliveryLog } from './delivery-log'
import { EndpointState } from './endpoint-state'
import { flushOnce, type FlushReport } from './flush'

/** Requests are capped below the collector's default 4 MiB receive limit. */
const MAX_REQUEST_BYTES = 3 * 1024 * 1024

export interface ExportingOptions {
  config: AgentConfig
  buffer: BatchBuffer
  exporter: Exporter
  stats: AgentStats
  logger: Logger
}

export class Exporting {
  readonly #o: ExportingOptions
  readonly #endpoint: EndpointState
  readonly #secrets: string[]
  readonly #log: DeliveryLog

  constructor(options: ExportingOptions) {
    this.#o = options
    this.#secrets = secretsOf(options.config)
    this.#endpoint = new EndpointState(options.config)
    this.#log = new DeliveryLog({
      logger: options.logger,
      stats: options.stats,
      buffered: () => options.buffer.stats(),
      endpoint: this.#where(),
      summaryIntervalMs: options.config.logging.summary_interval,
    })
    this.#publish()
  }

  /** One flush, unless waiting after a failure (then `undefined`). */
  async flush(): Promise<FlushReport | undefined> {
    this.#log.tick()
    if (!this.#endpoint.ready()) return undefined
    const report = await this.#flushOnce()
    const { buffer, logger } = this.#o
    if (report.failure?.kind === 'retryable') {
      this.#endpoint.failed(report.failure)
      await buffer.setOutage(true)
    } else if (report.refused) {
      this.#endpoint.refused(report.refused, this.#scrub(report.refused.error))
      await buffer.setOutage(true)
      this.#logRefusal()
    } else if (report.exported.length > 0) {
      const failures = this.#endpoint.failures
      if (this.#endpoint.succeeded()) {
        logger.info({ after_failures: failures }, 'the collector is reachable again; sending buffered data')
      }
      await buffer.setOutage(false)
    }
    if (report.dropped > 0) {
      const error = this.#scrub(report.failure?.error ?? '')
      this.#log.problem(
        'error',
        `rejected:${error}`,
        'the collector refused batches for good while it accepted others; they are discarded and counted as dropped (rejected)',
        { endpoint: this.#where(), batches: report.dropped, error },
      )
    }
    this.#publish()
    return report
  }

  /** At shutdown: sends what it can until `deadlineMs` passes, unless the collector was failing. */
  async drain(deadlineMs: number): Promise<void> {
    if (this.#endpoint.failures > 0) return
    const deadline = Date.now() + deadlineMs
    while (Date.now() < deadline) {
      const report = await this.#flushOnce()
      if (report.failure || !report.more) return
    }
  }

  #flushOnce(): Promise<FlushReport> {
    return flushOnce(this.#o.buffer, this.#o.exporter, {
      batchSize: this.#o.config.exporter.otlp.batch_size,
      maxRequestBytes: MAX_REQUEST_BYTES,
      logger: this.#o.logger,
      onOutcome: (signal, outcome, batches) => this.#record(signal, outcome, batches),
    })
  }

  #publish(): void {
    this.#o.stats.setExportState(this.#endpoint.view())
  }

  #where(): string {
    const t = this.#o.config.telemetryflow
    return `${t.protocol} ${t.endpoint}`
  }

  // A server's error text may echo request headers: it reaches logs, /health and the heartbeat.
  #scrub(text: string): string {
    return scrubSecrets(text, this.#secrets)
  }

  /** One line per refusal (its reason and fix), then a count in each summary while it repeats. */
  #logRefusal(): void {
    const refusal = this.#endpoint.view().refusal
    if (!refusal) return
    const b = this.#o.buffer.stats()
    this.#log.problem(
      'error',
      `refused:${refusal.code}`,
      `${refusal.reason}: ${refusal.fix}. Every batch is refused alike, so none is dropped: data is held in the buffer (within buffer.max_size_mb and max_age) and retried slowly; fix the configuration and reload (SIGHUP)`,
      { endpoint: this.#where(), error: refusal.error, held_batches: b.diskBatches + b.memoryBatches },
    )
  }

  #record(signal: string, raw: ExportOutcome, batches: Batch[]): void {
    const { stats } = this.#o
    const outcome = raw.kind === 'ok' ? raw : { ...raw, error: this.#scrub(raw.error) }
    stats.recordExport(signal, outcome.kind === 'ok', outcome.kind === 'ok' ? undefined : outcome.error)
    if (outcome.kind === 'ok') {
      // A partial success: the collector kept the rest, and what it rejected is lost for good.
      const rejected = (outcome.rejectedDataPoints ?? 0) + (outcome.rejectedLogRecords ?? 0)
      if (rejected > 0) stats.recordDropped('rejected', 0, rejected)
    }
    // A refusal is judged by the flush (dropped or held), and said by `flush` above.
    this.#log.outcome(signal, outcome, batches)
  }
}
