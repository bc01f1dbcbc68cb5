/** `tfo-agent config validate | show | init`. */
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import {
  configSearchPaths,
  configToYaml,
  ENV_OVERRIDES,
  parseConfig,
  redact,
  starterConfig,
  type LoadedConfig,
} from '../../config'
import { resolveDataDir } from '../../identity'
import { CliError } from '../io'
import { loadSettings, type ConfigSource } from './settings'

/** Loads and validates; rejects with a `ConfigError` describing every problem. */
export function validateConfig(source: ConfigSource = {}): Promise<LoadedConfig> {
  return loadSettings(source)
}

/**
 * The effective configuration as YAML, secrets redacted, headed by where it came from.
 * `agent.data_dir` is the directory the agent would use (the default for this user when
 * the file leaves it empty); nothing is created.
 */
export async function showConfig(source: ConfigSource = {}): Promise<string> {
  const loaded = await loadSettings(source)
  const env = source.env ?? process.env
  loaded.config.agent.data_dir = resolveDataDir(loaded.config, { env })
  const order = configSearchPaths(env, source.cwd).join(', ')
  const overrides = Object.keys(ENV_OVERRIDES).filter((name) => env[name])
  const header = [
    `# tfo-agent effective configuration from ${loaded.file ?? 'built-in defaults (no config file found)'}`,
    `# search order: --config, ${order}`,
  ]
  if (overrides.length > 0) header.push(`# overridden by the environment: ${overrides.join(', ')}`)
  return `${header.join('\n')}\n${configToYaml(redact(loaded.config))}`
}

export interface InitOptions {
  /** Default `tfo-agent.yaml` in `cwd`; `-` returns the text without writing. */
  output?: string
  force?: boolean
  cwd?: string
}

/**
 * Writes the commented starter configuration (mode 0600: it is where the API key
 * secret will go). Returns the path written, or the text for `-`.
 */
export async function initConfig(options: InitOptions = {}): Promise<{ path?: string; text: string }> {
  const text = starterConfig()
  parseConfig(text, { file: 'starter configuration', env: {} }) // a starter that fails its own validation is a bug
  if (options.output === '-') return { text }
  const path = resolve(options.cwd ?? process.cwd(), options.output ?? 'tfo-agent.yaml')
  try {
    await writeFile(path, text, { flag: options.force ? 'w' : 'wx', mode: 0o600 })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new CliError(`${path} already exists; use --force to overwrite it`)
    throw new CliError(
      `cannot write ${path}: ${code === 'EACCES' ? 'permission denied' : (err as Error).message}`,
    )
  }
  return { path, text }
}
