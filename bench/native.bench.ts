/**
 * Issue 2's numbers: a full collect against the raw floor, against the
 * `systeminformation` package's calls for the same data, TCP states by netlink
 * versus /proc/net/tcp*, and the longest event-loop stall while collect runs.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import si from 'systeminformation'

import { HostCollector } from '../src/host-collector'
import { native } from '../src/native'
import { fmtMs, median, row, spawnIdle, timeRuns } from './util'

const RUNS = Number(process.env.TFO_BENCH_RUNS ?? 15)
/** Collects under the event-loop probe: enough for the rare long gap to show (~4 s). */
const STALL_RUNS = Number(process.env.TFO_BENCH_STALL_RUNS ?? 200)

interface Stall {
  /** The longest wall-clock gap between 1 ms probe ticks, beyond the 1 ms asked for. */
  maxGap: number
  p99: number
  /** Of that longest gap, the ms the main thread spent on a CPU. */
  maxGapRan: number
  /** The most CPU the main thread used between two ticks: the loop held by work, not by waiting. */
  maxRan: number
  /** Gaps over 2 ms, and how many of them the main thread spent mostly running. */
  over2: number
  over2Running: number
  ms: number
  activeMs: number
}

/**
 * Runs `work` while a 1 ms timer probes the event loop. A gap between ticks is either the
 * main thread running something (the agent's doing) or the thread waiting for a CPU (the
 * machine's: other threads and processes, a vCPU the hypervisor runs late); the main
 * thread's own CPU clock (CLOCK_THREAD_CPUTIME_ID, from the addon) splits the two.
 */
async function stallWhile(work: () => Promise<unknown>): Promise<Stall> {
  const cpuMs = native().benchThreadCpuMs
  const h = monitorEventLoopDelay({ resolution: 1 })
  const gaps: Array<{ gap: number; ran: number }> = []
  let last = performance.now()
  let lastCpu = cpuMs()
  const probe = setInterval(() => {
    const now = performance.now()
    const cpu = cpuMs()
    gaps.push({ gap: now - last - 1, ran: cpu - lastCpu })
    last = now
    lastCpu = cpu
  }, 1)
  h.enable()
  const elu = performance.eventLoopUtilization()
  const started = performance.now()
  await work()
  const ms = performance.now() - started
  const activeMs = performance.eventLoopUtilization(elu).active
  h.disable()
  clearInterval(probe)
  const worst = gaps.reduce((a, b) => (b.gap > a.gap ? b : a), { gap: 0, ran: 0 })
  const long = gaps.filter((g) => g.gap > 2)
  return {
    maxGap: Math.max(0, worst.gap),
    p99: h.percentile(99) / 1e6,
    maxGapRan: worst.ran,
    maxRan: Math.max(0, ...gaps.map((g) => g.ran)),
    over2: long.length,
    over2Running: long.filter((g) => g.ran > g.gap / 2).length,
    ms,
    activeMs,
  }
}

export async function benchNative(): Promise<void> {
  const extra = Number(process.env.TFO_BENCH_PROCESSES ?? 1000)
  console.log(`\n== native snapshot (${extra} extra processes spawned; medians of ${RUNS} runs)`)
  const idle = await spawnIdle(extra)
  try {
    const host = new HostCollector({ topProcesses: 10 })
    const collectMs = median(await timeRuns(() => host.collect(), RUNS))
    const floorMs = median(await timeRuns(() => native().benchRawRead(), RUNS))
    row('full collect()', fmtMs(collectMs))
    row(
      'raw floor (read the same files, no parsing)',
      fmtMs(floorMs),
      `collect/floor = ${(collectMs / floorMs).toFixed(2)}x (target ≤ 2x)`,
    )

    const siCalls: Array<[string, () => Promise<unknown>]> = [
      ['processes', () => si.processes()],
      ['currentLoad', () => si.currentLoad()],
      ['mem', () => si.mem()],
      ['fsSize', () => si.fsSize()],
      ['disksIO', () => si.disksIO()],
      ['networkStats', () => si.networkStats('*')],
      ['networkConnections', () => si.networkConnections()],
    ]
    let siTotal = 0
    for (const [name, call] of siCalls) {
      const ms = median(await timeRuns(call, Math.max(3, Math.floor(RUNS / 3)), 1, 600))
      siTotal += ms
      row(`systeminformation.${name}()`, fmtMs(ms))
    }
    row(
      'systeminformation, all of the above',
      fmtMs(siTotal),
      `si/collect = ${(siTotal / collectMs).toFixed(1)}x (target ≥ 20x)`,
    )

    const n = native() as unknown as Record<string, unknown>
    if (typeof n.benchTcpNetlink === 'function' && typeof n.benchTcpProcfs === 'function') {
      const nl = median(await timeRuns(() => (n.benchTcpNetlink as () => unknown)(), RUNS))
      const pf = median(await timeRuns(() => (n.benchTcpProcfs as () => unknown)(), RUNS))
      row('TCP states via netlink SOCK_DIAG', fmtMs(nl))
      row('TCP states via /proc/net/tcp + tcp6', fmtMs(pf), `procfs/netlink = ${(pf / nl).toFixed(1)}x`)
    }

    // The stall is measured twice in the same run: while collect() runs, and over an
    // equally long idle wait. On a busy shared machine the idle figure is the floor
    // that scheduling noise alone gives; the difference is what collect() costs the loop.
    const during = await stallWhile(async () => {
      for (let i = 0; i < STALL_RUNS; i++) await host.collect()
    })
    const idle = await stallWhile(() => new Promise((r) => setTimeout(r, during.ms)))
    const split = (s: Stall) =>
      `the main thread ran ${fmtMs(s.maxGapRan)} of it; p99 ${fmtMs(s.p99)}; ` +
      `${s.over2} gaps over 2 ms, ${s.over2Running} of them mostly running`
    row(`longest event-loop gap, ${STALL_RUNS} collect()s`, fmtMs(during.maxGap), split(during))
    row(
      'the same probe over an idle wait as long',
      fmtMs(idle.maxGap),
      `${split(idle)} (the machine's noise)`,
    )
    row(
      'longest main-thread CPU between two ticks',
      fmtMs(during.maxRan),
      `idle: ${fmtMs(idle.maxRan)}; the loop held by work rather than waiting (target < 2 ms)`,
    )
    const perCollect = Math.max(0, during.activeMs - idle.activeMs) / STALL_RUNS
    row(
      'main-thread time per collect() (beyond idle)',
      fmtMs(perCollect),
      'the scan itself runs on the libuv pool',
    )
  } finally {
    await idle.reap()
  }
}
