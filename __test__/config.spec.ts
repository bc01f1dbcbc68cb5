import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  ConfigError,
  configReferenceMarkdown,
  configSchema,
  configSearchPaths,
  configToYaml,
  expandString,
  formatDuration,
  parseConfig,
  parseDuration,
  redact,
  starterConfig,
  type SchemaNode,
} from '../src/config'

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, { file: 'agent.yaml', env })
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    return err.lines()
  }
  assert.fail('the configuration was accepted')
}

describe('configuration defaults', () => {
  test('gives a complete configuration with no file at all', () => {
    const { config } = parseConfig('', { env: {} })
    assert.equal(config.telemetryflow.endpoint, 'localhost:4317')
    assert.equal(config.telemetryflow.protocol, 'grpc')
    assert.equal(config.telemetryflow.http_metrics_path, '/v1/metrics')
    assert.equal(config.telemetryflow.retry.max_interval, 30_000)
    assert.equal(config.collectors.system.interval, 15_000)
    assert.equal(config.exporter.otlp.flush_interval, 10_000)
    assert.equal(config.heartbeat.interval, 60_000)
    assert.equal(config.buffer.max_age, 86_400_000)
    assert.equal(config.health.endpoint, '127.0.0.1:13133')
    assert.equal(config.cloud.timeout, 2000)
    assert.equal(config.logging.format, 'text')
  })

  test('treats an empty section or value as the default', () => {
    const { config } = parseConfig('collectors:\n  system:\n    interval:\nbuffer:\n', { env: {} })
    assert.equal(config.collectors.system.interval, 15_000)
    assert.equal(config.buffer.max_size_mb, 100)
  })

  test('documents every key of the schema', () => {
    const walk = (node: SchemaNode, path: string): void => {
      assert.ok(node.description && node.description.length > 3, `${path} has no description`)
      for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${key}`)
      if (node.type === 'object' && node.properties)
        assert.equal(node.additionalProperties, false, `${path} accepts unknown keys`)
    }
    walk(configSchema, '(root)')
    assert.match(configReferenceMarkdown(), /\| `flush_interval` \| duration \| `"10s"` \|/)
  })
})

describe('durations', () => {
  test('reads units, Go-style compounds and plain seconds', () => {
    assert.equal(parseDuration('500ms'), 500)
    assert.equal(parseDuration('15s'), 15_000)
    assert.equal(parseDuration('2m'), 120_000)
    assert.equal(parseDuration('24h'), 86_400_000)
    assert.equal(parseDuration('1m30s'), 90_000)
    assert.equal(parseDuration(2.5), 2500)
    assert.equal(parseDuration('10 seconds'), undefined)
    assert.equal(formatDuration(90_000), '1m30s')
    assert.equal(formatDuration(500), '500ms')
  })

  test('converts durations to milliseconds in the loaded config', () => {
    const { config } = parseConfig(
      'collectors:\n  system:\n    interval: 30\nheartbeat:\n  timeout: 1500ms\n',
      { env: {} },
    )
    assert.equal(config.collectors.system.interval, 30_000)
    assert.equal(config.heartbeat.timeout, 1500)
  })

  test('refuses a zero interval', () => {
    assert.deepEqual(problems('collectors:\n  system:\n    interval: 0s\n'), [
      'agent.yaml:3: collectors.system.interval: must be between 1ms and 24d (timers cannot wait longer)',
    ])
  })

  test('refuses an interval a timer cannot wait for, or one that rounds to nothing', () => {
    for (const value of ['25d', '0.0001', '2147484']) {
      assert.deepEqual(problems(`collectors:\n  system:\n    interval: ${value}\n`), [
        'agent.yaml:3: collectors.system.interval: must be between 1ms and 24d (timers cannot wait longer)',
      ])
    }
  })
})

describe('environment variable expansion', () => {
  const env = { HOST: 'collector.internal', EMPTY: '', PORT: '4317' }

  test('expands ${VAR}, ${VAR:-default} and $$', () => {
    assert.equal(expandString('${HOST}:${PORT}', env), 'collector.internal:4317')
    assert.equal(expandString('${MISSING:-fallback}', env), 'fallback')
    assert.equal(expandString('${EMPTY:-fallback}', env), 'fallback')
    assert.equal(expandString('${MISSING:-${HOST}}', env), 'collector.internal')
    assert.equal(expandString('cost $$5 and $HOME', env), 'cost $5 and $HOME')
    assert.throws(
      () => expandString('${MISSING:?set it}', env),
      /environment variable MISSING is not set: set it/,
    )
  })

  test('expands every string value, including lists and maps', () => {
    const { config } = parseConfig(
      'telemetryflow:\n  endpoint: ${HOST}:${PORT}\nagent:\n  tags:\n    region: ${REGION:-eu-1}\ncollectors:\n  logs:\n    paths: ["${LOGDIR:-/var/log}/*.log"]\n',
      { env },
    )
    assert.equal(config.telemetryflow.endpoint, 'collector.internal:4317')
    assert.equal(config.agent.tags.region, 'eu-1')
    assert.deepEqual(config.collectors.logs.paths, ['/var/log/*.log'])
  })

  test('cannot inject YAML through a variable', () => {
    const { config } = parseConfig('agent:\n  name: ${NAME}\n', { env: { NAME: 'x\n  hostname: injected' } })
    assert.equal(config.agent.name, 'x\n  hostname: injected')
    assert.equal(config.agent.hostname, '')
  })

  test('turns an expanded number into a number where the schema wants one', () => {
    const { config } = parseConfig(
      'collectors:\n  process:\n    top_n: ${TOP:-25}\n    enabled: ${ON:-true}\n',
      { env: {} },
    )
    assert.equal(config.collectors.process.top_n, 25)
    assert.equal(config.collectors.process.enabled, true)
  })

  test('warns about an unset ${VAR} and uses an empty string', () => {
    const { config, warnings } = parseConfig('agent:\n  name: ${NOPE}\n', { file: 'a.yaml', env: {} })
    assert.equal(config.agent.name, '')
    assert.deepEqual(warnings, ['a.yaml:2: agent.name: environment variable NOPE is not set; using ""'])
  })
})

describe('environment overrides', () => {
  test('let TELEMETRYFLOW_* variables win over the file', () => {
    const { config } = parseConfig(
      'telemetryflow:\n  endpoint: file:4317\n  environment: staging\nagent:\n  name: from-file\n',
      {
        env: {
          TELEMETRYFLOW_API_KEY_ID: 'tfk_env',
          TELEMETRYFLOW_API_KEY_SECRET: 'tfs_env',
          TELEMETRYFLOW_ENDPOINT: 'env:4317',
          TELEMETRYFLOW_ENVIRONMENT: 'dev',
          TELEMETRYFLOW_AGENT_ID: 'agent-from-env',
          TELEMETRYFLOW_AGENT_NAME: 'from-env',
          TELEMETRYFLOW_API_ENDPOINT: 'https://api.example.test/api/v1',
        },
      },
    )
    assert.equal(config.telemetryflow.api_key_id, 'tfk_env')
    assert.equal(config.telemetryflow.api_key_secret, 'tfs_env')
    assert.equal(config.telemetryflow.endpoint, 'env:4317')
    assert.equal(config.telemetryflow.environment, 'dev')
    assert.equal(config.telemetryflow.api_endpoint, 'https://api.example.test/api/v1')
    assert.equal(config.agent.id, 'agent-from-env')
    assert.equal(config.agent.name, 'from-env')
  })

  test('ignore variables that are set but empty', () => {
    const { config } = parseConfig('telemetryflow:\n  endpoint: file:4317\n', {
      env: { TELEMETRYFLOW_ENDPOINT: '' },
    })
    assert.equal(config.telemetryflow.endpoint, 'file:4317')
  })

  test('search ./tfo-agent.yaml, then /etc, then the per-user directory', () => {
    assert.deepEqual(configSearchPaths({ HOME: '/home/u' }, '/srv', 'linux'), [
      '/srv/tfo-agent.yaml',
      '/etc/tfo-agent/tfo-agent.yaml',
      '/home/u/.config/tfo-agent/tfo-agent.yaml',
    ])
    assert.equal(
      configSearchPaths({ HOME: '/home/u', XDG_CONFIG_HOME: '/cfg' }, '/srv', 'darwin')[2],
      '/cfg/tfo-agent/tfo-agent.yaml',
    )
  })

  test('on Windows, search the working directory, then ProgramData, then the roaming profile', () => {
    const env = { ProgramData: 'C:\\ProgramData', APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }
    assert.deepEqual(configSearchPaths(env, 'D:\\work', 'win32'), [
      'D:\\work\\tfo-agent.yaml',
      'C:\\ProgramData\\tfo-agent\\tfo-agent.yaml',
      'C:\\Users\\u\\AppData\\Roaming\\tfo-agent\\tfo-agent.yaml',
    ])
  })
})

describe('configuration errors', () => {
  test('names the file, key and line of a misspelt key', () => {
    assert.deepEqual(problems('telemetryflow:\n  endpoint: x:1\n  protocl: http\n'), [
      'agent.yaml:3: telemetryflow.protocl: unknown key; did you mean `protocol`?',
    ])
  })

  test('lists the allowed keys when nothing is close', () => {
    assert.match(
      problems('zzzzzzzz: 1\n')[0]!,
      /^agent\.yaml:1: zzzzzzzz: unknown key; expected one of: telemetryflow, agent, /,
    )
  })

  test('suggests the closest allowed value of an enum', () => {
    assert.deepEqual(problems('logging:\n  level: warning\n'), [
      'agent.yaml:2: logging.level: must be one of trace, debug, info, warn, error, fatal, got "warning"; did you mean `warn`?',
    ])
  })

  test('reports every problem, each on its own line', () => {
    const lines = problems(
      'health:\n  endpoint: 13133\nbuffer:\n  max_size_mb: 0\ncollectors:\n  process:\n    include: ["(unclosed"]\n',
    )
    assert.deepEqual(lines, [
      'agent.yaml:2: health.endpoint: must be a string, got 13133 (quote it: "13133")',
      'agent.yaml:4: buffer.max_size_mb: must be >= 1, got 0',
      'agent.yaml:7: collectors.process.include[0]: "(unclosed" is not a valid regular expression (Unterminated group)',
    ])
  })

  test('gives the line and column of invalid YAML', () => {
    const [line] = problems('a: 1\na: 2\n')
    assert.match(line!, /^agent\.yaml:2:1: invalid YAML: Map keys must be unique/)
  })

  test('refuses a file that is not a mapping', () => {
    assert.deepEqual(problems('- telemetryflow\n'), [
      'agent.yaml:1: the configuration must be a mapping of sections (telemetryflow:, agent:, …)',
    ])
  })
})

describe('redaction and rendering', () => {
  test('hides the secret and secret-looking headers, and shortens the key id', () => {
    const { config } = parseConfig(
      'telemetryflow:\n  api_key_id: tfk_abcdef123456\n  api_key_secret: tfs_topsecret\n  api_endpoint: https://user:pw@api.test/v1\nexporter:\n  otlp:\n    headers:\n      Authorization: Bearer abc\n      X-Api-Key: k1\n      X-Tenant: acme\n',
      { env: {} },
    )
    const safe = redact(config)
    assert.equal(safe.telemetryflow.api_key_secret, '***')
    assert.equal(safe.telemetryflow.api_key_id, 'tfk_ab…')
    assert.equal(safe.telemetryflow.api_endpoint, 'https://user:***@api.test/v1')
    assert.deepEqual(safe.exporter.otlp.headers, {
      Authorization: '***',
      'X-Api-Key': '***',
      'X-Tenant': 'acme',
    })
    assert.equal(config.telemetryflow.api_key_secret, 'tfs_topsecret', 'redact must not change its input')
    assert.doesNotMatch(configToYaml(safe), /tfs_topsecret|Bearer abc|k1/)
  })

  test('writes a starter configuration that validates and names every section', () => {
    const text = starterConfig()
    const { config } = parseConfig(text, { env: {} })
    assert.equal(config.collectors.system.interval, 15_000)
    for (const section of Object.keys(configSchema.properties ?? {}))
      assert.match(text, new RegExp(`^#? ?${section}:`, 'm'))
  })
})
