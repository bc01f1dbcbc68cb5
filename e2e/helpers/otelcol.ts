/**
 * The real OpenTelemetry Collector for end-to-end tests: built once by
 * scripts/ensure-otelcol.sh (ocb, cached outside the repo), started here on free
 * 127.0.0.1 ports with the OTLP receiver in and the file exporter (JSON lines) out.
 *
 * Request headers: the file exporter writes no client metadata, so the receivers
 * keep it (`include_metadata: true`) and the contrib attributes processor copies
 * the captured headers into every data point / log record as `header.<name>`
 * attributes (`from_context: metadata.<name>`). The batch processor's
 * `metadata_keys` only partitions batches by those headers; it shows nothing.
 *
 * ```ts
 * const col = await startCollector({ grpc: true, http: true })
 * // … export to col.grpcEndpoint / col.httpEndpoint …
 * const requests = await col.waitForMetrics((reqs) => reqs.length > 0)
 * await col.stop()
 * ```
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface CollectorTls {
  certFile: string
  keyFile: string
  /** Require client certificates signed by this CA (mTLS). */
  clientCaFile?: string
}

export interface CollectorOptions {
  /** Default true. */
  grpc?: boolean
  /** Default true. */
  http?: boolean
  /** Receivers keep request headers as client metadata. Default true. */
  includeMetadata?: boolean
  /** Headers copied into `header.<name>` attributes. Default: the TelemetryFlow headers and user-agent. */
  captureHeaders?: string[]
  /** The HTTP receiver's metrics path (`metrics_url_path`), e.g. `/v2/metrics`. Default `/v1/metrics`. */
  httpMetricsPath?: string
  tls?: CollectorTls
}

/** One line of the file exporter: an OTLP JSON request. */
export type OtlpJson = { resourceMetrics?: unknown[]; resourceLogs?: unknown[] }

export interface RunningCollector {
  grpcEndpoint: string
  httpEndpoint: string
  outputFile: string
  logsFile: string
  readMetrics(): Promise<OtlpJson[]>
  readLogs(): Promise<OtlpJson[]>
  /** Polls the metrics file until `done` holds (or fails after `timeoutMs`, default 20 s). */
  waitForMetrics(done: (requests: OtlpJson[]) => boolean, timeoutMs?: number): Promise<OtlpJson[]>
  waitForLogs(done: (requests: OtlpJson[]) => boolean, timeoutMs?: number): Promise<OtlpJson[]>
  /** The collector's own log so far (for failure messages). */
  log(): string
  stop(): Promise<void>
  /** Stops and starts again on the same ports, files kept (also after stop()). */
  restart(): Promise<void>
  /** Starts it again if a test stopped it (for `afterEach`). */
  ensureRunning(): Promise<void>
}

export const DEFAULT_CAPTURED_HEADERS = [
  'x-telemetryflow-key-id',
  'x-telemetryflow-key-secret',
  'x-telemetryflow-agent-id',
  'user-agent',
]

const READY_LINE = 'Everything is ready'

