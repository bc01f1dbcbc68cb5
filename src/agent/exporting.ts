/**
 * The export side of the agent: flushes the buffer through the exporter, backs off
 * after retryable failures (honouring a collector's Retry-After), keeps the export
 * self-metrics, and says clearly — but not every time — when the collector is away.
 */
import type { Logger } from 'pino'

import type { BatchBuffer } from '../buffer'
import { scrubSecrets, secretsOf, type AgentConfig } from '../config'
import type { Exporter, ExportOutcome } from '../export'
import type { AgentStats } from '../health'
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
  #partials = 0
  readonly #secrets: string[]

  constructor(options: ExportingOptions) {
    this.#o = options
    this.#secrets = secretsOf(options.config)
  }

  /** One flush, unless backing off after a failure (then `undefined`). */
  async flush(): Promise<FlushReport | undefined> {
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
      onOutcome: (signal, outcome) => this.#record(signal, outcome),
    })
  }

  #record(signal: string, raw: ExportOutcome): void {
    const { stats, logger, config, buffer } = this.#o
    // A server's error text may echo request headers: it reaches /health and the heartbeat.
    const outcome = raw.kind === 'ok' ? raw : { ...raw, error: scrubSecrets(raw.error, this.#secrets) }
    stats.recordExport(signal, outcome.kind === 'ok', outcome.kind === 'ok' ? undefined : outcome.error)
    if (outcome.kind === 'ok') {
      // A partial success: the collector kept the rest, and what it rejected is lost for good.
      const rejected = (outcome.rejectedDataPoints ?? 0) + (outcome.rejectedLogRecords ?? 0)
      if (rejected === 0) return
      stats.recordDropped('rejected', 0, rejected)
      if (this.#partials++ % 10 === 0) {
        logger.warn(
          { rejected, message: outcome.message },
          'the collector accepted an export but rejected part of it as invalid; counted as dropped',
        )
      }
      return
    }
    const endpoint = `${config.telemetryflow.protocol} ${config.telemetryflow.endpoint}`
    if (outcome.kind === 'permanent') {
      logger.error(
        { endpoint, error: outcome.error },
        'the collector rejected a batch for good; it is discarded and counted as dropped',
      )
    } else if (this.#failures % 10 === 0) {
      const b = buffer.stats()
      logger.warn(
        { endpoint, error: outcome.error, buffered_batches: b.diskBatches + b.memoryBatches },
        'cannot reach the collector; data waits in the buffer and is sent when it is back',
      )
    }
  }
}
