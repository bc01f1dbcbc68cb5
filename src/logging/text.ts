/**
 * The `text` log format: one readable line per record for a person at a terminal,
 * `<time> <LEVEL> <message> key=value …`, with an error's stack indented below it.
 */

const LEVEL_WIDTH = 5

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)
  if (value === null || typeof value !== 'object') return String(value)
  return JSON.stringify(value)
}

interface SerializedError {
  type?: string
  message?: string
  stack?: string
  code?: string
}

/** Turns one pino NDJSON line into a text line (or lines, for an error with a stack). */
export function formatTextLine(json: string): string {
  let record: Record<string, unknown>
  try {
    record = JSON.parse(json) as Record<string, unknown>
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`
  }
  const { time, level, msg, err, pid: _pid, hostname: _hostname, ...rest } = record
  const label = String(level ?? 'info')
    .toUpperCase()
    .padEnd(LEVEL_WIDTH)
  let line = `${String(time ?? new Date().toISOString())} ${label} ${String(msg ?? '')}`.trimEnd()
  for (const [key, value] of Object.entries(rest)) line += ` ${key}=${formatValue(value)}`
  let stack = ''
  if (err && typeof err === 'object') {
    const e = err as SerializedError
    line += ` error=${formatValue(e.message ?? '')}`
    if (e.code) line += ` code=${formatValue(e.code)}`
    if (e.stack)
      stack = e.stack
        .split('\n')
        .slice(1)
        .map((l) => `    ${l.trim()}\n`)
        .join('')
  } else if (err !== undefined) {
    line += ` error=${formatValue(err)}`
  }
  return `${line}\n${stack}`
}
