/**
 * The heartbeat to the TelemetryFlow API: `POST {apiEndpoint}/agents/{agentId}/heartbeat`
 * with the `X-API-Key-*` headers. One `send()` is one heartbeat: it retries network
 * errors, 5xx and 429 with exponential backoff and jitter (honouring `Retry-After`),
 * then gives up until the next interval. A rejected key (401/403) is logged once; after
 * that the client asks only every `unauthorizedEvery`-th heartbeat until one succeeds.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { backoffDelay } from '../export/backoff'
import type { Logger } from 'pino'
import { maskUrl, SecretScrubber, urlSecrets } from '../config/scrub'
import { USER_AGENT } from '../version'
import { JsonTransport, type PostOutcome, type TlsOptions } from './transport'

export interface RetryOptions {
  /** Retries after the first attempt, within one heartbeat. Default 3. */
  maxRetries?: number
  /** First backoff, ms. Default 1000. */
  initialIntervalMs?: number
  /** Backoff cap, ms; a `Retry-After` longer than this ends the heartbeat. Default 30000. */
  maxIntervalMs?: number
}

export interface HeartbeatClientOptions {
  /** Base URL of the API, e.g. `https://api.telemetryflow.id` (a path prefix is kept). */
  apiEndpoint: string
  /** Default `/agents/{agentId}/heartbeat`; `{agentId}` is replaced (URL-encoded). */
  path?: string
  agentId: string
  apiKeyId: string
  apiKeySecret: string
  /** Per attempt. Default 10000. */
  timeoutMs?: number
  logger: Logger
  retry?: RetryOptions
  /** While the key is refused, only every N-th heartbeat is sent. Default 10. */
  unauthorizedEvery?: number
  tls?: TlsOptions
  /** Seams for tests: how to wait, the jitter source, the clock (unix ms). */
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  now?: () => number
}

export interface HeartbeatResult {
  ok: boolean
  /** HTTP status of the last attempt; absent when none answered or nothing was sent. */
  status?: number
  /** Requests made for this heartbeat (0 when skipped). */
  attempts: number
  /** Why nothing was sent: the key is refused, or the API asked to wait (`Retry-After`). */
  skipped?: 'unauthorized' | 'retry-after'
  /** Whether the client is in the refused-key state after this call. */
  unauthorized: boolean
  /** The last failure, for logs and `tfo-agent status`; never contains the secret. */
  error?: string
}

/** What health checks and `/metrics` read. */
export interface HeartbeatState {
  /** Unix ms of the last accepted heartbeat; null until one is. */
  lastSuccessAt: number | null
  lastAttemptAt: number | null
  consecutiveFailures: number
  unauthorized: boolean
  ok: number
  failed: number
  /** Heartbeats not sent while unauthorized or waiting out a `Retry-After`. */
  skipped: number
  lastError: string | null
}

/** Details the API records at registration. */
export interface RegistrationInfo {
  name: string
  hostname: string
  version: string
  tags?: Record<string, string>
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504])

