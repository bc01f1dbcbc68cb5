/**
 * Loading the configuration: find the file, parse YAML, expand `${…}`, apply the
 * `TELEMETRYFLOW_*` environment overrides, validate once. The only module of the
 * agent that reads settings from files or the environment.
 */
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve, win32 } from 'node:path'
import { LineCounter, parseDocument } from 'yaml'
import { ConfigError, type ConfigIssue } from './errors'
import { expandTree, type Env } from './expand'
import { applyHeartbeatDefault } from './heartbeat-default'
import { keyPathText, lineOf, type KeyPath } from './locate'
import { schemaAt } from './schema-walk'
import type { AgentConfig } from './types'
import { applyUpstreamKeys } from './upstream'
import { validateTree } from './validate'

/** Environment variables that override the file, and the key each sets. */
export const ENV_OVERRIDES: Readonly<Record<string, readonly [string, string]>> = {
  TELEMETRYFLOW_API_KEY_ID: ['telemetryflow', 'api_key_id'],
  TELEMETRYFLOW_API_KEY_SECRET: ['telemetryflow', 'api_key_secret'],
  TELEMETRYFLOW_ENDPOINT: ['telemetryflow', 'endpoint'],
  TELEMETRYFLOW_ENVIRONMENT: ['telemetryflow', 'environment'],
  TELEMETRYFLOW_API_ENDPOINT: ['telemetryflow', 'api_endpoint'],
  TELEMETRYFLOW_AGENT_ID: ['agent', 'id'],
  TELEMETRYFLOW_AGENT_NAME: ['agent', 'name'],
}

export interface LoadConfigOptions {
  /** An explicit file (`--config`); a missing one is an error. */
  configPath?: string
  /** Default `process.env`. */
  env?: Env
  /** Where `./tfo-agent.yaml` is looked for; default `process.cwd()`. */
  cwd?: string
  /** Replaces the search order (tests). */
  searchPaths?: string[]
}

export interface LoadedConfig {
  config: AgentConfig
  /** The file read, or undefined when none was found and the defaults apply. */
  file?: string
  /** The places looked at, in order (empty when `configPath` was given). */
  searched: string[]
  /** Things worth a log line that do not stop the agent (e.g. `${VAR}` unset). */
  warnings: string[]
}

/**
 * `./tfo-agent.yaml`, the machine-wide file, then the per-user file. Machine-wide:
 * `/etc/tfo-agent/tfo-agent.yaml`; on Windows `%ProgramData%\\tfo-agent\\tfo-agent.yaml`
 * (beside the service's data). Per-user: `$XDG_CONFIG_HOME` or `~/.config`; on Windows
 * `%APPDATA%\\tfo-agent\\tfo-agent.yaml`.
 */
export function configSearchPaths(
  env: Env = process.env,
  cwd: string = process.cwd(),
  platform: NodeJS.Platform = process.platform,
): string[] {
  if (platform === 'win32') {
    const roaming = env.APPDATA || win32.join(env.USERPROFILE || homedir(), 'AppData', 'Roaming')
    return [
      win32.join(cwd, 'tfo-agent.yaml'),
      win32.join(env.ProgramData || 'C:\\ProgramData', 'tfo-agent', 'tfo-agent.yaml'),
      win32.join(roaming, 'tfo-agent', 'tfo-agent.yaml'),
    ]
  }
  const home = env.HOME || homedir()
  const xdg = env.XDG_CONFIG_HOME || join(home, '.config')
  return [
    join(cwd, 'tfo-agent.yaml'),
    '/etc/tfo-agent/tfo-agent.yaml',
    join(xdg, 'tfo-agent', 'tfo-agent.yaml'),
  ]
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent of it is not a directory',
}

async function readSource(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? ''
    throw new ConfigError([
      {
        source: file,
        message: `cannot read the config file: ${READ_ERRORS[code] ?? (err as Error).message}`,
      },
    ])
  }
}

async function findFile(paths: string[]): Promise<{ file: string; text: string } | undefined> {
  for (const file of paths) {
    try {
      return { file, text: await readFile(file, 'utf8') }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') continue
      throw new ConfigError([
        {
          source: file,
          message: `cannot read the config file: ${READ_ERRORS[code ?? ''] ?? (err as Error).message}`,
        },
      ])
    }
  }
  return undefined
}

