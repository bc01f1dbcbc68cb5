/**
 * Issue 12's footprint numbers, from one run:
 *
 * 1. What each dependency costs at start: resident memory of a node process after
 *    `require()` of one module (after a full GC), against bare node; then the package's
 *    entry points (the library, the CLI).
 * 2. Steady state at the default configuration (status page on): `tfo-agent start` as users
 *    run it, the same agent without its node flags (TFO_AGENT_NODE_FLAGS="", what the in-place
 *    restart buys), and the OpenTelemetry Collector with the hostmetrics receiver (cpu, memory,
 *    load, disk, filesystem, network, paging, processes) at the same interval, side by side.
 *    Resident memory (median over the steady window, and its growth), CPU per cycle.
 *
 *   TFO_BENCH_FOOTPRINT_INTERVAL_MS   collection interval of both (default 1000)
 *   TFO_BENCH_FOOTPRINT_CYCLES        cycles measured (default 120)
 *
 * Targets print met / not met; nothing fails. Needs `npm run build:ts` first.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectorBinary, freePort, pause } from '../e2e/helpers/otelcol'
import { startCountingCollector } from './helpers/collector'
import { slope } from './helpers/stats'
import { median, row } from './util'

const INTERVAL_MS = Number(process.env.TFO_BENCH_FOOTPRINT_INTERVAL_MS ?? 1000)
const CYCLES = Number(process.env.TFO_BENCH_FOOTPRINT_CYCLES ?? 120)
const TARGET_RSS_MB = 60
const ROOT = join(__dirname, '..')
const MB = 1024 * 1024

export async function benchFootprint(): Promise<void> {
  importCosts()
  await steadyState()
}

// ------------------------------------------------------------- 1. cost of each module at start

const MODULES = [
  '@opentelemetry/api',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/otlp-transformer',
  '@opentelemetry/sdk-logs',
  '@opentelemetry/exporter-metrics-otlp-grpc',
  '@opentelemetry/exporter-metrics-otlp-proto',
  '@grpc/grpc-js',
  'lmdb',
  'pino',
  'ajv',
  'yaml',
  'commander',
  'tinyglobby',
]

/** RSS (bytes) of a fresh node after requiring `mods` and a full GC; median of 3. */
function rssAfter(mods: string[]): number {
  const code = `${mods.map((m) => `require(${JSON.stringify(m)})`).join(';')};gc();gc();process.stdout.write(String(process.memoryUsage.rss()))`
  const runs = [0, 1, 2].map(() =>
    Number(execFileSync(process.execPath, ['--expose-gc', '-e', code], { cwd: ROOT, encoding: 'utf8' })),
  )
  return median(runs)
}

function importCosts(): void {
  console.log('\n== footprint: resident memory after require() (fresh node, after GC; medians of 3)')
  const bare = rssAfter([])
  row('bare node', `${(bare / MB).toFixed(1)} MB`)
  for (const m of MODULES) {
    const rss = rssAfter([m])
    row(`  + ${m}`, `+${((rss - bare) / MB).toFixed(1)} MB`)
  }
  const entries: Array<[string, string]> = [
    ['the library (dist/index.js)', './dist/index.js'],
    ['the CLI (dist/cli/main.js)', './dist/cli/main.js'],
  ]
  for (const [label, path] of entries) {
    const rss = rssAfter([path])
    row(label, `${(rss / MB).toFixed(1)} MB`, `+${((rss - bare) / MB).toFixed(1)} MB over bare node`)
  }
}

// ------------------------------------------------------------------ 2. steady state, side by side

interface Sample {
  rssKb: number
  cpuMs: number
}

/** VmRSS and utime+stime of a live process (Linux /proc), or undefined once it is gone. */
function usage(pid: number): Sample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN)
    return { rssKb, cpuMs: (Number(f[11]) + Number(f[12])) * 10 } // USER_HZ 100
  } catch {
    return undefined
  }
}

interface Proc {
  label: string
  child: ChildProcess
  samples: Sample[]
  log: string
}

function track(label: string, child: ChildProcess): Proc {
  const p: Proc = { label, child, samples: [], log: '' }
  const keep = (c: Buffer) => (p.log = (p.log + c.toString()).slice(-4000))
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  return p
}

