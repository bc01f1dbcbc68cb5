/**
 * What the agent knows about one export endpoint: its consecutive failures, when it may be
 * tried again and why (its own backoff, or the collector's Retry-After up to
 * `retry.max_retry_after`), and whether it refuses every batch (and what to check then).
 * `Exporting` keeps one for its exporter; a pool of endpoints would keep one each.
 */
import type { AgentConfig } from '../config'
import { refusalAdvice, type RefusalAdvice } from '../export/classify'
import type { ExportOutcome } from '../export'
import { retryDelay } from './options'

/** Far past the backoff's growth: its ceiling, `retry.max_interval`. */
const SLOW = 64

export interface Refusal extends RefusalAdvice {
  /** The refusal as received (scrubbed of secrets by the caller). */
  error: string
  /** The status code, e.g. `HTTP 404`. */
  code: string
  /** Unix ms of the first refusal in this spell. */
  sinceMs: number
}

/** The endpoint as /health, /metrics and the heartbeat see it. */
export interface EndpointView {
  /** Failed flushes in a row (retryable failures and refusals). */
  failures: number
  /** Unix ms of the next attempt; null when it may be tried at the next flush. */
  nextAttemptAtMs: number | null
  /** The last wait the collector asked for, and what was honoured of it. */
  retryAfter: { askedMs: number; honouredMs: number } | null
  /** Set while the endpoint refuses every batch: the data is held. */
  refusal: Refusal | null
}

export class EndpointState {
  failures = 0
  #nextAt = 0
  #retryAfter: EndpointView['retryAfter'] = null
  #refusal: Refusal | null = null

  constructor(
    private readonly config: AgentConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when its wait is over. */
  ready(): boolean {
    return this.now() >= this.#nextAt
  }

  /** A flush was accepted. Returns true when it ends a spell of failures. */
  succeeded(): boolean {
    const recovered = this.failures > 0
    this.failures = 0
    this.#nextAt = 0
    this.#retryAfter = null
    this.#refusal = null
    return recovered
  }

  /** A retryable failure: back off, or wait as asked (up to `retry.max_retry_after`). */
  failed(outcome: Extract<ExportOutcome, { kind: 'retryable' }>): void {
    this.failures++
    this.#refusal = null
    const backoff = retryDelay(this.config, this.failures)
    const asked = outcome.retryAfterMs
    const honoured =
      asked === undefined ? 0 : Math.min(asked, this.config.telemetryflow.retry.max_retry_after)
    this.#retryAfter = asked === undefined ? null : { askedMs: asked, honouredMs: honoured }
    this.#nextAt = this.now() + Math.max(backoff, honoured)
  }

  /**
   * Everything was refused alike: the data is held, and the endpoint is tried slowly (at the
   * backoff's ceiling, `retry.max_interval`). Returns true when this refusal is new (log it).
   */
  refused(outcome: Extract<ExportOutcome, { kind: 'permanent' }>, error: string): boolean {
    this.failures++
    this.#retryAfter = null
    const code = outcome.code ?? error.split(':')[0]!
    const fresh = this.#refusal?.code !== code
    this.#refusal = {
      ...refusalAdvice({ error, code }),
      error,
      code,
      sinceMs: fresh ? this.now() : this.#refusal!.sinceMs,
    }
    this.#nextAt = this.now() + retryDelay(this.config, SLOW)
    return fresh
  }

  view(): EndpointView {
    return {
      failures: this.failures,
      nextAttemptAtMs: this.#nextAt > this.now() ? this.#nextAt : null,
      retryAfter: this.#retryAfter,
      refusal: this.#refusal,
    }
  }
}
