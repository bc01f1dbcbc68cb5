/** The body of a successful OTLP export response (gRPC or HTTP), read for partial success. */
import { ProtobufLogsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer'
import type { ExportOutcome, Signal } from './types'

/** Reads partial success; an empty or unreadable response body is a plain success. */
export function outcomeOfResponse(signal: Signal, response: Uint8Array): ExportOutcome {
  if (response.length === 0) return { kind: 'ok' }
  try {
    if (signal === 'metrics') {
      const partial = ProtobufMetricsSerializer.deserializeResponse(response).partialSuccess
      const rejected = Number(partial?.rejectedDataPoints ?? 0)
      if (rejected > 0 || partial?.errorMessage) {
        return { kind: 'ok', rejectedDataPoints: rejected, message: partial?.errorMessage ?? '' }
      }
    } else {
      const partial = ProtobufLogsSerializer.deserializeResponse(response).partialSuccess
      const rejected = Number(partial?.rejectedLogRecords ?? 0)
      if (rejected > 0 || partial?.errorMessage) {
        return { kind: 'ok', rejectedLogRecords: rejected, message: partial?.errorMessage ?? '' }
      }
    }
  } catch {
    // A body we cannot read still came with an OK status.
  }
  return { kind: 'ok' }
}
