/**
 * The running agent behind `tfo-agent start`. Owned by the lead; the CLI calls
 * `runAgent` and turns its resolved exit code into the process's exit status.
 */
import type { Logger } from 'pino'
import type { AgentConfig } from '../config'

export interface RunAgentOptions {
  /** The validated, merged configuration. */
  config: AgentConfig
  /** The file it came from, if any (for SIGHUP reloads and log lines). */
  configFile?: string
  logger: Logger
  /** Loads and validates the configuration again (SIGHUP); rejects with a ConfigError. */
  reloadConfig: () => Promise<AgentConfig>
}

/** Runs until SIGTERM/SIGINT; resolves the exit code. */
export async function runAgent(options: RunAgentOptions): Promise<number> {
  options.logger.fatal('the agent pipeline is not wired yet')
  return 1
}