/** The test collector's binary: built once (scripts/ensure-otelcol.sh), then cached for the process. */
export function collectorBinary(): string {
  if (process.env.TFO_OTELCOL_BIN) return process.env.TFO_OTELCOL_BIN
  const script = join(__dirname, '..', '..', 'scripts', 'ensure-otelcol.sh')
  const bin = execFileSync('bash', [script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim()
  process.env.TFO_OTELCOL_BIN = bin
  return bin
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Waits `ms`. */
export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function yamlList(items: string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`
}

function configYaml(
  o: Required<Omit<CollectorOptions, 'tls' | 'httpMetricsPath'>> & CollectorOptions,
  ports: { grpc: number; http: number },
  files: { metrics: string; logs: string },
): string {
  const tls = o.tls
    ? `
        tls:
          cert_file: ${JSON.stringify(o.tls.certFile)}
          key_file: ${JSON.stringify(o.tls.keyFile)}${o.tls.clientCaFile ? `\n          client_ca_file: ${JSON.stringify(o.tls.clientCaFile)}` : ''}`
    : ''
  const protocols: string[] = []
  if (o.grpc) {
    protocols.push(`      grpc:
        endpoint: 127.0.0.1:${ports.grpc}
        include_metadata: ${o.includeMetadata}${tls}`)
  }
  if (o.http) {
    protocols.push(`      http:
        endpoint: 127.0.0.1:${ports.http}
        include_metadata: ${o.includeMetadata}${o.httpMetricsPath ? `\n        metrics_url_path: ${JSON.stringify(o.httpMetricsPath)}` : ''}${tls}`)
  }
  const actions = o.captureHeaders
    .map(
      (h) =>
        `        - key: ${JSON.stringify(`header.${h}`)}\n          from_context: ${JSON.stringify(`metadata.${h}`)}\n          action: upsert`,
    )
    .join('\n')
  const processors = o.captureHeaders.length > 0 ? '[attributes/headers, batch]' : '[batch]'
  return `receivers:
  otlp:
    protocols:
${protocols.join('\n')}
processors:
  batch:
    timeout: 50ms
    metadata_keys: ${yamlList(['x-telemetryflow-key-id', 'x-telemetryflow-agent-id'])}
${o.captureHeaders.length > 0 ? `  attributes/headers:\n    actions:\n${actions}\n` : ''}exporters:
  file/metrics:
    path: ${JSON.stringify(files.metrics)}
    format: json
    append: true
    flush_interval: 50ms
  file/logs:
    path: ${JSON.stringify(files.logs)}
    format: json
    append: true
    flush_interval: 50ms
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [otlp]
      processors: ${processors}
      exporters: [file/metrics]
    logs:
      receivers: [otlp]
      processors: ${processors}
      exporters: [file/logs]
`
}

/**
 * The requests the file exporter has written so far. It flushes its buffer on a timer, so the
 * file can end in the middle of a line: only lines that end in a newline are complete.
 */
export function readJsonLines(path: string): OtlpJson[] {
  if (!existsSync(path)) return []
  const text = readFileSync(path, 'utf8')
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as OtlpJson)
}

export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  const o = {
    grpc: options.grpc ?? true,
    http: options.http ?? true,
    includeMetadata: options.includeMetadata ?? true,
    captureHeaders: options.captureHeaders ?? DEFAULT_CAPTURED_HEADERS,
    httpMetricsPath: options.httpMetricsPath,
    tls: options.tls,
  }
  const bin = collectorBinary()
  const dir = mkdtempSync(join(tmpdir(), 'tfo-otelcol-'))
  const files = { metrics: join(dir, 'metrics.jsonl'), logs: join(dir, 'logs.jsonl') }
  const ports = { grpc: await freePort(), http: await freePort() }
  const configPath = join(dir, 'config.yaml')
  writeFileSync(configPath, configYaml(o, ports, files))

  let child: ChildProcess | undefined
  let output = ''

  async function launch(): Promise<void> {
    const proc = spawn(bin, ['--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    let ready = false
    let exited: number | null | undefined
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(READY_LINE)) ready = true
    }
    proc.stdout!.on('data', onData)
    proc.stderr!.on('data', onData)
    proc.once('exit', (code) => {
      exited = code
    })
    const deadline = Date.now() + 60_000
    const wanted = [o.grpc ? ports.grpc : 0, o.http ? ports.http : 0].filter((p) => p > 0)
    for (;;) {
      if (exited !== undefined)
        throw new Error(`the collector exited (${exited}) before it was ready:\n${output}`)
      if (ready && (await Promise.all(wanted.map(canConnect))).every(Boolean)) return
      if (Date.now() > deadline) {
        proc.kill('SIGKILL')
        throw new Error(`the collector did not become ready:\n${output}`)
      }
      await pause(50)
    }
  }

  async function stop(): Promise<void> {
    const proc = child
    child = undefined
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }

  async function waitFor(
    path: string,
    done: (r: OtlpJson[]) => boolean,
    timeoutMs = 20_000,
  ): Promise<OtlpJson[]> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const requests = readJsonLines(path)
      if (done(requests)) return requests
      if (Date.now() > deadline) {
        throw new Error(
          `the collector did not write what was expected to ${path} (${requests.length} lines):\n${output.slice(-4000)}`,
        )
      }
      await pause(50)
    }
  }

  await launch()
  // stop() leaves the files (a test may restart() and read them); they go when the test process ends.
  process.once('exit', () => {
    child?.kill('SIGKILL')
    if (!process.env.TFO_KEEP_OTELCOL) rmSync(dir, { recursive: true, force: true })
  })
  return {
    grpcEndpoint: `127.0.0.1:${ports.grpc}`,
    httpEndpoint: `http${o.tls ? 's' : ''}://127.0.0.1:${ports.http}`,
    outputFile: files.metrics,
    logsFile: files.logs,
    readMetrics: async () => readJsonLines(files.metrics),
    readLogs: async () => readJsonLines(files.logs),
    waitForMetrics: (done, timeoutMs) => waitFor(files.metrics, done, timeoutMs),
    waitForLogs: (done, timeoutMs) => waitFor(files.logs, done, timeoutMs),
    log: () => output,
    stop,
    restart: async () => {
      await stop()
      await launch()
    },
    ensureRunning: async () => {
      if (!child) await launch()
    },
  }
}