async function startHostmetrics(dir: string): Promise<Proc> {
  const config = join(dir, 'hostmetrics.yaml')
  const seconds = INTERVAL_MS / 1000
  writeFileSync(
    config,
    `receivers:
  hostmetrics:
    collection_interval: ${seconds}s
    scrapers: { cpu: {}, memory: {}, load: {}, disk: {}, filesystem: {}, network: {}, paging: {}, processes: {} }
exporters:
  debug:
    verbosity: basic
service:
  telemetry:
    logs: { level: warn }
    metrics: { level: none }
  pipelines:
    metrics:
      receivers: [hostmetrics]
      exporters: [debug]
`,
  )
  const child = spawn(collectorBinary(), ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'] })
  return track('otelcol hostmetrics', child)
}

async function startAgent(
  label: string,
  dir: string,
  endpoint: string,
  env: NodeJS.ProcessEnv,
): Promise<Proc> {
  const config = join(dir, `${label}.yaml`)
  // The defaults, but for where it sends, keeps its data and listens, and the interval.
  writeFileSync(
    config,
    `telemetryflow:
  endpoint: ${endpoint}
agent:
  id: tfo-bench-footprint-${label}
  data_dir: ${JSON.stringify(join(dir, label))}
collectors:
  system:
    interval: ${INTERVAL_MS}ms
health:
  endpoint: 127.0.0.1:${await freePort()}
cloud:
  provider: none
logging:
  level: warn
`,
  )
  const bin = join(ROOT, 'bin', 'tfo-agent.js')
  const child = spawn(process.execPath, [bin, 'start', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: dir,
    env,
  })
  return track(label, child)
}

async function steadyState(): Promise<void> {
  const seconds = (CYCLES * INTERVAL_MS) / 1000
  console.log(
    `\n== footprint: steady state, ${CYCLES} cycles at ${INTERVAL_MS} ms (~${Math.round(seconds)} s), the default ` +
      'configuration (status page on) beside the OpenTelemetry Collector with the hostmetrics receiver ' +
      '(cpu, memory, load, disk, filesystem, network, paging, processes) at the same interval; ' +
      'the first fifth of the run is warm-up, left out',
  )
  const dir = mkdtempSync(join(tmpdir(), 'tfo-bench-footprint-'))
  const sink = await startCountingCollector()
  const procs = [
    await startAgent('agent', dir, sink.grpcEndpoint, process.env),
    await startAgent('agent-node-defaults', dir, sink.grpcEndpoint, {
      ...process.env,
      TFO_AGENT_NODE_FLAGS: '',
    }),
    await startHostmetrics(dir),
  ]
  try {
    for (let i = 0; i < CYCLES; i++) {
      await pause(INTERVAL_MS)
      for (const p of procs) {
        const s = usage(p.child.pid!)
        if (s) p.samples.push(s)
      }
    }
  } finally {
    for (const p of procs) p.child.kill('SIGTERM')
    await pause(500)
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL')
    await sink.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  const stats = procs.map((p) => {
    const steady = p.samples.slice(Math.floor(p.samples.length / 5))
    if (steady.length < 2) {
      console.log(`  !! ${p.label} gave ${p.samples.length} samples; its output:\n${p.log}`)
      return undefined
    }
    const rssMb = median(steady.map((s) => s.rssKb)) / 1024
    const cycles = steady.length - 1
    const cpuPerCycle = (steady[steady.length - 1].cpuMs - steady[0].cpuMs) / cycles
    const growth =
      slope(
        steady.map((_, i) => i),
        steady.map((s) => s.rssKb / 1024),
      ) * 100
    const peak = Math.max(...steady.map((s) => s.rssKb)) / 1024
    return { label: p.label, rssMb, cpuPerCycle, growth, peak }
  })
  const [agent, plain, otelcol] = stats
  for (const s of stats) {
    if (!s) continue
    row(
      `${s.label} RSS (median)`,
      `${s.rssMb.toFixed(1)} MB`,
      `peak ${s.peak.toFixed(1)} MB; growth ${s.growth.toFixed(2)} MB per 100 cycles`,
    )
    row(`${s.label} CPU per cycle`, `${s.cpuPerCycle.toFixed(2)} ms`)
  }
  if (agent && otelcol) {
    row(
      'agent / otelcol RSS',
      `${(agent.rssMb / otelcol.rssMb).toFixed(2)}x`,
      `target: agent ≤ ${TARGET_RSS_MB} MB — ${agent.rssMb <= TARGET_RSS_MB ? 'met' : 'not met'}`,
    )
    row(
      'agent / otelcol CPU per cycle',
      `${(agent.cpuPerCycle / otelcol.cpuPerCycle).toFixed(2)}x`,
      `target ≤ 1x — ${agent.cpuPerCycle <= otelcol.cpuPerCycle ? 'met' : 'not met'}`,
    )
  }
  if (agent && plain)
    row(
      'what the node-flags restart buys',
      `${(plain.rssMb - agent.rssMb).toFixed(1)} MB`,
      `RSS with node's defaults (TFO_AGENT_NODE_FLAGS="") minus with the flags`,
    )
}

if (require.main === module) {
  benchFootprint().catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
}
