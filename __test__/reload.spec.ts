/**
 * Configuration reloads through the real `runAgent` signal handling (signals come from an
 * emitter instead of the process): a SIGHUP storm is one or two reloads, and a reload leaves
 * running what its change did not touch.
 */
import { strict as assert } from 'node:assert'
import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as pause } from 'node:timers/promises'
import { after, test } from 'node:test'
import pino from 'pino'

import type { Agent } from '../src/agent/agent'
import { runAgent } from '../src/agent/run'
import { parseConfig, type AgentConfig } from '../src/config'
import { startRecordingServer } from './helpers/recording-server'

const root = mkdtempSync(join(tmpdir(), 'tfo-agent-reload-'))
after(() => rmSync(root, { recursive: true, force: true }))

/** Collection and heartbeat every hour: any extra run in the test is one a reload caused. */
function config(dir: string, api: string, flush: string): AgentConfig {
  return parseConfig(
    [
      'telemetryflow:',
      '  endpoint: 127.0.0.1:1',
      `  api_endpoint: ${api}`,
      '  api_key_id: tfk_reload',
      '  api_key_secret: tfs_reload',
      'agent:',
      '  id: reload-agent',
      `  data_dir: ${dir}`,
      'collectors:',
      '  system:',
      '    interval: 1h',
      'exporter:',
      '  otlp:',
      `    flush_interval: ${flush}`,
      'heartbeat:',
      '  enabled: true',
      '  interval: 1h',
      'health:',
      '  endpoint: 127.0.0.1:0',
      'cloud:',
      '  provider: none',
    ].join('\n'),
    { env: {} },
  ).config
}

interface Line {
  msg: string
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await pause(25)
  assert.ok(check(), what)
}

/** Runs an agent whose SIGHUPs reload `next()`; hands back what a test needs to drive and watch it. */
async function running(next: (call: number) => AgentConfig, first: AgentConfig) {
  const lines: Line[] = []
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) })
  const signals = new EventEmitter()
  let loads = 0
  let agent: Agent | undefined
  const exit = runAgent({
    config: first,
    logger,
    signals: signals as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
    reloadConfig: async () => next(++loads),
    onStarted: (a) => (agent = a),
  })
  await until('the agent started', () => agent !== undefined)
  return { agent: agent!, lines, signals, exit, loads: () => loads }
}

async function storm(signals: EventEmitter): Promise<void> {
  for (let i = 0; i < 50; i++) {
    signals.emit('SIGHUP')
    await pause(20)
  }
}

test('a storm of 50 SIGHUPs is one or two reloads, and a reload restarts none of the health server, the heartbeat and the collection cadence', async () => {
  const api = await startRecordingServer()
  try {
    const dir = join(root, 'storm')
    const run = await running((call) => config(dir, api.url, `${2 + call}s`), config(dir, api.url, '1s'))
    const { agent } = run
    await until(
      'the first collection and heartbeat',
      () => agent.stats.collectionsTotal >= 1 && api.heartbeats().length >= 1,
    )
    const healthUrl = agent.healthUrl
    assert.ok(healthUrl)

    await storm(run.signals)
    await until('a reload done', () => run.lines.some((l) => l.msg === 'configuration reloaded'))
    // Long enough for a second, queued reload to run too: the count may not grow past it.
    await pause(2000)
    const reloads = run.lines.filter((l) => l.msg === 'configuration reloaded').length
    assert.ok(run.loads() >= 1 && run.loads() <= 2, `${run.loads()} reloads for 50 SIGHUPs`)
    assert.equal(reloads, run.loads())

    assert.equal(agent.healthUrl, healthUrl, 'the health server kept its (ephemeral) port: not restarted')
    const health = await fetch(`${healthUrl}/health`)
    assert.equal(health.status, 200)
    assert.equal(agent.stats.collectionsTotal, 1, 'no collection outside the hourly cadence')
    assert.equal(api.heartbeats().length, 1, 'no heartbeat outside the hourly cadence')
    assert.equal(
      agent.config.exporter.otlp.flush_interval,
      (2 + run.loads()) * 1000,
      'the newest file is applied',
    )

    run.signals.emit('SIGTERM')
    assert.equal(await run.exit, 0)
  } finally {
    await api.close()
  }
})

test('a SIGHUP with an unchanged configuration restarts nothing', async () => {
  const api = await startRecordingServer()
  try {
    const dir = join(root, 'same')
    const run = await running(() => config(dir, api.url, '1s'), config(dir, api.url, '1s'))
    await until('the first heartbeat', () => api.heartbeats().length >= 1)
    run.signals.emit('SIGHUP')
    await until('the reload looked at', () =>
      run.lines.some((l) => l.msg === 'the configuration did not change: nothing restarted'),
    )
    assert.equal(run.agent.state, 'running')
    assert.ok(!run.lines.some((l) => l.msg === 'configuration reloaded'))
    run.signals.emit('SIGTERM')
    assert.equal(await run.exit, 0)
  } finally {
    await api.close()
  }
})

test('the first collection after a reload has its rates: the host scanner is kept when its options did not change', async () => {
  const api = await startRecordingServer()
  try {
    const dir = join(root, 'rates')
    const fast = (flush: string) => {
      const c = config(dir, api.url, flush)
      return { ...c, collectors: { ...c.collectors, system: { ...c.collectors.system, interval: 200 } } }
    }
    const run = await running(() => fast('3s'), fast('1s'))
    await until('two collections', () => run.agent.stats.collectionsTotal >= 2)
    const after: number[] = []
    run.agent.on('collect', (snapshot) => after.push(snapshot.intervalSeconds))
    run.signals.emit('SIGHUP')
    await until('a reload done', () => run.lines.some((l) => l.msg === 'configuration reloaded'))
    const seen = after.length
    await until('a collection after the reload', () => after.length > seen)
    assert.ok(after[seen]! > 0, `the first collection after the reload covers ${after[seen]} s`)
    run.signals.emit('SIGTERM')
    assert.equal(await run.exit, 0)
  } finally {
    await api.close()
  }
})
