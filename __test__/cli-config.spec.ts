import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { cleanEnv, makeTmp, runCli } from './cli-helpers'

const tmp = makeTmp()
const env = cleanEnv(tmp.dir)
const run = (args: string[], extra: Record<string, string> = {}) =>
  runCli(args, { cwd: tmp.dir, env: { ...env, ...extra } })

/** Runs `config validate` and `start` on the same bad file: both must refuse, and identically. */
async function assertRefused(
  file: string,
  message: string,
  extra: Record<string, string> = {},
): Promise<void> {
  const validate = await run(['config', 'validate', '--config', file], extra)
  assert.equal(validate.stderr, `tfo-agent: ${message}\n`)
  assert.equal(validate.stdout, '')
  assert.equal(validate.code, 2)
  const start = await run(['start', '--config', file], extra)
  // Exactly the error: no "starting" log line, no stack trace, nothing else.
  assert.equal(start.stderr, `tfo-agent: ${message}\n`)
  assert.equal(start.code, 2)
  assert.equal(existsSync(join(tmp.dir, 'state', 'tfo-agent')), false, 'the agent created its data directory')
}

describe('tfo-agent config validate and start with bad input', () => {
  before(() => mkdirSync(join(tmp.dir, 'config'), { recursive: true }))
  after(() => tmp.cleanup())

  test('reports invalid YAML with the parser line and column', async () => {
    const file = tmp.write(
      'bad-yaml.yaml',
      'telemetryflow:\n  endpoint: "localhost:4317\nagent:\n  name: x\n',
    )
    const r = await run(['config', 'validate', '--config', file])
    assert.equal(r.code, 2)
    assert.match(r.stderr, new RegExp(`^tfo-agent: ${file}:\\d+:\\d+: invalid YAML: .+\\n$`))
    await assertRefused(file, r.stderr.slice('tfo-agent: '.length, -1))
  })

  test('names the file, key and line of a misspelt key and suggests the right one', async () => {
    const file = tmp.write('typo.yaml', 'collectors:\n  system:\n    enabled: true\n    intervl: 30s\n')
    await assertRefused(file, `${file}:4: collectors.system.intervl: unknown key; did you mean \`interval\`?`)
  })

  test('names the key and line of a value of the wrong type', async () => {
    const file = tmp.write('type.yaml', 'heartbeat:\n  enabled: yes\n')
    await assertRefused(file, `${file}:2: heartbeat.enabled: must be true or false, got "yes"`)
  })

  test('explains a malformed duration', async () => {
    const file = tmp.write('duration.yaml', 'exporter:\n  otlp:\n    flush_interval: 10 seconds\n')
    await assertRefused(
      file,
      `${file}:3: exporter.otlp.flush_interval: "10 seconds" is not a duration; write a number with a unit, e.g. 500ms, 15s, 2m, 24h`,
    )
  })

  test('stops at a required environment variable that is not set', async () => {
    const file = tmp.write(
      'required.yaml',
      'telemetryflow:\n  api_key_id: tfk_x\n  api_key_secret: ${TFO_TEST_SECRET:?put the key secret in TFO_TEST_SECRET}\n',
    )
    await assertRefused(
      file,
      `${file}:3: telemetryflow.api_key_secret: environment variable TFO_TEST_SECRET is not set: put the key secret in TFO_TEST_SECRET`,
    )
  })

  test('says why a config file cannot be read', async () => {
    const dir = join(tmp.dir, 'a-directory.yaml')
    mkdirSync(dir)
    await assertRefused(dir, `${dir}: cannot read the config file: it is a directory`)
  })

  test('treats a --config naming a missing file as an error', async () => {
    const file = join(tmp.dir, 'missing.yaml')
    await assertRefused(file, `${file}: cannot read the config file: no such file`)
  })

  test('blames the environment variable for a bad override', async () => {
    const file = tmp.write('fine.yaml', 'agent:\n  name: web\n')
    await assertRefused(
      file,
      '$TELEMETRYFLOW_ENDPOINT: telemetryflow.endpoint: "not an endpoint" is not host:port or an http(s):// URL (e.g. localhost:4317)',
      { TELEMETRYFLOW_ENDPOINT: 'not an endpoint' },
    )
  })
})

