/** `tfo-agent start`: configuration, logger and identity, then the running agent. */
import { runAgent } from '../../agent/run'
import { secretsOf, type AgentConfig } from '../../config'
import { resolveIdentity } from '../../identity'
import { createLogger, setLogSecrets, type LoggerOptions } from '../../logging'
import { VERSION } from '../../version'
import { applyLogOverrides, loadSettings, type ConfigSource, type LogOverrides } from './settings'

export interface StartOptions extends ConfigSource, LogOverrides {
  /** Write logs here instead of standard error or `logging.file` (embedding, tests). */
  logDestination?: LoggerOptions['destination']
}

/**
 * Starts the agent and resolves its exit code when it stops. Rejects with a
 * `ConfigError` (bad configuration) or `IdentityError` (unusable data directory)
 * before anything is started.
 */
export async function runStart(options: StartOptions = {}): Promise<number> {
  const loaded = await loadSettings(options, options)
  const { config } = loaded
  const logger = createLogger(
    {
      level: config.logging.level,
      format: config.logging.format,
      file: config.logging.file || undefined,
      destination: options.logDestination,
    },
    secretsOf(config),
  )
  for (const warning of loaded.warnings) logger.warn(warning)

  const identity = await resolveIdentity(config, { env: options.env })
  config.agent.id = identity.agentId
  config.agent.data_dir = identity.dataDir
  logger.info(
    {
      agent_id: identity.agentId,
      id_source: identity.source,
      data_dir: identity.dataDir,
      config: loaded.file ?? 'built-in defaults',
    },
    `tfo-agent ${VERSION} starting`,
  )

  let guarded = secretsOf(config)
  const reloadConfig = async (): Promise<AgentConfig> => {
    // The file found at start is the one reloaded; with none, the search runs again.
    const next = await loadSettings({ ...options, configPath: loaded.file ?? options.configPath }, options)
    for (const warning of next.warnings) logger.warn(warning)
    const fresh = applyLogOverrides(next.config, options)
    fresh.agent.id ||= identity.agentId
    fresh.agent.data_dir ||= identity.dataDir
    // Old and new secrets both stay guarded: records about the old config may still be written.
    guarded = [...new Set([...guarded, ...secretsOf(fresh)])]
    setLogSecrets(logger, guarded)
    return fresh
  }

  return runAgent({ config, configFile: loaded.file, logger, reloadConfig })
}
