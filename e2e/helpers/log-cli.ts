/**
 * The real CLI agent shipping log files, for the log e2e tests and the log bench:
 * `node bin/tfo-agent.js start --config <tmp yaml>` with only `collectors.logs` on, the
 * exporter pointed at a collector's gRPC endpoint, its data dir (LMDB buffer and cursors) in a
 * temp dir, and its health server (`/metrics`) on a free 127.0.0.1 port. Runs the built
 * `dist/` (`npm run build:ts` first). Every child is SIGKILLed by `killLogAgents()` and when
 * the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { freePort } from './otelcol'

const CLI = join(__dirname, '..', '..', 'bin', 'tfo-agent.js')
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
const children = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

export interface LogAgentOptions {
  /** Glob patterns of the files to follow. */
  paths: string[]
  /** The collector's gRPC `host:port`. */
  endpoint: string
  /** Holds the config file, the agent's log and its data dir (kept across restarts). */
  dir: string
  startAt?: 'end' | 'beginning'
  /** Default 200ms. */
  pollInterval?: string
  /** Default 500ms. */
  flushInterval?: string
  /** Buffered batches per flush (`exporter.otlp.batch_size`); default the agent's. */
  batchSize?: number
}

/** Samples of the agent's own `/metrics` that the log tests read. */
export interface LogAgentMetrics {
  logLinesRead: number
  /** Export requests of log records the collector accepted. */
  logExportsOk: number
  bufferBatches: number
}

export interface LogAgent {
  readonly pid: number
  metrics(): Promise<LogAgentMetrics>
  /** Polls `/metrics` until `done` holds (fails after `timeoutMs`, default 30 s). */
  waitFor(done: (m: LogAgentMetrics) => boolean, what: string, timeoutMs?: number): Promise<LogAgentMetrics>
  /** Sends `signal`; resolves the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>
  /** Its standard output and error so far. */
  output(): string
}

/** Starts the agent; resolves once `/metrics` answers. */
export async function startLogAgent(o: LogAgentOptions): Promise<LogAgent> {
  const health = `127.0.0.1:${await freePort()}`
  const configPath = join(o.dir, 'tfo-agent.yaml')
  const config = {
    telemetryflow: {
      endpoint: o.endpoint,
      protocol: 'grpc',
      api_key_id: 'tfk_logs_e2e',
      api_key_secret: 'tfs_logs_e2e',
    },
    agent: { data_dir: join(o.dir, 'data') },
    collectors: {
      system: { enabled: false },
      logs: {
        enabled: true,
        paths: o.paths,
        start_at: o.startAt ?? 'beginning',
        poll_interval: o.pollInterval ?? '200ms',
      },
    },
    exporter: {
      otlp: {
        flush_interval: o.flushInterval ?? '500ms',
        ...(o.batchSize ? { batch_size: o.batchSize } : {}),
      },
    },
    buffer: { max_retries: 10_000 },
    heartbeat: { enabled: false },
    health: { enabled: true, endpoint: health },
    logging: { format: 'json', level: 'warn' },
    cloud: { provider: 'none' },
  }
  writeFileSync(configPath, stringify(config))
  // The host's TELEMETRYFLOW_* variables would override the file.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TELEMETRYFLOW_')))
  const child = spawn(process.execPath, [CLI, 'start', '--config', configPath], {
    cwd: o.dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let output = ''
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
  let status: number | null | undefined
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child)
      status = code
      resolve(code)
    }),
  )

  async function metrics(): Promise<LogAgentMetrics> {
    const res = await fetch(`http://${health}/metrics`, { signal: AbortSignal.timeout(5000) })
    const text = await res.text()
    const sum = (name: string, labels: string[] = []) =>
      text
        .split('\n')
        .filter((l) => l.split(/[{ ]/)[0] === name)
        .filter((l) => labels.every((label) => l.includes(label)))
        .reduce((n, l) => n + Number(l.trim().split(/\s+/).pop()), 0)
    return {
      logLinesRead: sum('tfo_agent_log_lines_read_total'),
      logExportsOk: sum('tfo_agent_exports_total', ['signal="logs"', 'outcome="ok"']),
      bufferBatches: sum('tfo_agent_buffer_batches'),
    }
  }

  const agent: LogAgent = {
    pid: child.pid!,
    metrics,
    async waitFor(done, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      let last: LogAgentMetrics | undefined
      for (;;) {
        if (status !== undefined)
          throw new Error(`the agent exited (${status}) while waiting for ${what}:\n${output}`)
        last = await metrics().catch(() => last)
        if (last && done(last)) return last
        if (Date.now() > deadline)
          throw new Error(`the agent never got to ${what}: ${JSON.stringify(last)}\n${output.slice(-4000)}`)
        await pause(50)
      }
    },
    async stop(signal = 'SIGTERM') {
      if (status === undefined) child.kill(signal)
      return exited
    },
    output: () => output,
  }
  await agent.waitFor(() => true, '/metrics answering')
  return agent
}

/** SIGKILLs every agent still running (for `after` hooks). */
export async function killLogAgents(): Promise<void> {
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

/** CPU (user + system) the process has used, ms, and its resident set now and at peak (Linux /proc). */
export function processUsage(pid: number): { cpuMs: number; rssBytes: number; peakRssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticksPerMs = 100 / 1000 // USER_HZ is 100 on Linux
  const cpuMs = (Number(fields[11]) + Number(fields[12])) / ticksPerMs
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024
  return { cpuMs, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') }
}
