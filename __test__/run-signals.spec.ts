import { strict as assert } from 'node:assert'
import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import pino from 'pino'

import { agentSignals, runAgent } from '../src/agent/run'
import { parseConfig } from '../src/config'

const root = mkdtempSync(join(tmpdir(), 'tfo-agent-signals-'))
after(() => rmSync(root, { recursive: true, force: true }))

/** An agent exporting nowhere reachable (127.0.0.1:1 refuses), nothing served. */
function config(name: string) {
  return parseConfig(
    [
      'telemetryflow:',
      '  endpoint: 127.0.0.1:1',
      'agent:',
      '  id: signals-agent',
      `  data_dir: ${JSON.stringify(join(root, name))}`,
      'heartbeat:',
      '  enabled: false',
      'health:',
      '  enabled: false',
      'cloud:',
      '  provider: none',
    ].join('\n'),
    { env: {} },
  ).config
}

/** Runs the agent answering `platform`'s signals from an emitter the test drives. */
async function running(name: string, platform: NodeJS.Platform) {
  const signals = new EventEmitter()
  let reloads = 0
  let started!: () => void
  const ready = new Promise<void>((r) => (started = r))
  const cfg = config(name)
  const exit = runAgent({
    config: cfg,
    logger: pino({ level: 'silent' }),
    reloadConfig: async () => {
      reloads++
      return cfg
    },
    signals: signals as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
    platform,
    onStarted: () => started(),
  })
  await ready
  return { signals, exit, reloads: () => reloads }
}

describe('signals the running agent answers', () => {
  test('on Windows, Ctrl-Break (SIGBREAK) stops the agent cleanly', async () => {
    const agent = await running('break', 'win32')
    agent.signals.emit('SIGBREAK')
    assert.equal(await agent.exit, 0)
    assert.equal(agent.signals.listenerCount('SIGBREAK'), 0, 'handlers are removed after the stop')
  })

  test('on Windows, Ctrl-C (SIGINT) stops the agent cleanly', async () => {
    const agent = await running('ctrl-c', 'win32')
    agent.signals.emit('SIGINT')
    assert.equal(await agent.exit, 0)
  })

  test('on Windows, SIGHUP (the console closing) stops the agent instead of reloading it', async () => {
    const agent = await running('hup-win', 'win32')
    agent.signals.emit('SIGHUP')
    assert.equal(await agent.exit, 0)
    assert.equal(agent.reloads(), 0)
  })

  test('on Linux, SIGHUP reloads and SIGTERM stops', async () => {
    const agent = await running('hup-linux', 'linux')
    agent.signals.emit('SIGHUP')
    for (let i = 0; i < 100 && agent.reloads() === 0; i++) await new Promise((r) => setTimeout(r, 20))
    assert.equal(agent.reloads(), 1)
    agent.signals.emit('SIGTERM')
    assert.equal(await agent.exit, 0)
  })

  test('Windows is never asked for SIGTERM, which it cannot deliver', () => {
    assert.deepEqual(agentSignals('win32'), { stop: ['SIGINT', 'SIGBREAK', 'SIGHUP'] })
    assert.deepEqual(agentSignals('darwin'), { stop: ['SIGTERM', 'SIGINT'], reload: 'SIGHUP' })
  })
})
