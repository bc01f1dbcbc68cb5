import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import {
  AgentStats,
  evaluateHealth,
  httpStatusFor,
  renderPrometheus,
  startHealthServer,
  HealthServerError,
  parseEndpoint,
  PROMETHEUS_CONTENT_TYPE,
  type HealthReport,
} from '../src/health'
import { agentStateFrom } from '../src/heartbeat/agent-state'
import { compileHeartbeatValidator, formatSchemaErrors } from '../src/heartbeat/schema'
import { toSystemInfo } from '../src/heartbeat/system-info'
import { heartbeatSnapshot } from './fixtures/heartbeat-snapshot'

const INFO = { version: '1.2.3', agentId: 'agent-123' }
const T0 = 1_767_225_600_000

/** Stats on a hand-driven clock: `at(s)` moves it to T0 + s seconds. */
function clocked(options: ConstructorParameters<typeof AgentStats>[0] = {}) {
  let now = T0
  const stats = new AgentStats({ now: () => now, collectionIntervalSeconds: 15, ...options })
  return {
    stats,
    at: (seconds: number) => {
      now = T0 + seconds * 1000
      return now
    },
  }
}

function running() {
  const c = clocked()
  c.at(1)
  c.stats.recordCollection(0.004)
  c.stats.recordExport('metrics', true)
  c.stats.recordHeartbeat(true)
  return c
}

test('before the first collection the agent is starting, and a probe leaves it alone', () => {
  const { stats, at } = clocked()
  const report = evaluateHealth(stats, at(10), INFO)
  assert.equal(report.status, 'starting')
  assert.equal(httpStatusFor(report.status), 200)
})

test('collecting, exporting and heartbeating on schedule is healthy', () => {
  const { stats, at } = running()
  const report = evaluateHealth(stats, at(5), INFO)
  assert.equal(report.status, 'healthy')
  assert.equal(report.uptimeSeconds, 5)
  assert.equal(report.lastSuccessfulExport, Math.floor((T0 + 1000) / 1000))
  for (const check of Object.values(report.checks)) assert.equal(check.status, 'healthy')
})

test('failing exports are degraded but answer 200: the agent buffers, a restart would not help', () => {
  const { stats, at } = running()
  at(20)
  stats.recordExport('metrics', false, 'ECONNREFUSED 127.0.0.1:4317')
  stats.recordExport('metrics', false, 'ECONNREFUSED 127.0.0.1:4317')
  stats.setBuffer({ memoryBatches: 4, memoryBytes: 40_000 })
  stats.recordCollection(0.004)
  const report = evaluateHealth(stats, at(25), INFO)
  assert.equal(report.status, 'degraded')
  assert.equal(httpStatusFor(report.status), 200)
  assert.equal(report.checks.exporter.status, 'degraded')
  assert.match(report.checks.exporter.message, /2 exports failed in a row.*ECONNREFUSED.*buffer/)
  assert.equal(report.buffer.memoryBatches, 4)
})

test('no collection for three intervals is unhealthy and answers 503', () => {
  const { stats, at } = running()
  assert.equal(evaluateHealth(stats, at(45), INFO).status, 'healthy')
  const report = evaluateHealth(stats, at(47), INFO)
  assert.equal(report.status, 'unhealthy')
  assert.equal(report.checks.collector.status, 'unhealthy')
  assert.equal(httpStatusFor(report.status), 503)
})

test('an agent that never collects becomes unhealthy after three intervals', () => {
  const { stats, at } = clocked()
  assert.equal(evaluateHealth(stats, at(46), INFO).status, 'unhealthy')
})

test('a stopping agent answers 503', () => {
  const { stats, at } = running()
  stats.setPhase('stopping')
  const report = evaluateHealth(stats, at(2), INFO)
  assert.equal(report.status, 'stopping')
  assert.equal(httpStatusFor(report.status), 503)
})

test('failing snapshot groups, a refused API key, drops and a nearly full buffer are each degraded', () => {
  const groups = running()
  groups.stats.recordCollection(0.004, [{ group: 'tcp' }, { group: 'disk' }])
  const g = evaluateHealth(groups.stats, groups.at(2), INFO)
  assert.equal(g.status, 'degraded')
  assert.match(g.checks.collector.message, /tcp, disk/)

  const key = running()
  key.stats.recordHeartbeat(false, { unauthorized: true, error: 'HTTP 401' })
  assert.equal(evaluateHealth(key.stats, key.at(2), INFO).checks.heartbeat.status, 'degraded')

  const drops = running()
  drops.stats.recordDropped('max_age', 2, 300)
  assert.equal(evaluateHealth(drops.stats, drops.at(3), INFO).checks.buffer.status, 'degraded')
  drops.stats.recordCollection(0.004)
  assert.equal(evaluateHealth(drops.stats, drops.at(3), INFO).buffer.droppedDataPoints, 300)

  const full = clocked({ bufferMaxBytes: 100_000 })
  full.stats.recordCollection(0.004)
  full.stats.setBuffer({ diskBatches: 50, diskBytes: 95_000 })
  assert.match(evaluateHealth(full.stats, full.at(1), INFO).checks.buffer.message, /95% full/)
})

