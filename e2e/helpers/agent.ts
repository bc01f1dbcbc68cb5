/**
 * The CLI agent for end-to-end tests: `node bin/tfo-agent.js start --config <yaml>` as a
 * child process, with a config object written as YAML to a temp dir, its output captured
 * (JSON log lines on standard error), and its health server on a free 127.0.0.1 port.
 *
 * ```ts
 * const agent = await startAgent(agentConfig({ collector: col.grpcEndpoint, dataDir }))
 * const m = await agent.metrics()
 * m.value('tfo_agent_collections_total')
 * assert.equal(await agent.stop('SIGTERM'), 0)
 * ```
 *
 * Every child is killed by `killAllAgents()` (call it in `after`) and when the test
 * process exits. Needs `npm run build:ts` first: the CLI runs the built `dist/` (unless
 * `command` names another executable, e.g. an installed package's bin).
 *
 * The log and process collector helpers (log-cli.ts, process-agent.ts) are layers over this.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { pointRows } from '../../__test__/fixtures/otlp'
import { freePort, pause, type OtlpJson } from './otelcol'

const ROOT = join(__dirname, '..', '..')
const CLI = join(ROOT, 'bin', 'tfo-agent.js')

export type ConfigObject = Record<string, unknown>
/** One JSON log record of the agent: `level` is the level's name, `msg` the message. */
export type LogRecord = Record<string, unknown> & { level: string; msg: string }

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']
/** True when the record is at `level` or more severe. */
export const atLeast = (r: LogRecord, level: 'warn' | 'error'): boolean =>
  LEVELS.indexOf(r.level) >= LEVELS.indexOf(level)
export const KEY_ID = 'tfk_e2e_agent_key'
export const KEY_SECRET = 'tfs_e2e_never_print_this_secret_7f3a'

/** Writes `config` to `path` as YAML. */
function writeConfigFile(path: string, config: ConfigObject): void {
  writeFileSync(path, stringify(config))
}

