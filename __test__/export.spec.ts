/**
 * The exporter's decisions: backoff, which failures are retryable, partial
 * success, headers and URLs. Servers here are local stand-ins that return the
 * failures a real collector rarely can on demand (RESOURCE_EXHAUSTED with
 * RetryInfo, 429 with Retry-After); interoperability itself is checked against
 * the real collector in e2e/metrics-export.e2e.ts.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import {
  backoffCeiling,
  backoffDelay,
  classifyGrpc,
  classifyHttp,
  createExporter,
  parseRetryAfter,
  type ExporterOptions,
} from '../src/export'
import { httpUrl } from '../src/export/http'
import { JsonTransport } from '../src/heartbeat/transport'
import { grpcTarget } from '../src/export/grpc'
import { decodeRpcStatus } from '../src/export/status'
import { USER_AGENT } from '../src/version'

describe('backoff', () => {
  const o = { initialMs: 1000, maxMs: 30_000, multiplier: 2 }

  test('grows exponentially up to the maximum', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].map((n) => backoffCeiling(n, o)),
      [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000],
    )
  })

  test('draws the wait between half the ceiling and the ceiling (equal jitter)', () => {
    assert.equal(
      backoffDelay(3, o, undefined, () => 0),
      4000,
    )
    assert.equal(
      backoffDelay(3, o, undefined, () => 0.5),
      6000,
    )
    assert.equal(
      backoffDelay(3, o, undefined, () => 0.999999),
      7999,
    )
  })

  test('never retries before the server said to', () => {
    assert.equal(
      backoffDelay(0, o, 45_000, () => 0.5),
      45_000,
    )
    assert.equal(
      backoffDelay(4, o, 100, () => 0.5),
      12_000,
    )
  })
})

describe('failure classification', () => {
  test('follows the OTLP/gRPC table of retryable codes', () => {
    const retryable = {
      CANCELLED: 1,
      DEADLINE_EXCEEDED: 4,
      ABORTED: 10,
      OUT_OF_RANGE: 11,
      UNAVAILABLE: 14,
      DATA_LOSS: 15,
    }
    const permanent = {
      UNKNOWN: 2,
      INVALID_ARGUMENT: 3,
      NOT_FOUND: 5,
      ALREADY_EXISTS: 6,
      PERMISSION_DENIED: 7,
      FAILED_PRECONDITION: 9,
      UNIMPLEMENTED: 12,
      INTERNAL: 13,
      UNAUTHENTICATED: 16,
    }
    for (const [name, code] of Object.entries(retryable))
      assert.equal(classifyGrpc(code, '').kind, 'retryable', name)
    for (const [name, code] of Object.entries(permanent))
      assert.equal(classifyGrpc(code, '').kind, 'permanent', name)
  })

  test('retries RESOURCE_EXHAUSTED only when the server sent RetryInfo', () => {
    assert.equal(classifyGrpc(8, 'too big').kind, 'permanent')
    assert.deepEqual(classifyGrpc(8, 'slow down', 2500), {
      kind: 'retryable',
      error: 'gRPC RESOURCE_EXHAUSTED: slow down',
      retryAfterMs: 2500,
    })
  })

  test('retries HTTP 429, 502, 503 and 504 only', () => {
    for (const s of [429, 502, 503, 504]) assert.equal(classifyHttp(s, '').kind, 'retryable', String(s))
    for (const s of [400, 401, 403, 404, 413, 415, 500, 501])
      assert.equal(classifyHttp(s, '').kind, 'permanent', String(s))
    assert.deepEqual(classifyHttp(503, 'busy', 7000), {
      kind: 'retryable',
      error: 'HTTP 503: busy',
      retryAfterMs: 7000,
      unavailable: true,
    })
  })

  test('marks only an unreachable or silent collector as unavailable, so outages spend no retries', () => {
    for (const s of [502, 503, 504])
      assert.deepEqual(classifyHttp(s, ''), { kind: 'retryable', error: `HTTP ${s}`, unavailable: true })
    assert.deepEqual(classifyHttp(429, 'slow down'), { kind: 'retryable', error: 'HTTP 429: slow down' })
    assert.deepEqual(classifyGrpc(14, 'down'), {
      kind: 'retryable',
      error: 'gRPC UNAVAILABLE: down',
      unavailable: true,
    })
    // The deadline passed with the request out: the collector may have it, so a re-send is counted as one.
    assert.deepEqual(classifyGrpc(4, ''), {
      kind: 'retryable',
      error: 'gRPC DEADLINE_EXCEEDED',
      unavailable: true,
      outcomeUnknown: true,
    })
    assert.deepEqual(classifyGrpc(10, ''), { kind: 'retryable', error: 'gRPC ABORTED' })
  })

  test('reads Retry-After as seconds or as a date', () => {
    assert.equal(parseRetryAfter('120'), 120_000)
    assert.equal(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
      30_000,
    )
    assert.equal(parseRetryAfter('soon'), undefined)
    assert.equal(parseRetryAfter(undefined), undefined)
  })

  test('finds the delay in a google.rpc.Status with RetryInfo', () => {
    const status = rpcStatus(8, 'rate limited', 3, 250_000_000)
    assert.deepEqual(decodeRpcStatus(status), { code: 8, message: 'rate limited', retryDelayMs: 3250 })
    assert.deepEqual(decodeRpcStatus(rpcStatus(3, 'bad')), { code: 3, message: 'bad' })
  })
})

describe('endpoints', () => {
  const base: ExporterOptions = {
    endpoint: 'collector:4318',
    protocol: 'http',
    compression: 'none',
    tls: { enabled: false },
    timeoutMs: 1000,
    agentId: 'a',
  }

  test('takes the HTTP scheme from TLS for host:port, and keeps a given URL', () => {
    assert.equal(httpUrl(base, 'metrics').href, 'http://collector:4318/v1/metrics')
    assert.equal(httpUrl({ ...base, tls: { enabled: true } }, 'logs').href, 'https://collector:4318/v1/logs')
    assert.equal(
      httpUrl(
        { ...base, endpoint: 'https://tf.example.com/otlp/', httpMetricsPath: '/v2/metrics' },
        'metrics',
      ).href,
      'https://tf.example.com/otlp/v2/metrics',
    )
  })

  test('gives grpc-js a plain host:port', () => {
    assert.equal(grpcTarget('localhost:4317'), 'localhost:4317')
    assert.equal(grpcTarget('https://collector.example.com:4317/'), 'collector.example.com:4317')
  })
})

/** A google.rpc.Status, optionally with a RetryInfo detail, encoded by hand. */
function rpcStatus(code: number, message: string, delaySeconds?: number, delayNanos = 0): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = []
    while (n > 127) {
      out.push((n % 128) | 128)
      n = Math.floor(n / 128)
    }
    out.push(n)
    return out
  }
  const field = (num: number, bytes: Buffer | number[]) =>
    Buffer.from([...varint(num * 8 + 2), ...varint(bytes.length), ...bytes])
  const parts = [Buffer.from([8, ...varint(code)]), field(2, Buffer.from(message))]
  if (delaySeconds !== undefined) {
    const duration = Buffer.from([8, ...varint(delaySeconds), 16, ...varint(delayNanos)])
    const retryInfo = field(1, duration)
    const any = Buffer.concat([
      field(1, Buffer.from('type.googleapis.com/google.rpc.RetryInfo')),
      field(2, retryInfo),
    ])
    parts.push(field(3, any))
  }
  return Buffer.concat(parts)
}

