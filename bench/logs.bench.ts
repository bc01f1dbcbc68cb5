/**
 * Issue 5's log numbers: a file appended at full speed (100 MB by default,
 * TFO_BENCH_LOG_MB) while the real CLI agent follows it (e2e/helpers/log-cli: only
 * `collectors.logs` on; LogCollector -> LMDB buffer -> gRPC export into the real
 * OpenTelemetry Collector). Prints lines per second (read, and through to the collector),
 * the agent's CPU per 10,000 lines and its RSS (Linux /proc), next to the CPU of the
 * plainest alternative: node:readline over the same file (no OTLP, no buffer, no export).
 * Also counts the log records arriving at the collector (no line lost) and prints issue 12's
 * targets as met / not met. Nothing is asserted: shared machines are noisy. Needs
 * `npm run build:ts` first.
 */
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { processUsage, startLogAgent } from '../e2e/helpers/log-cli'
import { startCountingCollector } from './helpers/collector'
import { row } from './util'

const MB = 1024 * 1024
/** Issue 12's targets under the burst (printed, never failed). */
const MAX_PEAK_RSS_MB = 100
const MAX_CPU_RATIO = 5

/** Appends ~`totalBytes` of realistic lines in 1 MiB writes, as fast as the disk takes them. */
function writeLog(file: string, totalBytes: number): number {
  const fd = openSync(file, 'a')
  let lines = 0
  let bytes = 0
  try {
    while (bytes < totalBytes) {
      const parts: string[] = []
      let chunk = 0
      while (chunk < MB) {
        lines++
        const level = lines % 50 === 0 ? 'ERROR' : lines % 7 === 0 ? 'WARN' : 'INFO'
        const line = `2024-05-01T12:00:00.${String(lines % 1000).padStart(3, '0')}Z ${level} [worker-${lines % 16}] request ${lines} handled path=/api/v1/items/${lines % 9973} status=200 duration_ms=${lines % 250}\n`
        parts.push(line)
        chunk += line.length
      }
      writeSync(fd, parts.join(''))
      bytes += chunk
    }
  } finally {
    closeSync(fd)
  }
  return lines
}

async function readlineFloorMs(file: string): Promise<number> {
  const before = process.cpuUsage()
  let n = 0
  const rl = createInterface({
    input: createReadStream(file, { highWaterMark: 64 * 1024 }),
    crlfDelay: Infinity,
  })
  for await (const line of rl) n += line.length > 0 ? 1 : 0
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

export async function benchLogs(): Promise<void> {
  const totalMb = Number(process.env.TFO_BENCH_LOG_MB ?? 100)
  console.log(
    `\n== logs (${totalMb} MB appended at full speed; the CLI agent exporting to the real collector)`,
  )
  const dir = mkdtempSync(join(tmpdir(), 'tfo-bench-logs-'))
  // The debug exporter counts the records that arrive (writing 100 MB out as JSON would cost
  // the collector, on the same cores, more than the agent).
  const col = await startCountingCollector()
  const file = join(dir, 'logs', 'app.log')
  mkdirSync(join(dir, 'logs'))
  closeSync(openSync(file, 'w'))
  const agent = await startLogAgent({
    dir,
    paths: [join(dir, 'logs', '*.log')],
    endpoint: col.grpcEndpoint,
    startAt: 'end',
    pollInterval: '100ms',
    flushInterval: '200ms',
  })
  let sampler: NodeJS.Timeout | undefined
  try {
    // /metrics answers once the log collector has started; give it its first poll.
    await new Promise((r) => setTimeout(r, 500))
    const idle = processUsage(agent.pid)
    const rss: number[] = []
    let diskBatches = 0
    sampler = setInterval(() => {
      rss.push(processUsage(agent.pid).rssBytes)
      void agent.metrics().then(
        (m) => (diskBatches = Math.max(diskBatches, m.bufferBatches)),
        () => undefined,
      )
    }, 250)
    const t0 = process.hrtime.bigint()
    const lines = writeLog(file, totalMb * MB)
    const writeMs = Number(process.hrtime.bigint() - t0) / 1e6
    await agent.waitFor((m) => m.logLinesRead >= lines, 'every line read', 600_000)
    const readMs = Number(process.hrtime.bigint() - t0) / 1e6
    await agent.waitFor((m) => m.bufferBatches === 0, 'an empty buffer', 900_000)
    const exportedMs = Number(process.hrtime.bigint() - t0) / 1e6
    clearInterval(sampler)
    const done = processUsage(agent.pid)
    const arrived = (await col.waitFor((r) => r.logRecords >= lines, 30_000)).logRecords

    const cpuPer10k = ((done.cpuMs - idle.cpuMs) / lines) * 10_000
    const floorPer10k = ((await readlineFloorMs(file)) / lines) * 10_000
    row('lines appended', `${lines}`, `writer took ${(writeMs / 1000).toFixed(1)} s`)
    row('lines/s read', `${Math.round(lines / (readMs / 1000))}`, `(${(readMs / 1000).toFixed(1)} s)`)
    row(
      'lines/s through to the collector',
      `${Math.round(lines / (exportedMs / 1000))}`,
      `(${(exportedMs / 1000).toFixed(1)} s)`,
    )
    row('agent CPU per 10,000 lines', `${cpuPer10k.toFixed(1)} ms`, 'read + OTLP encode + LMDB + gRPC export')
    const ratio = cpuPer10k / floorPer10k
    row(
      'readline floor CPU per 10,000 lines',
      `${floorPer10k.toFixed(1)} ms`,
      `agent/floor = ${ratio.toFixed(1)}x; target ≤ ${MAX_CPU_RATIO}x — ${ratio <= MAX_CPU_RATIO ? 'met' : 'not met'}`,
    )
    row(
      'log records at the collector',
      `${arrived}`,
      `of ${lines} lines written; no line lost — ${arrived === lines ? 'met' : 'not met'}`,
    )
    const quarter = Math.floor(rss.length / 4)
    const span = (xs: number[]) =>
      `${(Math.min(...xs) / MB).toFixed(0)}-${(Math.max(...xs) / MB).toFixed(0)} MB`
    row(
      'agent peak RSS',
      `${(done.peakRssBytes / MB).toFixed(0)} MB`,
      `idle before writing ${(idle.rssBytes / MB).toFixed(0)} MB; target ≤ ${MAX_PEAK_RSS_MB} MB — ${done.peakRssBytes <= MAX_PEAK_RSS_MB * MB ? 'met' : 'not met'}`,
    )
    row(
      'agent RSS after the first quarter (min-max)',
      span(rss.slice(quarter)),
      `${rss.length} samples; at most ${diskBatches} batches waiting; RSS counts LMDB's mapped pages`,
    )
  } finally {
    // A failed wait must not leave the sampler reading a stopped agent's /proc entry.
    clearInterval(sampler)
    await agent.stop('SIGTERM')
    await col.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (require.main === module) {
  benchLogs().catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
}
