/**
 * The daemon installs: the systemd unit and the container image. Neither can run here
 * (no systemd as PID 1, no Docker engine), so these tests check what can be checked
 * without them: the unit's directives (and `systemd-analyze verify` where present), the
 * Dockerfile's instructions, and that each shipped configuration is one the agent's own
 * parser accepts, with the settings the deployment depends on.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'

import { parseConfig } from '../src/config'

const root = join(__dirname, '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')

/** The shipped configuration as the agent would load it, with no environment overrides. */
function shippedConfig(path: string) {
  const { config, warnings } = parseConfig(read(path), { file: path, env: {} })
  assert.deepEqual(warnings, [], `${path} has warnings`)
  return config
}

/** Files of `path` that git tracks: what a fresh clone, and so a build context, has. */
function tracked(path: string): string[] {
  return execFileSync('git', ['ls-files', '--', path], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
}

// ---------------------------------------------------------------------------------------

type Unit = Map<string, Map<string, string[]>>

function parseUnit(text: string): Unit {
  const unit: Unit = new Map()
  let section: Map<string, string[]> | undefined
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[(.+)\]$/.exec(line)
    if (header) {
      section = new Map()
      unit.set(header[1]!, section)
      continue
    }
    const eq = line.indexOf('=')
    assert.ok(section && eq > 0, `not a directive: ${line}`)
    const key = line.slice(0, eq).trim()
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()])
  }
  return unit
}

