/**
 * The buffer's guarantee under `kill -9`, through `tfo-agent start` and the real collector:
 * from the first failed export until one succeeds, every batch is on disk when it is
 * collected, so each SIGKILL during the outage loses at most the cycle being collected.
 *
 * Counted from both ends: the cycles the collector received (distinct `system.uptime`
 * timestamps) against the agent's own count of collections, read from `/metrics` just
 * before each kill; and at each kill `/metrics` shows no batch waiting in memory. The kills
 * land at random moments of the collection cycle (a 250 ms interval, random pauses); each
 * run is killed during an established outage (after exports of that run have failed).
 * Time cap: about a minute.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { agentConfig, killAllAgents, startAgent, tempDir } from './helpers/agent'
import { assertAccounted, cyclesAt } from './helpers/faults'
import { pause, startCollector, type RunningCollector } from './helpers/otelcol'

const KILLS = 4

describe('tfo-agent start through an outage with repeated kill -9', () => {
  let col: RunningCollector

  before(async () => {
    col = await startCollector({ grpc: true, http: false })
  })
  after(async () => {
    await killAllAgents()
    await col?.stop()
  })

  test('each kill -9 during an outage loses at most the cycle being collected; the rest arrives once the collector is back', async () => {
    const config = agentConfig({
      collector: col.grpcEndpoint,
      dataDir: tempDir('kill9'),
      // Backoff as in production, only shorter: batches collected between attempts must reach
      // disk too, not wait in memory for the next attempt.
      over: {
        collectors: { system: { interval: '250ms' } },
        telemetryflow: { retry: { initial_interval: '1s', max_interval: '4s' } },
      },
    })
    let agent = await startAgent(config)
    const agentId = await agent.agentId()
    await cyclesAt(col, agentId, 1)
    await col.stop()

    let counted = 0
    for (let k = 1; k <= KILLS; k++) {
      await agent.waitForMetrics(
        (m) => m.exportsFailed >= 2 && m.collections >= 2,
        `run ${k}: an export failed, so the outage is established`,
      )
      await pause(500 + Math.floor(Math.random() * 2000))
      const before = await agent.metrics()
      await agent.kill9()
      assertAccounted(before, `run ${k} before its kill`)
      assert.equal(
        before.value('tfo_agent_buffer_batches', { store: 'memory' }),
        0,
        `run ${k}: during the outage no batch waits in memory`,
      )
      assert.equal(before.droppedBatches, 0, `run ${k} dropped nothing`)
      counted += before.collections
      agent = await startAgent(config)
      assert.equal(await agent.agentId(), agentId)
    }

    await col.restart()
    const drained = await agent.waitForMetrics(
      (m) => m.exportsOk >= 1 && m.bufferBatches === 0,
      'the backlog of every run sent',
      60_000,
    )
    assertAccounted(drained, 'after the backlog was sent')
    assert.equal(drained.droppedBatches, 0)
    // The last run stops, so nothing more is collected; its SIGTERM sends what it holds.
    const last = await agent.metrics()
    assert.equal(await agent.stop('SIGTERM'), 0)
    counted += last.collections
    const bye = await agent.waitForLog((r) => r.msg === 'all buffered data was sent', 'the shutdown line')
    assert.ok(
      Number(bye.sent) >= 1,
      `the shutdown line says how many batches were sent: ${JSON.stringify(bye)}`,
    )
    assert.equal(bye.kept, 0)

    const times = await cyclesAt(col, agentId, counted - KILLS, 20_000)
    assert.ok(
      times.length >= counted - KILLS,
      `the runs counted ${counted} collections before their kills (and the last one before its stop); ` +
        `the collector got ${times.length}: more than one cycle per kill (${KILLS}) was lost`,
    )
  })
})
