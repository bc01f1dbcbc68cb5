/**
 * A log pipeline in its own process, for tests that SIGKILL it and for the bench that measures
 * its CPU and memory: LogCollector -> BatchBuffer (LMDB) -> export loop (take, send, ack/fail)
 * into an OTLP endpoint. It is what the Agent does for `collectors.logs`, cut down to that.
 *
 *   node --import tsx e2e/helpers/log-agent.ts <config.json>
 *
 * stdout: `ready` once running, then (every `statsIntervalMs`) one JSON line of stats.
 * With `journal`, every batch taken for export and every batch acknowledged is appended to
 * that file (synchronously, so it survives SIGKILL): `{"ev":"take","id":1,"bodies":[…]}`,
 * `{"ev":"ack","id":1}`. A batch taken and not acknowledged at a SIGKILL was in flight: it is
 * the one whose records may arrive twice.
 * SIGTERM: stop reading, export what is buffered, close, exit 0.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import pino from 'pino'
import { BatchBuffer } from '../../src/buffer'
import { createExporter } from '../../src/export'
import { LogCollector } from '../../src/logs'
import { decodeLogsRequest } from './log-otlp'

export interface LogAgentConfig {
  paths: string[]
  bufferPath: string
  /** gRPC `host:port` of the collector. */
  endpoint: string
  startAt: 'end' | 'beginning'
  pollIntervalMs: number
  maxLineBytes?: number
  maxBatchRecords?: number
  multilineStartPattern?: string
  journal?: string
  statsIntervalMs?: number
  /** Batches taken per export round. */
  takeMax?: number
}

export interface LogAgentStats {
  linesRead: number
  recordsBuffered: number
  recordsExported: number
  bytesRead: number
  rotations: number
  errors: number
  files: number
  /** process.cpuUsage() of this process, microseconds. */
  cpuUserUs: number
  cpuSystemUs: number
  rssBytes: number
  /** V8 heap in use (RSS also counts LMDB's memory-mapped pages). */
  heapUsedBytes: number
  /** Peak resident set size so far (process.resourceUsage().maxRSS), bytes. */
  maxRssBytes: number
  bufferDiskBatches: number
  bufferMemoryBatches: number
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function main(): Promise<void> {
  const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LogAgentConfig
  const logger = pino({ level: process.env.TFO_LOG_LEVEL ?? 'warn' }, pino.destination(2))
  const buffer = await BatchBuffer.open({
    path: cfg.bufferPath,
    maxSizeBytes: 512 << 20,
    maxAgeMs: 24 * 3600_000,
    maxRetries: 1_000_000,
    memoryMaxBytes: 16 << 20,
    syncWrites: false,
    logger,
  })
  const collector = new LogCollector({
    paths: cfg.paths,
    startAt: cfg.startAt,
    maxLineBytes: cfg.maxLineBytes ?? 16384,
    pollIntervalMs: cfg.pollIntervalMs,
    maxBatchRecords: cfg.maxBatchRecords,
    multilineStartPattern: cfg.multilineStartPattern,
    resource: { 'service.name': 'tfo-agent', 'host.name': 'log-agent-e2e' },
    buffer,
    logger,
  })
  const exporter = createExporter({
    endpoint: cfg.endpoint,
    protocol: 'grpc',
    compression: 'gzip',
    tls: { enabled: false },
    timeoutMs: 10_000,
    agentId: 'log-agent-e2e',
    logger,
  })
  const journal = (entry: object) => cfg.journal && appendFileSync(cfg.journal, JSON.stringify(entry) + '\n')
  let exported = 0
  let stopping = false

  const exportLoop = async () => {
    while (!stopping || buffer.stats().memoryBatches + buffer.stats().diskBatches > 0) {
      const batches = await buffer.take(cfg.takeMax ?? 8, 'logs')
      if (!batches.length) {
        if (stopping) return
        await pause(20)
        continue
      }
      for (const batch of batches) {
        if (cfg.journal)
          journal({ ev: 'take', id: batch.id, bodies: decodeLogsRequest(batch.body).map((r) => r.body) })
        const outcome = await exporter.send('logs', batch.body)
        if (outcome.kind === 'ok') {
          await buffer.ack([batch])
          exported += batch.dataPoints
          journal({ ev: 'ack', id: batch.id })
        } else {
          await buffer.fail([batch], { permanent: outcome.kind === 'permanent', error: outcome.error })
          if (stopping) return
          await pause(100)
        }
      }
    }
  }

  const stats = (): LogAgentStats => {
    const s = collector.stats()
    const cpu = process.cpuUsage()
    const b = buffer.stats()
    return {
      linesRead: s.linesRead,
      recordsBuffered: s.recordsBuffered,
      recordsExported: exported,
      bytesRead: s.bytesRead,
      rotations: s.rotations,
      errors: s.errors,
      files: s.files,
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      rssBytes: process.memoryUsage.rss(),
      heapUsedBytes: process.memoryUsage().heapUsed,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      bufferDiskBatches: b.diskBatches,
      bufferMemoryBatches: b.memoryBatches,
    }
  }

  collector.start()
  const loop = exportLoop()
  const ticker = setInterval(
    () => process.stdout.write(JSON.stringify(stats()) + '\n'),
    cfg.statsIntervalMs ?? 200,
  )
  process.stdout.write('ready\n')

  process.once('SIGTERM', () => {
    void (async () => {
      await collector.stop()
      stopping = true
      await loop
      clearInterval(ticker)
      process.stdout.write(JSON.stringify(stats()) + '\n')
      await buffer.close()
      await exporter.close()
      process.exit(0)
    })()
  })
}

export interface LogAgentProcess {
  child: ChildProcess
  /** The last stats line printed. */
  stats(): LogAgentStats | undefined
  /** Waits until a stats line satisfies `done` (fails after `timeoutMs`, default 30 s). */
  waitFor(done: (s: LogAgentStats) => boolean, timeoutMs?: number): Promise<LogAgentStats>
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
  stderr(): string
}

/** Runs the pipeline above in a child process; resolves once it says `ready`. */
export async function spawnLogAgent(cfg: LogAgentConfig, configFile: string): Promise<LogAgentProcess> {
  writeFileSync(configFile, JSON.stringify(cfg))
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let last: LogAgentStats | undefined
  let err = ''
  let pending = ''
  let ready!: () => void
  const isReady = new Promise<void>((resolve) => (ready = resolve))
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
  child.stdout!.on('data', (c: Buffer) => {
    pending += c.toString()
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const line of lines) {
      if (line === 'ready') ready()
      else if (line.startsWith('{')) last = JSON.parse(line) as LogAgentStats
    }
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  await Promise.race([
    isReady,
    exited.then((code) => {
      throw new Error(`the log agent exited (${code}) before it was ready:\n${err}`)
    }),
  ])
  return {
    child,
    stats: () => last,
    async waitFor(done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        if (last && done(last)) return last
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`the log agent exited:\n${err}`)
        if (Date.now() > deadline)
          throw new Error(`the log agent did not get there: ${JSON.stringify(last)}\n${err}`)
        await pause(20)
      }
    },
    exited,
    stderr: () => err,
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err)
    process.exit(1)
  })
}
