/**
 * Durations as operators write them (`500ms`, `15s`, `2m`, `24h`, Go-style `1m30s`),
 * or a plain number of seconds. Everything inside the agent works in milliseconds.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/

/** Milliseconds for a duration string or number of seconds; undefined when it is not one. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined
  }
  const text = value.trim()
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  if (!WHOLE.test(text)) return undefined
  let total = 0
  PART.lastIndex = 0
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2]] ?? 0)
  }
  return Math.round(total)
}

/** The shortest exact spelling of a duration in ms: `15s`, `500ms`, `1m30s`, `24h`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  let rest = Math.round(ms)
  let out = ''
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    const n = Math.floor(rest / size)
    if (n > 0) {
      out += `${n}${unit}`
      rest -= n * size
    }
  }
  if (rest > 0) out += `${rest}ms`
  return out
}

/** The hint shown with a malformed duration. */
export const DURATION_HINT = 'write a number with a unit, e.g. 500ms, 15s, 2m, 24h'

/** The longest a timer can wait (2^31 − 1 ms, about 24.8 days); longer ones would fire at once. */
export const MAX_DURATION_MS = 2_147_483_647

/** True for a duration the agent can schedule: at least 1 ms, at most MAX_DURATION_MS. */
export function isSchedulable(ms: number | undefined): boolean {
  return ms !== undefined && ms >= 1 && ms <= MAX_DURATION_MS
}
