/**
 * The status page's routes: the page and its assets (served by the agent from the package,
 * nothing from the internet), `/status.json` (the history and the newest sample) and
 * `/events` (server-sent events: the document first, then every new sample).
 *
 * Charts are drawn by uPlot (npm `uplot`): about 50 KB minified with no dependencies, made for
 * time series (it draws thousands of points on a canvas in a few milliseconds), MIT-licensed and
 * maintained; it is served from `node_modules` as it is installed.
 */
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import type { StatusFeed } from './status-feed'

/** Event streams open at once at most; more are refused with 503 (they count as connections too). */
export const MAX_EVENT_STREAMS = 8
/** A comment on every stream this often, so a client gone without a FIN is found. */
const KEEPALIVE_MS = 15_000

const PAGE_DIR = join(__dirname, '..', '..', 'assets', 'status')

/** Path → [file, content type]. */
const ASSETS: Record<string, [() => string, string]> = {
  '/': [() => join(PAGE_DIR, 'index.html'), 'text/html; charset=utf-8'],
  '/status.js': [() => join(PAGE_DIR, 'status.js'), 'text/javascript; charset=utf-8'],
  '/charts.js': [() => join(PAGE_DIR, 'charts.js'), 'text/javascript; charset=utf-8'],
  '/status.css': [() => join(PAGE_DIR, 'status.css'), 'text/css; charset=utf-8'],
  '/uplot.js': [() => require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
  '/uplot.css': [() => require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'],
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
}

export function isAssetPath(path: string): boolean {
  return path in ASSETS
}

export async function serveAsset(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const [file, type] = ASSETS[path]
  const body = await readFile(file())
  res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS })
  res.end(req.method === 'HEAD' ? undefined : body)
}

export function serveDocument(req: IncomingMessage, res: ServerResponse, feed: StatusFeed): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
  res.end(req.method === 'HEAD' ? undefined : JSON.stringify(feed.document()))
}

/** The open event streams of one server. */
export class EventStreams {
  readonly #open = new Set<ServerResponse>()
  readonly #sockets = new WeakSet<Socket>()

  constructor(private readonly max = MAX_EVENT_STREAMS) {}

  get size(): number {
    return this.#open.size
  }

  /** True while `socket` carries an open stream (it is exempt from the idle timeout). */
  carries(socket: Socket): boolean {
    return this.#sockets.has(socket)
  }

  open(req: IncomingMessage, res: ServerResponse, feed: StatusFeed): void {
    if (this.#open.size >= this.max) {
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '10' })
      res.end(JSON.stringify({ error: `at most ${this.max} status page streams are open at once` }))
      return
    }
    this.#open.add(res)
    this.#sockets.add(req.socket)
    req.socket.setTimeout(0)
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    })
    const send = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    send('document', feed.document())
    const unsubscribe = feed.subscribe((sample) => send('sample', sample))
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS).unref()
    const close = () => {
      clearInterval(keepalive)
      unsubscribe()
      this.#open.delete(res)
      this.#sockets.delete(req.socket)
    }
    res.once('close', close)
    req.socket.once('close', close)
  }

  /** Ends every stream (the server is closing). */
  endAll(): void {
    for (const res of this.#open) res.end()
  }
}
