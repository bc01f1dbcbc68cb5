/**
 * Issue 3's numbers: the LMDB buffer against raw `lmdb` puts and gets of the same
 * bytes; a 24-hour backlog drained by the agent's own flush code into the real
 * OpenTelemetry Collector against one request per batch; and the real agent's
 * resident memory over 1,000 collection cycles against a bare Node process.
 *
 *   TFO_BENCH_RUNS              runs per buffer measurement (default 5)
 *   TFO_BENCH_BUFFER_BATCHES    batches per buffer run (default 2000; syncWrites runs a tenth)
 *   TFO_BENCH_BACKLOG           backlog batches to drain (default 5760 = 24 h at 15 s)
 *   TFO_BENCH_CYCLES            agent collection cycles (default 1000)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { open } from 'lmdb'
import pino from 'pino'

import { flushOnce } from '../src/agent/flush'
import { BATCH_OVERHEAD_BYTES, BatchBuffer, type BufferOptions } from '../src/buffer'
import { createExporter, type Exporter } from '../src/export'
import { freePort, pause } from '../e2e/helpers/otelcol'
import { realBody, type RealBody } from './helpers/body'
import { startCountingCollector, type CountingCollector } from './helpers/collector'
import { fmtMB, fmtRate, mean, perSecond, rssKb, slope } from './helpers/stats'
import { fmtMs, median, row } from './util'

const RUNS = Number(process.env.TFO_BENCH_RUNS ?? 5)
const BUFFER_BATCHES = Number(process.env.TFO_BENCH_BUFFER_BATCHES ?? 2000)
const BACKLOG = Number(process.env.TFO_BENCH_BACKLOG ?? 5760)
const CYCLES = Number(process.env.TFO_BENCH_CYCLES ?? 1000)
/** The config's defaults (exporter.otlp.batch_size, buffer.memory_max_mb) and the agent's request cap. */
const BATCH_SIZE = 100
const MEMORY_MAX_BYTES = 16 * 1024 * 1024
const MAX_REQUEST_BYTES = 3 * 1024 * 1024
const INTERVAL_MS = 15_000

const silent = pino({ level: 'silent' })
const now = () => performance.now()

function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `tfo-bench-${tag}-`))
}

function bufferOptions(path: string, syncWrites: boolean): BufferOptions {
  return {
    path,
    maxSizeBytes: 2 * 1024 * 1024 * 1024,
    maxAgeMs: 48 * 3600_000,
    maxRetries: 10,
    memoryMaxBytes: MEMORY_MAX_BYTES,
    syncWrites,
    logger: silent,
  }
}

export async function benchPipeline(): Promise<void> {
  const real = await realBody()
  await benchBuffer(real)
  const collector = await startCountingCollector()
  try {
    await benchDrain(real, collector)
    await benchAgentMemory(collector)
  } finally {
    await collector.stop()
  }
}

// ---------------------------------------------------------------- 1. buffer throughput

interface InOut {
  inMs: number
  outMs: number
}

