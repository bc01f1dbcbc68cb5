/**
 * A stand-in for the TelemetryFlow API on 127.0.0.1 (random port): it records every
 * request, checks each heartbeat body against schema/system-info.schema.json, and
 * answers as told (a status, a delay, a dropped connection).
 *
 * ```ts
 * const api = await startRecordingServer()
 * api.enqueue({ status: 503 }, { status: 200 }) // one-shot answers, in order
 * api.reply({ status: 401 })                    // the answer after those
 * …
 * assert.deepEqual(api.heartbeats()[0].validationErrors, [])
 * await api.close()
 * ```
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { compileHeartbeatValidator, formatSchemaErrors } from '../../src/heartbeat/schema'

export interface RecordedRequest {
  method: string
  /** Path and query, as sent. */
  url: string
  pathname: string
  headers: http.IncomingHttpHeaders
  body: string
  /** The body parsed, when it is JSON. */
  json?: unknown
  /** Schema errors of a heartbeat body ([] when valid); null for other requests. */
  validationErrors: string[] | null
}

export type Reply =
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  /** Drop the connection without answering. */
  | { destroy: true }

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  readonly requests: RecordedRequest[]
  /** The requests to a `…/heartbeat` path. */
  heartbeats(): RecordedRequest[]
  /** The answer to every request after the queued ones. Default `{ status: 200 }`. */
  reply(reply: Reply): void
  /** One-shot answers, used in order before the default. */
  enqueue(...replies: Reply[]): void
  /** Resolves once `count` requests have been recorded. */
  waitForRequests(count: number): Promise<void>
  close(): Promise<void>
}

const HEARTBEAT_PATH = /\/heartbeat$/

export async function startRecordingServer(): Promise<RecordingServer> {
  const validate = compileHeartbeatValidator()
  const requests: RecordedRequest[] = []
  const queue: Reply[] = []
  const waiters: Array<{ count: number; resolve: () => void }> = []
  let fallback: Reply = { status: 200, body: { status: 'ok' } }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
      let json: unknown
      let validationErrors: string[] | null = null
      try {
        json = body ? JSON.parse(body) : undefined
      } catch (err) {
        if (HEARTBEAT_PATH.test(pathname)) validationErrors = [`body is not JSON: ${(err as Error).message}`]
      }
      if (validationErrors === null && HEARTBEAT_PATH.test(pathname)) {
        validationErrors = validate(json) ? [] : formatSchemaErrors(validate.errors)
      }
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        pathname,
        headers: req.headers,
        body,
        json,
        validationErrors,
      })
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
      answer(res, queue.shift() ?? fallback)
    })
  })

  function answer(res: http.ServerResponse, reply: Reply): void {
    if ('destroy' in reply) {
      res.socket?.destroy()
      return
    }
    const send = (): void => {
      if (res.destroyed) return
      const payload = reply.body === undefined ? '' : JSON.stringify(reply.body)
      res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers })
      res.end(payload)
    }
    if (reply.delayMs) setTimeout(send, reply.delayMs).unref()
    else send()
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    heartbeats: () => requests.filter((r) => HEARTBEAT_PATH.test(r.pathname)),
    reply: (reply) => {
      fallback = reply
    },
    enqueue: (...replies) => {
      queue.push(...replies)
    },
    waitForRequests: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
