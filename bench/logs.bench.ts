/**
 * Issue 5's log numbers: a file appended at full speed (100 MB by default,
 * TFO_BENCH_LOG_MB) while the log pipeline follows it in its own process
 * (e2e/helpers/log-agent: LogCollector -> LMDB buffer -> gRPC export into the real
 * OpenTelemetry Collector). Prints lines per second (into the buffer, and through to
 * the collector), the pipeline process's CPU per 10,000 lines and its peak RSS, next to
 * the CPU of the plainest alternative: node:readline over the same file (no OTLP, no
 * buffer, no export). Nothing is asserted: shared machines are noisy.
 */
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { spawnLogAgent, type LogAgentStats } from '../e2e/helpers/log-agent'
import { startCollector } from '../e2e/helpers/otelcol'
import { row } from './util'

const MB = 1024 * 1024

function cpuMs(s: LogAgentStats): number {
  return (s.cpuUserUs + s.cpuSystemUs) / 1000
}

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
    `\n== logs (${totalMb} MB appended at full speed; pipeline in a child process, exporting to the real collector)`,
  )
  const dir = mkdtempSync(join(tmpdir(), 'tfo-bench-logs-'))
  const col = await startCollector({ grpc: true, http: false, captureHeaders: [] })
  const file = join(dir, 'app.log')
  closeSync(openSync(file, 'w'))
  const agent = await spawnLogAgent(
    {
      paths: [join(dir, '*.log')],
      bufferPath: join(dir, 'buffer'),
      endpoint: col.grpcEndpoint,
      startAt: 'end',
      pollIntervalMs: 100,
      maxBatchRecords: 1000,
      statsIntervalMs: 100,
      takeMax: 16,
    },
    join(dir, 'agent.json'),
  )
  try {
    const idle = await agent.waitFor((s) => s.files === 1)
    const rss: number[] = []
    const heap: number[] = []
    let diskBatches = 0
    const sampler = setInterval(() => {
      const s = agent.stats()
      if (s) rss.push(s.rssBytes)
      if (s) heap.push(s.heapUsedBytes)
      diskBatches = Math.max(diskBatches, s?.bufferDiskBatches ?? 0)
    }, 250)
    const t0 = process.hrtime.bigint()
    const lines = writeLog(file, totalMb * MB)
    const writeMs = Number(process.hrtime.bigint() - t0) / 1e6
    await agent.waitFor((s) => s.recordsBuffered >= lines, 600_000)
    const bufferedMs = Number(process.hrtime.bigint() - t0) / 1e6
    const exported = await agent.waitFor((s) => s.recordsExported >= lines, 900_000)
    const exportedMs = Number(process.hrtime.bigint() - t0) / 1e6
    clearInterval(sampler)

    const cpuPer10k = ((cpuMs(exported) - cpuMs(idle)) / lines) * 10_000
    const floorPer10k = ((await readlineFloorMs(file)) / lines) * 10_000
    row('lines appended', `${lines}`, `writer took ${(writeMs / 1000).toFixed(1)} s`)
    row(
      'lines/s read into the buffer',
      `${Math.round(lines / (bufferedMs / 1000))}`,
      `(${(bufferedMs / 1000).toFixed(1)} s)`,
    )
    row(
      'lines/s through to the collector',
      `${Math.round(lines / (exportedMs / 1000))}`,
      `(${(exportedMs / 1000).toFixed(1)} s)`,
    )
    row(
      'pipeline CPU per 10,000 lines',
      `${cpuPer10k.toFixed(1)} ms`,
      'read + OTLP encode + LMDB + gRPC export',
    )
    row(
      'readline floor CPU per 10,000 lines',
      `${floorPer10k.toFixed(1)} ms`,
      `pipeline/floor = ${(cpuPer10k / floorPer10k).toFixed(1)}x`,
    )
    const quarter = Math.floor(rss.length / 4)
    const span = (xs: number[]) =>
      `${(Math.min(...xs) / MB).toFixed(0)}-${(Math.max(...xs) / MB).toFixed(0)} MB`
    row(
      'pipeline peak RSS',
      `${(exported.maxRssBytes / MB).toFixed(0)} MB`,
      `idle before writing ${(idle.rssBytes / MB).toFixed(0)} MB; RSS counts LMDB's mapped pages`,
    )
    row('pipeline RSS after the first quarter (min-max)', span(rss.slice(quarter)), `${rss.length} samples`)
    row(
      'pipeline V8 heap used after the first quarter',
      span(heap.slice(quarter)),
      `at most ${diskBatches} batches waiting on disk`,
    )
  } finally {
    agent.child.kill('SIGTERM')
    await agent.exited
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