/** `n` pushes (each awaited, as the agent does), then take(100) + ack until empty. */
async function bufferRun(body: RealBody, n: number, syncWrites: boolean): Promise<InOut> {
  const dir = tempDir('buffer')
  const buffer = await BatchBuffer.open(bufferOptions(join(dir, 'b'), syncWrites))
  try {
    let t = now()
    for (let i = 0; i < n; i++)
      await buffer.push({ signal: 'metrics', body: body.body, dataPoints: body.dataPoints })
    const inMs = now() - t
    t = now()
    let out = 0
    for (;;) {
      const batches = await buffer.take(BATCH_SIZE)
      if (batches.length === 0) break
      await buffer.ack(batches)
      out += batches.length
    }
    const outMs = now() - t
    if (out !== n) console.log(`  !! buffer handed out ${out} of ${n} batches`)
    return { inMs, outMs }
  } finally {
    await buffer.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The same bytes straight into `lmdb`: puts issued back to back and awaited together
 * (lmdb-js commits them in few transactions) or, for the durable mode, each put awaited
 * and flushed before the next; then reads of 100 and their removes, awaited per 100.
 */
async function rawRun(body: RealBody, n: number, durable: boolean): Promise<InOut> {
  const dir = tempDir('raw')
  const env = open({ path: join(dir, 'r'), maxDbs: 8, noSync: false })
  const db = env.openDB<Buffer, number>({ name: 'bodies', encoding: 'binary' })
  const bytes = Buffer.from(body.body.buffer, body.body.byteOffset, body.body.byteLength)
  try {
    let t = now()
    if (durable) {
      for (let i = 1; i <= n; i++) {
        await db.put(i, bytes)
        await env.flushed
      }
    } else {
      const puts: Array<Promise<boolean>> = []
      for (let i = 1; i <= n; i++) puts.push(db.put(i, bytes))
      await Promise.all(puts)
    }
    const inMs = now() - t
    t = now()
    let read = 0
    for (let start = 1; start <= n; start += BATCH_SIZE) {
      const removes: Array<Promise<boolean>> = []
      for (let i = start; i < start + BATCH_SIZE && i <= n; i++) {
        const got = db.getBinary(i)
        if (got && got.length === bytes.length) read++
        removes.push(db.remove(i))
      }
      await Promise.all(removes)
    }
    const outMs = now() - t
    if (read !== n) console.log(`  !! raw lmdb read back ${read} of ${n} bodies`)
    return { inMs, outMs }
  } finally {
    await env.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function benchBuffer(body: RealBody): Promise<void> {
  console.log(
    `\n== pipeline: buffer throughput (one real body: ${(body.body.byteLength / 1024).toFixed(1)} KB, ` +
      `${body.dataPoints} data points, ${body.metricNames} metrics; medians of ${RUNS} runs)`,
  )
  const modes: Array<{ label: string; sync: boolean; n: number }> = [
    { label: 'default', sync: false, n: BUFFER_BATCHES },
    { label: 'syncWrites', sync: true, n: Math.max(50, Math.floor(BUFFER_BATCHES / 10)) },
  ]
  for (const mode of modes) {
    // Interleaved, so a noisy neighbour hits both sides alike; one unrecorded warm-up each.
    await bufferRun(body, Math.min(200, mode.n), mode.sync)
    await rawRun(body, Math.min(200, mode.n), mode.sync)
    const ours: InOut[] = []
    const raw: InOut[] = []
    for (let r = 0; r < RUNS; r++) {
      ours.push(await bufferRun(body, mode.n, mode.sync))
      raw.push(await rawRun(body, mode.n, mode.sync))
    }
    const rate = (runs: InOut[], k: keyof InOut) => median(runs.map((x) => perSecond(mode.n, x[k])))
    const [pushRate, takeRate, putRate, getRate] = [
      rate(ours, 'inMs'),
      rate(ours, 'outMs'),
      rate(raw, 'inMs'),
      rate(raw, 'outMs'),
    ]
    const what = mode.sync
      ? 'each push committed + fsync’d; raw: each put awaited + flushed'
      : `memory tier ${MEMORY_MAX_BYTES / 1024 / 1024} MiB, rest spills to disk`
    console.log(`  [${mode.label}: ${mode.n} batches per run; ${what}]`)
    row(
      `buffer push (${mode.label})`,
      fmtRate(pushRate, 'batch/s'),
      `= ${(pushRate / putRate).toFixed(2)}x raw lmdb put`,
    )
    row(`raw lmdb put`, fmtRate(putRate, 'batch/s'))
    row(
      `buffer take(100)+ack (${mode.label})`,
      fmtRate(takeRate, 'batch/s'),
      `= ${(takeRate / getRate).toFixed(2)}x raw lmdb get+remove`,
    )
    row(`raw lmdb get+remove (per 100)`, fmtRate(getRate, 'batch/s'))
  }
}

// ---------------------------------------------------------------- 2. backlog drain

function exporterFor(collector: CountingCollector): Exporter {
  return createExporter({
    endpoint: collector.grpcEndpoint,
    protocol: 'grpc',
    compression: 'gzip',
    tls: { enabled: false },
    timeoutMs: 30_000,
    agentId: 'tfo-bench',
  })
}

/** A buffer holding `n` batches on disk, created 15 s apart and ending now, as after an outage. */
async function backlog(
  body: RealBody,
  n: number,
): Promise<{ buffer: BatchBuffer; dir: string; fillMs: number }> {
  const dir = tempDir('backlog')
  const path = join(dir, 'b')
  const first = Date.now() - n * INTERVAL_MS
  const t = now()
  const filling = await BatchBuffer.open(bufferOptions(path, false))
  for (let i = 0; i < n; i++)
    await filling.push({
      signal: 'metrics',
      body: body.body,
      dataPoints: body.dataPoints,
      createdAt: first + (i + 1) * INTERVAL_MS,
    })
  await filling.close()
  const fillMs = now() - t
  const buffer = await BatchBuffer.open(bufferOptions(path, false))
  return { buffer, dir, fillMs }
}

interface DrainResult {
  ms: number
  exported: number
  requests: number
  failures: string[]
}

/** The agent's flush, back to back until the buffer is empty (or keeps failing). */
async function drain(buffer: BatchBuffer, exporter: Exporter, maxRequestBytes: number): Promise<DrainResult> {
  const res: DrainResult = { ms: 0, exported: 0, requests: 0, failures: [] }
  const t = now()
  for (;;) {
    const report = await flushOnce(buffer, exporter, {
      batchSize: BATCH_SIZE,
      maxRequestBytes,
      logger: silent,
      onOutcome: () => res.requests++,
    })
    res.exported += report.exported.length
    if (report.failure) {
      res.failures.push(report.failure.error)
      if (res.failures.length >= 5) break
      await pause(200)
      continue
    }
    if (!report.more) {
      const s = buffer.stats()
      if (s.memoryBatches + s.diskBatches === 0) break
    }
  }
  res.ms = now() - t
  return res
}

async function benchDrain(body: RealBody, collector: CountingCollector): Promise<void> {
  const bytes = body.body.byteLength
  console.log(
    `\n== pipeline: 24 h backlog drain into the real OpenTelemetry Collector (gRPC, gzip; ` +
      `${BACKLOG} batches = ${fmtMB(BACKLOG * bytes)} of OTLP, ${(BACKLOG * body.dataPoints).toLocaleString('en-US')} data points)`,
  )
  const exporter = exporterFor(collector)
  try {
    // Warm the channel (connection, first-call setup) outside the timings.
    await exporter.send('metrics', body.body)
    await collector.waitFor((r) => r.requests >= 1, 10_000)

    // What the default bounds hold of this host's batches (buffer.max_size_mb 100, max_age 24h),
    // as the agent stores them by default (deflate) and uncompressed.
    for (const [label, size] of [
      ['deflate, the default', deflateRawSync(body.body, { level: 1 }).byteLength],
      ['uncompressed', bytes],
    ] as const) {
      const fits = Math.floor((100 * 1024 * 1024) / (size + BATCH_OVERHEAD_BYTES))
      const short =
        fits < BACKLOG
          ? ` — less than max_age 24h: the oldest ${BACKLOG - fits} of a 24 h backlog would be dropped`
          : ''
      row(
        `default max_size_mb (100) holds (${label})`,
        `${fits} batches`,
        `= ${((fits * INTERVAL_MS) / 3600_000).toFixed(1)} h at 15 s${short}`,
      )
    }
    const full = await backlog(body, BACKLOG)
    row('filling the backlog (push, then close to disk)', fmtMs(full.fillMs))
    const before = collector.received()
    let result: DrainResult
    try {
      result = await drain(full.buffer, exporter, MAX_REQUEST_BYTES)
    } finally {
      await full.buffer.close()
      rmSync(full.dir, { recursive: true, force: true })
    }
    const want = { rm: BACKLOG, dp: BACKLOG * body.dataPoints }
    const after = await collector.waitFor(
      (r) =>
        r.resourceMetrics - before.resourceMetrics >= want.rm && r.dataPoints - before.dataPoints >= want.dp,
      30_000,
    )
    const got = {
      rm: after.resourceMetrics - before.resourceMetrics,
      dp: after.dataPoints - before.dataPoints,
    }
    const rate = perSecond(result.exported, result.ms)
    row(
      `drain ${BACKLOG} batches, ${BATCH_SIZE} per request`,
      `${(result.ms / 1000).toFixed(2)} s`,
      `target < 60 s: ${result.ms < 60_000 ? 'met' : `MISSED by ${((result.ms - 60_000) / 1000).toFixed(1)} s`}`,
    )
    row(
      '  throughput',
      fmtRate(rate, 'batch/s'),
      `${((rate * bytes) / 1024 / 1024).toFixed(1)} MB/s of OTLP protobuf`,
    )
    row('  requests sent', String(result.requests), `${result.exported} batches acknowledged`)
    const lost = got.dp !== want.dp || got.rm !== want.rm
    row(
      '  collector received (data points)',
      got.dp.toLocaleString('en-US'),
      `${lost ? '!! LOSS/DUPLICATION: ' : ''}expected ${want.dp.toLocaleString('en-US')}; ` +
        `${got.rm} of ${want.rm} batches' resource metrics`,
    )
    if (result.failures.length)
      console.log(`  !! export failures during the drain: ${result.failures.join('; ')}`)

    // The alternative: the same bodies, one request per batch (no concatenation).
    const sampleN = Math.max(100, Math.round(BACKLOG / 10))
    const sample = await backlog(body, sampleN)
    const before1 = collector.received()
    let single: DrainResult
    try {
      single = await drain(sample.buffer, exporter, 1)
    } finally {
      await sample.buffer.close()
      rmSync(sample.dir, { recursive: true, force: true })
    }
    const after1 = await collector.waitFor(
      (r) => r.dataPoints - before1.dataPoints >= sampleN * body.dataPoints,
      30_000,
    )
    const singleRate = perSecond(single.exported, single.ms)
    row(
      `sample: ${sampleN} batches, one request per batch`,
      fmtRate(singleRate, 'batch/s'),
      `batching speed-up = ${(rate / singleRate).toFixed(1)}x; the full backlog this way ≈ ${(BACKLOG / singleRate).toFixed(1)} s`,
    )
    const got1 = after1.dataPoints - before1.dataPoints
    row(
      '  collector received (data points)',
      got1.toLocaleString('en-US'),
      `${got1 !== sampleN * body.dataPoints ? '!! ' : ''}expected ${(sampleN * body.dataPoints).toLocaleString('en-US')}; ${single.requests} requests`,
    )

    // Where the per-batch time goes: the same requests without the buffer (no take, no ack commit).
    const before2 = collector.received()
    const t = now()
    let sendFailures = 0
    for (let i = 0; i < sampleN; i++) {
      if ((await exporter.send('metrics', body.body)).kind !== 'ok') sendFailures++
    }
    const sendRate = perSecond(sampleN, now() - t)
    const after2 = await collector.waitFor(
      (r) => r.dataPoints - before2.dataPoints >= sampleN * body.dataPoints,
      30_000,
    )
    row(
      `  of which exporter.send alone (no buffer)`,
      fmtRate(sendRate, 'batch/s'),
      `${sendFailures ? `!! ${sendFailures} failed; ` : ''}so take+ack cost ≈ ${fmtMs(1000 / singleRate - 1000 / sendRate)} per batch ` +
        `(an LMDB commit per ack); collector got ${(after2.dataPoints - before2.dataPoints).toLocaleString('en-US')} points`,
    )
  } finally {
    await exporter.close()
  }
}

// ---------------------------------------------------------------- 3. agent memory

/** The variant run beside the default agent, to show what its node flags save. */
const NODE_DEFAULTS = 'node defaults'

interface Sample {
  cycle: number
  agentKb: number
  bareKb: number
}

interface RunningAgent {
  label: string
  child: ChildProcess
  metricsUrl: string
  samples: Sample[]
  lastCycle: number
  log: string
}

async function scrapeCollections(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
    const m = /^tfo_agent_collections_total(?:\{\})? (\d+)/m.exec(await res.text())
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
  })
}

async function startAgent(
  label: string,
  dir: string,
  collector: CountingCollector,
  intervalMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningAgent> {
  const healthPort = await freePort()
  const config = join(dir, 'tfo-agent.yaml')
  writeFileSync(
    config,
    `telemetryflow:
  endpoint: ${collector.grpcEndpoint}
  protocol: grpc
agent:
  id: ${JSON.stringify(`tfo-bench-${label.replace(/\W+/g, '-')}`)}
  data_dir: ${JSON.stringify(dir)}
heartbeat:
  enabled: false
collectors:
  system:
    interval: ${intervalMs}ms
exporter:
  otlp:
    flush_interval: 1s
    batch_size: ${BATCH_SIZE}
buffer:
  path: ${JSON.stringify(join(dir, 'buffer'))}
health:
  enabled: true
  endpoint: 127.0.0.1:${healthPort}
cloud:
  provider: none
logging:
  level: warn
`,
  )
  const bin = join(__dirname, '..', 'bin', 'tfo-agent.js')
  const child = spawn(process.execPath, [bin, 'start', '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: dir,
    env,
  })
  const agent: RunningAgent = {
    label,
    child,
    metricsUrl: `http://127.0.0.1:${healthPort}/metrics`,
    samples: [],
    lastCycle: -1,
    log: '',
  }
  child.stderr!.on('data', (c: Buffer) => {
    if (agent.log.length < 20_000) agent.log += c.toString()
  })
  return agent
}

async function benchAgentMemory(collector: CountingCollector): Promise<void> {
  const intervalMs = 50
  console.log(
    `\n== pipeline: agent memory over ${CYCLES} collection cycles (\`tfo-agent start\`, system interval ${intervalMs}ms ` +
      `(the schema allows 1 ms to 24 d), flush 1s, gRPC+gzip to the real collector; ` +
      `as users run it, so under its node flags (src/cli/node-flags.ts); a second agent with ` +
      `TFO_AGENT_NODE_FLAGS="" (${NODE_DEFAULTS}) runs alongside as a diagnostic)`,
  )
  const dirs = [tempDir('agent'), tempDir('agent-node-defaults')]
  const before = collector.received()
  const bare = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' })
  const agents = [
    await startAgent('default', dirs[0], collector, intervalMs),
    await startAgent(NODE_DEFAULTS, dirs[1], collector, intervalMs, {
      ...process.env,
      TFO_AGENT_NODE_FLAGS: '',
    }),
  ]
  const started = now()
  const deadline = Date.now() + Math.max(150_000, CYCLES * intervalMs * 3)
  const running = () => agents.some((a) => a.lastCycle < CYCLES && a.child.exitCode === null)
  try {
    while (running() && Date.now() < deadline) {
      for (const a of agents) {
        if (a.lastCycle >= CYCLES) continue
        const cycle = await scrapeCollections(a.metricsUrl)
        if (cycle === undefined || cycle <= a.lastCycle) continue
        const agentKb = rssKb(a.child.pid!)
        const bareKb = rssKb(bare.pid!)
        if (agentKb !== undefined && bareKb !== undefined) a.samples.push({ cycle, agentKb, bareKb })
        a.lastCycle = cycle
      }
      await pause(intervalMs / 2)
    }
  } finally {
    const wallMs = now() - started
    const exits = agents.map((a) => {
      a.child.kill('SIGTERM')
      const timer = setTimeout(() => a.child.kill('SIGKILL'), 15_000)
      return exitOf(a.child).then(() => clearTimeout(timer))
    })
    bare.kill('SIGKILL')
    await Promise.all([...exits, exitOf(bare)])
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    for (const a of agents) {
      if (a.lastCycle < CYCLES)
        console.log(
          `  !! agent (${a.label}) reached ${a.lastCycle} of ${CYCLES} cycles (exit ${a.child.exitCode}); its log:\n${a.log}`,
        )
    }
    report(agents[0], wallMs, true)
    report(agents[1], wallMs, false)
  }
  const cycles = agents.reduce((n, a) => n + Math.max(0, a.lastCycle), 0)
  const after = await collector.waitFor((r) => r.resourceMetrics - before.resourceMetrics >= cycles, 10_000)
  const got = after.resourceMetrics - before.resourceMetrics
  row(
    'the collector received from both agents',
    `${got} batches`,
    `${got < cycles ? '!! ' : ''}≥ ${cycles} cycles collected; ${(after.dataPoints - before.dataPoints).toLocaleString('en-US')} data points in ${after.requests - before.requests} requests`,
  )
  for (const a of agents) {
    const warnings = a.log.split('\n').filter((l) => /warn|error/i.test(l))
    if (warnings.length)
      console.log(
        `  agent (${a.label}) logged ${warnings.length} warning(s)/error(s), first: ${warnings[0].slice(0, 300)}`,
      )
  }
}

function report(agent: RunningAgent, wallMs: number, main: boolean): void {
  const samples = agent.samples
  const tag = main ? 'agent' : `  agent with ${NODE_DEFAULTS}`
  if (samples.length === 0) {
    console.log(`  !! ${tag}: no samples`)
    return
  }
  const last = samples[samples.length - 1]
  const window = samples.filter((s) => s.cycle >= 200 && s.cycle <= CYCLES)
  const xs = window.map((s) => s.cycle)
  const agentSlope =
    slope(
      xs,
      window.map((s) => s.agentKb),
    ) * 100
  const bareSlope =
    slope(
      xs,
      window.map((s) => s.bareKb),
    ) * 100
  const near = (c: number) => window.filter((s) => Math.abs(s.cycle - c) <= 25)
  const growthKb = mean(near(CYCLES).map((s) => s.agentKb)) - mean(near(200).map((s) => s.agentKb))
  const peak = Math.max(...samples.map((s) => s.agentKb))
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`
  if (main) {
    row(
      `cycles observed (RSS sampled at ${samples.length})`,
      String(last.cycle),
      `${(wallMs / 1000).toFixed(1)} s wall, ${(wallMs / Math.max(1, last.cycle)).toFixed(1)} ms per cycle`,
    )
  }
  row(
    `${tag} RSS after ${last.cycle} cycles`,
    mb(last.agentKb),
    main
      ? `target < 90 MB: ${last.agentKb < 90 * 1024 ? 'met' : `MISSED by ${mb(last.agentKb - 90 * 1024)}`}; peak ${mb(peak)}`
      : `peak ${mb(peak)} (diagnostic, not the default)`,
  )
  if (main) {
    row(
      'bare node (setInterval) RSS, same moment',
      mb(last.bareKb),
      `agent/bare = ${(last.agentKb / last.bareKb).toFixed(2)}x; agent above bare = ${mb(last.agentKb - last.bareKb)}`,
    )
  }
  row(
    `${tag} RSS slope, cycles 200–${CYCLES}`,
    `${agentSlope.toFixed(0)} KB/100cyc`,
    `least squares over ${window.length} samples; bare node ${bareSlope.toFixed(0)} KB/100cyc; ` +
      `cycle ~200 → ~${CYCLES}: ${growthKb >= 0 ? '+' : ''}${(growthKb / 1024).toFixed(2)} MB (±25-cycle means)`,
  )
}
