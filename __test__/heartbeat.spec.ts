import { test } from 'node:test'
import assert from 'node:assert/strict'
import pino from 'pino'
import { HeartbeatClient, type HeartbeatClientOptions } from '../src/heartbeat/client'
import { toSystemInfo } from '../src/heartbeat/system-info'
import { parseRetryAfter } from '../src/export/classify'
import { VERSION } from '../src/version'
import { heartbeatSnapshot } from './fixtures/heartbeat-snapshot'
import { startRecordingServer, type RecordingServer } from './helpers/recording-server'

const SECRET = 'tfs_very-secret-value'

function captureLogger() {
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  return { logger, lines, raw: () => JSON.stringify(lines) }
}

function body() {
  return {
    systemInfo: toSystemInfo(heartbeatSnapshot(), { agentVersion: VERSION, agentStartTime: 1_767_225_000 }),
    agent: {
      buffer: { batches: 3, bytes: 12_345 },
      lastSuccessfulExport: 1_767_225_590,
      dropped: { batches: 0, dataPoints: 0 },
      exports: { ok: 10, failed: 1 },
      collectors: { logs: { files: 2 }, process: { leftOut: 0 } },
    },
  }
}

async function withApi(
  fn: (
    api: RecordingServer,
    make: (extra?: Partial<HeartbeatClientOptions>) => HeartbeatClient,
  ) => Promise<void>,
) {
  const api = await startRecordingServer()
  assert.match(api.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const clients: HeartbeatClient[] = []
  const make = (extra: Partial<HeartbeatClientOptions> = {}) => {
    const client = new HeartbeatClient({
      apiEndpoint: api.url,
      agentId: 'agent-123',
      apiKeyId: 'tfk_test',
      apiKeySecret: SECRET,
      timeoutMs: 2000,
      logger: captureLogger().logger,
      sleep: async () => {},
      random: () => 0.5,
      ...extra,
    })
    clients.push(client)
    return client
  }
  try {
    await fn(api, make)
  } finally {
    for (const c of clients) c.close()
    await api.close()
  }
}

test('a heartbeat is a JSON POST to /agents/{agentId}/heartbeat with the key headers and a valid body', async () => {
  await withApi(async (api, make) => {
    const result = await make().send(body())
    assert.equal(result.ok, true)
    assert.equal(result.status, 200)
    const [req] = api.heartbeats()
    assert.ok(req)
    assert.equal(req.method, 'POST')
    assert.equal(req.pathname, '/agents/agent-123/heartbeat')
    assert.equal(req.headers['content-type'], 'application/json')
    assert.equal(req.headers['x-api-key-id'], 'tfk_test')
    assert.equal(req.headers['x-api-key-secret'], SECRET)
    assert.match(String(req.headers['user-agent']), /^tfo-agent\/\d+\.\d+\.\d+\S* \([a-z0-9]+; [a-z0-9]+\)$/)
    assert.deepEqual(req.validationErrors, [])
  })
})

test('the path is configurable and the endpoint may carry a prefix and a trailing slash', async () => {
  await withApi(async (api, make) => {
    const client = make({ apiEndpoint: `${api.url}/api/v1/`, path: 'v2/agents/{agentId}/heartbeat' })
    assert.equal(client.url, `${api.url}/api/v1/v2/agents/agent-123/heartbeat`)
    await client.send(body())
    assert.equal(api.requests[0]!.pathname, '/api/v1/v2/agents/agent-123/heartbeat')
  })
})

test('a 503 is retried with growing backoff within one heartbeat until the API accepts it', async () => {
  await withApi(async (api, make) => {
    api.enqueue({ status: 503 }, { status: 503 })
    const sleeps: number[] = []
    const client = make({
      sleep: async (ms) => void sleeps.push(ms),
      retry: { maxRetries: 3, initialIntervalMs: 100, maxIntervalMs: 1000 },
    })
    const result = await client.send(body())
    assert.equal(result.ok, true)
    assert.equal(result.attempts, 3)
    assert.equal(api.heartbeats().length, 3)
    assert.equal(sleeps.length, 2)
    assert.ok(sleeps[1]! > sleeps[0]!, `backoff grows: ${sleeps.join(', ')}`)
    assert.equal(client.state.ok, 1)
    assert.equal(client.state.consecutiveFailures, 0)
  })
})

test('an outage ends the heartbeat after maxRetries, is counted, and is logged once per streak', async () => {
  await withApi(async (api, make) => {
    api.reply({ status: 503, body: { error: 'maintenance' } })
    const log = captureLogger()
    const client = make({ logger: log.logger, retry: { maxRetries: 2 } })
    const first = await client.send(body())
    const second = await client.send(body())
    assert.equal(first.ok, false)
    assert.equal(first.attempts, 3)
    assert.match(first.error!, /HTTP 503/)
    assert.equal(second.attempts, 3)
    assert.equal(api.heartbeats().length, 6)
    assert.equal(client.state.failed, 2)
    assert.equal(client.state.consecutiveFailures, 2)
    assert.equal(log.lines.filter((l) => l.level === 40).length, 1)
    api.reply({ status: 200 })
    assert.equal((await client.send(body())).ok, true)
    assert.ok(log.lines.some((l) => l.msg === 'heartbeat delivered again'))
  })
})

test('Retry-After is honoured, and one longer than the backoff cap defers the next heartbeats', async () => {
  await withApi(async (api, make) => {
    let now = 1_000_000
    const sleeps: number[] = []
    const client = make({
      now: () => now,
      sleep: async (ms) => void sleeps.push(ms),
      retry: { maxRetries: 3, initialIntervalMs: 10, maxIntervalMs: 5000 },
    })
    api.enqueue({ status: 429, headers: { 'Retry-After': '2' } }, { status: 200 })
    assert.equal((await client.send(body())).ok, true)
    assert.equal(sleeps[0], 2000)

    api.enqueue({ status: 503, headers: { 'Retry-After': '120' } })
    const deferred = await client.send(body())
    assert.equal(deferred.ok, false)
    assert.equal(deferred.attempts, 1)
    const before = api.requests.length
    now += 60_000
    assert.equal((await client.send(body())).skipped, 'retry-after')
    assert.equal(api.requests.length, before)
    now += 61_000
    assert.equal((await client.send(body())).ok, true)
  })
})

test('a rejected key is reported once, clearly, and then asked only every 10th heartbeat', async () => {
  await withApi(async (api, make) => {
    api.reply({ status: 401, body: { error: 'invalid api key' } })
    const log = captureLogger()
    const client = make({ logger: log.logger })
    const results = []
    for (let interval = 0; interval < 30; interval++) results.push(await client.send(body()))
    assert.equal(api.heartbeats().length, 3, 'intervals 1, 11 and 21 only')
    assert.equal(results.filter((r) => r.skipped === 'unauthorized').length, 27)
    assert.ok(results.every((r) => r.unauthorized))
    assert.equal(client.state.unauthorized, true)

    const errors = log.lines.filter((l) => l.level >= 50)
    assert.equal(errors.length, 1)
    assert.match(errors[0]!.msg, /refused API key id "tfk_test" \(401\)/)
    assert.ok(errors[0]!.msg.includes(`${api.url}/agents/agent-123/heartbeat`))
    assert.ok(!log.raw().includes(SECRET), 'the secret never reaches the log')

    api.reply({ status: 200 })
    const later = []
    for (let interval = 30; interval < 35; interval++) later.push(await client.send(body()))
    assert.deepEqual(
      later.map((r) => r.ok),
      [true, true, true, true, true],
      'interval 31 asks again, is accepted, and every interval after it is sent',
    )
    assert.equal(client.state.unauthorized, false)
    assert.equal(api.heartbeats().length, 8)
  })
})

test('403 counts as a rejected key too, without retries inside the heartbeat', async () => {
  await withApi(async (api, make) => {
    api.reply({ status: 403 })
    const result = await make().send(body())
    assert.equal(result.attempts, 1)
    assert.equal(result.unauthorized, true)
    assert.equal(api.requests.length, 1)
  })
})

test('a 400 is not retried: sending the same body again would not help', async () => {
  await withApi(async (api, make) => {
    api.reply({ status: 400, body: { error: 'systemInfo.cpuUsage must be a number' } })
    const result = await make().send(body())
    assert.equal(result.attempts, 1)
    assert.match(result.error!, /HTTP 400 .*cpuUsage/)
  })
})

test('a dropped connection and a slow answer are retried, then reported as failures', async () => {
  await withApi(async (api, make) => {
    api.enqueue({ destroy: true })
    const client = make({ retry: { maxRetries: 1 } })
    assert.equal((await client.send(body())).ok, true)
    assert.equal(api.requests.length, 2)

    api.reply({ status: 200, delayMs: 5000 })
    const slow = make({ timeoutMs: 50, retry: { maxRetries: 1 } })
    const result = await slow.send(body())
    assert.equal(result.ok, false)
    assert.equal(result.attempts, 2)
    assert.match(result.error!, /timed out after 50 ms/)
  })
})

test('an unreachable API is a failure, not an exception', async () => {
  const api = await startRecordingServer()
  const url = api.url
  await api.close()
  const client = new HeartbeatClient({
    apiEndpoint: url,
    agentId: 'a',
    apiKeyId: 'tfk_x',
    apiKeySecret: SECRET,
    logger: captureLogger().logger,
    retry: { maxRetries: 1 },
    sleep: async () => {},
  })
  const result = await client.send(body())
  client.close()
  assert.equal(result.ok, false)
  assert.match(result.error!, /ECONNREFUSED/)
})

test('registration posts the agent identity to /agents', async () => {
  await withApi(async (api, make) => {
    api.enqueue({ status: 409 })
    const result = await make().register({
      name: 'web-01',
      hostname: 'prod-web-01',
      version: VERSION,
      tags: { env: 'prod' },
    })
    assert.equal(result.ok, true)
    const [req] = api.requests
    assert.equal(req!.method, 'POST')
    assert.equal(req!.pathname, '/agents')
    assert.equal(req!.headers['x-api-key-id'], 'tfk_test')
    assert.deepEqual(req!.json, {
      agentId: 'agent-123',
      name: 'web-01',
      hostname: 'prod-web-01',
      version: VERSION,
      tags: { env: 'prod' },
    })
  })
})

test('the recording server flags a heartbeat body that breaks the schema', async () => {
  await withApi(async (api, make) => {
    const bad = body() as unknown as { systemInfo: Record<string, unknown> }
    delete bad.systemInfo.cpuUsage
    bad.systemInfo.memoryUsage = 140
    bad.systemInfo.extra = 1
    await make().send(bad)
    const errors = api.heartbeats()[0]!.validationErrors!
    assert.ok(errors.some((e) => e.includes('cpuUsage')))
    assert.ok(errors.some((e) => e.includes('/systemInfo/memoryUsage')))
    assert.ok(errors.some((e) => e.includes('(extra)')))
  })
})

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  assert.equal(parseRetryAfter('30', now), 30_000)
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now), 60_000)
  assert.equal(parseRetryAfter('soon', now), undefined)
  assert.equal(parseRetryAfter(undefined, now), undefined)
})