describe('the systemd unit', () => {
  const unitPath = 'deploy/systemd/tfo-agent.service'
  const unit = parseUnit(read(unitPath))
  const service = unit.get('Service') ?? new Map<string, string[]>()
  const one = (key: string) => {
    const values = service.get(key)
    assert.ok(values, `[Service] has no ${key}=`)
    assert.equal(values.length, 1, `[Service] sets ${key}= more than once`)
    return values[0]!
  }

  test('runs the globally installed CLI as an unprivileged user with the shipped config', () => {
    assert.equal(one('User'), 'tfo-agent')
    const [bin, ...args] = one('ExecStart').split(/\s+/)
    assert.match(bin!, /^\/.+\/tfo-agent$/, 'ExecStart names the CLI by absolute path')
    assert.deepEqual(args, ['start', '--config', '/etc/tfo-agent/tfo-agent.yaml'])
    assert.equal(one('EnvironmentFile'), '-/etc/tfo-agent/env')
    const sysusers = read('deploy/systemd/tfo-agent.sysusers.conf')
    assert.match(sysusers, /^u tfo-agent /m, 'the sysusers file creates the User=')
  })

  test('restarts on failure and reloads with SIGHUP', () => {
    assert.equal(one('Restart'), 'on-failure')
    assert.equal(one('ExecReload'), '/bin/kill -HUP $MAINPID')
  })

  test('may write only its state directory, and is sandboxed', () => {
    assert.equal(one('StateDirectory'), 'tfo-agent')
    assert.equal(one('ReadWritePaths'), '/var/lib/tfo-agent')
    assert.equal(one('ProtectSystem'), 'strict')
    assert.match(one('ProtectHome'), /^(true|read-only|tmpfs)$/)
    assert.equal(one('NoNewPrivileges'), 'true')
    assert.equal(one('PrivateTmp'), 'true')
    assert.ok(one('RestrictAddressFamilies').split(/\s+/).includes('AF_NETLINK'), 'TCP counts need netlink')
    assert.equal(service.get('MemoryDenyWriteExecute'), undefined, "V8's JIT needs W+X memory")
    assert.deepEqual(unit.get('Install')?.get('WantedBy'), ['multi-user.target'])
  })

  test('ships a config whose data directory is the one the unit lets it write', () => {
    const config = shippedConfig('deploy/systemd/tfo-agent.yaml')
    assert.equal(config.agent.data_dir, one('ReadWritePaths'))
  })

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
  test(
    'passes systemd-analyze verify',
    { skip: analyze.status !== 0 && 'systemd-analyze is not installed' },
    () => {
      // verify also checks that ExecStart exists; point it at a binary this machine has.
      const dir = mkdtempSync(join(tmpdir(), 'tfo-agent-unit-'))
      try {
        const copy = join(dir, 'tfo-agent.service')
        writeFileSync(copy, read(unitPath).replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`))
        const run = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' })
        const about = `${run.stdout}${run.stderr}`.split('\n').filter((l) => l.includes('tfo-agent.service'))
        assert.equal(run.status, 0, about.join('\n'))
        assert.deepEqual(about, [], 'systemd-analyze has remarks about the unit')
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  )
})

// ---------------------------------------------------------------------------------------

interface Instruction {
  op: string
  args: string
  stage: number
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = []
  let stage = -1
  let pending = ''
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue
    const line = pending + raw
    if (/\\\s*$/.test(line)) {
      pending = line.replace(/\\\s*$/, ' ')
      continue
    }
    pending = ''
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line)
    if (!m) continue
    const op = m[1]!.toUpperCase()
    if (op === 'FROM') stage++
    out.push({ op, args: m[2]!.replace(/\s+/g, ' ').trim(), stage })
  }
  return out
}

/** `COPY [--flag=…] src… dest` → flags, sources, destination. */
function copyParts(args: string): { flags: string[]; sources: string[]; dest: string } {
  const words = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(' ')
  const flags = words.filter((w) => w.startsWith('--'))
  const paths = words.filter((w) => !w.startsWith('--'))
  return { flags, sources: paths.slice(0, -1), dest: paths[paths.length - 1]! }
}

describe('the container image', () => {
  const dockerfile = 'deploy/docker/Dockerfile'
  const all = parseDockerfile(read(dockerfile))
  const last = Math.max(...all.map((i) => i.stage))
  const final = all.filter((i) => i.stage === last)
  const finalOf = (op: string) => final.filter((i) => i.op === op)
  const imageConfigCopy = finalOf('COPY')
    .map((i) => copyParts(i.args))
    .find((c) => c.dest === '/etc/tfo-agent/tfo-agent.yaml')

  test('builds from a clean clone: every COPY source is tracked and not excluded from the context', () => {
    const ignore = read('deploy/docker/Dockerfile.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
    for (const { args } of all.filter((i) => i.op === 'COPY' || i.op === 'ADD')) {
      const { flags, sources } = copyParts(args)
      if (flags.some((f) => f.startsWith('--from='))) continue
      for (const source of sources) {
        assert.ok(tracked(source).length > 0, `${source} is not in the repository`)
        const excluded = ignore.filter((p) => source === p || source.startsWith(`${p}/`))
        assert.deepEqual(excluded, [], `${source} is excluded by the .dockerignore`)
      }
    }
  })

  test('runs the agent as a non-root user', () => {
    const users = finalOf('USER')
    assert.ok(users.length > 0, 'the final stage sets no USER')
    const user = users[users.length - 1]!.args.split(':')[0]
    assert.notEqual(user, 'root')
    assert.notEqual(user, '0')
  })

  test('starts the agent with the configuration it ships', () => {
    assert.ok(imageConfigCopy, 'no COPY puts a config at /etc/tfo-agent/tfo-agent.yaml')
    const entrypoint = JSON.parse(finalOf('ENTRYPOINT').at(-1)!.args) as string[]
    const cmd = JSON.parse(finalOf('CMD').at(-1)!.args) as string[]
    assert.deepEqual(
      [...entrypoint, ...cmd],
      ['tfo-agent', 'start', '--config', '/etc/tfo-agent/tfo-agent.yaml'],
    )
  })

  test('reads the host under /hostfs and keeps state in the volume', () => {
    assert.ok(imageConfigCopy)
    const config = shippedConfig(imageConfigCopy.sources[0]!)
    assert.equal(config.collectors.system.root_path, '/hostfs')
    const volumes = finalOf('VOLUME').flatMap((i) => JSON.parse(i.args) as string[])
    assert.ok(volumes.includes(config.agent.data_dir), `${config.agent.data_dir} is not a VOLUME`)
  })

  test('checks its health with node against the health endpoint the config opens', () => {
    assert.ok(imageConfigCopy)
    const config = shippedConfig(imageConfigCopy.sources[0]!)
    const [host, port] = config.health.endpoint.split(':')
    assert.equal(host, '0.0.0.0', 'probes from outside the container need a non-loopback listener')
    assert.equal(config.health.enabled, true)
    const healthcheck = finalOf('HEALTHCHECK').at(-1)?.args ?? ''
    const exec = /\bCMD (\[.*\])$/.exec(healthcheck)
    assert.ok(exec, `HEALTHCHECK is not in exec form: ${healthcheck}`)
    const argv = JSON.parse(exec[1]!) as string[]
    assert.equal(argv[0], 'node', 'the slim image has no curl or wget')
    assert.match(argv.join(' '), new RegExp(`http://127\\.0\\.0\\.1:${port}/health`))
  })
})
