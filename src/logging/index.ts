/**
 * The agent's one logger (pino). `json` writes pino's NDJSON; `text` writes one
 * readable line per record. Logs go to standard error (standard output stays free for
 * command output such as `collect --format json`) or, with `file`, are appended there.
 * Secrets are kept out twice: pino's `redact` paths for where they are known to live,
 * and the one scrubber (`config/scrub.ts`) over every line written: configured secret values,
 * URL passwords and credential-looking query values become `***`.
 */
import pino, { type Logger } from 'pino'
import type { LogFormat, LogLevel } from '../config'
import { SecretScrubber } from '../config/scrub'
import { formatTextLine } from './text'

export type { Logger } from 'pino'
export { formatTextLine } from './text'

export interface LoggerOptions {
  level: LogLevel | 'silent'
  format: LogFormat
  /** Append to this file instead of writing to standard error. */
  file?: string
  /** Write here instead (tests, embedding applications). */
  destination?: { write(chunk: string): unknown }
}

/** Where secrets are known to live in objects that get logged. */
export const REDACT_PATHS = [
  'api_key_secret',
  '*.api_key_secret',
  'telemetryflow.api_key_secret',
  'config.telemetryflow.api_key_secret',
  'headers.authorization',
  'headers.Authorization',
  'headers["x-telemetryflow-key-secret"]',
  'headers["X-TelemetryFlow-Key-Secret"]',
  'headers["x-api-key-secret"]',
  'headers["X-API-Key-Secret"]',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.headers["x-telemetryflow-key-secret"]',
  '*.headers["X-TelemetryFlow-Key-Secret"]',
  '*.headers["x-api-key-secret"]',
  '*.headers["X-API-Key-Secret"]',
]

const guards = new WeakMap<Logger, SecretScrubber>()

/** The log file cannot be opened (a configuration problem, reported without a stack). */
export class LogFileError extends Error {
  override readonly name = 'LogFileError'
}

function sink(options: LoggerOptions): { write(chunk: string): unknown } {
  if (options.destination) return options.destination
  if (!options.file) return pino.destination({ dest: 2, sync: true })
  try {
    // Synchronous writes: a log line written just before the process exits is not lost.
    return pino.destination({ dest: options.file, append: true, mkdir: true, sync: true })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const reasons: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      EEXIST: 'a parent of it is not a directory',
      ENOTDIR: 'a parent of it is not a directory',
      EISDIR: 'it is a directory',
    }
    const reason = reasons[code ?? ''] ?? (err as Error).message
    throw new LogFileError(`cannot open the log file ${options.file} (logging.file): ${reason}`)
  }
}

/** Creates the agent's logger. `secrets` are values that must never be written. */
export function createLogger(options: LoggerOptions, secrets: readonly string[] = []): Logger {
  const guard = new SecretScrubber(secrets)
  const out = sink(options)
  const stream = {
    write(line: string): void {
      const clean = guard.scrub(line)
      out.write(options.format === 'text' ? guard.scrub(formatTextLine(clean)) : clean)
    },
  }
  const logger = pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '***' },
    },
    stream,
  )
  guards.set(logger, guard)
  return logger
}

/** Replaces the secrets a logger guards (after a config reload); its children write through the same guard. */
export function setLogSecrets(logger: Logger, secrets: readonly string[]): void {
  guards.get(logger)?.set(secrets)
}
