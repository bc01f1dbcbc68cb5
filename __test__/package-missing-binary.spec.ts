/**
 * What a user sees on a platform with no prebuilt binary: a copy of the package as npm
 * would install it (bin, dist, the generated loader, its dependencies) but with no
 * `.node` file and no platform package beside it.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

const root = join(__dirname, '..')

function platformLabel(): string {
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
  return `linux-${process.arch}-${report?.header?.glibcVersionRuntime ? 'gnu' : 'musl'}`
}

describe('a platform with no prebuilt binary', () => {
  let dir = ''

  before(() => {
    assert.ok(existsSync(join(root, 'dist', 'index.js')), 'run "npm run build" first')
    dir = mkdtempSync(join(tmpdir(), 'tfo-agent-nobinary-'))
    for (const path of ['package.json', 'bin', 'dist', 'schema']) {
      if (existsSync(join(root, path))) cpSync(join(root, path), join(dir, path), { recursive: true })
    }
    mkdirSync(join(dir, 'native'))
    cpSync(join(root, 'native', 'index.js'), join(dir, 'native', 'index.js'))
    cpSync(join(root, 'native', 'index.d.ts'), join(dir, 'native', 'index.d.ts'))
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir')
  })

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  // Keep the loader from finding the repository's own binary through the environment.
  const env = { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: '', NODE_OPTIONS: '' }

  test('the library throws one NativeBindingError that names the platform and how to build', () => {
    const probe = `
      const { HostCollector, NativeBindingError } = require(${JSON.stringify(dir)})
      try { new HostCollector(); console.log(JSON.stringify({ loaded: true })) }
      catch (e) { console.log(JSON.stringify({ name: e.name, ours: e instanceof NativeBindingError, message: e.message })) }
    `
    const run = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env })
    assert.equal(run.status, 0, run.stderr)
    const result = JSON.parse(run.stdout) as {
      loaded?: boolean
      name: string
      ours: boolean
      message: string
    }
    assert.equal(result.loaded, undefined, 'the addon loaded although no binary was there')
    assert.equal(result.name, 'NativeBindingError')
    assert.ok(result.ours)
    assert.match(result.message, new RegExp(`no native binary for ${platformLabel()}`))
    assert.match(result.message, /tfo-agent-/)
    assert.match(result.message, /build from source/)
  })

  test('the CLI prints that message without a stack trace and exits 1', () => {
    const run = spawnSync(
      process.execPath,
      [join(dir, 'bin', 'tfo-agent.js'), 'collect', '--format', 'json'],
      {
        encoding: 'utf8',
        env,
        timeout: 60_000,
      },
    )
    assert.equal(run.status, 1, `exit ${run.status}\n${run.stderr}`)
    assert.equal(run.stdout, '')
    assert.match(run.stderr, new RegExp(`no native binary for ${platformLabel()}`))
    assert.match(run.stderr, /build from source/)
    assert.doesNotMatch(run.stderr, /^\s+at /m, 'the CLI printed a stack trace')
    assert.doesNotMatch(run.stderr, /NativeBindingError:/, 'the CLI printed the raw error')
  })
})
