/**
 * Install the agent the way a user does, on a machine without Rust: `npm pack` the root
 * package and the linux-x64-gnu platform package, `npm install` both tarballs into an
 * empty project with no cargo/rustc on PATH and with install scripts switched off, then
 * run the installed CLI: `--version`, `collect --format json` (checked against the
 * heartbeat schema) and a short `start` that the real OpenTelemetry Collector receives.
 *
 * The root's runtime dependencies come from the npm registry through the local npm cache
 * (`--prefer-offline`); everything else stays on 127.0.0.1.
 */
import assert from 'node:assert/strict'
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Ajv from 'ajv'

import { startAgent, type RunningAgent } from './helpers/agent'
import { pause, startCollector } from './helpers/otelcol'

const root = join(__dirname, '..')
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string
  version: string
}
const platform = 'linux-x64-gnu'
const binary = join(root, 'native', `tfo-agent.${platform}.node`)
const agentId = 'pack-install-e2e'

/** Packages of the installed tree allowed to declare install scripts (all run fine without them). */
const KNOWN_INSTALL_SCRIPTS = new Set(['lmdb', 'msgpackr-extract', 'protobufjs'])

const isLinuxGnuX64 = (() => {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
  return Boolean(report?.header?.glibcVersionRuntime)
})()

function hasExecutable(dir: string, name: string): boolean {
  try {
    return statSync(join(dir, name)).isFile()
  } catch {
    return false
  }
}

