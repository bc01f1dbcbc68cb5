/**
 * The shape of what npm installs: the root package and the per-platform packages in
 * npm/. A user on any of the seven release targets gets exactly one `.node` file from
 * one optional package, and nothing in either package runs a script at install time.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'

const root = join(__dirname, '..')
const rootPkg = readJson(join(root, 'package.json'))

interface Manifest {
  name: string
  version: string
  license?: string
  main?: string
  types?: string
  bin?: Record<string, string>
  files?: string[]
  os?: string[]
  cpu?: string[]
  libc?: string[]
  engines?: Record<string, string>
  scripts?: Record<string, string>
  optionalDependencies?: Record<string, string>
  napi?: { binaryName?: string; targets?: string[] }
}

function readJson(path: string): Manifest {
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest
}

/** The napi platform name of a Rust target triple, as napi create-npm-dirs spells it. */
const platformOf: Record<string, { dir: string; os: string; cpu: string; libc?: string }> = {
  'x86_64-unknown-linux-gnu': { dir: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc' },
  'x86_64-unknown-linux-musl': { dir: 'linux-x64-musl', os: 'linux', cpu: 'x64', libc: 'musl' },
  'aarch64-unknown-linux-gnu': { dir: 'linux-arm64-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc' },
  'aarch64-unknown-linux-musl': { dir: 'linux-arm64-musl', os: 'linux', cpu: 'arm64', libc: 'musl' },
  'x86_64-apple-darwin': { dir: 'darwin-x64', os: 'darwin', cpu: 'x64' },
  'aarch64-apple-darwin': { dir: 'darwin-arm64', os: 'darwin', cpu: 'arm64' },
  'x86_64-pc-windows-msvc': { dir: 'win32-x64-msvc', os: 'win32', cpu: 'x64' },
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall']

describe('platform packages', () => {
  const targets = rootPkg.napi?.targets ?? []

  test('there is one package directory per release target and no other', () => {
    const expected = targets.map((t) => platformOf[t]?.dir ?? `unknown target ${t}`).sort()
    const dirs = readdirSync(join(root, 'npm'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
    assert.deepEqual(dirs, expected)
  })

  for (const target of targets) {
    const p = platformOf[target]
    if (!p) continue
    test(`${p.dir} carries one binary for ${p.os}/${p.cpu}${p.libc ? `/${p.libc}` : ''} and runs no scripts`, () => {
      const pkg = readJson(join(root, 'npm', p.dir, 'package.json'))
      const binary = `${rootPkg.napi?.binaryName}.${p.dir}.node`
      assert.equal(pkg.name, `tfo-agent-${p.dir}`)
      assert.equal(pkg.version, rootPkg.version, 'platform packages are released at the root version')
      assert.equal(pkg.main, binary)
      assert.deepEqual(pkg.files, [binary])
      assert.deepEqual(pkg.os, [p.os])
      assert.deepEqual(pkg.cpu, [p.cpu])
      assert.deepEqual(pkg.libc, p.libc ? [p.libc] : undefined)
      assert.equal(pkg.engines?.node, rootPkg.engines?.node)
      assert.equal(pkg.license, rootPkg.license)
      assert.equal(pkg.scripts, undefined)
    })
  }

  test('the generated loader asks for every platform package by the name it is published under', () => {
    const loader = readFileSync(join(root, 'native', 'index.js'), 'utf8')
    const required = new Set([...loader.matchAll(/require\('(tfo-agent-[a-z0-9-]+)'\)/g)].map((m) => m[1]))
    for (const target of targets) {
      const name = `tfo-agent-${platformOf[target]?.dir}`
      assert.ok(required.has(name), `native/index.js never requires ${name}`)
    }
  })
})

describe('root package', () => {
  test('declares no install-time scripts', () => {
    for (const name of INSTALL_SCRIPTS) {
      assert.equal(rootPkg.scripts?.[name], undefined, `package.json has a "${name}" script`)
    }
  })

  test('lists platform packages in optionalDependencies only at the root version, if at all', () => {
    // `napi prepublish` writes them at release time; a stale hand-written entry would
    // make npm install a binary that does not match the JavaScript beside it.
    for (const [name, range] of Object.entries(rootPkg.optionalDependencies ?? {})) {
      if (!name.startsWith('tfo-agent-')) continue
      assert.equal(range, rootPkg.version, `${name} is pinned to ${range}`)
    }
  })

  test('packs the CLI, the library, the loader, the schema and the status page, and no binary or source', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
    })
    const [info] = JSON.parse(out) as [{ files: { path: string }[] }]
    const files = new Set(info.files.map((f) => f.path))
    const needed = [
      'package.json',
      rootPkg.main,
      rootPkg.types,
      ...Object.values(rootPkg.bin ?? {}),
      'native/index.js',
      'native/index.d.ts',
      'schema/system-info.schema.json',
      'assets/status/index.html',
      'assets/status/status.js',
      'assets/status/charts.js',
      'assets/status/status.css',
    ]
    for (const file of needed) {
      assert.ok(file && files.has(file.replace(/^\.\//, '')), `the tarball lacks ${file}`)
    }
    const unwanted = [...files].filter(
      (f) =>
        f.endsWith('.node') || f.startsWith('src/') || f.startsWith('native/src/') || f.endsWith('.spec.ts'),
    )
    assert.deepEqual(unwanted, [])
  })
})