/** Loads and validates the configuration; rejects with a `ConfigError`. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env
  if (options.configPath !== undefined) {
    const file = resolve(options.cwd ?? process.cwd(), options.configPath)
    const text = await readSource(file)
    return { ...parseConfig(text, { file, env }), file, searched: [] }
  }
  const searched = options.searchPaths ?? configSearchPaths(env, options.cwd)
  const found = await findFile(searched)
  if (!found) return { ...parseConfig('', { env }), searched }
  return { ...parseConfig(found.text, { file: found.file, env }), file: found.file, searched }
}

/** Parses configuration text (no file access). `file` is used in messages only. */
export function parseConfig(
  text: string,
  options: { file?: string; env?: Env } = {},
): { config: AgentConfig; warnings: string[] } {
  const env = options.env ?? process.env
  const source = options.file
  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => yamlIssue(e.message, e.pos[0], counter, source)))
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {}
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([
      {
        source,
        line: 1,
        message: 'the configuration must be a mapping of sections (telemetryflow:, agent:, …)',
      },
    ])
  }
  const at = (path: KeyPath, message: string): ConfigIssue => ({
    source,
    line: lineOf(doc, counter, path),
    key: keyPathText(path),
    message,
  })

  const expansion = expandTree(dropNulls(raw), env)
  if (expansion.errors.length > 0) throw new ConfigError(expansion.errors.map((p) => at(p.path, p.message)))
  const tree = coerceExpanded(expansion.tree as Record<string, unknown>, expansion.expanded)
  // The upstream Go agent's keys: read as this agent's where they mean something, then
  // the environment overrides both.
  const upstream = applyUpstreamKeys(tree)

  const origins = applyEnvOverrides(tree, env)
  applyHeartbeatDefault(tree)
  const { config, problems } = validateTree(tree)
  if (!config) {
    throw new ConfigError(
      problems.map((p) => {
        const origin = origins.get(p.path.join('/'))
        return origin
          ? { source: `$${origin}`, key: keyPathText(p.path), message: p.message }
          : at(p.path, p.message)
      }),
    )
  }
  const warnings = [...expansion.unset, ...upstream].map((p) => formatWarning(at(p.path, p.message)))
  return { config, warnings }
}

function formatWarning(issue: ConfigIssue): string {
  const where = issue.source ? `${issue.source}${issue.line ? `:${issue.line}` : ''}: ` : ''
  return `${where}${issue.key}: ${issue.message}`
}

function yamlIssue(message: string, offset: number, counter: LineCounter, source?: string): ConfigIssue {
  const { line, col } = counter.linePos(offset)
  const text = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
  return { source, line, column: col, message: `invalid YAML: ${text}` }
}

/** An empty value (`key:` with nothing after it) means "the default", as if the key were absent. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value))
    if (item !== null && item !== undefined) out[key] = dropNulls(item)
  return out
}

/**
 * A `${VAR}` always yields a string, so `top_n: ${TOP_N}` would be a type error;
 * where the schema wants a number or boolean, an expanded string is converted.
 */
function coerceExpanded(tree: Record<string, unknown>, expanded: Set<string>): Record<string, unknown> {
  for (const id of expanded) {
    const path: KeyPath = id.split('/').map((s) => (/^\d+$/.test(s) ? Number(s) : s))
    const type = schemaAt(path)?.type
    const types = Array.isArray(type) ? type : [type]
    if (types.includes('string')) continue
    const parent = path
      .slice(0, -1)
      .reduce<unknown>((v, seg) => (v as Record<string | number, unknown>)[seg], tree) as Record<
      string | number,
      unknown
    >
    const key = path[path.length - 1]!
    const text = String(parent[key]).trim()
    if (types.includes('boolean') && (text === 'true' || text === 'false')) parent[key] = text === 'true'
    else if (
      (types.includes('number') || types.includes('integer')) &&
      text !== '' &&
      Number.isFinite(Number(text))
    )
      parent[key] = Number(text)
  }
  return tree
}

/** Sets the overridden keys; returns which key came from which variable. */
function applyEnvOverrides(tree: Record<string, unknown>, env: Env): Map<string, string> {
  const origins = new Map<string, string>()
  for (const [name, [sectionName, key]] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name]
    if (value === undefined || value === '') continue
    const section = tree[sectionName] ?? {}
    // A section of the wrong type is left for validation to report.
    if (typeof section !== 'object' || Array.isArray(section)) continue
    ;(section as Record<string, unknown>)[key] = value
    tree[sectionName] = section
    origins.set(`${sectionName}/${key}`, name)
  }
  return origins
}
