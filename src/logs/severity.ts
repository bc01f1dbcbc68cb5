/**
 * Severity of a log record, guessed from the common shapes a log line takes:
 *   - a JSON object with a `level`, `severity`, `lvl` (or `log.level`) field, as a word or as
 *     a bunyan/pino number (10 trace … 60 fatal);
 *   - a syslog `<PRI>` prefix (severity = PRI mod 8);
 *   - a level word near the start: upper case anywhere in the first 80 characters
 *     (`2024-05-01 12:00:00 ERROR …`), any case when bracketed (`[error]`, `[core:warn]`) or
 *     after `level=` / `lvl=` / `severity=` (logfmt).
 * The result uses the OTLP base numbers (TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17, FATAL 21).
 */

export interface Severity {
  /** OTLP SeverityNumber; 0 (unspecified) when nothing was recognised. */
  number: number
  /** The level as written at the source (or its canonical name for numeric levels). */
  text: string
}

export const SEVERITY = { TRACE: 1, DEBUG: 5, INFO: 9, NOTICE: 10, WARN: 13, ERROR: 17, FATAL: 21 } as const

const UNKNOWN: Severity = { number: 0, text: '' }

const WORDS: Record<string, number> = {
  trace: SEVERITY.TRACE,
  debug: SEVERITY.DEBUG,
  dbg: SEVERITY.DEBUG,
  info: SEVERITY.INFO,
  information: SEVERITY.INFO,
  notice: SEVERITY.NOTICE,
  warn: SEVERITY.WARN,
  warning: SEVERITY.WARN,
  error: SEVERITY.ERROR,
  err: SEVERITY.ERROR,
  fatal: SEVERITY.FATAL,
  crit: SEVERITY.FATAL,
  critical: SEVERITY.FATAL,
  alert: SEVERITY.FATAL,
  emerg: SEVERITY.FATAL,
  emergency: SEVERITY.FATAL,
  panic: SEVERITY.FATAL,
}

/** syslog severities 0..7 (RFC 5424). */
const SYSLOG: Array<[string, number]> = [
  ['emerg', SEVERITY.FATAL],
  ['alert', SEVERITY.FATAL],
  ['crit', SEVERITY.FATAL],
  ['err', SEVERITY.ERROR],
  ['warning', SEVERITY.WARN],
  ['notice', SEVERITY.NOTICE],
  ['info', SEVERITY.INFO],
  ['debug', SEVERITY.DEBUG],
]

/** bunyan / pino numeric levels. */
const NUMERIC: Array<[number, string, number]> = [
  [60, 'FATAL', SEVERITY.FATAL],
  [50, 'ERROR', SEVERITY.ERROR],
  [40, 'WARN', SEVERITY.WARN],
  [30, 'INFO', SEVERITY.INFO],
  [20, 'DEBUG', SEVERITY.DEBUG],
  [10, 'TRACE', SEVERITY.TRACE],
]

const JSON_FIELDS = ['level', 'severity', 'lvl', 'log.level', 'loglevel', 'severity_text']
const SYSLOG_PRI = /^<(\d{1,3})>/
const UPPER_WORD =
  /\b(TRACE|DEBUG|DBG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRIT|CRITICAL|ALERT|EMERG|PANIC)\b/
const MARKED_WORD =
  /(?:\[(?:[\w.-]+:)?|\b(?:level|lvl|severity)=["']?)(trace|debug|dbg|info|notice|warn|warning|error|err|fatal|crit|critical|alert|emerg|panic)\b/i
/** Level words further in than this are message text, not a level. */
const HEAD_CHARS = 80

export function parseSeverity(text: string): Severity {
  const start = firstNonSpace(text)
  if (text.charCodeAt(start) === 0x7b /* { */) {
    const fromJson = jsonSeverity(text)
    if (fromJson) return fromJson
  }
  const pri = SYSLOG_PRI.exec(text)
  if (pri) {
    const value = Number(pri[1])
    if (value <= 191) {
      const [name, number] = SYSLOG[value % 8]
      return { number, text: name }
    }
  }
  const head = text.length > start + HEAD_CHARS ? text.slice(start, start + HEAD_CHARS) : text.slice(start)
  const marked = MARKED_WORD.exec(head)
  const upper = UPPER_WORD.exec(head)
  const found = marked && (!upper || marked.index <= upper.index) ? marked : upper
  if (found) return { number: WORDS[found[1].toLowerCase()], text: found[1] }
  return UNKNOWN
}

function jsonSeverity(text: string): Severity | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
  const record = parsed as Record<string, unknown>
  for (const field of JSON_FIELDS) {
    const value = record[field]
    if (typeof value === 'string') {
      const number = WORDS[value.trim().toLowerCase()]
      if (number) return { number, text: value }
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      for (const [min, name, number] of NUMERIC) if (value >= min) return { number, text: name }
      return undefined
    }
  }
  return undefined
}

function firstNonSpace(text: string): number {
  let i = 0
  while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++
  return i
}