test('drops older than five minutes no longer degrade the buffer check', () => {
  const { stats, at } = running()
  stats.recordDropped('buffer_full', 1, 10)
  at(400)
  stats.recordCollection(0.004)
  assert.equal(evaluateHealth(stats, at(401), INFO).checks.buffer.status, 'healthy')
})

/** The text format's line grammar, and the families' own rules. */
function checkExposition(text: string): Map<string, string> {
  const types = new Map<string, string>()
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*'
  const label = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"'
  const sample = new RegExp(
    `^(${name})(\\{${label}(?:,${label})*\\})? (-?[0-9.]+(?:e[+-]?\\d+)?|NaN|[+-]Inf)$`,
  )
  assert.ok(text.endsWith('\n'))
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null
    if ((m = new RegExp(`^# HELP (${name}) .+$`).exec(line))) continue
    if ((m = new RegExp(`^# TYPE (${name}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      assert.ok(!types.has(m[1]!), `TYPE ${m[1]} twice`)
      types.set(m[1]!, m[2]!)
      continue
    }
    m = sample.exec(line)
    assert.ok(m, `not a valid line: ${JSON.stringify(line)}`)
    assert.ok(types.has(m[1]!), `${m[1]} has no TYPE before its samples`)
  }
  for (const [family, type] of types) {
    assert.ok(family.startsWith('tfo_agent_'), family)
    assert.equal(type === 'counter', family.endsWith('_total'), `${family} is a ${type}`)
  }
  return types
}

test('the Prometheus text has HELP and TYPE lines, the prefix, _total counters, and parses line by line', () => {
  const { stats, at } = running()
  stats.recordCollection(0.0042, ['tcp'])
  stats.recordExport('logs', false)
  stats.recordDropped('max_retries', 1, 100)
  stats.setBuffer({ memoryBatches: 2, memoryBytes: 2048, diskBatches: 1, diskBytes: 1024 })
  stats.addLogLines(42)
  const text = renderPrometheus(stats, INFO, at(60))
  const types = checkExposition(text)
  for (const family of [
    'tfo_agent_collections_total',
    'tfo_agent_collection_duration_seconds',
    'tfo_agent_exports_total',
    'tfo_agent_buffer_batches',
    'tfo_agent_buffer_bytes',
    'tfo_agent_dropped_data_points_total',
    'tfo_agent_heartbeats_total',
  ]) {
    assert.ok(types.has(family), family)
  }
  assert.match(text, /^tfo_agent_collections_total 2$/m)
  assert.match(text, /^tfo_agent_collection_errors_total\{group="tcp"\} 1$/m)
  assert.match(text, /^tfo_agent_exports_total\{signal="logs",outcome="failed"\} 1$/m)
  assert.match(text, /^tfo_agent_buffer_bytes\{store="disk"\} 1024$/m)
  assert.match(text, /^tfo_agent_dropped_data_points_total\{reason="max_retries"\} 100$/m)
  assert.match(text, /^tfo_agent_log_lines_read_total 42$/m)
  assert.match(text, /^tfo_agent_uptime_seconds 60$/m)
})

test('label values with quotes, backslashes and newlines are escaped', () => {
  const { stats } = running()
  const text = renderPrometheus(stats, { version: '1.0', agentId: 'we"ird\\id\nx' })
  checkExposition(text)
  assert.ok(text.includes('agent_id="we\\"ird\\\\id\\nx"'))
})

async function serve(report: () => HealthReport, metrics = () => 'tfo_agent_up 1\n') {
  const server = await startHealthServer({ endpoint: '127.0.0.1:0', getHealth: report, getMetrics: metrics })
  assert.equal(server.address.host, '127.0.0.1')
  return server
}

test('/health and / answer the JSON report, 200 when healthy and 503 when unhealthy', async () => {
  const { stats, at } = running()
  let now = at(5)
  const server = await serve(() => evaluateHealth(stats, now, INFO))
  try {
    for (const path of ['/health', '/']) {
      const res = await fetch(`${server.url}${path}`)
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-type')!, /application\/json/)
      const body = (await res.json()) as HealthReport
      assert.equal(body.status, 'healthy')
      assert.equal(body.version, '1.2.3')
      assert.equal(body.agentId, 'agent-123')
      assert.equal(typeof body.uptimeSeconds, 'number')
      assert.deepEqual(Object.keys(body.checks).sort(), ['buffer', 'collector', 'exporter', 'heartbeat'])
      for (const check of Object.values(body.checks))
        assert.deepEqual(Object.keys(check).sort(), ['message', 'status'])
      assert.ok('lastSuccessfulExport' in body)
      assert.equal(typeof body.buffer.diskBatches, 'number')
    }
    now = at(120)
    const res = await fetch(`${server.url}/health`)
    assert.equal(res.status, 503)
    assert.equal(((await res.json()) as HealthReport).status, 'unhealthy')
  } finally {
    await server.close()
  }
})

test('/metrics is Prometheus text, other paths are 404 and other methods 405', async () => {
  const { stats } = running()
  const server = await serve(
    () => evaluateHealth(stats, T0, INFO),
    () => renderPrometheus(stats, INFO),
  )
  try {
    const metrics = await fetch(`${server.url}/metrics`)
    assert.equal(metrics.status, 200)
    assert.equal(metrics.headers.get('content-type'), PROMETHEUS_CONTENT_TYPE)
    checkExposition(await metrics.text())
    assert.equal((await fetch(`${server.url}/nope`)).status, 404)
    const post = await fetch(`${server.url}/health`, { method: 'POST' })
    assert.equal(post.status, 405)
    assert.equal(post.headers.get('allow'), 'GET, HEAD')
  } finally {
    await server.close()
  }
})

test('a port already in use is a clear error naming the endpoint and what to change', async () => {
  const blocker = net.createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  const port = (blocker.address() as net.AddressInfo).port
  try {
    await assert.rejects(
      startHealthServer({
        endpoint: `127.0.0.1:${port}`,
        getHealth: () => ({}) as HealthReport,
        getMetrics: () => '',
      }),
      (err: unknown) => {
        assert.ok(err instanceof HealthServerError)
        assert.equal(err.code, 'EADDRINUSE')
        assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port} is already in use.*health\\.endpoint`))
        return true
      },
    )
  } finally {
    blocker.close()
  }
})

