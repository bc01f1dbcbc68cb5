/**
 * Helpers for the process collector's end-to-end tests: named child processes
 * (copies of /bin/sleep under chosen file names, so `/proc/<pid>/stat`'s comm is
 * that name), a flock of sleepers forked by one shell, the real agent CLI started
 * with only the process collector on (./agent's `startAgent` with that config), and
 * the collector's output read back per process resource and per export cycle.
 *
 * Every child is tracked and `reapAll()` kills and waits for each one; a leftover
 * check reads /proc so a test can prove nothing it named is still around.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import {
  copyFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pointRows, type PointRow, type Value } from '../../__test__/fixtures/otlp'
import { startAgent as startBaseAgent, type RunningAgent } from './agent'
import { pause, type OtlpJson, type RunningCollector } from './otelcol'

/** Resolves when the child has exited (at once when it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Polls `check` until it returns a value other than undefined/false, or fails with `what`. */
export async function until<T>(
  what: string | (() => string | Promise<string>),
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const got = await check()
    if (got !== undefined && got !== false) return got
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : await what()}`)
    await pause(100)
  }
}

/** Children of the test process, each killed and reaped by `reapAll()`. */
export class Children {
  readonly dir = mkdtempSync(join(tmpdir(), 'tfo-proc-e2e-'))
  readonly #children = new Set<ChildProcess>()

  /** A copy of /bin/sleep named `name` (comm and executable file name). */
  program(name: string): string {
    const path = join(this.dir, name)
    if (!existsSync(path)) {
      copyFileSync('/bin/sleep', path)
      chmodSync(path, 0o755)
    }
    return path
  }

  /**
   * Node.js under the name `name`: a symlink to this node, so comm is `name` (the
   * kernel names a process after the path it was exec'd by) while /proc/<pid>/exe
   * is the real binary. Tens of MB resident, far more than a sleeper.
   */
  node(name: string, code: string): Promise<ChildProcess> {
    const path = join(this.dir, name)
    if (!existsSync(path)) symlinkSync(process.execPath, path)
    return this.spawn(path, ['-e', code])
  }

  /** Runs `file` with `args`; its pid is known once this resolves. */
  async spawn(file: string, args: string[]): Promise<ChildProcess> {
    const child = spawn(file, args, { stdio: 'ignore' })
    this.#children.add(child)
    child.once('exit', () => this.#children.delete(child))
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve())
      child.once('error', reject)
    })
    return child
  }

  /**
   * A named sleeper: `<name> <seconds> <marker>`. sleep adds its operands up, so the
   * marker is a small number (e.g. `0.000417`) that makes the command line distinctive.
   */
  sleeper(name: string, marker: string, seconds = 600): Promise<ChildProcess> {
    return this.spawn(this.program(name), [String(seconds), marker])
  }

  /**
   * A shell that forks `count` copies of `name` in batches (so the machine never
   * sees a fork storm), prints `ready`, and on a line on its stdin kills and waits
   * for all of them before exiting — so each one is reaped by its own parent.
   */
  async flock(name: string, count: number, batch = 100): Promise<{ shell: ChildProcess; pids: number[] }> {
    const program = this.program(name)
    const script = [
      'set -u',
      `n=0`,
      `while [ "$n" -lt ${count} ]; do`,
      `  i=0`,
      `  while [ "$i" -lt ${batch} ] && [ "$n" -lt ${count} ]; do`,
      `    "${program}" 600 "$n" &`,
      `    echo "pid $!"`,
      `    i=$((i + 1)); n=$((n + 1))`,
      `  done`,
      `  sleep 0.05`,
      `done`,
      `echo ready`,
      `read -r _`,
      `kill $(jobs -p) 2>/dev/null`,
      `wait`,
      `echo reaped`,
    ].join('\n')
    // stderr ignored: bash reports each killed job there.
    const shell = spawn('bash', ['-c', script], { stdio: ['pipe', 'pipe', 'ignore'] })
    this.#children.add(shell)
    shell.once('exit', () => this.#children.delete(shell))
    let out = ''
    shell.stdout!.on('data', (c: Buffer) => (out += c.toString()))
    await until(`the shell to fork ${count} × ${name}`, () => out.includes('ready\n'), 60_000)
    const pids = [...out.matchAll(/^pid (\d+)$/gm)].map((m) => Number(m[1]))
    return { shell, pids }
  }

  /**
   * A shell that keeps forking `width` short-lived copies of `name` (each lives
   * 0–40 ms), waits for them, and forks again, until `stop()`: then it finishes
   * the round, reaps it and exits. Resolves once the first round has started.
   */
  async churn(name: string, width = 8): Promise<{ rounds(): number; stop(): Promise<void> }> {
    const program = this.program(name)
    const stopFile = join(this.dir, `${name}.stop`)
    const script = [
      'r=0',
      `while [ ! -e "${stopFile}" ]; do`,
      `  for i in $(seq ${width}); do "${program}" "0.0$((RANDOM % 5))" & done`,
      '  wait',
      '  r=$((r + 1)); echo "round $r"',
      'done',
    ].join('\n')
    const shell = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] })
    this.#children.add(shell)
    shell.once('exit', () => this.#children.delete(shell))
    let rounds = 0
    shell.stdout!.on('data', (c: Buffer) => (rounds += (c.toString().match(/round/g) ?? []).length))
    await until(`the churn of ${name} to start`, () => rounds > 0)
    return {
      rounds: () => rounds,
      stop: async () => {
        writeFileSync(stopFile, '')
        const done = exited(shell)
        const timer = setTimeout(() => shell.kill('SIGKILL'), 10_000)
        await done
        clearTimeout(timer)
      },
    }
  }

  /** Tells a flock's shell to kill and reap its sleepers, and waits for it to exit. */
  async releaseFlock(shell: ChildProcess): Promise<void> {
    if (shell.exitCode === null && shell.signalCode === null) shell.stdin!.end('go\n')
    const done = exited(shell)
    const timer = setTimeout(() => shell.kill('SIGKILL'), 30_000)
    await done
    clearTimeout(timer)
  }

  /** Kills every child still running (SIGKILL) and waits for each exit. */
  async reapAll(): Promise<void> {
    const all = [...this.#children]
    for (const c of all) {
      if (c.stdin && !c.stdin.destroyed) c.stdin.end('go\n')
    }
    // Flocks get a moment to reap their own sleepers first.
    await Promise.race([Promise.all(all.map(exited)), pause(all.some((c) => c.stdin) ? 5_000 : 0)])
    for (const c of all) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    await Promise.all(all.map(exited))
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** Pids whose comm (`/proc/<pid>/stat` name) is `name`, zombies included. */
export function pidsNamed(name: string): number[] {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      if (comm === name) out.push(Number(entry))
    } catch {
      // gone between readdir and read
    }
  }
  return out
}

export interface ProcessCollectorYaml {
  include?: string[]
  exclude?: string[]
  top_n?: number
  max_processes?: number
  interval?: string
}

export interface ProcessAgent {
  agentId: string
  healthPort: number
  /** The agent itself (./agent). */
  agent: RunningAgent
  /** Everything the agent wrote to stdout and stderr so far. */
  output(): string
  /** The agent's `/metrics` text. */
  prometheus(): Promise<string>
  /** SIGTERM, then SIGKILL after 10 s; resolves when it has exited. */
  stop(): Promise<void>
}

let agentSeq = 0

/** `tfo-agent start` with only the process collector on, exporting to `col` over gRPC. */
export async function startAgent(col: RunningCollector, p: ProcessCollectorYaml): Promise<ProcessAgent> {
  const agentId = `e2e-proc-${process.pid}-${++agentSeq}`
  const dir = mkdtempSync(join(tmpdir(), 'tfo-proc-agent-'))
  mkdirSync(join(dir, 'state'))
  const config = {
    telemetryflow: { endpoint: col.grpcEndpoint, protocol: 'grpc' },
    agent: { id: agentId, data_dir: join(dir, 'state') },
    heartbeat: { enabled: false },
    cloud: { provider: 'none' },
    collectors: {
      system: { enabled: false },
      process: {
        enabled: true,
        interval: p.interval ?? '1s',
        include: p.include ?? [],
        exclude: p.exclude ?? [],
        top_n: p.top_n ?? 0,
        max_processes: p.max_processes ?? 200,
      },
    },
    exporter: { otlp: { flush_interval: '1s' } },
    logging: { level: 'info', format: 'json' },
  }
  const agent = await startBaseAgent(config, {
    dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
  })
  return {
    agentId,
    healthPort: Number(agent.healthEndpoint.split(':').pop()),
    agent,
    output: () => agent.output(),
    prometheus: async () => (await agent.metrics()).text,
    stop: async () => {
      await agent.stop('SIGTERM', 10_000)
      if (!process.env.TFO_KEEP_AGENT_DIR) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The agent's log records (JSON lines) at warn level or above. */
export function problems(output: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const line of output.split('\n')) {
    if (!line.trim()) continue
    let rec: Record<string, unknown>
    try {
      rec = JSON.parse(line) as Record<string, unknown>
    } catch {
      out.push({ level: 'unparsed', msg: line })
      continue
    }
    const level = rec.level
    const bad = typeof level === 'number' ? level >= 40 : /^(warn|error|fatal)$/i.test(String(level))
    if (bad) out.push(rec)
  }
  return out
}

/** One process resource in one export cycle. */
export interface ProcessResource {
  pid: number
  resource: Record<string, Value>
  /** Metric name → its data points in this cycle. */
  metrics: Map<string, PointRow[]>
}

/** One collection: the process resources that share a data point time. */
export interface Cycle {
  timeUnixNano: bigint
  processes: Map<number, ProcessResource>
}

/** The agent's process resources, grouped into collection cycles (oldest first). */
function cyclesOf(requests: OtlpJson[], agentId: string): Cycle[] {
  const byTime = new Map<string, Cycle>()
  for (const req of requests) {
    for (const row of pointRows(req as never)) {
      if (row.resource['telemetryflow.agent.id'] !== agentId) continue
      const pid = row.resource['process.pid']
      if (pid === undefined) continue
      let cycle = byTime.get(row.timeUnixNano)
      if (!cycle) {
        cycle = { timeUnixNano: BigInt(row.timeUnixNano), processes: new Map() }
        byTime.set(row.timeUnixNano, cycle)
      }
      let proc = cycle.processes.get(Number(pid))
      if (!proc) {
        proc = { pid: Number(pid), resource: row.resource, metrics: new Map() }
        cycle.processes.set(Number(pid), proc)
      }
      const points = proc.metrics.get(row.metric) ?? []
      points.push(row)
      proc.metrics.set(row.metric, points)
    }
  }
  return [...byTime.values()].sort((a, b) => (a.timeUnixNano < b.timeUnixNano ? -1 : 1))
}

/** Waits until the agent's output holds `count` cycles satisfying `ok` (default: any). */
export async function waitForCycles(
  col: RunningCollector,
  agent: ProcessAgent,
  count: number,
  ok: (c: Cycle) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<Cycle[]> {
  let last: Cycle[] = []
  try {
    await col.waitForMetrics((reqs) => {
      if (agent.agent.child.exitCode !== null) throw new Error(`the agent exited:\n${agent.output()}`)
      last = cyclesOf(reqs, agent.agentId)
      return last.filter(ok).length >= count
    }, timeoutMs)
  } catch (err) {
    const summary = last.map((c) => `[${[...c.processes.keys()].join(',')}]`).join(' ')
    throw new Error(
      `${(err as Error).message.split('\n')[0]}\ncycles so far: ${summary}\nagent output:\n${agent.output().slice(-4000)}`,
    )
  }
  return last
}