export class HeartbeatClient {
  readonly #opts: Required<Omit<HeartbeatClientOptions, 'tls' | 'retry' | 'path'>>
  readonly #retry: Required<RetryOptions>
  readonly #url: URL
  readonly #base: URL
  readonly #scrubber: SecretScrubber
  readonly #transport: JsonTransport
  readonly #closing = new AbortController()
  #state: HeartbeatState = {
    lastSuccessAt: null,
    lastAttemptAt: null,
    consecutiveFailures: 0,
    unauthorized: false,
    ok: 0,
    failed: 0,
    skipped: 0,
    lastError: null,
  }
  #sinceRefused = 0
  #notBefore = 0

  constructor(options: HeartbeatClientOptions) {
    const base = new URL(options.apiEndpoint)
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new Error(`heartbeat: api_endpoint must be an http(s) URL, got "${maskUrl(options.apiEndpoint)}"`)
    }
    this.#base = base
    const path = (options.path ?? '/agents/{agentId}/heartbeat').replace(
      /\{agentId\}/g,
      encodeURIComponent(options.agentId),
    )
    this.#url = apiUrl(base, path)
    this.#scrubber = new SecretScrubber([options.apiKeySecret, ...urlSecrets(options.apiEndpoint)])
    this.#opts = {
      apiEndpoint: options.apiEndpoint,
      agentId: options.agentId,
      apiKeyId: options.apiKeyId,
      apiKeySecret: options.apiKeySecret,
      timeoutMs: options.timeoutMs ?? 10_000,
      logger: options.logger,
      unauthorizedEvery: Math.max(1, options.unauthorizedEvery ?? 10),
      sleep: options.sleep ?? ((ms) => this.#sleep(ms)),
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
    }
    this.#retry = {
      maxRetries: options.retry?.maxRetries ?? 3,
      initialIntervalMs: options.retry?.initialIntervalMs ?? 1000,
      maxIntervalMs: options.retry?.maxIntervalMs ?? 30_000,
    }
    this.#transport = new JsonTransport(options.tls)
  }

  /** The heartbeat URL, with the agent id in it, fit to print (credentials masked). */
  get url(): string {
    return maskUrl(this.#url)
  }

  get state(): Readonly<HeartbeatState> {
    return { ...this.#state }
  }

  /** Sends one heartbeat (with its retries). Never rejects. */
  async send(body: unknown): Promise<HeartbeatResult> {
    const skip = this.#shouldSkip()
    if (skip) {
      this.#state.skipped++
      return { ok: false, attempts: 0, skipped: skip, unauthorized: this.#state.unauthorized }
    }
    this.#state.lastAttemptAt = this.#opts.now()
    const result = await this.#deliver(this.#url, body)
    if (result.ok) {
      if (this.#state.consecutiveFailures > 0) {
        this.#opts.logger.info(
          { url: this.url, failures: this.#state.consecutiveFailures },
          'heartbeat delivered again',
        )
      } else if (this.#state.ok === 0) {
        this.#opts.logger.info({ url: this.url }, 'first heartbeat accepted')
      }
      this.#state.ok++
      this.#state.consecutiveFailures = 0
      this.#state.lastSuccessAt = this.#opts.now()
      this.#state.lastError = null
    } else {
      this.#state.failed++
      this.#state.consecutiveFailures++
      this.#state.lastError = result.error ?? null
      const n = this.#state.consecutiveFailures
      if (!result.unauthorized && (n === 1 || n % 10 === 0)) {
        this.#opts.logger.warn(
          { url: this.url, attempts: result.attempts, consecutiveFailures: n },
          `heartbeat failed: ${result.error}; the next one is due at the next interval`,
        )
      }
    }
    return result
  }

  /** `POST {apiEndpoint}/agents` with the agent's identity; 409 (already known) counts as done. */
  async register(info: RegistrationInfo): Promise<HeartbeatResult> {
    const body = {
      agentId: this.#opts.agentId,
      name: info.name,
      hostname: info.hostname,
      version: info.version,
      tags: info.tags ?? {},
    }
    const result = await this.#deliver(apiUrl(this.#base, '/agents'), body, [409])
    if (result.ok) this.#opts.logger.info({ agentId: this.#opts.agentId }, 'agent registered')
    else if (!result.unauthorized) this.#opts.logger.warn(`agent registration failed: ${result.error}`)
    return result
  }

  /** Aborts a request or backoff in flight (its send resolves as failed) and closes the sockets. */
  close(): void {
    this.#closing.abort()
    this.#transport.destroy()
  }

  /** A backoff wait that ends at once when the client is closed. */
  #sleep(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.#closing.signal }).catch(() => undefined)
  }

  #shouldSkip(): HeartbeatResult['skipped'] {
    if (this.#state.unauthorized) {
      this.#sinceRefused++
      if (this.#sinceRefused % this.#opts.unauthorizedEvery !== 0) return 'unauthorized'
    }
    if (this.#opts.now() < this.#notBefore) return 'retry-after'
    return undefined
  }

  async #deliver(url: URL, body: unknown, alsoOk: number[] = []): Promise<HeartbeatResult> {
    const payload = Buffer.from(JSON.stringify(body))
    const headers = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
      'X-API-Key-ID': this.#opts.apiKeyId,
      'X-API-Key-Secret': this.#opts.apiKeySecret,
    }
    let outcome: PostOutcome = { body: '' }
    let attempts = 0
    for (;;) {
      attempts++
      outcome = await this.#transport.post(
        url,
        payload,
        headers,
        this.#opts.timeoutMs,
        this.#opts.now,
        this.#closing.signal,
      )
      const status = outcome.status
      if (status !== undefined && ((status >= 200 && status < 300) || alsoOk.includes(status))) {
        this.#state.unauthorized = false
        return { ok: true, status, attempts, unauthorized: false }
      }
      if (status === 401 || status === 403) return this.#refused(url, status, outcome, attempts)
      const retryable = status === undefined || RETRYABLE.has(status)
      if (!retryable || attempts > this.#retry.maxRetries || this.#closing.signal.aborted) break
      const backoff = this.#backoff(attempts - 1)
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.#retry.maxIntervalMs) {
        // The API wants more patience than one heartbeat has: wait it out across intervals.
        this.#notBefore = this.#opts.now() + outcome.retryAfterMs
        break
      }
      await this.#opts.sleep(Math.max(backoff, outcome.retryAfterMs ?? 0))
      if (this.#closing.signal.aborted) break
    }
    return {
      ok: false,
      attempts,
      unauthorized: this.#state.unauthorized,
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      error: this.#redact(this.#describe(url, outcome)),
    }
  }

  #refused(url: URL, status: number, outcome: PostOutcome, attempts: number): HeartbeatResult {
    const error = this.#redact(this.#describe(url, outcome))
    if (!this.#state.unauthorized) {
      this.#state.unauthorized = true
      this.#sinceRefused = 0
      this.#opts.logger.error(
        { status, url: maskUrl(url), apiKeyId: this.#opts.apiKeyId },
        `the TelemetryFlow API refused API key id "${this.#opts.apiKeyId}" (${status}) at ${maskUrl(url)}: ` +
          `check telemetryflow.api_key_id and api_key_secret (or TELEMETRYFLOW_API_KEY_ID/_SECRET). ` +
          `Asking again only every ${this.#opts.unauthorizedEvery}th heartbeat until it is accepted`,
      )
    } else {
      this.#opts.logger.debug({ status, url: maskUrl(url) }, 'API key still refused')
    }
    return { ok: false, status, attempts, unauthorized: true, error }
  }

  #backoff(retry: number): number {
    const { initialIntervalMs, maxIntervalMs } = this.#retry
    const o = { initialMs: initialIntervalMs, maxMs: maxIntervalMs, multiplier: 2 }
    return backoffDelay(retry, o, undefined, this.#opts.random)
  }

  #describe(url: URL, outcome: PostOutcome): string {
    if (outcome.status === undefined) return `POST ${url}: ${outcome.error ?? 'no response'}`
    const detail = outcome.body.replace(/\s+/g, ' ').trim().slice(0, 200)
    return `POST ${url}: HTTP ${outcome.status}${detail ? ` ${detail}` : ''}`
  }

  #redact(text: string): string {
    return this.#scrubber.scrub(text)
  }
}

/**
 * `path` under the API base: appended to the base's path, the base's query (a `?token=…` some
 * gateways want) and credentials kept.
 */
export function apiUrl(base: URL, path: string): URL {
  const url = new URL(base)
  url.pathname = base.pathname.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`)
  return url
}