/** Temporary directories made here; removed when the test process exits (kept with TFO_KEEP_AGENT_DIR). */
const tempDirs: string[] = []

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tfo-e2e-${prefix}-`))
  tempDirs.push(dir)
  return dir
}

function isObject(v: unknown): v is ConfigObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** `over` merged into `base`, objects key by key (returns a new object). */
export function merge(base: ConfigObject, over: ConfigObject): ConfigObject {
  const out: ConfigObject = { ...base }
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? merge(out[k], v) : v
  return out
}

export interface BaseConfig {
  /** The collector's gRPC `host:port` (or a closed port for "no collector"). */
  collector: string
  dataDir: string
  /** The TelemetryFlow API; default: a closed port, heartbeat off. */
  api?: string
  /** Merged over the base. */
  over?: ConfigObject
}

/** A fast agent for tests: 1 s collection and flush, short retries, JSON logs, no cloud lookups. */
export function agentConfig(o: BaseConfig): ConfigObject {
  const base: ConfigObject = {
    telemetryflow: {
      endpoint: o.collector,
      protocol: 'grpc',
      api_key_id: KEY_ID,
      api_key_secret: KEY_SECRET,
      api_endpoint: o.api ?? 'http://127.0.0.1:9',
      environment: 'e2e',
      timeout: '5s',
      retry: { initial_interval: '200ms', max_interval: '1s' },
    },
    agent: { data_dir: o.dataDir },
    heartbeat: { enabled: o.api !== undefined, interval: '1s', timeout: '2s' },
    collectors: { system: { interval: '1s' } },
    exporter: { otlp: { flush_interval: '1s' } },
    // Every failed flush counts an attempt against each batch: an outage of a few dozen
    // seconds must not exhaust them (see the report on buffer.max_retries).
    buffer: { max_retries: 10_000 },
    logging: { format: 'json', level: 'info' },
    cloud: { provider: 'none' },
  }
  return o.over ? merge(base, o.over) : base
}

export interface ExitStatus {
  code: number | null
  signal: NodeJS.Signals | null
}

/** The Prometheus text of `/metrics`, parsed. */
export class PromMetrics {
  readonly samples: Array<{ name: string; labels: Record<string, string>; value: number }> = []
  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line.trim())
      if (!m) continue
      const labels: Record<string, string> = {}
      for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2]
      this.samples.push({ name: m[1], labels, value: Number(m[3]) })
    }
  }
  /** The sum of the samples of `name` whose labels include `labels` (0 when there are none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0)
  }
  get collections(): number {
    return this.value('tfo_agent_collections_total')
  }
  get exportsOk(): number {
    return this.value('tfo_agent_exports_total', { outcome: 'ok' })
  }
  get exportsFailed(): number {
    return this.value('tfo_agent_exports_total', { outcome: 'failed' })
  }
  get bufferBatches(): number {
    return this.value('tfo_agent_buffer_batches')
  }
  get diskBatches(): number {
    return this.value('tfo_agent_buffer_batches', { store: 'disk' })
  }
  get droppedBatches(): number {
    return this.value('tfo_agent_dropped_batches_total')
  }
  get droppedDataPoints(): number {
    return this.value('tfo_agent_dropped_data_points_total')
  }
}

const children = new Set<ChildProcess>()

export interface RunningAgent {
  readonly pid: number
  readonly child: ChildProcess
  readonly configPath: string
  /** `127.0.0.1:<port>` */
  readonly healthEndpoint: string
  /** Everything written to standard output and standard error so far. */
  output(): string
  /** The JSON log records so far (lines that are not JSON are left out). */
  logs(): LogRecord[]
  waitForLog(match: (r: LogRecord) => boolean, what: string, timeoutMs?: number): Promise<LogRecord>
  health(): Promise<{ status: number; body: Record<string, unknown> }>
  metrics(): Promise<PromMetrics>
  /** Polls `/metrics` until `done` holds. */
  waitForMetrics(done: (m: PromMetrics) => boolean, what: string, timeoutMs?: number): Promise<PromMetrics>
  /** The agent id it reports on `/health`. */
  agentId(): Promise<string>
  /** Rewrites its config file (an object as YAML, or raw text). */
  writeConfig(config: ConfigObject | string): void
  signal(signal: NodeJS.Signals): void
  readonly exited: Promise<ExitStatus>
  /** Sends `signal` and resolves the exit code (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>
  kill9(): Promise<void>
}

export interface StartOptions {
  /** Where the config file goes, and the working directory (default: a new temp dir). */
  dir?: string
  /** The working directory (default `dir`). */
  cwd?: string
  /** The executable run as `<command> start --config <file>` (default: node bin/tfo-agent.js). */
  command?: string
  /** The environment (default this process's); TELEMETRYFLOW_* variables are always left out. */
  env?: NodeJS.ProcessEnv
  /** Wait until `/health` answers (default true). */
  waitHealthy?: boolean
}

/** Starts `tfo-agent start --config <file>`; `config.health.endpoint` is set to a free port. */
export async function startAgent(config: ConfigObject, options: StartOptions = {}): Promise<RunningAgent> {
  const dir = options.dir ?? tempDir('agent')
  const configPath = join(dir, 'tfo-agent.yaml')
  const given = (config.health as ConfigObject | undefined)?.endpoint
  const healthEndpoint = typeof given === 'string' ? given : `127.0.0.1:${await freePort()}`
  const withHealth = (c: ConfigObject) => merge(c, { health: { enabled: true, endpoint: healthEndpoint } })
  const writeConfig = (c: ConfigObject | string) =>
    typeof c === 'string' ? writeFileSync(configPath, c) : writeConfigFile(configPath, withHealth(c))
  writeConfig(config)

  // The host's TELEMETRYFLOW_* variables would override the file.
  const env = Object.fromEntries(
    Object.entries(options.env ?? process.env).filter(([k]) => !k.startsWith('TELEMETRYFLOW_')),
  )
  const args = ['start', '--config', configPath]
  const [file, argv] = options.command ? [options.command, args] : [process.execPath, [CLI, ...args]]
  const child = spawn(file, argv, { cwd: options.cwd ?? dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let output = ''
  let partial = ''
  const records: LogRecord[] = []
  const onData = (chunk: Buffer) => {
    const text = chunk.toString()
    output += text
    partial += text
    const lines = partial.split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (!line.startsWith('{')) continue
      try {
        records.push(JSON.parse(line) as LogRecord)
      } catch {
        // A line that is not a log record (a crash trace): kept in output() only.
      }
    }
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  let exitStatus: ExitStatus | undefined
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child)
      exitStatus = { code, signal }
      resolve(exitStatus)
    }),
  )
  const base = `http://${healthEndpoint}`

  async function get(path: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) })
    return { status: res.status, text: await res.text() }
  }

  const agent: RunningAgent = {
    pid: child.pid!,
    child,
    configPath,
    healthEndpoint,
    output: () => output,
    logs: () => records,
    async waitForLog(match, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = records.find(match)
        if (found) return found
        if (Date.now() > deadline || exitStatus)
          throw new Error(
            `no log line ${what}${exitStatus ? ' (the agent exited)' : ''}; output:\n${output.slice(-6000)}`,
          )
        await pause(50)
      }
    },
    async health() {
      const { status, text } = await get('/health')
      return { status, body: JSON.parse(text) as Record<string, unknown> }
    },
    async metrics() {
      return new PromMetrics((await get('/metrics')).text)
    },
    async waitForMetrics(done, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      let last: PromMetrics | undefined
      for (;;) {
        if (exitStatus) throw new Error(`the agent exited while waiting for ${what}:\n${output.slice(-6000)}`)
        last = await agent.metrics().catch(() => last)
        if (last && done(last)) return last
        if (Date.now() > deadline)
          throw new Error(
            `/metrics never showed ${what}; last:\n${last?.text ?? '(no answer)'}\n${output.slice(-4000)}`,
          )
        await pause(100)
      }
    },
    async agentId() {
      return String((await agent.health()).body.agentId)
    },
    writeConfig,
    signal: (signal) => {
      child.kill(signal)
    },
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (!exitStatus) child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      const status = await exited
      clearTimeout(timer)
      return status.code
    },
    async kill9() {
      if (!exitStatus) child.kill('SIGKILL')
      await exited
    },
  }

  if (options.waitHealthy !== false) {
    const deadline = Date.now() + 30_000
    for (;;) {
      if (exitStatus)
        throw new Error(`the agent exited (${exitStatus.code}) before /health answered:\n${output}`)
      const ok = await get('/health').then(
        () => true,
        () => false,
      )
      if (ok) break
      if (Date.now() > deadline) {
        child.kill('SIGKILL')
        throw new Error(`/health never answered at ${base}:\n${output}`)
      }
      await pause(50)
    }
  }
  return agent
}

