/**
 * The parity rig: one real OpenTelemetry Collector running the hostmetrics receiver
 * (v0.145.0, the scrapers the agent has an answer to) into one file, and an OTLP
 * receiver for the agent into another, so both read this host at the same interval.
 *
 * The receiver's feature gates are pinned here, so a collector whose defaults change
 * cannot change what the test compares against:
 * - `receiver.hostmetricsreceiver.UseLinuxMemAvailable`: `used` = MemTotal − MemAvailable;
 * - `hostmetrics.process.bootTimeCache`: process start times from one boot time.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pointRows, type PointRow } from '../../__test__/fixtures/otlp'
import { collectorBinary, freePort, pause, readJsonLines } from './otelcol'

export const PINNED_FEATURE_GATES = [
  'receiver.hostmetricsreceiver.UseLinuxMemAvailable',
  'hostmetrics.process.bootTimeCache',
]

export interface ParityCollector {
  /** Where the agent exports (OTLP/gRPC). */
  grpcEndpoint: string
  /** What the hostmetrics receiver wrote, one row per data point. */
  hostmetrics(): PointRow[]
  /** What the agent sent, one row per data point. */
  agent(): PointRow[]
  log(): string
  stop(): Promise<void>
}

/** The receiver with every metric enabled that the agent also emits by default. */
function configYaml(intervalSeconds: number, port: number, files: { hm: string; agent: string }): string {
  const on = (...names: string[]) => names.map((n) => `          ${n}: { enabled: true }`).join('\n')
  const file = (path: string) =>
    `    path: ${JSON.stringify(path)}\n    format: json\n    append: true\n    flush_interval: 100ms`
  return `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${port}
  hostmetrics:
    collection_interval: ${intervalSeconds}s
    scrapers:
      cpu:
        metrics:
${on('system.cpu.utilization', 'system.cpu.frequency', 'system.cpu.logical.count', 'system.cpu.physical.count')}
      memory:
        metrics:
${on('system.memory.utilization', 'system.memory.limit')}
      load:
      disk:
      filesystem:
        metrics:
${on('system.filesystem.utilization')}
      network:
      paging:
      processes:
      process:
        mute_process_all_errors: true
        metrics:
${on('process.threads', 'process.open_file_descriptors')}
exporters:
  file/hostmetrics:
${file(files.hm)}
  file/agent:
${file(files.agent)}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics/hostmetrics:
      receivers: [hostmetrics]
      exporters: [file/hostmetrics]
    metrics/agent:
      receivers: [otlp]
      exporters: [file/agent]
`
}

export async function startParityCollector(intervalSeconds: number): Promise<ParityCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'tfo-parity-'))
  const files = { hm: join(dir, 'hostmetrics.jsonl'), agent: join(dir, 'agent.jsonl') }
  const port = await freePort()
  const configPath = join(dir, 'config.yaml')
  writeFileSync(configPath, configYaml(intervalSeconds, port, files))
  const child: ChildProcess = spawn(
    collectorBinary(),
    ['--config', configPath, `--feature-gates=${PINNED_FEATURE_GATES.join(',')}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  let exited: number | null | undefined
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
  child.once('exit', (code) => (exited = code))
  process.once('exit', () => {
    child.kill('SIGKILL')
    if (!process.env.TFO_KEEP_OTELCOL) rmSync(dir, { recursive: true, force: true })
  })
  const deadline = Date.now() + 60_000
  while (!output.includes('Everything is ready')) {
    if (exited !== undefined) throw new Error(`the collector exited (${exited}):\n${output}`)
    if (Date.now() > deadline) throw new Error(`the collector did not become ready:\n${output}`)
    await pause(50)
  }
  const rows = (path: string) => readJsonLines(path).flatMap((request) => pointRows(request))
  return {
    grpcEndpoint: `127.0.0.1:${port}`,
    hostmetrics: () => rows(files.hm),
    agent: () => rows(files.agent),
    log: () => output,
    async stop() {
      if (exited !== undefined) return
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await done
      clearTimeout(timer)
    },
  }
}
