/**
 * Who may read the status page, its data and `/metrics`: anyone on a loopback endpoint;
 * beyond loopback only a client presenting `health.token` (an `Authorization: Bearer`
 * header, or `?token=` for a browser). `/health` is never guarded: probes must reach it.
 */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'

/** True for 127.0.0.0/8, ::1, `localhost` (and IPv4-mapped loopback). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h === '::1') return true
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h
  return isIP(v4) === 4 && v4.startsWith('127.')
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; message: string }

function presented(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim()
  return url.searchParams.get('token') ?? undefined
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Builds the check for a server listening on `host` with `token` ('' = none configured). */
export function tokenGuard(host: string, token: string): (req: IncomingMessage, url: URL) => Verdict {
  if (isLoopbackHost(host)) return () => ({ ok: true })
  return (req, url) => {
    if (!token)
      return {
        ok: false,
        status: 403,
        message: `the health endpoint listens beyond loopback (${host}): set health.token to read the status page and /metrics`,
      }
    const given = presented(req, url)
    return given !== undefined && same(given, token)
      ? { ok: true }
      : {
          ok: false,
          status: 401,
          message: 'a token is needed: Authorization: Bearer <health.token>, or ?token=',
        }
  }
}
