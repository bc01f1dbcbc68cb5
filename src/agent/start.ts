/**
 * The agent in one call, for applications that embed it:
 *
 * ```ts
 * const agent = await startAgent(config)             // or a YAML string
 * agent.on('flush', (report) => …)                   // 'collect', 'flush', 'error'
 * agent.status()                                     // what /health reports
 * await agent.stop()
 * ```
 *
 * It resolves the agent's identity (id and data directory, kept across restarts), makes a
 * logger from `logging` unless one is given, and starts collection, buffer, export,
 * heartbeat and health server as the configuration says. Nothing process-wide is touched:
 * no signal handlers, no Node flags (those belong to `tfo-agent start`).
 */
import type { Logger } from 'pino'

import { parseConfig, secretsOf, type AgentConfig, type Env } from '../config'
import { createLogger } from '../logging'
import { Agent } from './agent'

export interface StartAgentOptions {
  /** Default: a logger as `logging` configures it (standard error, or `logging.file`). */
  logger?: Logger
  /**
   * The environment: `${VAR}` and `TELEMETRYFLOW_*` for a YAML string, and HOME /
   * XDG_STATE_HOME for the default data directory. Default `process.env`.
   */
  env?: Env
}

/**
 * Starts an agent and resolves it once it runs; rejects (with nothing left running) when
 * the configuration is invalid (`ConfigError`), the data directory is unusable
 * (`IdentityError`), another agent holds the buffer (`BufferLockedError`) or the health
 * port is taken.
 */
export async function startAgent(
  config: AgentConfig | string,
  options: StartAgentOptions = {},
): Promise<Agent> {
  let warnings: string[] = []
  if (typeof config === 'string') ({ config, warnings } = parseConfig(config, { env: options.env }))
  const logger =
    options.logger ??
    createLogger(
      { level: config.logging.level, format: config.logging.format, file: config.logging.file || undefined },
      secretsOf(config),
    )
  for (const warning of warnings) logger.warn(warning)
  const agent = new Agent(config, { logger, env: options.env })
  await agent.start()
  return agent
}
