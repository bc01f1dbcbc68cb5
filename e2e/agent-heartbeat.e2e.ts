/**
 * The heartbeat of `tfo-agent start` against a recording TelemetryFlow API on 127.0.0.1,
 * which checks every body against schema/system-info.schema.json: path, method, headers,
 * the agent's state beside `systemInfo`, a stuck collector, a refused key, the pace.
 */
import assert from 'node:assert/strict'
import net from 'node:net'
import os from 'node:os'
import { after, afterEach, before, describe, test } from 'node:test'
import {
  startRecordingServer,
  type RecordedRequest,
  type RecordingServer,
} from '../__test__/helpers/recording-server'
import { VERSION } from '../src/version'
import {
  agentConfig,
  atLeast,
  KEY_ID,
  KEY_SECRET,
  killAllAgents,
  startAgent,
  tempDir,
  type RunningAgent,
} from './helpers/agent'
import { pause, startCollector, type RunningCollector } from './helpers/otelcol'

interface AgentSection {
  buffer: { batches: number; diskBatches: number; memoryBatches: number }
  exports: { ok: number; failed: number }
  dropped: { batches: number; dataPoints: number }
  lastSuccessfulExport: number | null
}
const agentState = (r: RecordedRequest) => (r.json as { agent: AgentSection }).agent

