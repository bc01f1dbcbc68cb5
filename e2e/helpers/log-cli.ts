/**
 * The real CLI agent shipping log files, for the log e2e tests and the log bench: the agent
 * of ./agent with only `collectors.logs` on, the exporter pointed at a collector's gRPC
 * endpoint and its data dir (LMDB buffer and cursors) under `dir`. Runs the built `dist/`
 * (`npm run build:ts` first); `killAllAgents()` from ./agent SIGKILLs what is left.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startAgent, type PromMetrics } from './agent'

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

const logMetrics = (m: PromMetrics): LogAgentMetrics => ({
  logLinesRead: m.value('tfo_agent_log_lines_read_total'),
  logExportsOk: m.value('tfo_agent_exports_total', { signal: 'logs', outcome: 'ok' }),
  bufferBatches: m.bufferBatches,
})

/** Starts the agent; resolves once its health server answers. */
export async function startLogAgent(o: LogAgentOptions): Promise<LogAgent> {
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
    logging: { format: 'json', level: 'warn' },
    cloud: { provider: 'none' },
  }
  const agent = await startAgent(config, { dir: o.dir })
  return {
    pid: agent.pid,
    metrics: async () => logMetrics(await agent.metrics()),
    waitFor: async (done, what, timeoutMs) =>
      logMetrics(await agent.waitForMetrics((m) => done(logMetrics(m)), what, timeoutMs)),
    stop: (signal = 'SIGTERM') => agent.stop(signal),
    output: () => agent.output(),
  }
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