test('the endpoint is host:port, IPv6 in brackets, and anything else is refused', () => {
  assert.deepEqual(parseEndpoint('127.0.0.1:13133'), { host: '127.0.0.1', port: 13133 })
  assert.deepEqual(parseEndpoint('[::1]:9000'), { host: '::1', port: 9000 })
  assert.deepEqual(parseEndpoint(':13133'), { host: '127.0.0.1', port: 13133 })
  assert.throws(() => parseEndpoint('localhost'), HealthServerError)
  assert.throws(() => parseEndpoint('127.0.0.1:70000'), /not host:port/)
})

test("the heartbeat's agent state, built from the stats, validates against the payload schema", () => {
  const { stats, at } = running()
  stats.recordExport('logs', false)
  stats.recordDropped('buffer_full', 2, 250)
  stats.setBuffer({ memoryBatches: 1, memoryBytes: 100, diskBatches: 3, diskBytes: 900 })
  stats.addBatches({ collected: 8, recovered: 1, sent: 3, resent: 1 })
  const agent = agentStateFrom(stats, { logs: { files: 2 }, process: { leftOut: 0 } })
  const systemInfo = toSystemInfo(heartbeatSnapshot(), {
    agentVersion: '1.2.3',
    agentStartTime: 0,
    now: at(1),
  })
  const validate = compileHeartbeatValidator()
  assert.ok(validate({ systemInfo, agent }), formatSchemaErrors(validate.errors).join('\n'))
  assert.deepEqual(agent.buffer, {
    batches: 4,
    bytes: 1000,
    memoryBatches: 1,
    memoryBytes: 100,
    diskBatches: 3,
    diskBytes: 900,
  })
  assert.deepEqual(agent.dropped, {
    batches: 2,
    dataPoints: 250,
    byReason: { buffer_full: { batches: 2, dataPoints: 250 } },
  })
  // Where every batch went: 8 collected + 1 recovered = 3 sent + 4 buffered + 2 dropped.
  assert.deepEqual(agent.batches, { collected: 8, recovered: 1, sent: 3, resent: 1, buffered: 4, dropped: 2 })
  assert.deepEqual(agent.exports, { ok: 1, failed: 1 })
  assert.equal(agent.lastSuccessfulExport, Math.floor((T0 + 1000) / 1000))
  const fresh = agentStateFrom(new AgentStats())
  assert.ok(validate({ systemInfo, agent: fresh }))
  assert.equal(fresh.lastSuccessfulExport, null)
})
