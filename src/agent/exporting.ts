/**
 * The export side of the agent: flushes the buffer through the exporter, backs off
 * after retryable failures (honouring a collector's Retry-After), keeps the export
 * self-metrics, and tells the log about delivery through a DeliveryLog (the first
 * export, a summary every few minutes, each error condition once with a count).
 */
import type { Logger } from 'pino'

import type { Batch, BatchBuffer } from '../buffer'
import { scrubSecrets, secretsOf, type AgentConfig } from '../config'
import type { Exporter, ExportOutcome } from '../export'
import type { AgentStats } from '../health'
import { DeliveryLog } from './delivery-log'
import { flushOnce, type FlushReport } from './flush'
import { retryDelay } from './options'

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
  #failures = 0
  #nextAt = 0
  readonly #secrets: string[]
  readonly #log: DeliveryLog

  constructor(options: ExportingOptions) {
    this.#o = options
    this.#secrets = secretsOf(options.config)
    const t = options.config.telemetryflow
    this.#log = new DeliveryLog({
      logger: options.logger,
      stats: options.stats,
      buffered: () => options.buffer.stats(),
      endpoint: `${t.protocol} ${t.endpoint}`,
      summaryIntervalMs: options.config.logging.summary_interval,
    })
  }

  /** One flush, unless backing off after a failure (then `undefined`). */
  async flush(): Promise<FlushReport | undefined> {
    this.#log.tick()
    if (Date.now() < this.#nextAt) return undefined
    const report = await this.#flushOnce()
    if (report.failure?.kind === 'retryable') {
      this.#failures++
      const wait = Math.max(report.failure.retryAfterMs ?? 0, retryDelay(this.#o.config, this.#failures))
      this.#nextAt = Date.now() + wait
    } else if (report.exported.length > 0) {
      if (this.#failures > 0) {
        this.#o.logger.info(
          { after_failures: this.#failures },
          'the collector is reachable again; sending buffered data',
        )
      }
      this.#failures = 0
      this.#nextAt = 0
    }
    return report
  }

  /** At shutdown: sends what it can until `deadlineMs` passes, unless the collector was failing. */
  async drain(deadlineMs: number): Promise<void> {
    if (this.#failures > 0) return
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

  #record(signal: string, raw: ExportOutcome, batches: Batch[]): void {
    const { stats } = this.#o
    // A server's error text may echo request headers: it reaches /health and the heartbeat.
    const outcome = raw.kind === 'ok' ? raw : { ...raw, error: scrubSecrets(raw.error, this.#secrets) }
    stats.recordExport(signal, outcome.kind === 'ok', outcome.kind === 'ok' ? undefined : outcome.error)
    if (outcome.kind === 'ok') {
      // A partial success: the collector kept the rest, and what it rejected is lost for good.
      const rejected = (outcome.rejectedDataPoints ?? 0) + (outcome.rejectedLogRecords ?? 0)
      if (rejected > 0) stats.recordDropped('rejected', 0, rejected)
    }
    this.#log.outcome(signal, outcome, batches)
  }
}
