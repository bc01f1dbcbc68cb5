/**
 * Which failures are worth retrying, as the OTLP specification's "Failures"
 * sections put it (OTLP/gRPC and OTLP/HTTP):
 *  - gRPC: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and
 *    DATA_LOSS are retryable; RESOURCE_EXHAUSTED only when the server sent a
 *    RetryInfo (it can recover); every other code is permanent.
 *  - HTTP: 429, 502, 503 and 504 are retryable (honouring Retry-After); every
 *    other 4xx and 5xx is permanent.
 *  - No response at all (refused, reset, timed out) is retryable.
 *
 * A permanent outcome is about one request. Whether the data or the endpoint is at fault is
 * judged by the flush (src/agent/flush.ts): only a batch refused while others are accepted
 * is dropped; when everything is refused, `refusalAdvice` says what to check.
 */
import type { ExportOutcome } from './types'

export const GRPC_CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const

const GRPC_RETRYABLE = new Set([1, 4, 10, 11, 14, 15])
const GRPC_RESOURCE_EXHAUSTED = 8
/** DEADLINE_EXCEEDED and UNAVAILABLE: the collector did not answer in time, or is down. */
const GRPC_UNAVAILABLE = new Set([4, 14])
const GRPC_DEADLINE_EXCEEDED = 4

/**
 * grpc-js's connection errors made readable: an empty "Resolution note" is dropped, and
 * so is the time stamp in "Last error" (so repeats read the same). A "Protocol error" is
 * a peer that answered the HTTP/2 preface in another protocol, as an OTLP/HTTP port does
 * (a TLS port answers plain text the same way): the text says so and what to set.
 */
export function explainGrpcDetails(details: string): string {
  let text = details
    .replace(/\.?\s*Resolution note:\s*$/, '')
    .replace(/ \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\)/g, '')
  if (/\bProtocol error\b/.test(text)) {
    text +=
      ' (the endpoint answers HTTP, not gRPC: if it is an OTLP/HTTP port, usually 4318, set `telemetryflow.protocol: http`;' +
      ' if it expects TLS, set `telemetryflow.tls.enabled: true`)'
  }
  return text
}

export function classifyGrpc(code: number, rawDetails: string, retryDelayMs?: number): ExportOutcome {
  const name = GRPC_CODE_NAMES[code] ?? `code ${code}`
  const details = explainGrpcDetails(rawDetails)
  const error = details ? `gRPC ${name}: ${details}` : `gRPC ${name}`
  const retryable =
    GRPC_RETRYABLE.has(code) || (code === GRPC_RESOURCE_EXHAUSTED && retryDelayMs !== undefined)
  if (!retryable) {
    return code === GRPC_RESOURCE_EXHAUSTED
      ? { kind: 'permanent', error, tooLarge: true, code: `gRPC ${name}` }
      : { kind: 'permanent', error, code: `gRPC ${name}` }
  }
  // The deadline passed with the request sent: the collector may have it.
  return retryableOutcome(error, retryDelayMs, GRPC_UNAVAILABLE.has(code), code === GRPC_DEADLINE_EXCEEDED)
}

function retryableOutcome(
  error: string,
  retryAfterMs: number | undefined,
  unavailable: boolean,
  outcomeUnknown = false,
): ExportOutcome {
  return {
    kind: 'retryable',
    error,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(unavailable ? { unavailable } : {}),
    ...(outcomeUnknown ? { outcomeUnknown } : {}),
  }
}

const HTTP_RETRYABLE = new Set([429, 502, 503, 504])
/** Gateway errors and 503: the collector (or the way to it) is down, not the data. */
const HTTP_UNAVAILABLE = new Set([502, 503, 504])

export function classifyHttp(status: number, message: string, retryAfterMs?: number): ExportOutcome {
  const error = message ? `HTTP ${status}: ${message}` : `HTTP ${status}`
  const code = `HTTP ${status}`
  if (status === 413) return { kind: 'permanent', error, tooLarge: true, code }
  if (!HTTP_RETRYABLE.has(status)) return { kind: 'permanent', error, code }
  return retryableOutcome(error, retryAfterMs, HTTP_UNAVAILABLE.has(status))
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
}

/** Errors after which the request may have reached the collector. */
const MAYBE_DELIVERED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED'])

/** A failure with no response from the server. */
export function networkFailure(err: unknown): ExportOutcome {
  const e = err as { code?: string; message?: string; name?: string }
  const timedOut = e.name === 'AbortError' || e.name === 'TimeoutError'
  const what = timedOut ? 'timed out' : (e.code ?? e.message ?? String(err))
  const outcomeUnknown = timedOut || MAYBE_DELIVERED.has(e.code ?? '')
  return {
    kind: 'retryable',
    error: `no response: ${what}`,
    unavailable: true,
    ...(outcomeUnknown ? { outcomeUnknown } : {}),
  }
}

export interface RefusalAdvice {
  /** What the endpoint does, e.g. "the endpoint answers HTTP 404". */
  reason: string
  /** What to check. */
  fix: string
}

/**
 * What to tell an operator when an endpoint refuses every batch the same way: the fault is
 * then the configuration or the path to the collector, not the data.
 */
export function refusalAdvice(outcome: { error: string; code?: string }): RefusalAdvice {
  const code = outcome.code ?? outcome.error.split(':')[0]!
  const reason = `the endpoint answers ${code}`
  const status = /^HTTP (\d+)$/.exec(code)?.[1]
  if (
    code === 'HTTP 404' ||
    code === 'HTTP 405' ||
    code === 'gRPC UNIMPLEMENTED' ||
    code === 'gRPC NOT_FOUND'
  )
    return {
      reason,
      fix: 'is this an OTLP endpoint? is `telemetryflow.protocol` right (grpc on 4317, http on 4318), and the HTTP path (`http_metrics_path`)?',
    }
  if (['HTTP 401', 'HTTP 403', 'gRPC UNAUTHENTICATED', 'gRPC PERMISSION_DENIED'].includes(code))
    return {
      reason,
      fix: 'the credentials are refused: check `telemetryflow.api_key_id` and `api_key_secret` (and `exporter.otlp.headers`)',
    }
  if (status && Number(status) >= 500)
    return {
      reason,
      fix: 'a proxy or load balancer in front of the collector, or the collector itself, is failing: check it and its logs',
    }
  return {
    reason,
    fix: 'every batch is refused alike, so the fault is likely the endpoint or its configuration, not the data: check `telemetryflow.endpoint`, `protocol` and the collector',
  }
}
