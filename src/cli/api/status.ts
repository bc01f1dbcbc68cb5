/** `tfo-agent status`: asks a running agent's health endpoint how it is, and for its status picture. */
import { request } from 'node:http'
import type { StatusDocument } from '../../health/status-types'

export type StatusResult =
  | {
      reachable: true
      url: string
      httpStatus: number
      state: string
      body: Record<string, unknown>
      /** The status page's data (`/status.json`); absent from an agent without it, or without the token. */
      picture?: StatusDocument
      /** Why there is no picture (e.g. "HTTP 401"). */
      pictureError?: string
    }
  | { reachable: false; url: string; reason: string }

export interface StatusOptions {
  /** `host:port` of the health server. */
  endpoint: string
  /** Default 3000. */
  timeoutMs?: number
  /** `health.token`, for an agent listening beyond loopback. */
  token?: string
}

/** A listen address turned into one to connect to (`0.0.0.0` → `127.0.0.1`). */
export function baseUrl(endpoint: string): string {
  const connectable = endpoint
    .replace(/^0\.0\.0\.0:/, '127.0.0.1:')
    .replace(/^\[::\]:/, '[::1]:')
    .replace(/^\*:/, '127.0.0.1:')
  return `http://${connectable}`
}

export function healthUrl(endpoint: string): string {
  return `${baseUrl(endpoint)}/health`
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENOTFOUND: 'host not found',
}

type Got = { ok: true; status: number; body: unknown } | { ok: false; reason: string }

/** GETs `url` as JSON. Never rejects: a body that is not JSON is `undefined`. */
function getJson(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((done) => {
    const req = request(
      url,
      { method: 'GET', timeout: timeoutMs, headers: { accept: 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', (err) => done({ ok: false, reason: err.message }))
        res.on('end', () => {
          let body: unknown
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
          } catch {
            // Not a tfo-agent (or a broken one): reported as an unknown state by the caller.
          }
          done({ ok: true, status: res.statusCode ?? 0, body })
        })
      },
    )
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })))
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ ok: false, reason: REASONS[err.code ?? ''] ?? err.message }),
    )
    req.end()
  })
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** GETs `/health`, then `/status.json`. Never rejects: an agent that does not answer is a result too. */
export async function queryStatus(options: StatusOptions): Promise<StatusResult> {
  const url = healthUrl(options.endpoint)
  const timeout = options.timeoutMs ?? 3000
  const health = await getJson(url, timeout)
  if (!health.ok) return { reachable: false, url, reason: health.reason }
  const body = isObject(health.body) ? health.body : {}
  const state = typeof body.status === 'string' ? body.status : 'unknown'
  const result: StatusResult = { reachable: true, url, httpStatus: health.status, state, body }
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {}
  const picture = await getJson(`${baseUrl(options.endpoint)}/status.json`, timeout, auth)
  if (picture.ok && picture.status === 200 && isObject(picture.body) && isObject(picture.body.latest))
    result.picture = picture.body as unknown as StatusDocument
  else result.pictureError = picture.ok ? `HTTP ${picture.status}` : picture.reason
  return result
}

/**
 * Queries every `intervalMs` and hands each result to `onResult` until `signal` aborts;
 * resolves the last result.
 */
export async function watchStatus(
  options: StatusOptions & { intervalMs: number; signal: AbortSignal },
  onResult: (result: StatusResult) => void,
): Promise<StatusResult> {
  let last = await queryStatus(options)
  onResult(last)
  while (!options.signal.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.intervalMs)
      options.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
    })
    if (options.signal.aborted) break
    last = await queryStatus(options)
    onResult(last)
  }
  return last
}