/** SIGKILLs every agent still running (for `after` hooks). */
export async function killAllAgents(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
}

process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
  if (!process.env.TFO_KEEP_AGENT_DIR)
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

/** Runs a one-shot CLI command (e.g. `status`); resolves its exit code and output. */
export function runCli(
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`tfo-agent ${args.join(' ')} did not finish:\n${stdout}${stderr}`))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** One collection cycle as the collector received it. */
export interface Cycle {
  /** `system.uptime`'s timestamp, unix ns: one per collection. */
  timeUnixNano: bigint
  resource: Record<string, string | number | boolean>
  attributes: Record<string, string | number | boolean>
}

/** The cycles of one agent in the order the collector wrote them (one `system.uptime` point each). */
export function cyclesOf(requests: OtlpJson[], agentId: string): Cycle[] {
  return requests
    .flatMap((r) => pointRows(r as never))
    .filter((row) => row.metric === 'system.uptime' && row.resource['telemetryflow.agent.id'] === agentId)
    .map((row) => ({
      timeUnixNano: BigInt(row.timeUnixNano),
      resource: row.resource,
      attributes: row.attributes,
    }))
}

/** Distinct cycle timestamps (a cycle sent twice counts once). */
export function distinctTimes(cycles: Cycle[]): bigint[] {
  return [...new Set(cycles.map((c) => c.timeUnixNano))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Unix ns of a `Date.now()` reading. */
export const nanos = (ms: number): bigint => BigInt(ms) * 1_000_000n
