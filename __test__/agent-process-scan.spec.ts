/**
 * One scan of every process per cycle: when the process collector runs at the system
 * collector's interval, the system scan returns the per-process records and the process
 * metrics are made from them; at another interval the system scan only counts.
 */
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import pino from 'pino'

import { Agent } from '../src/agent/agent'
import type { HostSnapshot } from '../src/native'
import { parseConfig } from '../src/config'

const root = mkdtempSync(join(tmpdir(), 'tfo-agent-scan-'))
after(() => rmSync(root, { recursive: true, force: true }))

function config(dir: string, processInterval: string) {
  return parseConfig(
    [
      'telemetryflow:',
      '  endpoint: 127.0.0.1:1',
      'agent:',
      '  id: scan-agent',
      `  data_dir: ${dir}`,
      'collectors:',
      '  system:',
      '    interval: 200ms',
      '  process:',
      '    enabled: true',
      `    interval: ${processInterval}`,
      '    top_n: 0',
      '    include: ["agent-process-scan\\\\.spec"]',
      'exporter:',
      '  otlp:',
      '    flush_interval: 1h',
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

async function secondSnapshot(agent: Agent): Promise<HostSnapshot> {
  return new Promise((resolve) => {
    let seen = 0
    agent.on('collect', (s: HostSnapshot) => {
      if (++seen === 2) resolve(s)
    })
  })
}

test('at the same interval, the system scan carries the process records', async () => {
  const agent = new Agent(config(join(root, 'same'), '200ms'), { logger: pino({ level: 'silent' }) })
  const snapshot = secondSnapshot(agent)
  await agent.start()
  try {
    const s = await snapshot
    const mine = s.processes.top.find((r) => r.pid === process.pid)
    assert.ok(mine, 'this process, matched by the include pattern, has a record')
    assert.ok(mine.matched)
  } finally {
    await agent.stop({ deadlineMs: 2000 })
  }
})

test('at another interval, the system scan only counts and the process collector scans on its own', async () => {
  const agent = new Agent(config(join(root, 'other'), '1h'), { logger: pino({ level: 'silent' }) })
  const snapshot = secondSnapshot(agent)
  await agent.start()
  try {
    const s = await snapshot
    assert.deepEqual(s.processes.top, [])
    assert.ok(s.processes.total > 0)
  } finally {
    await agent.stop({ deadlineMs: 2000 })
  }
})
