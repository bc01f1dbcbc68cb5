/** Option definitions shared by the commands, so each is spelt and explained once. */
import { Option } from 'commander'

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
export const LOG_FORMATS = ['text', 'json'] as const

export const configOption = (): Option =>
  new Option(
    '-c, --config <file>',
    'configuration file (default: the first of ./tfo-agent.yaml, /etc/tfo-agent/tfo-agent.yaml, $XDG_CONFIG_HOME/tfo-agent/tfo-agent.yaml (~/.config when unset); else built-in defaults)',
  )

export const logLevelOption = (): Option =>
  new Option('--log-level <level>', 'log level (overrides logging.level)').choices(LOG_LEVELS)

export const logFormatOption = (): Option =>
  new Option('--log-format <format>', 'log format (overrides logging.format)').choices(LOG_FORMATS)

export const collectFormatOption = (): Option =>
  new Option('-f, --format <format>', 'table for people, json for the heartbeat body {"systemInfo": …}')
    .choices(['table', 'json'])
    .default('table')

function nonNegativeInt(name: string) {
  return (text: string): number => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`${name} must be a whole number of milliseconds, got "${text}"`)
    return n
  }
}

export const sampleMsOption = (): Option =>
  new Option('--sample-ms <ms>', 'time between the two samples that rates and percentages are computed over')
    .argParser(nonNegativeInt('--sample-ms'))
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
    .argParser(nonNegativeInt('--timeout-ms'))
    .default(3000)

export const watchOption = (): Option =>
  new Option('-w, --watch', 'refresh until interrupted (Ctrl-C); the exit status is that of the last answer')

export const watchIntervalOption = (): Option =>
  new Option('--interval <ms>', 'time between refreshes with --watch')
    .argParser(nonNegativeInt('--interval'))
    .default(2000)

export const jsonOption = (): Option => new Option('--json', 'print as JSON')

export const shortOption = (): Option => new Option('--short', 'print the version number only')

export interface RunOptions {
  config?: string
  logLevel?: (typeof LOG_LEVELS)[number]
  logFormat?: (typeof LOG_FORMATS)[number]
}
