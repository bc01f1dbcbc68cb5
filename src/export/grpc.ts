/**
 * OTLP/gRPC with pass-through serialization: the request bytes go out as they
 * are, the response bytes come back to be read for partial success.
 *
 * After a send fails with UNAVAILABLE the channel is replaced, so the next send
 * makes a fresh connection attempt at once instead of waiting out grpc-js's
 * reconnect backoff (which grows to minutes during a long outage); a channel that
 * lost its connection while idle reconnects on its own at the next call.
 */
import * as grpc from '@grpc/grpc-js'
import { classifyGrpc, networkFailure } from './classify'
import { exportHeaders, USER_AGENT } from './headers'
import { outcomeOfResponse } from './response'
import { decodeRpcStatus } from './status'
import { loadTls } from './tls'
import type { ExportOutcome, ExporterOptions, Signal } from './types'

const METHODS: Record<Signal, string> = {
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
}

const UNAVAILABLE = 14

const passThrough = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength)
const keepBytes = (b: Buffer): Buffer => b

/** `host:port` for grpc-js, from `host:port` or a URL. */
export function grpcTarget(endpoint: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/@]*@)?([^/]+)/i.exec(endpoint)
  return m ? m[1]! : endpoint.replace(/\/+$/, '')
}

export class GrpcTransport {
  readonly #options: ExporterOptions
  readonly #credentials: grpc.ChannelCredentials
  readonly #channelOptions: grpc.ChannelOptions
  readonly #metadata: grpc.Metadata
  #client: grpc.Client | undefined

  constructor(o: ExporterOptions) {
    this.#options = o
    this.#credentials = credentials(o)
    this.#channelOptions = {
      'grpc.primary_user_agent': USER_AGENT,
      'grpc.keepalive_time_ms': o.keepaliveTimeMs ?? 60_000,
      'grpc.keepalive_timeout_ms': o.keepaliveTimeoutMs ?? 10_000,
      // Pinging an idle connection makes the Collector's (grpc-go) default policy send GOAWAY.
      'grpc.keepalive_permit_without_calls': 0,
      'grpc.max_reconnect_backoff_ms': 30_000,
      ...(o.compression === 'gzip'
        ? { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip }
        : {}),
      ...(o.tls.enabled && o.tls.serverName
        ? { 'grpc.ssl_target_name_override': o.tls.serverName, 'grpc.default_authority': o.tls.serverName }
        : {}),
    }
    this.#metadata = new grpc.Metadata()
    for (const [k, v] of Object.entries(exportHeaders(o))) {
      const key = k.toLowerCase()
      if (key.endsWith('-bin') || !/^[0-9a-z_.-]+$/.test(key)) continue
      this.#metadata.set(key, v)
    }
  }

  #channel(): grpc.Client {
    this.#client ??= new grpc.Client(
      grpcTarget(this.#options.endpoint),
      this.#credentials,
      this.#channelOptions,
    )
    return this.#client
  }

  send(signal: Signal, body: Uint8Array, timeoutMs: number): Promise<ExportOutcome> {
    const client = this.#channel()
    return new Promise((resolve) => {
      client.makeUnaryRequest(
        METHODS[signal],
        passThrough,
        keepBytes,
        body,
        this.#metadata.clone(),
        { deadline: Date.now() + timeoutMs },
        (err, response) => {
          if (err) {
            if (err.code === UNAVAILABLE && this.#client === client) {
              this.#client = undefined
              client.close()
            }
            resolve(outcomeOfError(err))
            return
          }
          resolve(outcomeOfResponse(signal, response ?? Buffer.alloc(0)))
        },
      )
    })
  }

  async close(): Promise<void> {
    this.#client?.close()
    this.#client = undefined
  }
}

function credentials(o: ExporterOptions): grpc.ChannelCredentials {
  if (!o.tls.enabled) return grpc.credentials.createInsecure()
  const m = loadTls(o.tls)
  return grpc.credentials.createSsl(m.ca ?? null, m.key ?? null, m.cert ?? null, {
    rejectUnauthorized: !o.tls.skipVerify,
    ...(o.tls.skipVerify ? { checkServerIdentity: () => undefined } : {}),
  })
}

function outcomeOfError(err: grpc.ServiceError): ExportOutcome {
  if (typeof err.code !== 'number') return networkFailure(err)
  let retryDelayMs: number | undefined
  const details = err.metadata?.get('grpc-status-details-bin')[0]
  if (details instanceof Buffer) retryDelayMs = decodeRpcStatus(details)?.retryDelayMs
  return classifyGrpc(err.code, err.details, retryDelayMs)
}
