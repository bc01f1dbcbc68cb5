/**
 * The health endpoint (default 127.0.0.1:13133): `/` and `/health` give the JSON report
 * (200 or 503, see `httpStatusFor`), `/metrics` the Prometheus text. GET and HEAD only.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { httpStatusFor, type HealthReport } from './evaluate'
import { PROMETHEUS_CONTENT_TYPE } from './prometheus'

export const DEFAULT_HEALTH_ENDPOINT = '127.0.0.1:13133'

export interface HealthServerOptions {
  /** `host:port` (`[::1]:13133` for IPv6); port 0 picks a free one. */
  endpoint?: string
  getHealth: () => HealthReport
  getMetrics: () => string
  logger?: Logger
}

export interface HealthServer {
  address: { host: string; port: number }
  /** `http://host:port` */
  url: string
  close(): Promise<void>
}

/** The health endpoint could not start; the message says why and what to change. */
export class HealthServerError extends Error {
  override readonly name = 'HealthServerError'
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message)
  }
}

/** `host:port` → parts; throws a HealthServerError on anything else. */
export function parseEndpoint(endpoint: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(endpoint.trim())
  const port = match ? Number(match[3]) : NaN
  if (!match || port > 65535) {
    throw new HealthServerError(
      `health.endpoint "${endpoint}" is not host:port (e.g. ${DEFAULT_HEALTH_ENDPOINT})`,
    )
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port }
}

function listenError(err: NodeJS.ErrnoException, endpoint: string): HealthServerError {
  const hint = 'set health.endpoint to another address, or health.enabled: false'
  switch (err.code) {
    case 'EADDRINUSE':
      return new HealthServerError(
        `health endpoint ${endpoint} is already in use by another process; ${hint}`,
        err.code,
      )
    case 'EACCES':
      return new HealthServerError(
        `health endpoint ${endpoint}: not allowed to listen there (ports below 1024 need privileges); ${hint}`,
        err.code,
      )
    case 'EADDRNOTAVAIL':
      return new HealthServerError(
        `health endpoint ${endpoint}: that address is not on this host; ${hint}`,
        err.code,
      )
    default:
      return new HealthServerError(`health endpoint ${endpoint} could not start: ${err.message}`, err.code)
  }
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const endpoint = options.endpoint ?? DEFAULT_HEALTH_ENDPOINT
  const { host, port } = parseEndpoint(endpoint)

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const reply = (status: number, type: string, body: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...extra })
      res.end(req.method === 'HEAD' ? undefined : body)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return reply(405, 'application/json', JSON.stringify({ error: 'method not allowed' }), {
        Allow: 'GET, HEAD',
      })
    }
    try {
      if (path === '/' || path === '/health') {
        const report = options.getHealth()
        return reply(httpStatusFor(report.status), 'application/json', JSON.stringify(report))
      }
      if (path === '/metrics') return reply(200, PROMETHEUS_CONTENT_TYPE, options.getMetrics())
      return reply(
        404,
        'application/json',
        JSON.stringify({ error: `no such path ${path}; try /health or /metrics` }),
      )
    } catch (err) {
      options.logger?.error({ err, path }, 'health endpoint failed to answer')
      return reply(500, 'application/json', JSON.stringify({ error: 'internal error' }))
    }
  })
  server.keepAliveTimeout = 5000

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, endpoint)))
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
  options.logger?.info({ endpoint: `${shown}:${address.port}` }, 'health endpoint listening')
  return {
    address: { host: address.address, port: address.port },
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