/** ExportMetricsServiceResponse{ partial_success{ rejected_data_points, error_message } }. */
function partialSuccess(rejected: number, message: string): Buffer {
  const inner = Buffer.concat([
    Buffer.from([8, rejected]),
    Buffer.from([18, message.length]),
    Buffer.from(message),
  ])
  return Buffer.concat([Buffer.from([10, inner.length]), inner])
}

describe('the gRPC exporter against a stand-in server', () => {
  let server: grpc.Server
  let endpoint = ''
  const seen: Array<{ metadata: grpc.Metadata; body: Buffer }> = []
  let reply: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => void = (
    _c,
    cb,
  ) => cb(null, Buffer.alloc(0))

  before(async () => {
    server = new grpc.Server()
    const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, cb) => {
      seen.push({ metadata: call.metadata, body: call.request })
      reply(call, cb)
    }
    const raw = {
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    }
    server.addService(
      {
        Export: {
          path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
          requestStream: false,
          responseStream: false,
          ...raw,
        },
      } as grpc.ServiceDefinition,
      { Export: handler },
    )
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    )
    endpoint = `127.0.0.1:${port}`
  })
  after(() => server.forceShutdown())

  const options = (): ExporterOptions => ({
    endpoint,
    protocol: 'grpc',
    compression: 'gzip',
    tls: { enabled: false },
    timeoutMs: 5000,
    agentId: 'agent-7',
    apiKeyId: 'tfk_abc',
    apiKeySecret: 'tfs_xyz',
    headers: { 'X-Tenant': 'acme' },
  })

  test('sends the bytes as they are, with the TelemetryFlow and user headers', async () => {
    reply = (_c, cb) => cb(null, Buffer.alloc(0))
    const exporter = createExporter(options())
    const body = Uint8Array.from([10, 3, 1, 2, 3])
    assert.deepEqual(await exporter.send('metrics', body), { kind: 'ok' })
    await exporter.close()
    const last = seen.at(-1)!
    assert.deepEqual([...last.body], [...body])
    assert.deepEqual(last.metadata.get('x-telemetryflow-key-id'), ['tfk_abc'])
    assert.deepEqual(last.metadata.get('x-telemetryflow-key-secret'), ['tfs_xyz'])
    assert.deepEqual(last.metadata.get('x-telemetryflow-agent-id'), ['agent-7'])
    assert.deepEqual(last.metadata.get('x-tenant'), ['acme'])
    assert.ok(String(last.metadata.get('user-agent')[0]).startsWith(USER_AGENT))
  })

  test('reports a partial success as ok with the rejected count', async () => {
    reply = (_c, cb) => cb(null, partialSuccess(7, 'bad point'))
    const exporter = createExporter(options())
    assert.deepEqual(await exporter.send('metrics', Uint8Array.of()), {
      kind: 'ok',
      rejectedDataPoints: 7,
      message: 'bad point',
    })
    await exporter.close()
  })

  test('makes RESOURCE_EXHAUSTED with RetryInfo retryable after the given delay', async () => {
    reply = (_c, cb) => {
      const metadata = new grpc.Metadata()
      metadata.set('grpc-status-details-bin', rpcStatus(8, 'slow down', 2))
      cb({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'slow down', metadata })
    }
    const exporter = createExporter(options())
    assert.deepEqual(await exporter.send('metrics', Uint8Array.of()), {
      kind: 'retryable',
      error: 'gRPC RESOURCE_EXHAUSTED: slow down',
      retryAfterMs: 2000,
    })
    await exporter.close()
  })

  test('makes INVALID_ARGUMENT and UNAUTHENTICATED permanent', async () => {
    const exporter = createExporter(options())
    for (const code of [grpc.status.INVALID_ARGUMENT, grpc.status.UNAUTHENTICATED]) {
      reply = (_c, cb) => cb({ code, details: 'no' })
      assert.equal((await exporter.send('metrics', Uint8Array.of())).kind, 'permanent')
    }
    await exporter.close()
  })

  test('gives up at the deadline with a retryable outcome', async () => {
    reply = () => {}
    const exporter = createExporter(options())
    const outcome = await exporter.send('metrics', Uint8Array.of(), { timeoutMs: 200 })
    assert.equal(outcome.kind, 'retryable')
    assert.match((outcome as { error: string }).error, /DEADLINE_EXCEEDED/)
    await exporter.close()
  })

  test('calls a service the server lacks a permanent failure', async () => {
    const exporter = createExporter(options())
    const outcome = await exporter.send('logs', Uint8Array.of())
    assert.equal(outcome.kind, 'permanent')
    assert.match((outcome as { error: string }).error, /UNIMPLEMENTED/)
    await exporter.close()
  })
})