describe('tfo-agent config validate and start with hostile input', () => {
  before(() => mkdirSync(join(tmp.dir, 'config'), { recursive: true }))
  after(() => tmp.cleanup())

  test('refuses a YAML alias bomb with one clear line and no stack', async () => {
    const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    const names = 'abcdefghi'
    for (let i = 1; i < names.length; i++) {
      const prev = names[i - 1]
      lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(', ')}]`)
    }
    lines.push('agent:\n  tags:\n    x: *i')
    const file = tmp.write('bomb.yaml', `${lines.join('\n')}\n`)
    await assertRefused(
      file,
      `${file}: invalid YAML: its aliases (*name) expand too far (excessive alias count indicates a resource exhaustion attack); write the values out instead`,
    )
  })

  test('refuses an oversized file before parsing it, in one line', async () => {
    const file = tmp.write('huge.yaml', 'agent:\n  name: x\n' + '#'.repeat(2 * 1024 * 1024))
    await assertRefused(
      file,
      `${file}: the config file is ${2 * 1024 * 1024 + 17} bytes, more than the 1048576 a configuration may have; is this the right file?`,
    )
  })

  test('refuses a file of random bytes in one line', async () => {
    const file = join(tmp.dir, 'random.yaml')
    writeFileSync(file, randomBytes(256 * 1024))
    await assertRefused(
      file,
      `${file}: the config file is not YAML text (it holds binary data); is this the right file?`,
    )
  })

  test('lists the first 20 of 11,000 unknown keys and counts the rest', async () => {
    const keys = Array.from({ length: 11_000 }, (_, i) => `  key${i}: ${i}\n`).join('')
    const file = tmp.write('unknown.yaml', `agent:\n${keys}`)
    const r = await run(['config', 'validate', '--config', file])
    assert.equal(r.code, 2)
    const lines = r.stderr.trimEnd().split('\n')
    assert.equal(lines.length, 21, r.stderr.slice(0, 2000))
    assert.equal(
      lines[0],
      `tfo-agent: ${file}:2: agent.key0: unknown key; expected one of: id, name, hostname, tags, data_dir`,
    )
    assert.equal(lines[20], 'tfo-agent: … and 10980 more problem(s) not listed; fix these first')
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
  })
})

describe('tfo-agent config validate, show and init', () => {
  const t = makeTmp()
  const e = cleanEnv(t.dir)
  after(() => t.cleanup())

  test('says OK for a valid file and for none at all', async () => {
    const file = t.write('ok.yaml', 'telemetryflow:\n  endpoint: collector:4317\n')
    assert.deepEqual(await runCli(['config', 'validate', '--config', file], { cwd: t.dir, env: e }), {
      code: 0,
      stdout: `${file}: OK\n`,
      stderr: '',
    })
    const none = await runCli(['config', 'validate'], { cwd: t.dir, env: e })
    assert.equal(none.stdout, 'built-in defaults (no config file found): OK\n')
    assert.equal(none.code, 0)
  })

  test('finds ./tfo-agent.yaml before the per-user file', async () => {
    mkdirSync(join(t.dir, 'config', 'tfo-agent'), { recursive: true })
    t.write('config/tfo-agent/tfo-agent.yaml', 'agent:\n  name: from-user-file\n')
    const user = await runCli(['config', 'show'], { cwd: t.dir, env: e })
    assert.match(user.stdout, /name: from-user-file/)
    const sub = join(t.dir, 'config')
    t.write('config/tfo-agent.yaml', 'agent:\n  name: from-cwd\n')
    const cwd = await runCli(['config', 'show'], { cwd: sub, env: e })
    assert.match(
      cwd.stdout,
      /^# tfo-agent effective configuration from .*config\/tfo-agent\.yaml\n# search order: --config, /,
    )
    assert.match(cwd.stdout, /name: from-cwd/)
  })

  test('never shows the API key secret, from the file or the environment', async () => {
    const file = t.write(
      'secret.yaml',
      'telemetryflow:\n  api_key_id: tfk_0123456789abcdef\n  api_key_secret: tfs_file_secret_value\nexporter:\n  otlp:\n    headers:\n      X-Gateway-Token: gw_token_value\n',
    )
    const fromFile = await runCli(['config', 'show', '--config', file], { cwd: t.dir, env: e })
    assert.equal(fromFile.code, 0)
    assert.doesNotMatch(fromFile.stdout, /tfs_file_secret_value|gw_token_value|0123456789abcdef/)
    assert.match(fromFile.stdout, /api_key_secret: "\*\*\*"/)
    assert.match(fromFile.stdout, /api_key_id: tfk_01…/)
    const fromEnv = await runCli(['config', 'show', '--config', file], {
      cwd: t.dir,
      env: { ...e, TELEMETRYFLOW_API_KEY_SECRET: 'tfs_env_secret_value' },
    })
    assert.doesNotMatch(fromEnv.stdout + fromEnv.stderr, /tfs_env_secret_value|tfs_file_secret_value/)
    assert.match(fromEnv.stdout, /# overridden by the environment: TELEMETRYFLOW_API_KEY_SECRET/)
  })

  test('writes a starter file that validates, and refuses to overwrite it without --force', async () => {
    const first = await runCli(['config', 'init'], { cwd: t.dir, env: e })
    assert.equal(first.code, 0)
    const file = join(t.dir, 'tfo-agent.yaml')
    assert.match(readFileSync(file, 'utf8'), /^# tfo-agent configuration/)
    const check = await runCli(['config', 'validate', '--config', file], { cwd: t.dir, env: e })
    assert.deepEqual([check.code, check.stdout], [0, `${file}: OK\n`])
    const again = await runCli(['config', 'init'], { cwd: t.dir, env: e })
    assert.deepEqual(
      [again.code, again.stderr],
      [1, `tfo-agent: ${file} already exists; use --force to overwrite it\n`],
    )
    const forced = await runCli(['config', 'init', '--force'], { cwd: t.dir, env: e })
    assert.equal(forced.code, 0)
  })

  test('round-trips: what config show prints loads back to the same configuration', async () => {
    const file = t.write(
      'round.yaml',
      'collectors:\n  system:\n    interval: 1m30s\nbuffer:\n  max_age: 2h\n',
    )
    const shown = await runCli(['config', 'show', '--config', file], { cwd: t.dir, env: e })
    const copy = t.write('copy.yaml', shown.stdout)
    const again = await runCli(['config', 'show', '--config', copy], { cwd: t.dir, env: e })
    assert.equal(again.stdout.split('\n').slice(1).join('\n'), shown.stdout.split('\n').slice(1).join('\n'))
    assert.match(shown.stdout, /interval: 1m30s/)
  })
})