describe('the heartbeat of tfo-agent start', () => {
  let col: RunningCollector
  let api: RecordingServer
  const servers: Array<{ close(): unknown }> = []

  before(async () => {
    col = await startCollector({ grpc: true, http: false })
  })
  afterEach(async () => {
    await killAllAgents()
    await api?.close()
  })
  after(async () => {
    await killAllAgents()
    for (const s of servers) s.close()
    await col?.stop()
  })

  async function waitForBeats(count: number, agent: RunningAgent): Promise<RecordedRequest[]> {
    const deadline = Date.now() + 30_000
    while (api.heartbeats().length < count) {
      if (Date.now() > deadline)
        throw new Error(
          `${api.heartbeats().length} heartbeats, ${count} expected:\n${agent.output().slice(-4000)}`,
        )
      await pause(50)
    }
    return api.heartbeats()
  }

  test('posts heartbeats with the key headers and a valid body carrying the agent state, about one per interval', async () => {
    api = await startRecordingServer()
    const agent = await startAgent(
      agentConfig({ collector: col.grpcEndpoint, dataDir: tempDir('hb'), api: api.url }),
    )
    const agentId = await agent.agentId()
    await agent.waitForMetrics((m) => m.exportsOk >= 2 && m.collections >= 5, 'five cycles and exports')
    await waitForBeats(3, agent)
    const m = await agent.metrics()
    const beats = api.heartbeats()

    for (const beat of beats) {
      assert.equal(beat.method, 'POST')
      assert.equal(beat.pathname, `/agents/${agentId}/heartbeat`)
      assert.equal(beat.headers['content-type'], 'application/json')
      assert.equal(beat.headers['x-api-key-id'], KEY_ID)
      assert.equal(beat.headers['x-api-key-secret'], KEY_SECRET)
      assert.equal(beat.headers['user-agent'], `tfo-agent/${VERSION} (linux; amd64)`)
      assert.deepEqual(beat.validationErrors, [], `heartbeat body: ${beat.validationErrors?.join('; ')}`)
      // Per-core usage is always there: `per_core` (off here) governs only metric cardinality.
      const info = (beat.json as { systemInfo: { cpuPerCore: unknown[]; collectionTime: number } }).systemInfo
      assert.equal(info.cpuPerCore.length, os.cpus().length, 'cpuPerCore has every core')
      const state = agentState(beat)
      assert.equal(typeof state.buffer.batches, 'number')
      assert.equal(typeof state.dropped.batches, 'number')
    }
    assert.ok(
      beats.some((b) => agentState(b).exports.ok > 0 && agentState(b).lastSuccessfulExport !== null),
      'a heartbeat reports the successful exports',
    )
    // The pace: one at start and one per interval, like the collections on the same interval.
    const sent = m.value('tfo_agent_heartbeats_total', { outcome: 'ok' })
    assert.ok(sent >= 2, `heartbeats sent: ${sent}`)
    assert.ok(
      api.heartbeats().length <= m.collections + 3,
      `${api.heartbeats().length} heartbeats over ${m.collections} one-second cycles`,
    )
    assert.equal((await agent.health()).body.status, 'healthy')
    assert.equal(await agent.stop('SIGTERM'), 0)
    assert.ok(!agent.output().includes(KEY_SECRET))
  })

  test('keeps beating while the export is stuck on a collector that never answers', async () => {
    api = await startRecordingServer()
    // Accepts connections and says nothing: every export waits for its timeout.
    const sockets: net.Socket[] = []
    const blackhole = net.createServer((s) => sockets.push(s))
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()))
    servers.push({ close: () => (sockets.forEach((s) => s.destroy()), blackhole.close()) })
    const endpoint = `127.0.0.1:${(blackhole.address() as net.AddressInfo).port}`
    const agent = await startAgent(
      agentConfig({
        collector: endpoint,
        dataDir: tempDir('hb-stuck'),
        api: api.url,
        over: { telemetryflow: { timeout: '30s' } },
      }),
    )
    await waitForBeats(1, agent)
    const first = api.heartbeats().length
    const m = await agent.waitForMetrics((x) => x.collections >= 5, 'five cycles with the export stuck')
    const beats = await waitForBeats(first + 3, agent)
    assert.equal(m.exportsOk, 0)
    const last = agentState(beats[beats.length - 1])
    assert.ok(last.buffer.batches >= 2, `the heartbeat shows the backlog: ${JSON.stringify(last.buffer)}`)
    assert.equal(last.lastSuccessfulExport, null)
    for (const beat of beats) assert.deepEqual(beat.validationErrors, [])
    assert.ok(sockets.length >= 1, 'the agent did try the collector')
    // SIGTERM with the export still stuck: the backlog goes to disk all the same.
    assert.equal(await agent.stop('SIGTERM'), 0)
    const kept = await agent.waitForLog(
      (r) => r.msg === 'buffered data kept on disk for the next start',
      'saying the backlog was kept on disk',
    )
    assert.ok(Number(kept.batches) >= last.buffer.batches, `kept ${String(kept.batches)} batches`)
  })

  test('keeps beating while the collector is down, and the beats show the buffer growing', async () => {
    api = await startRecordingServer()
    const agent = await startAgent(
      agentConfig({ collector: '127.0.0.1:9', dataDir: tempDir('hb-down'), api: api.url }),
    )
    await agent.waitForMetrics((x) => x.collections >= 4 && x.exportsFailed >= 2, 'exports failing')
    const beats = await waitForBeats(3, agent)
    const buffered = beats.map((b) => agentState(b).buffer.batches)
    assert.ok(
      buffered[buffered.length - 1] > buffered[0],
      `buffer depth per heartbeat: ${buffered.join(', ')}`,
    )
    assert.ok(agentState(beats[beats.length - 1]).exports.failed > 0)
    assert.equal(await agent.stop('SIGTERM'), 0)
  })

  test('on 401 logs one clear error naming the key id, not the secret, and does not hammer the API', async () => {
    api = await startRecordingServer()
    api.reply({ status: 401, body: { error: 'invalid api key' } })
    const agent = await startAgent(
      agentConfig({ collector: col.grpcEndpoint, dataDir: tempDir('hb-401'), api: api.url }),
    )
    await waitForBeats(1, agent)
    // Six one-second heartbeat intervals, measured by the agent's collections on the same interval.
    const m = await agent.waitForMetrics((x) => x.collections >= 7, 'seven cycles')
    assert.ok(
      api.heartbeats().length <= 2,
      `${api.heartbeats().length} heartbeat requests in ${m.collections} intervals with the key refused`,
    )
    const errors = agent.logs().filter((r) => atLeast(r, 'error'))
    assert.equal(errors.length, 1, `one error line:\n${errors.map((r) => r.msg).join('\n')}`)
    assert.ok(errors[0].msg.includes(KEY_ID), errors[0].msg)
    assert.match(errors[0].msg, /401/)
    assert.equal(m.value('tfo_agent_heartbeat_unauthorized'), 1)
    const health = await agent.health()
    assert.equal(health.body.status, 'degraded')
    assert.ok(m.exportsOk > 0, 'exports carry on')
    assert.equal(await agent.stop('SIGTERM'), 0)
    assert.ok(!agent.output().includes(KEY_SECRET), 'the secret is in the output')
  })

  test('keeps a query token in the API URL after the path, and no token or auth header value in any line it prints or in /health', async () => {
    api = await startRecordingServer()
    api.reply({ status: 500, body: { error: 'echo', token: 'e2e-qtoken-77' } })
    const token = 'e2e-qtoken-77'
    const agent = await startAgent(
      agentConfig({
        collector: col.grpcEndpoint,
        dataDir: tempDir('hb-token'),
        api: `${api.url}/api/v1?token=${token}`,
        over: { exporter: { otlp: { headers: { 'x-custom-auth': 'e2e-custom-auth-9' } } } },
      }),
    )
    const agentId = await agent.agentId()
    const beats = await waitForBeats(2, agent)
    assert.equal(beats[0]!.url, `/api/v1/agents/${agentId}/heartbeat?token=${token}`)
    await agent.waitForMetrics((m) => m.exportsOk >= 1, 'an export')
    const health = JSON.stringify((await agent.health()).body)
    assert.equal(await agent.stop('SIGTERM'), 0)
    const output = agent.output()
    assert.match(output, /heartbeat failed/, 'a heartbeat failure was logged')
    assert.match(output, /token=\*\*\*/, 'the URL is shown, masked')
    for (const secret of [token, 'e2e-custom-auth-9', KEY_SECRET]) {
      assert.ok(!output.includes(secret), `${secret} is in the output:\n${output.slice(-3000)}`)
      assert.ok(!health.includes(secret), `${secret} is in /health: ${health}`)
    }
  })
})
