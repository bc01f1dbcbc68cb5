/**
 * The exporter's contract. It sends already-serialized OTLP requests (the buffer
 * stores and replays exactly these bytes), one attempt per send: retries belong
 * to the buffer and scheduler, which act on the outcome's kind.
 */
import type { Logger } from 'pino'

export type Signal = 'metrics' | 'logs'

export type ExportOutcome =
  /** Accepted. A partial success names how much the collector rejected as invalid (do not resend). */
  | { kind: 'ok'; rejectedDataPoints?: number; rejectedLogRecords?: number; message?: string }
  /** Not accepted, but the same bytes may succeed later; `retryAfterMs` when the server said when. */
  | {
      kind: 'retryable'
      error: string
      retryAfterMs?: number
      /**
       * The collector could not be reached or did not answer (no response, gRPC
       * UNAVAILABLE or DEADLINE_EXCEEDED, HTTP 502/503/504): nothing is wrong with the
       * data, so the attempt is not counted against the batch's retries.
       */
      unavailable?: boolean
      /**
       * The request went out and no answer came (a timeout, a connection reset): the
       * collector may have stored it, so sending it again may make a duplicate.
       */
      outcomeUnknown?: boolean
    }
  /** Rejected for good (bad data, bad credentials, no such service): discard the batch. */
  | {
      kind: 'permanent'
      error: string
      /** Refused for its size (HTTP 413, gRPC RESOURCE_EXHAUSTED without retry info): smaller requests may pass. */
      tooLarge?: boolean
      /** The status as a short code (`HTTP 404`, `gRPC UNIMPLEMENTED`), to tell refusals apart. */
      code?: string
    }

export interface TlsOptions {
  /** false: plaintext (gRPC insecure, `http://`). */
  enabled: boolean
  /** PEM CA bundle to trust instead of the system roots. */
  caFile?: string
  /** PEM client certificate and key, for mutual TLS. */
  certFile?: string
  keyFile?: string
  /** The name to verify the server certificate against (and send as SNI). */
  serverName?: string
  /** Accept any server certificate. Logged loudly: only for tests and emergencies. */
  skipVerify?: boolean
}

export interface ExporterOptions {
  /** `host:port` (scheme from `tls.enabled`) or a full URL (`https://collector:4318`). */
  endpoint: string
  protocol: 'grpc' | 'http'
  /** Default `/v1/metrics`; TelemetryFlow's collector also serves `/v2/metrics`. */
  httpMetricsPath?: string
  /** Default `/v1/logs`. */
  httpLogsPath?: string
  compression: 'gzip' | 'none'
  /** Extra request headers (gRPC metadata keys are lower-cased). */
  headers?: Record<string, string>
  tls: TlsOptions
  /** Per-send deadline. */
  timeoutMs: number
  apiKeyId?: string
  apiKeySecret?: string
  agentId: string
  /** gRPC keepalive ping interval while calls are active. Default 60 000. */
  keepaliveTimeMs?: number
  /** How long to wait for a keepalive ack before dropping the connection. Default 10 000. */
  keepaliveTimeoutMs?: number
  logger?: Pick<Logger, 'warn' | 'debug'>
}

export interface Exporter {
  send(signal: Signal, body: Uint8Array, opts?: { timeoutMs?: number }): Promise<ExportOutcome>
  close(): Promise<void>
}
