/**
 * A user moving from the upstream Go agent starts this one with their file: the CLI
 * agent runs on configurations shaped like the upstream agent's own (fixtures written
 * from its keys and values), starts healthy, and says once per key what it ignored.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { parse } from 'yaml'

import { atLeast, killAllAgents, merge, startAgent, tempDir, type ConfigObject } from './helpers/agent'

after(() => killAllAgents())

const fixture = (name: string) =>
  parse(readFileSync(join(__dirname, '..', '__test__', 'fixtures', 'upstream', name), 'utf8')) as ConfigObject

for (const [name, expected] of [
  [
    'go-agent-1.1.2.yaml',
    ['heartbeat.include_system_info', 'integrations', 'telemetryflow.tls.insecure_skip_verify'],
  ],
  [
    'go-agent-vm-minimal.yaml',
    ['collectors.node_exporter', 'telemetryflow.backend_endpoint', 'agent.labels'],
  ],
] as const) {
  test(`the agent starts on the upstream agent's ${name} with warnings, not errors`, async () => {
    const dir = tempDir('upstream')
    // Only what a test needs on top: its own data directory and no cloud lookups.
    const config = merge(fixture(name), {
      agent: { data_dir: join(dir, 'data') },
      cloud: { provider: 'none' },
    })
    const agent = await startAgent(config, { dir, env: { ...process.env, TFO_FIXTURE_DIR: dir } })
    const health = await agent.health()
    assert.equal(health.status, 200, agent.output())
    const warnings = agent
      .logs()
      .filter((r) => r.level === 'warn')
      .map((r) => r.msg)
    for (const key of expected) {
      const naming = warnings.filter((w) => w.includes(`: ${key}: the upstream Go agent's key`))
      assert.equal(naming.length, 1, `one warning names ${key}:\n${warnings.join('\n')}`)
    }
    const errors = agent.logs().filter((r) => atLeast(r, 'error') && /config/i.test(r.msg))
    assert.deepEqual(errors, [])
    assert.equal(await agent.stop('SIGTERM'), 0, agent.output())
  })
}
