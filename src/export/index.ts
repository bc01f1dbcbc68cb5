/**
 * OTLP export of already-serialized requests over gRPC (default) or HTTP/protobuf.
 *
 * ```ts
 * const exporter = createExporter({ endpoint: 'localhost:4317', protocol: 'grpc', compression: 'gzip',
 *   tls: { enabled: false }, timeoutMs: 10_000, agentId, apiKeyId, apiKeySecret })
 * const outcome = await exporter.send('metrics', body)   // ok | retryable | permanent
 * ```
 */
import type { GrpcTransport } from './grpc'
import type { HttpTransport } from './http'
import { warnSkipVerify } from './tls'
import type { Exporter, ExporterOptions, ExportOutcome, Signal } from './types'

export type { Exporter, ExporterOptions, ExportOutcome, Signal, TlsOptions } from './types'
export { backoffCeiling, backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff'
export { classifyGrpc, classifyHttp, parseRetryAfter } from './classify'

export function createExporter(options: ExporterOptions): Exporter {
  warnSkipVerify(options)
  // Loaded for the protocol in use only: grpc-js alone is ~4 MB of resident memory.
  const transport =
    options.protocol === 'http'
      ? new (require('./http') as { HttpTransport: typeof HttpTransport }).HttpTransport(options)
      : new (require('./grpc') as { GrpcTransport: typeof GrpcTransport }).GrpcTransport(options)
  let closed = false
  return {
    async send(signal: Signal, body: Uint8Array, opts?: { timeoutMs?: number }): Promise<ExportOutcome> {
      if (closed) return { kind: 'retryable', error: 'exporter is closed' }
      const outcome = await transport.send(signal, body, opts?.timeoutMs ?? options.timeoutMs)
      if (outcome.kind !== 'ok') options.logger?.debug({ signal, outcome }, 'export not accepted')
      return outcome
    },
    async close(): Promise<void> {
      closed = true
      await transport.close()
    },
  }
}
