/** Option definitions shared by the commands, so each is spelt and explained once. */
import { Option } from 'commander'
import { MAX_DURATION_MS } from '../config/duration'
import { CliError, EXIT } from './io'

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
export const LOG_FORMATS = ['text', 'json'] as const

export const configOption = (): Option =>
  new Option(
    '-c, --config <file>',
    'configuration file (default: the first of ./tfo-agent.yaml, /etc/tfo-agent/tfo-agent.yaml, $XDG_CONFIG_HOME/tfo-agent/tfo-agent.yaml (~/.config when unset); on Windows ./tfo-agent.yaml, %ProgramData%\\tfo-agent\\tfo-agent.yaml, %APPDATA%\\tfo-agent\\tfo-agent.yaml; else built-in defaults)',
  )

export const logLevelOption = (): Option =>
  new Option('--log-level <level>', 'log level (overrides logging.level)').choices(LOG_LEVELS)

export const logFormatOption = (): Option =>
  new Option('--log-format <format>', 'log format (overrides logging.format)').choices(LOG_FORMATS)

export const collectFormatOption = (): Option =>
  new Option('-f, --format <format>', 'table for people, json for the heartbeat body {"systemInfo": …}')
    .choices(['table', 'json'])
    .default('table')

/**
 * A whole number of milliseconds a timer can wait. A bad value is a usage error: one
 * line and exit 2 (a `CliError` passes through commander to `main`'s report).
 */
function milliseconds(name: string) {
  return (text: string): number => {
    const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN
    if (!Number.isSafeInteger(n))
      throw new CliError(`${name} must be a whole number of milliseconds, got "${text}"`, EXIT.usage)
    if (n > MAX_DURATION_MS)
      throw new CliError(
        `${name} must be at most ${MAX_DURATION_MS} ms (about 24.8 days; longer overflows Node's timers), got ${text}`,
        EXIT.usage,
      )
    return n
  }
}

export const sampleMsOption = (): Option =>
  new Option('--sample-ms <ms>', 'time between the two samples that rates and percentages are computed over')
    .argParser(milliseconds('--sample-ms'))
    .default(1000)

export const outputOption = (): Option =>
  new Option('-o, --output <file>', 'where to write ("-" for standard output)').default('tfo-agent.yaml')

export const forceOption = (): Option => new Option('--force', 'overwrite an existing file')

export const endpointOption = (): Option =>
  new Option(
    '--endpoint <host:port>',
    "the agent's health endpoint (default: health.endpoint of the configuration, 127.0.0.1:13133)",
  )

export const timeoutMsOption = (): Option =>
  new Option('--timeout-ms <ms>', 'how long to wait for an answer')
    .argParser(milliseconds('--timeout-ms'))
    .default(3000)

export const watchOption = (): Option =>
  new Option('-w, --watch', 'refresh until interrupted (Ctrl-C); the exit status is that of the last answer')

export const watchIntervalOption = (): Option =>
  new Option('--interval <ms>', 'time between refreshes with --watch')
    .argParser(milliseconds('--interval'))
    .default(2000)

export const jsonOption = (): Option => new Option('--json', 'print as JSON')

export const shortOption = (): Option => new Option('--short', 'print the version number only')

export interface RunOptions {
  config?: string
  logLevel?: (typeof LOG_LEVELS)[number]
  logFormat?: (typeof LOG_FORMATS)[number]
}
