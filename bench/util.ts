import { spawn, type ChildProcess } from 'node:child_process'

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Runs `fn` `runs` times after `warmup` unrecorded runs; returns each run's ms.
 * `gapMs` waits (untimed) between runs, for libraries that serve repeated calls
 * from a cache for a while (systeminformation does, for 500 ms).
 */
export async function timeRuns(fn: () => unknown, runs: number, warmup = 2, gapMs = 0): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn()
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs))
    const t = process.hrtime.bigint()
    await fn()
    out.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return out
}

/** Spawns `n` idle processes (so scans have a realistic process table) and a way to reap them. */
export async function spawnIdle(n: number): Promise<{ reap: () => Promise<void> }> {
  const children: ChildProcess[] = []
  for (let i = 0; i < n; i++) {
    children.push(spawn('sleep', ['600'], { stdio: 'ignore' }))
  }
  await new Promise((r) => setTimeout(r, 200))
  return {
    reap: async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve()
              c.once('exit', () => resolve())
              c.kill('SIGKILL')
            }),
        ),
      )
    },
  }
}

export function fmtMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`
}

export function row(label: string, value: string, note = ''): void {
  console.log(`  ${label.padEnd(46)} ${value.padStart(14)}  ${note}`)
}
