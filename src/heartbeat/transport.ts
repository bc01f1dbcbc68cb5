/**
 * One HTTP(S) POST of a JSON body with a hard timeout, over a keep-alive agent. Never
 * rejects: a network error or timeout is an outcome like any status code.
 */
import http from 'node:http'
import https from 'node:https'
import { readCapped } from '../export/body'
import { parseRetryAfter } from '../export/classify'

/** What one attempt came to. */
export interface PostOutcome {
  /** HTTP status; absent when no response arrived (network error, timeout). */
  status?: number
  /** The response body, at most 4 KiB of it, for log lines. */
  body: string
  /** `Retry-After` in milliseconds, when the response carried one. */
  retryAfterMs?: number
  /** Why no response arrived: `ECONNREFUSED`, `timed out after 5000 ms`, … */
  error?: string
}

export interface TlsOptions {
  /** Verify the server's certificate (default true). */
  rejectUnauthorized?: boolean
  /** Extra CA certificates (PEM). */
  ca?: string | Buffer
}

const MAX_BODY = 4096

/** Keeps one keep-alive agent per scheme; `destroy()` closes idle sockets. */
export class JsonTransport {
  readonly #http: http.Agent
  readonly #https: https.Agent

  constructor(tls: TlsOptions = {}) {
    this.#http = new http.Agent({ keepAlive: true, maxSockets: 2 })
    this.#https = new https.Agent({
      keepAlive: true,
      maxSockets: 2,
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
      ...(tls.ca ? { ca: tls.ca } : {}),
    })
  }

  post(
    url: URL,
    payload: Buffer,
    headers: Record<string, string>,
    timeoutMs: number,
    nowMs: () => number,
    signal?: AbortSignal,
  ): Promise<PostOutcome> {
    const secure = url.protocol === 'https:'
    return new Promise((resolve) => {
      let settled = false
      const finish = (outcome: PostOutcome): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(outcome)
      }
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? this.#https : this.#http,
          headers: { ...headers, 'Content-Length': String(payload.length) },
          ...(signal ? { signal } : {}),
        },
        (response) => {
          readCapped(response, MAX_BODY).then(
            ({ data }) => {
              const retryAfter = response.headers['retry-after']
              finish({
                status: response.statusCode ?? 0,
                body: data.toString('utf8'),
                retryAfterMs: parseRetryAfter(
                  Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
                  nowMs(),
                ),
              })
            },
            (err: Error) => finish({ body: '', error: describe(err) }),
          )
        },
      )
      const timer = setTimeout(() => {
        finish({ body: '', error: `timed out after ${timeoutMs} ms` })
        request.destroy()
      }, timeoutMs)
      request.on('error', (err) => finish({ body: '', error: describe(err) }))
      request.end(payload)
    })
  }

  destroy(): void {
    this.#http.destroy()
    this.#https.destroy()
  }
}

function describe(err: Error & { code?: string }): string {
  return err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message
}
