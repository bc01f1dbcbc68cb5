/** Small numeric helpers for the pipeline bench: rates, least squares, /proc RSS. */
import { readFileSync } from 'node:fs'

/** Items per second for `n` items done in `ms`. */
export function perSecond(n: number, ms: number): number {
  return ms > 0 ? (n * 1000) / ms : Infinity
}

export function fmtRate(x: number, unit = '/s'): string {
  return `${Math.round(x).toLocaleString('en-US')} ${unit}`
}

export function fmtMB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** Least-squares slope of y over x (0 when x does not vary). */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length
  if (n < 2) return 0
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my)
    den += (xs[i] - mx) ** 2
  }
  return den === 0 ? 0 : num / den
}

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN
}

/** Resident set size of a process in KiB (VmRSS), or undefined once it has gone. */
export function rssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}
