/**
 * The agent's buffer at its limits, through `tfo-agent start` and the real collector:
 * capped small during an outage it drops the oldest cycles and counts exactly what it
 * dropped; a garbage or truncated store at start-up is moved aside with one clear log
 * line and the agent works on.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdirSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, afterEach, before, describe, test } from 'node:test'
import { pointRows } from '../__test__/fixtures/otlp'
import {
  agentConfig,
  atLeast,
  cyclesOf,
  distinctTimes,
  killAllAgents,
  startAgent,
  tempDir,
  type RunningAgent,
} from './helpers/agent'
import { startCollector, type RunningCollector } from './helpers/otelcol'

describe("tfo-agent start with the buffer's limits and damage", () => {
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

  async function waitForCycles(agentId: string, count: number): Promise<void> {
    await col.waitForMetrics((r) => cyclesOf(r, agentId).length >= count, 40_000)
  }

  test('a buffer capped at the smallest size drops the oldest cycles and counts exactly those', async () => {
    // max_size_mb's schema minimum is 1 MiB; a system cycle is ~20 KiB, so a fast interval fills it in seconds.
    const config = agentConfig({
      collector: col.grpcEndpoint,
      dataDir: tempDir('cap'),
      over: { buffer: { max_size_mb: 1 }, collectors: { system: { interval: '100ms' } } },
    })
    const agent = await startAgent(config)
    const agentId = await agent.agentId()
    await waitForCycles(agentId, 1)
    await col.stop()
    const full = await agent.waitForMetrics(
      (m) => m.value('tfo_agent_dropped_batches_total', { reason: 'size' }) >= 20,
      'twenty batches dropped for size',
      60_000,
    )
    assert.ok(
      full.value('tfo_agent_buffer_bytes') <= 1024 * 1024,
      `buffer bytes ${full.value('tfo_agent_buffer_bytes')}`,
    )
    const drop = await agent.waitForLog((r) => atLeast(r, 'warn') && /buffer dropped/.test(r.msg), 'a drop')
    assert.equal(drop.reason, 'size')
    await col.restart()

    await agent.waitForMetrics(
      (m) => m.exportsOk > full.exportsOk && m.bufferBatches < 20,
      'the backlog sent',
    )
    const last = await agent.metrics()
    assert.equal(await agent.stop('SIGTERM'), 0)
    await agent.waitForLog((r) => r.msg === 'all buffered data was sent', 'saying everything was sent')

    // The last export happened at SIGTERM: wait for the collector to write it.
    const requests = await col
      .waitForMetrics(
        (r) => distinctTimes(cyclesOf(r, agentId)).length + last.droppedBatches >= last.collections,
        20_000,
      )
      .catch(() => col.readMetrics())
    const times = distinctTimes(cyclesOf(requests, agentId))
    const dropped = last.droppedBatches
    assert.equal(
      dropped,
      last.value('tfo_agent_dropped_batches_total', { reason: 'size' }),
      'only size drops',
    )
    // Collected = delivered + dropped, give or take the one cycle that may follow the last reading.
    const accounted = times.length + dropped
    assert.ok(
      accounted >= last.collections && accounted <= last.collections + 2,
      `${last.collections} collected; ${times.length} delivered + ${dropped} dropped = ${accounted}`,
    )

    // Oldest first: the dropped cycles form one hole, and everything after it arrived.
    const gaps = times.slice(1).map((t, i) => Number(t - times[i]))
    const cadence = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]
    const hole = gaps.indexOf(Math.max(...gaps))
    assert.ok(gaps[hole] >= (dropped / 2) * cadence, `no hole the size of ${dropped} cycles`)
    const others = gaps.filter((_, i) => i !== hole)
    assert.ok(
      others.every((g) => g < (dropped / 2) * cadence),
      'cycles were lost outside the one hole of dropped ones',
    )

    // The dropped data points are those of the dropped cycles.
    const perCycle = new Map<string, number>()
    for (const row of requests.flatMap((r) => pointRows(r as never))) {
      if (row.resource['telemetryflow.agent.id'] !== agentId) continue
      perCycle.set(row.timeUnixNano, (perCycle.get(row.timeUnixNano) ?? 0) + 1)
    }
    const counts = [...perCycle.values()].filter((n) => n > 1)
    const points = last.droppedDataPoints
    assert.ok(
      points >= dropped * Math.min(...counts) && points <= dropped * Math.max(...counts),
      `${points} dropped data points for ${dropped} cycles of ${Math.min(...counts)}–${Math.max(...counts)} points`,
    )
  })

  async function damagedStart(damage: (dataFile: string) => void, what: string): Promise<RunningAgent> {
    const dataDir = tempDir('corrupt')
    const bufferDir = join(dataDir, 'buffer')
    mkdirSync(bufferDir, { recursive: true })
    damage(join(bufferDir, 'data.mdb'))
    const agent = await startAgent(agentConfig({ collector: col.grpcEndpoint, dataDir }))
    const agentId = await agent.agentId()
    await waitForCycles(agentId, 2)
    const moved = agent.logs().filter((r) => /moved it to/.test(r.msg))
    assert.equal(moved.length, 1, `one line about the moved store (${what}):\n${agent.output()}`)
    assert.ok(atLeast(moved[0], 'error'))
    assert.ok(moved[0].msg.includes(bufferDir), moved[0].msg)
    // Beside the fresh store: only the old one, moved aside (the lock lives on the store itself).
    const beside = readdirSync(dataDir).filter((name) => name !== 'buffer' && name.startsWith('buffer'))
    assert.equal(beside.length, 1, beside.join(', '))
    assert.ok(beside[0].startsWith('buffer.corrupt-'), beside[0])
    assert.equal((await agent.health()).status, 200)
    const m = await agent.waitForMetrics((x) => x.exportsOk >= 2, 'exports after the damaged start')
    assert.equal(m.exportsFailed, 0)
    return agent
  }

  test('starts with a garbage buffer file, moves it aside with one clear line, and keeps working', async () => {
    const agent = await damagedStart((file) => writeFileSync(file, randomBytes(64 * 1024)), 'garbage')
    assert.equal(await agent.stop('SIGTERM'), 0)
  })

  test('starts with a truncated buffer file, moves it aside with one clear line, and keeps working', async () => {
    // A real store with batches in it, then cut short.
    const dataDir = tempDir('trunc-src')
    await col.stop()
    const first = await startAgent(agentConfig({ collector: col.grpcEndpoint, dataDir }))
    await first.waitForMetrics((m) => m.diskBatches >= 2, 'batches on disk')
    assert.equal(await first.stop('SIGTERM'), 0)
    await col.restart()
    const source = join(dataDir, 'buffer', 'data.mdb')
    const size = statSync(source).size
    assert.ok(size > 16 * 1024, `store size ${size}`)
    const agent = await damagedStart((file) => {
      copyFileSync(source, file)
      truncateSync(file, Math.floor(size / 3))
    }, 'truncated')
    assert.equal(await agent.stop('SIGTERM'), 0)
  })
})
