import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import pino from 'pino'

import { Agent } from '../src/agent/agent'
import { parseConfig } from '../src/config'

const root = mkdtempSync(join(tmpdir(), 'tfo-agent-spec-'))
after(() => rmSync(root, { recursive: true, force: true }))

/** An agent with no collector to reach (127.0.0.1:1 refuses), collecting every 100 ms. */
function config(dir: string, extra = '') {
  const { config } = parseConfig(
    [
      'telemetryflow:',
      '  endpoint: 127.0.0.1:1',
      'agent:',
      '  id: spec-agent',
      `  data_dir: ${dir}`,
      'collectors:',
      '  system:',
      '    interval: 100ms',
      'exporter:',
      '  otlp:',
      '    flush_interval: 100ms',
      'heartbeat:',
      '  enabled: false',
      'health:',
      '  enabled: false',
      'cloud:',
      '  provider: none',
      extra,
    ].join('\n'),
    { env: {} },
  )
  return config
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50))
  assert.ok(check(), 'condition not reached')
}

const scratchStores = () => readdirSync(tmpdir()).filter((d) => d.startsWith('tfo-agent-buffer-'))

test('with the buffer off, batches wait in a temporary store that is gone after stop', async () => {
  const dir = join(root, 'off')
  const before = new Set(scratchStores())
  const agent = new Agent(config(dir, 'buffer:\n  enabled: false'), { logger: pino({ level: 'silent' }) })
  await agent.start()
  await until(() => agent.stats.buffer.memoryBatches + agent.stats.buffer.diskBatches >= 2)
  const created = scratchStores().filter((d) => !before.has(d))
  assert.equal(created.length, 1, 'one temporary store while running')
  await agent.stop({ deadlineMs: 1000 })
  assert.equal(existsSync(join(dir, 'buffer')), false, 'nothing in the data directory')
  assert.equal(existsSync(join(tmpdir(), created[0])), false, 'the temporary store is removed at stop')
})

test('with the buffer on, what waits for the collector is on disk in the data directory after stop', async () => {
  const dir = join(root, 'on')
  const agent = new Agent(config(dir), { logger: pino({ level: 'silent' }) })
  await agent.start()
  await until(() => agent.stats.collectionsTotal >= 2)
  await agent.stop({ deadlineMs: 1000 })
  assert.ok(existsSync(join(dir, 'buffer', 'data.mdb')))
  const again = new Agent(config(dir), { logger: pino({ level: 'silent' }) })
  await again.start()
  assert.ok(again.stats.buffer.diskBatches >= 2, 'the batches are there at the next start')
  await again.stop({ deadlineMs: 1000 })
})

test('stop() while start() is still building waits for it, and nothing runs afterwards', async () => {
  const agent = new Agent(config(join(root, 'racing')), { logger: pino({ level: 'silent' }) })
  const starting = agent.start()
  await agent.stop({ deadlineMs: 1000 })
  await starting
  assert.equal(agent.state, 'stopped')
  const collections = agent.stats.collectionsTotal
  await new Promise((r) => setTimeout(r, 400))
  assert.equal(agent.stats.collectionsTotal, collections, 'no loop runs after stop')
})
