/**
 * The heartbeat runs only when there is somewhere to send it: off without credentials or
 * an API endpoint (and the start-up line says how to turn it on), on with either, and an
 * explicit `heartbeat.enabled` always wins, with a warning when no API key is set.
 */
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import pino from 'pino'

import { parseConfig, runAgent, type Agent } from '../dist/index.js'
import { starterConfig } from '../dist/config/index.js'
import { startRecordingServer } from './helpers/recording-server'

const enabled = (yaml: string, env: Record<string, string> = {}) =>
  parseConfig(yaml, { env }).config.heartbeat.enabled

describe('the heartbeat default', () => {
  test('is off with no configuration and no environment', () => {
    assert.equal(enabled(''), false)
  })

  test('is off in the starter file that config init writes', () => {
    assert.equal(enabled(starterConfig()), false)
  })

  test('is on when an API key is given in the environment or the file', () => {
    assert.equal(
      enabled('', { TELEMETRYFLOW_API_KEY_ID: 'tfk_x', TELEMETRYFLOW_API_KEY_SECRET: 'tfs_y' }),
      true,
    )
    assert.equal(enabled('telemetryflow:\n  api_key_id: tfk_x\n  api_key_secret: tfs_y\n'), true)
    assert.equal(enabled(starterConfig(), { TELEMETRYFLOW_API_KEY_ID: 'tfk_x' }), true)
  })

  test('is on when an API endpoint is given in the environment or the file', () => {
    assert.equal(enabled('', { TELEMETRYFLOW_API_ENDPOINT: 'http://127.0.0.1:9/api' }), true)
    assert.equal(enabled('telemetryflow:\n  api_endpoint: http://127.0.0.1:9/api\n'), true)
  })

  test('yields to an explicit heartbeat.enabled either way', () => {
    assert.equal(enabled('heartbeat:\n  enabled: true\n'), true)
    assert.equal(
      enabled('heartbeat:\n  enabled: false\n', {
        TELEMETRYFLOW_API_KEY_ID: 'tfk_x',
        TELEMETRYFLOW_API_KEY_SECRET: 'tfs_y',
      }),
      false,
    )
  })
})

describe('the running agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfo-agent-heartbeat-default-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  /** Runs the agent as `tfo-agent start` does until the first collection; returns its log records. */
  async function run(yaml: string): Promise<Array<{ level: number; msg: string }>> {
    const lines: string[] = []
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
    const { config } = parseConfig(
      [
        'agent:',
        `  data_dir: ${dir}`,
        'collectors:\n  system:\n    interval: 100ms',
        'exporter:\n  otlp:\n    enabled: false',
        'health:\n  endpoint: 127.0.0.1:0',
        'cloud:\n  provider: none',
        yaml,
      ].join('\n'),
      { env: {} },
    )
    const signals = new EventEmitter()
    let agent: Agent | undefined
    const done = runAgent({
      config,
      logger,
      reloadConfig: async () => config,
      signals: signals as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
      onStarted: (a) => (agent = a),
    })
    for (let i = 0; i < 100 && !(agent && agent.stats.collectionsTotal > 0); i++)
      await new Promise((r) => setTimeout(r, 50))
    signals.emit('SIGTERM')
    assert.equal(await done, 0)
    return lines.map((l) => JSON.parse(l) as { level: number; msg: string })
  }

  test('says at start that the heartbeat is off and how to turn it on, and warns about nothing', async () => {
    const records = await run('')
    const running = records.find((r) => r.msg.startsWith('tfo-agent running'))
    assert.ok(running, 'no start-up line')
    assert.match(
      running.msg,
      /heartbeat off \(to send it, set telemetryflow\.api_key_id and api_key_secret, or heartbeat\.enabled: true\)/,
    )
    assert.deepEqual(
      records.filter((r) => r.level >= 40).map((r) => r.msg),
      [],
    )
  })

  test('sends heartbeats when told to with no key, and warns once at start that no API key is set', async () => {
    const api = await startRecordingServer()
    try {
      const records = await run(`heartbeat:\n  enabled: true\ntelemetryflow:\n  api_endpoint: ${api.url}/api`)
      const warnings = records.filter((r) => r.level === 40).map((r) => r.msg)
      assert.equal(
        warnings.filter((m) => /no complete API key is set/.test(m)).length,
        1,
        warnings.join('\n'),
      )
      assert.match(
        records.find((r) => r.msg.startsWith('tfo-agent running'))!.msg,
        new RegExp(`heartbeat to ${api.url}/api`),
      )
      await api.waitForRequests(1)
      assert.equal(api.heartbeats().length >= 1, true)
    } finally {
      await api.close()
    }
  })
})
