/** Loading the configuration the way every command does, with the CLI's overrides. */
import {
  loadConfig,
  type AgentConfig,
  type Env,
  type LoadedConfig,
  type LogFormat,
  type LogLevel,
} from '../../config'

export interface ConfigSource {
  /** `--config`; when absent the search order applies. */
  configPath?: string
  /** Default `process.env`. */
  env?: Env
  /** Default `process.cwd()`. */
  cwd?: string
}

export interface LogOverrides {
  logLevel?: LogLevel
  logFormat?: LogFormat
}

/** Applies `--log-level` / `--log-format` (they win over the file). */
export function applyLogOverrides(config: AgentConfig, overrides: LogOverrides): AgentConfig {
  if (overrides.logLevel) config.logging.level = overrides.logLevel
  if (overrides.logFormat) config.logging.format = overrides.logFormat
  return config
}

export async function loadSettings(
  source: ConfigSource,
  overrides: LogOverrides = {},
): Promise<LoadedConfig> {
  const loaded = await loadConfig({ configPath: source.configPath, env: source.env, cwd: source.cwd })
  applyLogOverrides(loaded.config, overrides)
  return loaded
}