/**
 * The environment of a machine without Rust: PATH without any directory holding cargo or
 * rustc, and none of the npm_* variables `npm test` sets (npm_config_local_prefix would
 * point the inner npm at this repository).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (
      key.startsWith('npm_') &&
      !['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'].includes(key)
    )
      continue
    if (key === 'INIT_CWD' || key.startsWith('CARGO') || key.startsWith('RUSTUP')) continue
    env[key] = value
  }
  const dirs = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && !hasExecutable(dir, 'cargo') && !hasExecutable(dir, 'rustc'))
  env.PATH = [join(process.execPath, '..'), ...dirs].join(delimiter)
  env.NAPI_RS_NATIVE_LIBRARY_PATH = ''
  env.NODE_OPTIONS = ''
  return env
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  const result = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 << 20 })
  if (result.error) throw result.error
  return result
}

function mustRun(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const result = run(cmd, args, cwd, env)
  assert.equal(
    result.status,
    0,
    `${cmd} ${args.join(' ')} exited ${result.status}\n${result.stderr}\n${result.stdout}`,
  )
  return result.stdout
}

function pack(dir: string, dest: string, env: NodeJS.ProcessEnv): string {
  const out = mustRun('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], dir, env)
  const [info] = JSON.parse(out) as [{ filename: string }]
  return join(dest, info.filename)
}

describe(
  'packing and installing without a Rust toolchain',
  { skip: !isLinuxGnuX64 && 'needs linux x64 glibc' },
  () => {
    let work = ''
    let app = ''
    let env: NodeJS.ProcessEnv = {}

    before(() => {
      assert.ok(
        existsSync(join(root, 'dist', 'cli', 'main.js')),
        'run "npm run build" first (dist/ is missing)',
      )
      assert.ok(existsSync(binary), `run "npm run build" first (${binary} is missing)`)
      work = mkdtempSync(join(tmpdir(), 'tfo-agent-pack-'))
      env = userEnv()

      const rootTarball = pack(root, work, env)
      const platformDir = join(work, platform)
      cpSync(join(root, 'npm', platform), platformDir, { recursive: true })
      cpSync(binary, join(platformDir, `tfo-agent.${platform}.node`))
      const platformTarball = pack(platformDir, work, env)

      app = join(work, 'app')
      mkdirSync(app)
      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify({ name: 'probe', version: '0.0.0', private: true }),
      )
      mustRun(
        'npm',
        [
          'install',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--ignore-scripts',
          rootTarball,
          platformTarball,
        ],
        app,
        env,
      )
    })

    after(() => {
      if (work) rmSync(work, { recursive: true, force: true })
    })

    test('the environment really has no cargo or rustc', () => {
      const probe = run('sh', ['-c', 'command -v cargo || command -v rustc'], app, env)
      assert.notEqual(probe.status, 0, `found ${probe.stdout.trim()} on PATH`)
    })

    test('neither package declares an install script, and no dependency outside the known few does', () => {
      const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { hasInstallScript?: boolean }>
      }
      const withScripts = Object.entries(lock.packages)
        .filter(([, entry]) => entry.hasInstallScript)
        .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
      assert.ok(!withScripts.includes(rootPkg.name), 'tfo-agent declares an install script')
      assert.ok(
        !withScripts.includes(`tfo-agent-${platform}`),
        'the platform package declares an install script',
      )
      assert.deepEqual(
        withScripts.filter((name) => !KNOWN_INSTALL_SCRIPTS.has(name)),
        [],
        'a new dependency with an install script: check it works with --ignore-scripts, then list it here',
      )
    })

    test('npx tfo-agent --version prints the packed version', () => {
      const out = mustRun('npx', ['--no', '--', 'tfo-agent', '--version'], app, env)
      assert.match(out, new RegExp(`\\b${rootPkg.version.replace(/\./g, '\\.')}\\b`))
    })

    test('npx tfo-agent collect --format json prints a heartbeat body that the schema accepts', () => {
      const out = mustRun(
        'npx',
        ['--no', '--', 'tfo-agent', 'collect', '--format', 'json', '--sample-ms', '200'],
        app,
        env,
      )
      const parsed = JSON.parse(out) as Record<string, unknown>
      const body = 'systemInfo' in parsed ? parsed : { systemInfo: parsed }
      // The schema shipped in the installed package, not the repository's copy.
      const schemaPath = join(app, 'node_modules', rootPkg.name, 'schema', 'system-info.schema.json')
      const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object
      const validate = new Ajv({ allErrors: true, strict: false }).compile(schema)
      assert.ok(validate(body), JSON.stringify(validate.errors, null, 2))
      const info = body.systemInfo as { hostname: string; cpuLogicalCores: number; memoryTotal: number }
      assert.ok(info.hostname.length > 0)
      assert.ok(info.cpuLogicalCores > 0)
      assert.ok(info.memoryTotal > 0)
    })

    test('tfo-agent start sends metrics to the real collector and exits 0 on SIGTERM', async () => {
      const collector = await startCollector()
      let agent: RunningAgent | undefined
      try {
        // The bin npx resolves, started directly so SIGTERM reaches the agent itself.
        agent = await startAgent(
          {
            telemetryflow: { endpoint: collector.grpcEndpoint, protocol: 'grpc' },
            agent: { id: agentId, data_dir: join(work, 'state') },
            heartbeat: { enabled: false },
            cloud: { provider: 'none' },
            collectors: { system: { interval: '1s' } },
            exporter: { otlp: { flush_interval: '1s' } },
          },
          {
            dir: work,
            cwd: app,
            env,
            command: join(app, 'node_modules', '.bin', 'tfo-agent'),
            waitHealthy: false,
          },
        )

        let received = false
        for (let i = 0; i < 180 && !received; i++) {
          assert.equal(agent.child.exitCode, null, `the agent exited early:\n${agent.output()}`)
          received = JSON.stringify(await collector.readMetrics()).includes(agentId)
          if (!received) await pause(500)
        }
        assert.ok(received, `the collector never received metrics from the agent:\n${agent.output()}`)

        const health = await fetch(`http://${agent.healthEndpoint}/health`)
        assert.equal(health.status, 200, `health endpoint said ${health.status}`)

        agent.signal('SIGTERM')
        const { code, signal } = await agent.exited
        assert.equal(signal, null, `killed by ${signal}:\n${agent.output()}`)
        assert.equal(code, 0, `exit ${code}:\n${agent.output()}`)
      } finally {
        await agent?.kill9()
        await collector.stop()
      }
    })
  },
)
