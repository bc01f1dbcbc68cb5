/**
 * First-hour stumbles on the command line: a bad option value is bad usage (one line,
 * exit 2, no stack trace), a value Node's timers cannot hold is refused rather than
 * silently shortened, and `config show` names the data directory in use.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { parse } from 'yaml'

import { cleanEnv, makeTmp, runCli } from './cli-helpers'

const tmp = makeTmp()
const env = cleanEnv(tmp.dir)
const run = (args: string[], extra: Record<string, string> = {}) =>
  runCli(args, { cwd: tmp.dir, env: { ...env, ...extra } })

describe('tfo-agent with a bad option value', () => {
  after(() => tmp.cleanup())

  const cases: Array<[string[], RegExp]> = [
    [
      ['collect', '--sample-ms', 'abc'],
      /^tfo-agent: --sample-ms must be a whole number of milliseconds, got "abc"\n$/,
    ],
    [
      ['collect', '--sample-ms', '-5'],
      /^tfo-agent: --sample-ms must be a whole number of milliseconds, got "-5"\n$/,
    ],
    [
      ['collect', '--sample-ms', '1.5'],
      /^tfo-agent: --sample-ms must be a whole number of milliseconds, got "1.5"\n$/,
    ],
    [
      ['collect', '--sample-ms', '99999999999'],
      /^tfo-agent: --sample-ms must be at most 2147483647 ms .*got 99999999999\n$/,
    ],
    [
      ['status', '--timeout-ms', 'abc'],
      /^tfo-agent: --timeout-ms must be a whole number of milliseconds, got "abc"\n$/,
    ],
    [
      ['status', '--timeout-ms', '3000000000'],
      /^tfo-agent: --timeout-ms must be at most 2147483647 ms .*got 3000000000\n$/,
    ],
  ]
  for (const [args, message] of cases) {
    test(`exits 2 with one line and no stack trace for "${args.join(' ')}"`, async () => {
      const r = await run(args)
      assert.match(r.stderr, message)
      assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning|\n\s+at /)
      assert.equal(r.stdout, '')
      assert.equal(r.code, 2)
    })
  }

  test('still samples for the time asked when the value is good', async () => {
    const r = await run(['collect', '--sample-ms', '50', '--format', 'json'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(typeof JSON.parse(r.stdout).systemInfo.hostname, 'string')
  })
})

describe('tfo-agent config show', () => {
  test('prints the data directory the agent would use, not an empty string', async () => {
    const home = makeTmp()
    try {
      const r = await runCli(['config', 'show'], { cwd: home.dir, env: cleanEnv(home.dir) })
      assert.equal(r.code, 0, r.stderr)
      const shown = parse(r.stdout) as { agent: { data_dir: string } }
      // Root's default is the system directory; anyone else's is under XDG_STATE_HOME.
      const expected = process.getuid?.() === 0 ? '/var/lib/tfo-agent' : join(home.dir, 'state', 'tfo-agent')
      assert.equal(shown.agent.data_dir, expected)
    } finally {
      home.cleanup()
    }
  })

  test('prints the data directory the file names, as given', async () => {
    const home = makeTmp()
    try {
      const file = home.write('c.yaml', `agent:\n  data_dir: ${join(home.dir, 'elsewhere')}\n`)
      const r = await runCli(['config', 'show', '--config', file], { cwd: home.dir, env: cleanEnv(home.dir) })
      assert.equal(r.code, 0, r.stderr)
      assert.equal(
        (parse(r.stdout) as { agent: { data_dir: string } }).agent.data_dir,
        join(home.dir, 'elsewhere'),
      )
    } finally {
      home.cleanup()
    }
  })
})
