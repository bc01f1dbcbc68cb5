/**
 * Loading the configuration: find the file, parse YAML, expand `${…}`, apply the
 * `TELEMETRYFLOW_*` environment overrides, validate once. The only module of the
 * agent that reads settings from files or the environment.
 */
import { open } from 'node:fs/promises'
import { isUtf8 } from 'node:buffer'
import { homedir } from 'node:os'
import { join, resolve, win32 } from 'node:path'
import { isNode, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml'
import { ConfigError, MAX_LISTED_ISSUES, type ConfigIssue } from './errors'
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

/** Alias uses allowed when the YAML is turned into values (the yaml library's bomb guard). */
const MAX_ALIAS_COUNT = 100

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent of it is not a directory',
}

/** A configuration file is a few KiB; anything past this is not one. */
export const MAX_CONFIG_BYTES = 1024 * 1024

function readError(file: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException).code ?? ''
  return new ConfigError([
    { source: file, message: `cannot read the config file: ${READ_ERRORS[code] ?? (err as Error).message}` },
  ])
}

/**
 * Reads a config file, refusing before parsing one that is too large or not text. With
 * `missingOk`, a file that does not exist gives undefined.
 */
async function readConfigText(file: string, missingOk = false): Promise<string | undefined> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (missingOk && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined
    throw readError(file, err)
  }
  try {
    const { size } = await handle.stat()
    if (size > MAX_CONFIG_BYTES)
      throw new ConfigError([
        {
          source: file,
          message: `the config file is ${size} bytes, more than the ${MAX_CONFIG_BYTES} a configuration may have; is this the right file?`,
        },
      ])
    const bytes = Buffer.alloc(MAX_CONFIG_BYTES + 1)
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0)
    if (bytesRead > MAX_CONFIG_BYTES)
      throw new ConfigError([
        { source: file, message: `the config file is more than ${MAX_CONFIG_BYTES} bytes` },
      ])
    const data = bytes.subarray(0, bytesRead)
    if (data.includes(0) || !isUtf8(data))
      throw new ConfigError([
        {
          source: file,
          message: 'the config file is not YAML text (it holds binary data); is this the right file?',
        },
      ])
    return data.toString('utf8')
  } catch (err) {
    throw err instanceof ConfigError ? err : readError(file, err)
  } finally {
    await handle.close()
  }
}

async function findFile(paths: string[]): Promise<{ file: string; text: string } | undefined> {
  for (const file of paths) {
    const text = await readConfigText(file, true)
    if (text !== undefined) return { file, text }
  }
  return undefined
}

/** Loads and validates the configuration; rejects with a `ConfigError`. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env
  if (options.configPath !== undefined) {
    const file = resolve(options.cwd ?? process.cwd(), options.configPath)
    const text = (await readConfigText(file))!
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
  // The yaml library's own `uniqueKeys` compares every pair of keys (11,000 keys: seconds);
  // `duplicateKeys` does the same check in one pass.
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: false })
  const errors = [...doc.errors.map((e) => ({ message: e.message, offset: e.pos[0] })), ...duplicateKeys(doc)]
  if (errors.length > 0) {
    const listed = errors.slice(0, MAX_LISTED_ISSUES)
    throw new ConfigError(
      listed.map((e) => yamlIssue(e.message, e.offset, counter, source)),
      errors.length,
    )
  }
  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {}
  } catch (err) {
    // The yaml library's guard against alias bombs (`&a [*b, *b, …]` nested): refuse, plainly.
    throw new ConfigError([
      {
        source,
        message: `invalid YAML: its aliases (*name) expand too far (${(err as Error).message.toLowerCase()}); write the values out instead`,
      },
    ])
  }
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
  if (expansion.errors.length > 0) {
    const listed = expansion.errors.slice(0, MAX_LISTED_ISSUES)
    throw new ConfigError(
      listed.map((p) => at(p.path, p.message)),
      expansion.errors.length,
    )
  }
  const tree = coerceExpanded(expansion.tree as Record<string, unknown>, expansion.expanded)
  // The upstream Go agent's keys: read as this agent's where they mean something, then
  // the environment overrides both.
  const upstream = applyUpstreamKeys(tree)

  const origins = applyEnvOverrides(tree, env)
  applyHeartbeatDefault(tree)
  const { config, problems } = validateTree(tree)
  if (!config) {
    // Locating a problem's line walks the document, so only the listed ones are located.
    throw new ConfigError(
      problems.slice(0, MAX_LISTED_ISSUES).map((p) => {
        const origin = origins.get(p.path.join('/'))
        return origin
          ? { source: `$${origin}`, key: keyPathText(p.path), message: p.message }
          : at(p.path, p.message)
      }),
      problems.length,
    )
  }
  const warnings = [...expansion.unset, ...upstream].map((p) => formatWarning(at(p.path, p.message)))
  return { config, warnings }
}

/** A key given twice in one mapping, where its second spelling starts. */
function duplicateKeys(doc: Document): Array<{ message: string; offset: number }> {
  const found: Array<{ message: string; offset: number }> = []
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>()
      for (const { key } of map.items) {
        const value = isScalar(key) ? key.value : key
        if (seen.has(value))
          found.push({ message: 'Map keys must be unique', offset: (isNode(key) && key.range?.[0]) || 0 })
        seen.add(value)
      }
    },
  })
  return found
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