test('closing the client ends a heartbeat in flight to a silent API, without waiting for its timeout', async () => {
  await withApi(async (api, make) => {
    api.reply({ status: 200, delayMs: 60_000 })
    const client = make({ timeoutMs: 60_000, sleep: undefined })
    const sending = client.send(body())
    await api.waitForRequests(1)
    client.close()
    const outcome = await Promise.race([
      sending,
      new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 10_000).unref()),
    ])
    assert.notEqual(outcome, 'still waiting')
    assert.equal((outcome as Awaited<typeof sending>).ok, false)
    assert.equal((outcome as Awaited<typeof sending>).attempts, 1, 'no retry after close')
  })
})

test('an API endpoint with a query keeps it after the path, and neither errors nor logs show the token', async () => {
  await withApi(async (api, make) => {
    api.reply({ status: 500, body: { error: 'boom', echo: 'token=qt-secret-1' } })
    const log = captureLogger()
    const client = make({ apiEndpoint: `${api.url}/api/v1?token=qt-secret-1`, logger: log.logger })
    const result = await client.send(body())
    const [req] = api.heartbeats()
    assert.ok(req, `the API got the heartbeat: ${JSON.stringify(api.requests.map((r) => r.url))}`)
    assert.equal(req.url, '/api/v1/agents/agent-123/heartbeat?token=qt-secret-1')
    assert.equal(result.ok, false)
    assert.match(result.error ?? '', /heartbeat\?token=\*\*\*: HTTP 500/)
    assert.doesNotMatch(result.error ?? '', /qt-secret-1/)
    assert.doesNotMatch(result.error ?? '', /\[REDACTED\]/)
    assert.doesNotMatch(client.state.lastError ?? '', /qt-secret-1/)
    assert.doesNotMatch(client.url, /qt-secret-1/)
    assert.ok(!log.raw().includes('qt-secret-1'), log.raw())
  })
})
