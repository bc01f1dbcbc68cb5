import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { parseConfig } from '../src/config'
import { defaultDataDir, resolveIdentity } from '../src/identity'
import { makeTmp } from './cli-helpers'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function configWith(dataDir: string, env: Record<string, string> = {}) {
  return parseConfig(`agent:\n  data_dir: ${JSON.stringify(dataDir)}\n`, { env }).config
}

/** Resolves the identity in a fresh Node process, as a restarted agent would. */
function idFromNewProcess(dataDir: string): Promise<string> {
  const script = `
    const { parseConfig } = require('./src/config')
    const { resolveIdentity } = require('./src/identity')
    const { config } = parseConfig('agent:\\n  data_dir: ' + JSON.stringify(process.argv[1]) + '\\n', { env: {} })
    resolveIdentity(config).then((id) => process.stdout.write(id.agentId))
  `
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '-e', script, dataDir],
      { cwd: join(__dirname, '..') },
      (err, stdout) => (err ? fail(err) : done(stdout)),
    )
  })
}

describe('agent identity', () => {
  const tmp = makeTmp()
  after(() => tmp.cleanup())

  test('keeps the same generated id across restarts', async () => {
    const dir = join(tmp.dir, 'restarts')
    const first = await idFromNewProcess(dir)
    const second = await idFromNewProcess(dir)
    assert.match(first, UUID_V4)
    assert.equal(second, first)
    assert.equal(readFileSync(join(dir, 'agent-id'), 'utf8').trim(), first)
  })

  test('creates the data directory readable by its owner only', async () => {
    const dir = join(tmp.dir, 'private', 'state')
    const identity = await resolveIdentity(configWith(dir))
    assert.equal(identity.source, 'generated')
    assert.equal(statSync(dir).mode & 0o777, 0o700)
    assert.equal((await resolveIdentity(configWith(dir))).source, 'file')
  })

  test('uses the id from the config or TELEMETRYFLOW_AGENT_ID without touching the disk', async () => {
    const dir = join(tmp.dir, 'given')
    const identity = await resolveIdentity(configWith(dir, { TELEMETRYFLOW_AGENT_ID: 'web-01' }))
    assert.deepEqual(identity, { agentId: 'web-01', dataDir: dir, source: 'config' })
  })

  test('replaces an id file that holds garbage', async () => {
    const dir = join(tmp.dir, 'garbage')
    await resolveIdentity(configWith(dir))
    writeFileSync(join(dir, 'agent-id'), '\u0000\u0000 not an id \n')
    const identity = await resolveIdentity(configWith(dir))
    assert.equal(identity.source, 'generated')
    assert.match(identity.agentId, UUID_V4)
    assert.equal((await resolveIdentity(configWith(dir))).agentId, identity.agentId)
  })

  test('agrees on one id when several agents start at once', async () => {
    const dir = join(tmp.dir, 'race')
    const ids = await Promise.all(Array.from({ length: 8 }, () => resolveIdentity(configWith(dir))))
    assert.equal(new Set(ids.map((i) => i.agentId)).size, 1)
  })

  test('defaults the data directory by user: system-wide for root, per-user otherwise', () => {
    const linux = { platform: 'linux' as const }
    assert.equal(defaultDataDir({ ...linux, uid: 0, env: {} }), '/var/lib/tfo-agent')
    assert.equal(
      defaultDataDir({ ...linux, uid: 1000, env: { XDG_STATE_HOME: '/x/state' } }),
      '/x/state/tfo-agent',
    )
    assert.equal(
      defaultDataDir({ ...linux, uid: 1000, env: { HOME: '/home/u' } }),
      '/home/u/.local/state/tfo-agent',
    )
  })

  test('defaults the data directory on macOS under Library/Application Support', () => {
    const mac = { platform: 'darwin' as const, env: {} }
    assert.equal(defaultDataDir({ ...mac, uid: 0 }), '/Library/Application Support/tfo-agent')
    assert.equal(
      defaultDataDir({ ...mac, uid: 501, home: '/Users/u' }),
      '/Users/u/Library/Application Support/tfo-agent',
    )
  })

  test('defaults the data directory on Windows to ProgramData when elevated, LOCALAPPDATA otherwise', () => {
    const env = { ProgramData: 'D:\\Data', LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }
    const win = { platform: 'win32' as const, env }
    assert.equal(defaultDataDir({ ...win, elevated: true }), 'D:\\Data\\tfo-agent')
    assert.equal(defaultDataDir({ ...win, elevated: false }), 'C:\\Users\\u\\AppData\\Local\\tfo-agent')
    assert.equal(
      defaultDataDir({ platform: 'win32', env: { USERPROFILE: 'C:\\Users\\v' }, elevated: false }),
      'C:\\Users\\v\\AppData\\Local\\tfo-agent',
    )
  })
})
