/**
 * A lean real OpenTelemetry Collector for benches: the same binary the e2e tests
 * build (scripts/ensure-otelcol.sh), with the OTLP/gRPC receiver and the debug
 * exporter at `basic` verbosity instead of the file exporter. The debug exporter
 * logs one line per export with its resource-metric and data-point counts, which
 * is all a throughput bench needs to prove nothing was lost; writing a 24-hour
 * backlog out as JSON would cost the collector (on the same 2 cores) far more
 * than receiving it, and the bench would measure the file exporter.
 *
 * Log sampling is switched off, or the collector's logger would keep only
 * every 100th identical line after the first few.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectorBinary, freePort, pause } from '../../e2e/helpers/otelcol'

export interface Received {
  requests: number
  resourceMetrics: number
  dataPoints: number
  /** Log records received (OTLP logs). */
  logRecords: number
}

export interface CountingCollector {
  grpcEndpoint: string
  pid: number
  /** Totals of what the collector's pipeline has handed to its exporter so far. */
  received(): Received
  /** Polls until `done` holds or `timeoutMs` passes; returns the totals either way. */
  waitFor(done: (r: Received) => boolean, timeoutMs: number): Promise<Received>
  stop(): Promise<void>
}

const LINE = /"resource metrics": (\d+), "metrics": \d+, "data points": (\d+)/g
const LOG_LINE = /"resource logs": \d+, "log records": (\d+)/g

export async function startCountingCollector(): Promise<CountingCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'tfo-bench-otelcol-'))
  const port = await freePort()
  const config = join(dir, 'config.yaml')
  writeFileSync(
    config,
    `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${port}
exporters:
  debug:
    verbosity: basic
service:
  telemetry:
    logs:
      level: info
      sampling:
        enabled: false
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [debug]
    logs:
      receivers: [otlp]
      exporters: [debug]
`,
  )
  const totals: Received = { requests: 0, resourceMetrics: 0, dataPoints: 0, logRecords: 0 }
  let tail = ''
  let log = ''
  let ready = false
  let exited: number | null | undefined
  const child: ChildProcess = spawn(collectorBinary(), ['--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const onData = (chunk: Buffer) => {
    const text = tail + chunk.toString()
    const cut = text.lastIndexOf('\n') + 1
    const whole = text.slice(0, cut)
    tail = text.slice(cut)
    if (!ready) {
      log += whole
      if (whole.includes('Everything is ready')) ready = true
    }
    for (const m of whole.matchAll(LINE)) {
      totals.requests++
      totals.resourceMetrics += Number(m[1])
      totals.dataPoints += Number(m[2])
    }
    for (const m of whole.matchAll(LOG_LINE)) totals.logRecords += Number(m[1])
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  child.once('exit', (code) => {
    exited = code
  })
  const kill = () => child.kill('SIGKILL')
  process.once('exit', kill)
  const deadline = Date.now() + 60_000
  while (!ready) {
    if (exited !== undefined) throw new Error(`the collector exited (${exited}):\n${log}`)
    if (Date.now() > deadline) {
      kill()
      throw new Error(`the collector did not become ready:\n${log}`)
    }
    await pause(50)
  }
  return {
    grpcEndpoint: `127.0.0.1:${port}`,
    pid: child.pid!,
    received: () => ({ ...totals }),
    async waitFor(done, timeoutMs) {
      const end = Date.now() + timeoutMs
      while (!done(totals) && Date.now() < end) await pause(50)
      return { ...totals }
    },
    async stop() {
      process.removeListener('exit', kill)
      if (exited === undefined) {
        const gone = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        const t = setTimeout(kill, 10_000)
        await gone
        clearTimeout(t)
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
