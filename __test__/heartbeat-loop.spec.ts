import { test } from 'node:test'
import assert from 'node:assert/strict'
import pino from 'pino'
import { HeartbeatClient, type HeartbeatResult } from '../src/heartbeat/client'
import { HeartbeatLoop } from '../src/heartbeat/loop'
import { toSystemInfo } from '../src/heartbeat/system-info'
import { agentStateFrom } from '../src/heartbeat/agent-state'
import { AgentStats } from '../src/health'
import { heartbeatSnapshot } from './fixtures/heartbeat-snapshot'
import { startRecordingServer } from './helpers/recording-server'

const silent = pino({ level: 'silent' })

/** A hand-cranked timer: the test decides when a scheduled beat fires. */
function manualTimer() {
  const pending: Array<{ fn: () => void; ms: number; cancelled: boolean }> = []
  return {
    pending,
    setTimer: (fn: () => void, ms: number) => {
      const entry = { fn, ms, cancelled: false }
      pending.push(entry)
      return entry
    },
    clearTimer: (h: unknown) => void ((h as { cancelled: boolean }).cancelled = true),
    fire() {
      const next = pending.shift()
      assert.ok(next && !next.cancelled, 'a beat is scheduled')
      next.fn()
    },
  }
}

async function settle(loopResults: () => number, count: number) {
  while (loopResults() < count) await new Promise((r) => setImmediate(r))
}

test('the loop beats at start and then once per interval, with schema-valid bodies and the agent state', async () => {
  const api = await startRecordingServer()
  const stats = new AgentStats()
  const client = new HeartbeatClient({
    apiEndpoint: api.url,
    agentId: 'agent-1',
    apiKeyId: 'tfk_a',
    apiKeySecret: 'tfs_b',
    logger: silent,
    sleep: async () => {},
  })
  let clock = 0
  const timer = manualTimer()
  const loop = new HeartbeatLoop({
    client,
    intervalMs: 60_000,
    logger: silent,
    stats,
    now: () => clock,
    setTimer: timer.setTimer,
    clearTimer: timer.clearTimer,
    buildBody: async () => {
      clock += 2_000 // building and sending take two (simulated) seconds
      return {
        systemInfo: toSystemInfo(heartbeatSnapshot(), { agentVersion: '1.0.0', agentStartTime: 0 }),
        agent: agentStateFrom(stats),
      }
    },
  })
  try {
    loop.start()
    await api.waitForRequests(1)
    await settle(() => timer.pending.length, 1)
    assert.equal(timer.pending[0]!.ms, 58_000, 'the next beat keeps to the 60 s grid')
    for (let i = 2; i <= 4; i++) {
      clock += 58_000
      timer.fire()
      await api.waitForRequests(i)
      await settle(() => timer.pending.length, 1)
    }
    assert.equal(api.heartbeats().length, 4)
    assert.ok(api.heartbeats().every((r) => r.validationErrors?.length === 0))
    await settle(() => stats.heartbeats.ok, 4)
    assert.equal(stats.heartbeats.ok, 4)
  } finally {
    await loop.stop()
    client.close()
    await api.close()
  }
  assert.ok(
    timer.pending.every((t) => t.cancelled),
    'stop cancels the next beat',
  )
})

test('a beat whose body cannot be built is skipped and the schedule goes on', async () => {
  const sent: unknown[] = []
  const timer = manualTimer()
  const loop = new HeartbeatLoop({
    client: {
      send: async (b: unknown) =>
        (sent.push(b), { ok: true, attempts: 1, unauthorized: false }) as HeartbeatResult,
    },
    intervalMs: 1000,
    logger: silent,
    setTimer: timer.setTimer,
    clearTimer: timer.clearTimer,
    buildBody: async () => {
      throw new Error('native addon missing')
    },
  })
  assert.equal(await loop.beat(), undefined)
  loop.start()
  await settle(() => timer.pending.length, 1)
  assert.equal(sent.length, 0)
  await loop.stop()
})

test('skipped beats while the key is refused are not counted as failures', async () => {
  const stats = new AgentStats()
  const results: HeartbeatResult[] = [
    { ok: false, attempts: 1, unauthorized: true, status: 401 },
    { ok: false, attempts: 0, unauthorized: true, skipped: 'unauthorized' },
  ]
  const loop = new HeartbeatLoop({
    client: { send: async () => results.shift()! },
    intervalMs: 1000,
    logger: silent,
    stats,
    buildBody: async () => ({}) as never,
  })
  await loop.beat()
  await loop.beat()
  assert.equal(stats.heartbeats.failed, 1)
  assert.equal(stats.heartbeatUnauthorized, true)
})
