/** `tfo-agent status`: asks a running agent's health endpoint how it is. */
import { request } from 'node:http'

export type StatusResult =
  | { reachable: true; url: string; httpStatus: number; state: string; body: Record<string, unknown> }
  | { reachable: false; url: string; reason: string }

export interface StatusOptions {
  /** `host:port` of the health server. */
  endpoint: string
  /** Default 3000. */
  timeoutMs?: number
}

/** A listen address turned into one to connect to (`0.0.0.0` → `127.0.0.1`). */
export function healthUrl(endpoint: string): string {
  const connectable = endpoint
    .replace(/^0\.0\.0\.0:/, '127.0.0.1:')
    .replace(/^\[::\]:/, '[::1]:')
    .replace(/^\*:/, '127.0.0.1:')
  return `http://${connectable}/health`
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENOTFOUND: 'host not found',
}

/** GETs `/health`. Never rejects: an agent that does not answer is a result too. */
export function queryStatus(options: StatusOptions): Promise<StatusResult> {
  const url = healthUrl(options.endpoint)
  return new Promise((done) => {
    const req = request(
      url,
      { method: 'GET', timeout: options.timeoutMs ?? 3000, headers: { accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', (err) => done({ reachable: false, url, reason: err.message }))
        res.on('end', () => {
          let body: Record<string, unknown> = {}
          try {
            const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
              body = parsed as Record<string, unknown>
          } catch {
            // Not a tfo-agent (or a broken one): reported as an unknown state below.
          }
          const state = typeof body.status === 'string' ? body.status : 'unknown'
          done({ reachable: true, url, httpStatus: res.statusCode ?? 0, state, body })
        })
      },
    )
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })))
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ reachable: false, url, reason: REASONS[err.code ?? ''] ?? err.message }),
    )
    req.end()
  })
}
