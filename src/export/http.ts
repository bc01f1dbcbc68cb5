/**
 * OTLP/HTTP with protobuf bodies over node:http/https and a keep-alive agent.
 */
import http from 'node:http'
import https from 'node:https'
import { promisify } from 'node:util'
import { gzip as gzipCb } from 'node:zlib'
import { readCapped } from './body'
import { classifyHttp, networkFailure, parseRetryAfter } from './classify'
import { exportHeaders, USER_AGENT } from './headers'
import { outcomeOfResponse } from './response'
import { decodeRpcStatus } from './status'
import { loadTls } from './tls'
import type { ExportOutcome, ExporterOptions, Signal } from './types'

const gzip = promisify(gzipCb)

/** Of a collector's reply, only a partial success or an error status is of use: 64 KiB is ample. */
export const MAX_RESPONSE_BYTES = 64 * 1024

/** The URL a signal is posted to: `host:port` gets its scheme from TLS, a URL keeps its own. */
export function httpUrl(o: ExporterOptions, signal: Signal): URL {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(o.endpoint)
  const base = (hasScheme ? o.endpoint : `${o.tls.enabled ? 'https' : 'http'}://${o.endpoint}`).replace(
    /\/+$/,
    '',
  )
  const path = signal === 'metrics' ? (o.httpMetricsPath ?? '/v1/metrics') : (o.httpLogsPath ?? '/v1/logs')
  return new URL(base + (path.startsWith('/') ? path : `/${path}`))
}

export class HttpTransport {
  readonly #options: ExporterOptions
  readonly #agent: http.Agent
  readonly #headers: Record<string, string>

  constructor(o: ExporterOptions) {
    this.#options = o
    const secure = httpUrl(o, 'metrics').protocol === 'https:'
    if (secure) {
      const m = o.tls.enabled ? loadTls(o.tls) : {}
      this.#agent = new https.Agent({
        keepAlive: true,
        ca: m.ca,
        cert: m.cert,
        key: m.key,
        servername: o.tls.serverName,
        rejectUnauthorized: !o.tls.skipVerify,
        ...(o.tls.skipVerify ? { checkServerIdentity: () => undefined } : {}),
      })
    } else {
      this.#agent = new http.Agent({ keepAlive: true })
    }
    this.#headers = {
      ...exportHeaders(o),
      'Content-Type': 'application/x-protobuf',
      'User-Agent': USER_AGENT,
    }
  }

  async send(signal: Signal, body: Uint8Array, timeoutMs: number): Promise<ExportOutcome> {
    const url = httpUrl(this.#options, signal)
    const payload = this.#options.compression === 'gzip' ? await gzip(body) : body
    const headers: Record<string, string | number> = {
      ...this.#headers,
      'Content-Length': payload.byteLength,
    }
    if (this.#options.compression === 'gzip') headers['Content-Encoding'] = 'gzip'
    const lib = url.protocol === 'https:' ? https : http

    return new Promise((resolve) => {
      const req = lib.request(
        url,
        { method: 'POST', agent: this.#agent, headers, signal: AbortSignal.timeout(timeoutMs) },
        (res) => {
          readCapped(res, MAX_RESPONSE_BYTES).then(
            ({ data, truncated }) => {
              const status = res.statusCode ?? 0
              if (status >= 200 && status < 300) {
                // An oversized success reply cannot be a partial success worth decoding.
                const protobuf = String(res.headers['content-type'] ?? '').includes('protobuf')
                resolve(protobuf && !truncated ? outcomeOfResponse(signal, data) : { kind: 'ok' })
                return
              }
              const retryAfter = parseRetryAfter(res.headers['retry-after'] as string | undefined)
              const contentType = truncated ? 'text/plain' : String(res.headers['content-type'] ?? '')
              resolve(classifyHttp(status, errorMessage(data, contentType), retryAfter))
            },
            (err: Error) => resolve(networkFailure(err)),
          )
        },
      )
      req.on('error', (err) => resolve(networkFailure(err)))
      req.end(payload)
    })
  }

  async close(): Promise<void> {
    this.#agent.destroy()
  }
}

/** The collector's reason: a google.rpc.Status in protobuf, else short text. */
function errorMessage(data: Buffer, contentType: string): string {
  if (data.length === 0) return ''
  if (contentType.includes('protobuf')) {
    const status = decodeRpcStatus(data)
    if (status?.message) return status.message
  }
  return data.toString('utf8', 0, Math.min(data.length, 512)).trim()
}