describe('the HTTP exporter against a stand-in server', () => {
  let server: http.Server
  let endpoint = ''
  const seen: http.IncomingMessage[] = []
  let reply: (res: http.ServerResponse) => void = (res) => res.end()

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(req)
      req.resume()
      req.on('end', () => reply(res))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => server.close())

  const options = (): ExporterOptions => ({
    endpoint,
    protocol: 'http',
    compression: 'gzip',
    tls: { enabled: false },
    timeoutMs: 5000,
    agentId: 'agent-7',
    apiKeyId: 'tfk_abc',
    apiKeySecret: 'tfs_xyz',
    httpMetricsPath: '/v2/metrics',
  })

  test('posts protobuf, gzipped, to the configured path with the headers', async () => {
    reply = (res) => res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end()
    const exporter = createExporter(options())
    assert.deepEqual(await exporter.send('metrics', Uint8Array.of(1, 2)), { kind: 'ok' })
    await exporter.close()
    const req = seen.at(-1)!
    assert.equal(req.url, '/v2/metrics')
    assert.equal(req.headers['content-type'], 'application/x-protobuf')
    assert.equal(req.headers['content-encoding'], 'gzip')
    assert.equal(req.headers['user-agent'], USER_AGENT)
    assert.equal(req.headers['x-telemetryflow-key-id'], 'tfk_abc')
    assert.equal(req.headers['x-telemetryflow-key-secret'], 'tfs_xyz')
    assert.equal(req.headers['x-telemetryflow-agent-id'], 'agent-7')
  })

  test('honours Retry-After on 429 and 503', async () => {
    const exporter = createExporter(options())
    reply = (res) => res.writeHead(429, { 'Retry-After': '12' }).end('slow down')
    assert.deepEqual(await exporter.send('metrics', Uint8Array.of()), {
      kind: 'retryable',
      error: 'HTTP 429: slow down',
      retryAfterMs: 12_000,
    })
    reply = (res) => res.writeHead(503).end()
    assert.deepEqual(await exporter.send('metrics', Uint8Array.of()), {
      kind: 'retryable',
      error: 'HTTP 503',
      unavailable: true,
    })
    await exporter.close()
  })

  test('makes a 400 with a google.rpc.Status body permanent, with its message', async () => {
    reply = (res) =>
      res
        .writeHead(400, { 'Content-Type': 'application/x-protobuf' })
        .end(rpcStatus(3, 'proto: cannot parse'))
    const exporter = createExporter(options())
    assert.deepEqual(await exporter.send('metrics', Uint8Array.of()), {
      kind: 'permanent',
      error: 'HTTP 400: proto: cannot parse',
      code: 'HTTP 400',
    })
    await exporter.close()
  })

  test('reads a partial success from a 200', async () => {
    reply = (res) =>
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end(partialSuccess(3, 'dup'))
    const exporter = createExporter(options())
    assert.deepEqual(await exporter.send('metrics', Uint8Array.of()), {
      kind: 'ok',
      rejectedDataPoints: 3,
      message: 'dup',
    })
    await exporter.close()
  })

  test('reads at most 64 KiB of a reply that never ends, and still classifies it by its status', async () => {
    let written = 0
    reply = (res) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' })
      const chunk = Buffer.alloc(64 * 1024, 'x')
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length
        if (!res.destroyed) res.once('drain', pump)
      }
      pump()
    }
    const exporter = createExporter(options())
    const outcome = await exporter.send('metrics', Uint8Array.of(), { timeoutMs: 20_000 })
    await exporter.close()
    assert.equal(outcome.kind, 'permanent', JSON.stringify(outcome).slice(0, 200))
    assert.match((outcome as { error: string }).error, /^HTTP 400: x{100}/)
    assert.ok(
      written < 64 * 1024 * 1024,
      `the server got to write ${written} bytes before the exporter hung up`,
    )
  })

  test('the heartbeat transport also stops reading a reply that never ends, keeping 4 KiB of it', async () => {
    reply = (res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' })
      const chunk = Buffer.alloc(64 * 1024, 'y')
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump)
      }
      pump()
    }
    const transport = new JsonTransport()
    const outcome = await transport.post(
      new URL(`http://${endpoint}/hb`),
      Buffer.from('{}'),
      {},
      20_000,
      Date.now,
    )
    transport.destroy()
    assert.equal(outcome.status, 500, JSON.stringify(outcome).slice(0, 200))
    assert.equal(outcome.body, 'y'.repeat(4096))
  })

  test('times out a server that never answers as retryable, its outcome unknown', async () => {
    reply = () => {}
    const exporter = createExporter(options())
    assert.deepEqual(await exporter.send('metrics', Uint8Array.of(), { timeoutMs: 200 }), {
      kind: 'retryable',
      error: 'no response: timed out',
      unavailable: true,
      outcomeUnknown: true,
    })
    await exporter.close()
  })

  test('treats a refused connection as retryable', async () => {
    const exporter = createExporter({ ...options(), endpoint: '127.0.0.1:1' })
    const outcome = await exporter.send('metrics', Uint8Array.of())
    assert.deepEqual(outcome, { kind: 'retryable', error: 'no response: ECONNREFUSED', unavailable: true })
    await exporter.close()
  })
})

describe('TLS settings', () => {
  test('warns loudly when certificate verification is off, without the secret', () => {
    const warnings: unknown[][] = []
    const logger = { warn: (...args: unknown[]) => warnings.push(args), debug: () => {} }
    createExporter({
      endpoint: 'x:1',
      protocol: 'http',
      compression: 'none',
      timeoutMs: 1,
      agentId: 'a',
      apiKeySecret: 'tfs_secret',
      tls: { enabled: true, skipVerify: true },
      logger: logger as never,
    })
    assert.equal(warnings.length, 1)
    assert.match(String(warnings[0]![1]), /verification is OFF/)
    assert.ok(!JSON.stringify(warnings).includes('tfs_secret'))
  })

  test('refuses a client certificate without its key', () => {
    assert.throws(
      () =>
        createExporter({
          endpoint: 'x:1',
          protocol: 'grpc',
          compression: 'none',
          timeoutMs: 1,
          agentId: 'a',
          tls: { enabled: true, certFile: '/nonexistent.pem' },
        }),
      /both cert_file and key_file/,
    )
  })
})
