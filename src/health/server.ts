/**
 * The health endpoint (default 127.0.0.1:13133): `/health` gives the JSON report (200 or 503,
 * see `httpStatusFor`), `/metrics` the Prometheus text, and `/` the status page for a browser
 * (the JSON report for any other client), with `/events` and `/status.json` behind it.
 * GET and HEAD only. Beyond loopback the page, its data and `/metrics` need `health.token`
 * (see guard.ts); `/health` stays open for probes.
 *
 * Connections are capped (`maxConnections`; more are closed at once) and a connection with no
 * open response is closed after `idleTimeoutMs` without traffic, so idle sockets cannot pile
 * up descriptors. Event streams are exempt from the idle timeout and capped on their own.
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Logger } from 'pino'
import { httpStatusFor, type HealthReport } from './evaluate'
import { tokenGuard } from './guard'
import { PROMETHEUS_CONTENT_TYPE } from './prometheus'
import type { StatusFeed } from './status-feed'
import { EventStreams, isAssetPath, MAX_EVENT_STREAMS, serveAsset, serveDocument } from './status-routes'

export const DEFAULT_HEALTH_ENDPOINT = '127.0.0.1:13133'
export const DEFAULT_MAX_CONNECTIONS = 32
export const DEFAULT_IDLE_TIMEOUT_MS = 10_000

export interface HealthServerOptions {
  /** `host:port` (`[::1]:13133` for IPv6); port 0 picks a free one. */
  endpoint?: string
  getHealth: () => HealthReport
  getMetrics: () => string
  /** The status page's data; without it `/` answers the JSON report. */
  status?: StatusFeed
  /** `health.token`: required for the page, its data and `/metrics` beyond loopback. */
  token?: string
  /** Connections open at once (default 32); more are closed at once. */
  maxConnections?: number
  /** A connection without an open response is closed after this long without traffic (default 10 s). */
  idleTimeoutMs?: number
  /** Event streams open at once (default 8). */
  maxEventStreams?: number
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

const json = (body: unknown) => JSON.stringify(body)

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const endpoint = options.endpoint ?? DEFAULT_HEALTH_ENDPOINT
  const { host, port } = parseEndpoint(endpoint)
  const guard = tokenGuard(host, options.token ?? '')
  const streams = new EventStreams(options.maxEventStreams ?? MAX_EVENT_STREAMS)
  const feed = options.status

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    const reply = (status: number, type: string, body: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...extra })
      res.end(req.method === 'HEAD' ? undefined : body)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return reply(405, 'application/json', json({ error: 'method not allowed' }), { Allow: 'GET, HEAD' })
    }
    const browser = path === '/' && feed !== undefined && (req.headers.accept ?? '').includes('text/html')
    if (path === '/health' || (path === '/' && !browser)) {
      const report = options.getHealth()
      return reply(httpStatusFor(report.status), 'application/json', json(report))
    }
    // The page's code and styles hold no data: only the page, its data and /metrics are guarded.
    if (feed && isAssetPath(path) && path !== '/') return serveAsset(req, res, path)
    const guarded = path === '/' || path === '/metrics' || path === '/events' || path === '/status.json'
    if (guarded) {
      const verdict = guard(req, url)
      if (!verdict.ok) return reply(verdict.status, 'application/json', json({ error: verdict.message }))
    }
    if (path === '/metrics') return reply(200, PROMETHEUS_CONTENT_TYPE, options.getMetrics())
    if (feed && path === '/') return serveAsset(req, res, path)
    if (feed && path === '/status.json') return serveDocument(req, res, feed)
    if (feed && path === '/events') return streams.open(req, res, feed)
    return reply(404, 'application/json', json({ error: `no such path ${path}; try /health or /metrics` }))
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      options.logger?.error({ err, path: req.url }, 'health endpoint failed to answer')
      if (res.headersSent) return void res.destroy()
      res.writeHead(500, { 'Content-Type': 'application/json' })
      res.end(json({ error: 'internal error' }))
    })
  })
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  server.timeout = idleMs
  server.keepAliveTimeout = Math.min(5000, idleMs)
  server.headersTimeout = idleMs
  server.requestTimeout = idleMs
  // An idle socket (no request, a keep-alive between requests, a request trickling in) is
  // closed; a socket carrying an event stream has its timeout off and is never here.
  server.on('timeout', (socket: Socket) => {
    if (!streams.carries(socket)) socket.destroy()
  })

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
        streams.endAll()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
