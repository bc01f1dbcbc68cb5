/**
 * The collector goes away and comes back while `tfo-agent start` runs: every cycle
 * collected meanwhile arrives, oldest first, none missing; and when the agent is killed
 * with SIGKILL during the outage, what had reached disk arrives after a restart.
 *
 * Cycles are told apart by the timestamp of their `system.uptime` point (one per
 * collection) and counted against the agent's own `tfo_agent_collections_total`.
 */
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import {
  agentConfig,
  cyclesOf,
  distinctTimes,
  killAllAgents,
  nanos,
  startAgent,
  tempDir,
  type ConfigObject,
  type RunningAgent,
} from './helpers/agent'
import { pause, startCollector, type RunningCollector } from './helpers/otelcol'

describe('tfo-agent start through a collector outage', () => {
  let col: RunningCollector

  before(async () => {
    col = await startCollector({ grpc: true, http: false })
  })
  afterEach(async () => {
    await killAllAgents()
    await col.ensureRunning()
  })
  after(async () => {
    await killAllAgents()
    await col?.stop()
  })

  /** Distinct cycles of `agentId` the collector holds, optionally only those before `beforeMs`. */
  async function delivered(agentId: string, beforeMs?: number): Promise<bigint[]> {
    const times = distinctTimes(cyclesOf(await col.readMetrics(), agentId))
    return beforeMs === undefined ? times : times.filter((t) => t < nanos(beforeMs))
  }

  async function waitDelivered(agentId: string, count: number, beforeMs?: number): Promise<bigint[]> {
    const deadline = Date.now() + 40_000
    for (;;) {
      const times = await delivered(agentId, beforeMs)
      if (times.length >= count) return times
      if (Date.now() > deadline)
        throw new Error(
          `${times.length} cycles of ${agentId} arrived, ${count} expected:\n${col.log().slice(-3000)}`,
        )
      await pause(100)
    }
  }

  /** Starts an agent, waits for its first cycle at the collector, then stops the collector. */
  async function runIntoOutage(
    config: ConfigObject,
  ): Promise<{ agent: RunningAgent; agentId: string; before: number }> {
    const agent = await startAgent(config)
    const agentId = await agent.agentId()
    await waitDelivered(agentId, 1)
    await col.stop()
    // Read once the collector is gone: nothing more can arrive from this run until it is back.
    const before = (await delivered(agentId)).length
    return { agent, agentId, before }
  }

  test('delivers every cycle collected while the collector was down, oldest first, none missing', async () => {
    const { agent, agentId } = await runIntoOutage(
      agentConfig({ collector: col.grpcEndpoint, dataDir: tempDir('out') }),
    )
    const down = await agent.metrics()
    const during = await agent.waitForMetrics(
      (m) => m.collections >= down.collections + 5 && m.exportsFailed >= 2,
      'five cycles collected and exports failing while the collector is down',
    )
    assert.ok(during.bufferBatches >= 4, `buffered while down: ${during.bufferBatches} batches`)
    await col.restart()

    await agent.waitForMetrics(
      (m) => m.bufferBatches === 0 && m.exportsOk > during.exportsOk,
      'the buffer drained after the collector came back',
    )
    await agent.waitForLog(
      (r) => r.msg === 'the collector is reachable again; sending buffered data',
      'saying it is back',
    )
    const last = await agent.metrics()
    assert.equal(await agent.stop('SIGTERM'), 0)
    await agent.waitForLog((r) => r.msg === 'all buffered data was sent', 'saying everything was sent')

    // The last export happened at SIGTERM: wait for the collector to write it.
    const requests = await col
      .waitForMetrics((r) => distinctTimes(cyclesOf(r, agentId)).length >= last.collections, 20_000)
      .catch(() => col.readMetrics())
    const cycles = cyclesOf(requests, agentId)
    const times = distinctTimes(cycles)
    assert.equal(last.droppedBatches, 0)
    // Every cycle counted before the last reading arrived; at most one more was collected before SIGTERM.
    assert.ok(
      times.length >= last.collections && times.length <= last.collections + 1,
      `the agent counted ${last.collections} collections (then stopped), the collector got ${times.length}`,
    )
    for (let i = 1; i < cycles.length; i++)
      assert.ok(cycles[i].timeUnixNano >= cycles[i - 1].timeUnixNano, `cycle ${i} arrived out of order`)
    assert.equal(cycles.length, times.length, 'no cycle arrived twice')
  })

  for (const syncWrites of [true, false]) {
    const mode = syncWrites ? 'buffer.sync_writes' : 'the default buffer mode'
    test(`after SIGKILL during an outage, with ${mode}, what reached disk arrives after a restart`, async () => {
      const config = agentConfig({
        collector: col.grpcEndpoint,
        dataDir: tempDir('kill'),
        over: { buffer: { sync_writes: syncWrites } },
      })
      const { agent, agentId, before } = await runIntoOutage(config)
      const down = await agent.metrics()
      const atKill = await agent.waitForMetrics(
        (m) => m.collections >= down.collections + 4 && m.diskBatches >= 2,
        'cycles on disk while the collector is down',
      )
      // Give the last counted cycle's write time to finish (it is counted just before it is stored).
      await pause(300)
      const killedAt = Date.now()
      await agent.kill9()

      await col.restart()
      const next = await startAgent(config)
      assert.equal(await next.agentId(), agentId)
      const found = await next.waitForLog(
        (r) => r.msg === 'buffered data from an earlier run will be sent',
        'announcing the data of the killed run',
      )
      const onDisk = Number(found.batches)
      assert.ok(onDisk >= atKill.diskBatches, `${atKill.diskBatches} batches were on disk, ${onDisk} found`)
      if (syncWrites) {
        assert.ok(
          before + onDisk >= atKill.collections,
          `with sync writes every counted cycle is on disk: ${atKill.collections} collected, ${before} sent, ${onDisk} on disk`,
        )
      }
      const firstRun = await waitDelivered(agentId, before + onDisk, killedAt)
      assert.equal(firstRun.length, before + onDisk, 'exactly what was on disk arrived, each cycle once')
      // The restarted agent carries on: its own cycles arrive too.
      await waitDelivered(agentId, firstRun.length + 1)
      assert.equal(await next.stop('SIGTERM'), 0)
    })
  }
})
