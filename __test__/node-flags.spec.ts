import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { AGENT_NODE_FLAGS, planRestart, restartInPlace, type Invocation } from '../src/cli/node-flags'
import { native, NativeBindingError } from '../src/native'

const base: Invocation = {
  execPath: '/usr/bin/node',
  execArgv: [],
  argv: ['/usr/bin/node', '/opt/tfo/bin/tfo-agent.js', 'start', '--config', 'a.yaml'],
  env: {},
  platform: 'linux',
}
const plan = (over: Partial<Invocation>) => planRestart({ ...base, ...over })

describe('restarting `tfo-agent start` under the agent node flags', () => {
  test('start restarts node with the flags before the script, keeping its own flags and the arguments', () => {
    assert.deepEqual(AGENT_NODE_FLAGS, ['--max-semi-space-size=2'])
    assert.deepEqual(plan({ execArgv: ['--enable-source-maps'] }), {
      restart: true,
      file: '/usr/bin/node',
      args: [
        '/usr/bin/node',
        '--enable-source-maps',
        '--max-semi-space-size=2',
        '/opt/tfo/bin/tfo-agent.js',
        'start',
        '--config',
        'a.yaml',
      ],
      flags: ['--max-semi-space-size=2'],
    })
  })

  test('other commands, Windows and Electron run as they are', () => {
    for (const command of ['collect', 'status', 'config', 'version', '--help']) {
      assert.equal(plan({ argv: ['/usr/bin/node', 'bin.js', command] }).restart, false, command)
    }
    assert.equal(plan({ argv: ['/usr/bin/node', 'bin.js'] }).restart, false)
    assert.equal(plan({ argv: ['/usr/bin/node', 'bin.js', 'start', '--help'] }).restart, false)
    assert.equal(plan({ platform: 'win32' }).restart, false)
    assert.equal(plan({ electron: '30.0.0' }).restart, false)
  })

  test('a flag the user already gave node wins, in either spelling and from NODE_OPTIONS too', () => {
    assert.equal(plan({ execArgv: ['--max-semi-space-size=8'] }).restart, false)
    assert.equal(plan({ execArgv: ['--max_semi_space_size=8'] }).restart, false)
    assert.equal(plan({ env: { NODE_OPTIONS: '--inspect --max-semi-space-size=1' } }).restart, false)
    // After the restart the flags are on node's command line: no second restart.
    const first = plan({})
    assert.ok(first.restart)
    const again = planRestart({ ...base, execArgv: first.args.slice(1, 2) })
    assert.deepEqual(again, { restart: false, reason: 'node already has the flags' })
  })

  test('TFO_AGENT_NODE_FLAGS replaces the list; empty turns the restart off; junk is refused by name', () => {
    const own = plan({ env: { TFO_AGENT_NODE_FLAGS: ' --max-old-space-size=256  --max-semi-space-size=4 ' } })
    assert.ok(own.restart)
    assert.deepEqual(own.flags, ['--max-old-space-size=256', '--max-semi-space-size=4'])
    const partly = plan({
      env: { TFO_AGENT_NODE_FLAGS: '--max-old-space-size=256 --max-semi-space-size=4' },
      execArgv: ['--max-old-space-size=512'],
    })
    assert.ok(partly.restart)
    assert.deepEqual(partly.flags, ['--max-semi-space-size=4'])
    assert.equal(plan({ env: { TFO_AGENT_NODE_FLAGS: '' } }).restart, false)
    const junk = plan({ env: { TFO_AGENT_NODE_FLAGS: '--ok=1 rm -rf' } })
    assert.equal(junk.restart, false)
    assert.match(
      junk.restart ? '' : (junk.problem ?? ''),
      /TFO_AGENT_NODE_FLAGS: "rm", "-rf" is not a node option/,
    )
  })

  test('restartInPlace hands the plan to the replacer, and says so on stderr and carries on when it fails', () => {
    const calls: Array<[string, string[]]> = []
    const said: string[] = []
    const done = restartInPlace(
      base,
      (file, args) => void calls.push([file, args]),
      (l) => void said.push(l),
    )
    assert.ok(done.restart)
    assert.deepEqual(calls, [[done.file, done.args]])
    assert.equal(said.length, 0)

    restartInPlace(
      base,
      () => {
        throw new Error('cannot run /usr/bin/node: Permission denied (os error 13)')
      },
      (l) => void said.push(l),
    )
    assert.deepEqual(said, [
      "tfo-agent: could not restart with --max-semi-space-size=2 (cannot run /usr/bin/node: Permission denied (os error 13)); running with node's defaults",
    ])
    restartInPlace({ ...base, env: { TFO_AGENT_NODE_FLAGS: 'x' } }, assert.fail, (l) => void said.push(l))
    assert.equal(said.length, 2)
    // Without an addon there is nothing to add: the command reports the missing binary itself.
    restartInPlace(
      base,
      () => {
        throw new NativeBindingError('tfo-agent has no native binary for linux-x64-gnu')
      },
      (l) => void said.push(l),
    )
    assert.equal(said.length, 2)
  })

  test('the addon replaces the process image, keeping pid and stdout, and reports a failure with its reason', () => {
    assert.throws(
      () => native().replaceProcess('/nonexistent/tfo-agent', ['tfo-agent']),
      /cannot run \/nonexistent\/tfo-agent: .*No such file or directory/,
    )
    // A child node replaces itself with `sh -c 'echo $$'`: the same pid prints to the same stdout.
    const script = `process.stdout.write(process.pid + '\\n');
      require(${JSON.stringify(join(__dirname, '..', 'native', 'index.js'))}).replaceProcess('/bin/sh', ['sh', '-c', 'echo $$'])`
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    const [before, afterExec] = r.stdout.trim().split('\n')
    assert.ok(before && before === afterExec, r.stdout)
  })
})
