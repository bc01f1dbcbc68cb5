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

/** Runs `work` while a 1 ms timer probes the event loop; the longest gap and p99 delay. */
async function stallWhile(
  work: () => Promise<unknown>,
): Promise<{ maxGap: number; p99: number; ms: number; activeMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 })
  let maxGap = 0
  let last = performance.now()
  const probe = setInterval(() => {
    const now = performance.now()
    maxGap = Math.max(maxGap, now - last - 1)
    last = now
  }, 1)
  h.enable()
  const elu = performance.eventLoopUtilization()
  const started = performance.now()
  await work()
  const ms = performance.now() - started
  const activeMs = performance.eventLoopUtilization(elu).active
  h.disable()
  clearInterval(probe)
  return { maxGap: Math.max(0, maxGap), p99: h.percentile(99) / 1e6, ms, activeMs }
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
      for (let i = 0; i < RUNS; i++) await host.collect()
    })
    const idle = await stallWhile(() => new Promise((r) => setTimeout(r, during.ms)))
    row(
      'longest event-loop stall during collect()',
      fmtMs(during.maxGap),
      `p99 ${fmtMs(during.p99)} (target < 2 ms)`,
    )
    row(
      'the same probe over an idle wait as long',
      fmtMs(idle.maxGap),
      `p99 ${fmtMs(idle.p99)} (scheduling noise)`,
    )
    const perCollect = Math.max(0, during.activeMs - idle.activeMs) / RUNS
    row(
      'main-thread time per collect() (beyond idle)',
      fmtMs(perCollect),
      'the scan itself runs on the libuv pool',
    )
  } finally {
    await idle.reap()
  }
}
