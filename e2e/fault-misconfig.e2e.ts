/**
 * Misconfigured endpoints, through `tfo-agent start`: an endpoint that answers but refuses
 * every batch alike (not an OTLP receiver: HTTP 404 / gRPC UNIMPLEMENTED; a refused key:
 * HTTP 401; a proxy's HTTP 500) makes the agent hold the data, not drop it; `/health` says
 * `degraded` (HTTP 200) with the exporter check `unhealthy`, the reason and the fix; and a
 * reload (SIGHUP) pointing at the real collector delivers everything held. A collector's
 * Retry-After of a day is cut to `retry.max_retry_after`, and `/health` shows the wait.
 *
 * The refusing endpoints are fakes this test controls (a recording HTTP server; a gRPC
 * server with no services); the fixed endpoint is the real collector. Time cap: ~1 minute.
 */
import assert from 'node:assert/strict'
import * as grpc from '@grpc/grpc-js'
import { after, afterEach, before, describe, test } from 'node:test'
import { startRecordingServer, type RecordingServer } from '../__test__/helpers/recording-server'
import {
  agentConfig,
  killAllAgents,
  merge,
  runCli,
  startAgent,
  tempDir,
  type ConfigObject,
} from './helpers/agent'
import { assertAccounted, cyclesAt } from './helpers/faults'
import { startCollector, type RunningCollector } from './helpers/otelcol'

/** A gRPC server with no services: every call is answered UNIMPLEMENTED. */
async function emptyGrpcServer(): Promise<{ endpoint: string; close(): void }> {
  const server = new grpc.Server()
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  )
  return { endpoint: `127.0.0.1:${port}`, close: () => server.forceShutdown() }
}

describe('tfo-agent start against a misconfigured endpoint', () => {
  let col: RunningCollector
  let fake: RecordingServer
  let grpcFake: { endpoint: string; close(): void }

  before(async () => {
    col = await startCollector({ grpc: true, http: true })
    fake = await startRecordingServer()
    grpcFake = await emptyGrpcServer()
  })
  afterEach(() => killAllAgents())
  after(async () => {
    await killAllAgents()
    await col?.stop()
    await fake?.close()
    grpcFake?.close()
  })

  const cases = [
    { code: 'HTTP 404', status: 404, fix: /is this an OTLP endpoint\? is `telemetryflow\.protocol` right/ },
    { code: 'HTTP 401', status: 401, fix: /credentials are refused: check `telemetryflow\.api_key_id`/ },
    { code: 'HTTP 500', status: 500, fix: /a proxy or load balancer in front of the collector/ },
    { code: 'gRPC UNIMPLEMENTED', status: 0, fix: /is this an OTLP endpoint\?/ },
  ]

  for (const c of cases) {
    test(`an endpoint answering ${c.code} to every batch: data held, health says why and how to fix it, a reload delivers it all`, async () => {
      const grpcCase = c.status === 0
      fake.reply({ status: c.status, body: { error: 'no' } })
      const endpoints = grpcCase
        ? { wrong: grpcFake.endpoint, right: col.grpcEndpoint, protocol: 'grpc' }
        : { wrong: fake.url, right: col.httpEndpoint, protocol: 'http' }
      const config = agentConfig({
        collector: endpoints.wrong,
        dataDir: tempDir('misconfig'),
        over: { telemetryflow: { protocol: endpoints.protocol } },
      })
      const agent = await startAgent(config)
      const agentId = await agent.agentId()

      const refusing = await agent.waitForMetrics(
        (m) => m.value('tfo_agent_export_refused', { code: c.code }) === 1 && m.bufferBatches >= 3,
        `the endpoint marked as refusing (${c.code}) with batches held`,
      )
      assert.equal(refusing.droppedBatches, 0, 'nothing is dropped for a misconfiguration')
      assertAccounted(refusing, 'while refused')
      const health = await agent.health()
      assert.equal(health.status, 200, 'a configuration fault is no reason for a probe to restart the agent')
      assert.equal(health.body.status, 'degraded')
      const exporter = (health.body.checks as Record<string, { status: string; message: string }>).exporter
      assert.equal(exporter.status, 'unhealthy')
      assert.match(exporter.message, new RegExp(`the endpoint answers ${c.code}`))
      assert.match(exporter.message, c.fix)
      assert.match(exporter.message, /none is dropped: \d+ batches are held in the buffer/)
      const said = await agent.waitForLog(
        (r) => r.level === 'error' && r.msg.startsWith(`the endpoint answers ${c.code}`),
        'the refusal, with its fix, in the log',
      )
      assert.match(said.msg, c.fix)
      assert.ok(
        !agent.logs().some((r) => /discarded|rejected a batch for good/.test(r.msg)),
        'no line claims a batch was discarded',
      )
      const status = await runCli(['status', '--endpoint', agent.healthEndpoint])
      assert.equal(status.code, 1, 'tfo-agent status exits 1 for a degraded agent')
      assert.match(status.stdout, /degraded/)

      // The fix: the real collector, applied by a reload.
      agent.writeConfig(merge(config, { telemetryflow: { endpoint: endpoints.right } }))
      agent.signal('SIGHUP')
      const delivered = await agent.waitForMetrics(
        (m) => m.exportsOk >= 1 && m.bufferBatches === 0 && m.collections > refusing.collections,
        'everything held sent after the reload',
      )
      assertAccounted(delivered, 'after the reload')
      assert.equal(delivered.droppedBatches, 0)
      const last = await agent.metrics()
      assert.equal(await agent.stop('SIGTERM'), 0)
      const times = await cyclesAt(col, agentId, last.collections, 20_000)
      assert.ok(
        times.length >= last.collections,
        `${last.collections} cycles collected, ${times.length} reached the collector`,
      )
    })
  }

  test("a collector's Retry-After of a day is cut to retry.max_retry_after, and /health shows the wait", async () => {
    fake.reply({ status: 200, body: {} })
    fake.enqueue({ status: 503, headers: { 'Retry-After': '86400' }, body: { error: 'busy' } })
    const config: ConfigObject = agentConfig({
      collector: fake.url,
      dataDir: tempDir('retry-after'),
      over: { telemetryflow: { protocol: 'http', retry: { max_retry_after: '4s' } } },
    })
    const sentBefore = fake.requests.length
    const agent = await startAgent(config)
    const waiting = await agent.waitForMetrics(
      (m) => m.exportsFailed >= 1 && m.value('tfo_agent_export_next_attempt_seconds') > 0,
      'the wait after a 503 with Retry-After',
    )
    assert.ok(waiting.value('tfo_agent_export_next_attempt_seconds') <= 4)
    const health = await agent.health()
    assert.deepEqual((health.body.export as Record<string, unknown>).retryAfterSeconds, {
      asked: 86_400,
      honoured: 4,
    })
    const exporter = (health.body.checks as Record<string, { message: string }>).exporter
    assert.match(
      exporter.message,
      /the collector asked to wait 86400s, capped at 4s \(retry\.max_retry_after\)/,
    )

    const after = await agent.waitForMetrics(
      (m) => m.exportsOk >= 1 && m.bufferBatches === 0,
      'exports resumed after the capped wait',
    )
    assertAccounted(after, 'after the wait')
    assert.ok(fake.requests.length - sentBefore >= 2)
    assert.equal(await agent.stop('SIGTERM'), 0)
  })
})
