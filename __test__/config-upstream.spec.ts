/**
 * The upstream Go agent's configuration files (fixtures written from its keys and
 * values, see src/config/upstream-keys.ts): accepted, its keys with a meaning here
 * mapped, the others named in one warning each; keys known to neither stay errors.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { ConfigError, parseConfig } from '../src/config'
import { schemaAt } from '../src/config/schema-walk'
import { UPSTREAM_KEYS } from '../src/config/upstream-keys'

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'upstream', name), 'utf8')
const env = { TFO_FIXTURE_DIR: '/tmp/tfo-upstream-fixture' }

/** The warnings about upstream keys, keyed by the dotted key each names. */
function upstreamWarnings(warnings: string[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const w of warnings) {
    const m = /^[^:]+:\d+: ([\w.]+): the upstream Go agent's key/.exec(w)
    if (m) {
      assert.ok(!out.has(m[1]!), `${m[1]} is warned about once`)
      out.set(m[1]!, w)
    }
  }
  return out
}

test('the upstream 1.1.2 configuration loads, with one warning per upstream key and no error', () => {
  const { config, warnings } = parseConfig(fixture('go-agent-1.1.2.yaml'), { file: 'tfo-agent.yaml', env })
  const named = upstreamWarnings(warnings)
  for (const key of [
    'telemetryflow.tls.insecure_skip_verify',
    'telemetryflow.retry.max_attempts',
    'agent.description',
    'agent.version',
    'heartbeat.include_system_info',
    'collectors.system.disk_paths',
    'collectors.process.processes',
    'exporter.otlp.endpoint_version',
    'exporter.otlp.metrics',
    'exporter.otlp.traces',
    'exporter.otlp.logs',
    'buffer.flush_interval',
    'logging.max_size_mb',
    'logging.max_backups',
    'logging.max_age_days',
    'logging.include_stack_trace',
    'logging.sampling_initial',
    'logging.sampling_thereafter',
    'security',
    'auto_update',
    'retention',
    'resources',
    'cache',
    'integrations',
  ]) {
    assert.ok(named.has(key), `a warning names ${key}: ${[...named.keys()].join(', ')}`)
  }
  assert.equal(named.size, 24)
  assert.match(
    named.get('integrations')!,
    /tfo-agent\.yaml:\d+: integrations: .*and everything below it.*ignored/,
  )
  // The keys with a meaning here, read as this agent's.
  assert.equal(config.telemetryflow.tls.skip_verify, false)
  assert.equal(config.telemetryflow.tls.enabled, true)
  assert.equal(config.telemetryflow.retry.max_retries, 2, 'three attempts are two retries')
  assert.equal(config.telemetryflow.http_metrics_path, '/v2/metrics')
  assert.equal(config.telemetryflow.http_logs_path, '/v2/logs')
  assert.deepEqual(config.collectors.process.include, ['^nginx$', '^postgres$'])
  // Keys both agents share are simply read.
  assert.equal(config.collectors.system.interval, 15_000)
  assert.equal(config.logging.format, 'json')
  assert.equal(config.buffer.path, '/tmp/tfo-upstream-fixture/buffer')
  assert.equal(config.agent.tags.datacenter, 'default')
})

test('the upstream minimal VM example loads: its backend endpoint, labels and protocol mapped, its collectors warned about', () => {
  const { config, warnings } = parseConfig(fixture('go-agent-vm-minimal.yaml'), {
    file: 'vm.yaml',
    env: { ...env, HOST_REGION: 'eu-1' },
  })
  const named = upstreamWarnings(warnings)
  assert.deepEqual(
    [...named.keys()].sort(),
    [
      'agent.labels',
      'agent_api',
      'buffer.flush_interval',
      'collectors.node_exporter',
      'exporter.otlp.endpoint_version',
      'exporter.otlp.protocol',
      'heartbeat.include_system_info',
      'persister',
      'prometheus_server',
      'telemetryflow.backend_endpoint',
      'telemetryflow.retry.max_attempts',
    ].sort(),
  )
  assert.equal(config.telemetryflow.api_endpoint, 'http://127.0.0.1:9')
  assert.equal(config.telemetryflow.protocol, 'http')
  assert.equal(config.telemetryflow.retry.max_retries, 4)
  assert.deepEqual(config.agent.tags, { environment: 'production', region: 'eu-1', deployment: 'vm' })
})

test("this agent's own key wins over the upstream key for the same setting, and the warning says so", () => {
  const text = [
    'telemetryflow:',
    '  protocol: grpc',
    '  tls: { skip_verify: true, insecure_skip_verify: false }',
    'agent:',
    '  tags: { environment: staging }',
    '  labels: { environment: production, team: ops }',
    'exporter:',
    '  otlp: { protocol: http }',
  ].join('\n')
  const { config, warnings } = parseConfig(text, { file: 'a.yaml', env: {} })
  assert.equal(config.telemetryflow.tls.skip_verify, true)
  assert.equal(config.telemetryflow.protocol, 'grpc')
  assert.deepEqual(config.agent.tags, { environment: 'staging', team: 'ops' })
  const named = upstreamWarnings(warnings)
  assert.match(
    named.get('telemetryflow.tls.insecure_skip_verify')!,
    /telemetryflow\.tls\.skip_verify is also set and wins/,
  )
  assert.match(named.get('exporter.otlp.protocol')!, /telemetryflow\.protocol is also set and wins/)
})

test('a key neither agent knows is still an error, also inside a section both have', () => {
  for (const [text, key] of [
    ['heartbeat:\n  include_sytem_info: true\n', 'heartbeat.include_sytem_info'],
    ['integrationz:\n  alloy: { enabled: false }\n', 'integrationz'],
    ['exporter:\n  otlp:\n    endpoint_versoin: v2\n', 'exporter.otlp.endpoint_versoin'],
  ] as const) {
    assert.throws(
      () => parseConfig(text, { file: 'a.yaml', env: {} }),
      (err: unknown) => err instanceof ConfigError && err.message.includes(`${key}: unknown key`),
      key,
    )
  }
})

test('every listed upstream key is one this agent’s schema does not have', () => {
  // A key both agents have is read as ours: listing it would hide it behind a warning.
  for (const entry of UPSTREAM_KEYS) {
    assert.equal(schemaAt(entry.key.split('.')), undefined, `${entry.key} is not in the schema`)
  }
})
