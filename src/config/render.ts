/** Configuration as YAML for people: `config show` and the `config init` starter file. */
import { stringify } from 'yaml'
import { formatDuration } from './duration'
import { configSchema, type SchemaNode } from './schema'
import { isDuration, mapBySchema } from './schema-walk'
import type { AgentConfig } from './types'

/** The configuration as YAML that loads back to the same values (durations as `15s`…). */
export function configToYaml(config: AgentConfig): string {
  const plain = mapBySchema(config, isDuration, (ms) => formatDuration(ms as number))
  return stringify(plain, { lineWidth: 0 })
}

/** Keys written uncommented in the starter file: the ones a newcomer changes first. */
const STARTER_KEYS = new Set([
  'telemetryflow.endpoint',
  'telemetryflow.protocol',
  'telemetryflow.api_key_id',
  'telemetryflow.api_key_secret',
  'telemetryflow.environment',
  'agent.name',
  'agent.tags',
  'heartbeat.interval',
  'collectors.system.enabled',
  'collectors.system.interval',
  'exporter.otlp.flush_interval',
  'logging.level',
  'logging.format',
])

/**
 * Values in the starter that differ from the defaults, to show the `${VAR}` syntax (and
 * what to write for a key whose default depends on others).
 */
const STARTER_VALUES: Record<string, unknown> = {
  'heartbeat.enabled': true,
  'telemetryflow.api_key_id': '${TELEMETRYFLOW_API_KEY_ID:-}',
  'telemetryflow.api_key_secret': '${TELEMETRYFLOW_API_KEY_SECRET:-}',
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line)
      line = word
    } else {
      line = line ? `${line} ${word}` : word
    }
  }
  if (line) lines.push(line)
  return lines
}

function scalar(value: unknown): string {
  return stringify(value, { lineWidth: 0 }).trimEnd()
}

function hasStarterKey(prefix: string): boolean {
  for (const key of STARTER_KEYS) if (key === prefix || key.startsWith(`${prefix}.`)) return true
  return false
}

function renderNode(name: string, node: SchemaNode, path: string, depth: number, out: string[]): void {
  const indent = '  '.repeat(depth)
  const active = hasStarterKey(path)
  const hash = active ? '' : '# '
  for (const line of wrap(node.description, 92 - indent.length)) out.push(`${indent}# ${line}`)
  if (node.type === 'object' && node.properties) {
    out.push(`${indent}${hash}${name}:`)
    for (const [key, child] of Object.entries(node.properties))
      renderNode(key, child, `${path}.${key}`, depth + 1, out)
    return
  }
  const value = STARTER_VALUES[path] ?? node.default
  const text = node.type === 'object' ? '{}' : scalar(value)
  out.push(`${indent}${hash}${name}: ${text}`)
}

/** A commented starter configuration: essentials set, everything else shown commented out. */
export function starterConfig(): string {
  const out = [
    '# tfo-agent configuration, written by `tfo-agent config init`.',
    '#',
    '# Every key is optional; a key left out (or commented out) takes the default shown.',
    '# Strings may use ${VAR}, ${VAR:-default} and ${VAR:?message}; $$ is a literal $.',
    '# TELEMETRYFLOW_API_KEY_ID, TELEMETRYFLOW_API_KEY_SECRET, TELEMETRYFLOW_ENDPOINT,',
    '# TELEMETRYFLOW_ENVIRONMENT, TELEMETRYFLOW_AGENT_ID, TELEMETRYFLOW_AGENT_NAME and',
    '# TELEMETRYFLOW_API_ENDPOINT override this file.',
    '# Check it with: tfo-agent config validate --config <this file>',
  ]
  for (const [key, node] of Object.entries(configSchema.properties ?? {})) {
    out.push('')
    renderNode(key, node, key, 0, out)
  }
  return `${out.join('\n')}\n`
}

/** The configuration reference as Markdown tables, one per section (docs/configuration.md). */
export function configReferenceMarkdown(): string {
  const out: string[] = []
  const walk = (node: SchemaNode, path: string): void => {
    if (node.type === 'object' && node.properties) {
      out.push(
        '',
        `### \`${path}\``,
        '',
        node.description,
        '',
        '| Key | Type | Default | Description |',
        '|---|---|---|---|',
      )
      const nested: Array<[string, SchemaNode]> = []
      for (const [key, child] of Object.entries(node.properties)) {
        if (child.type === 'object' && child.properties) {
          nested.push([key, child])
          continue
        }
        const type = isDuration(child)
          ? 'duration'
          : child.enum
            ? child.enum.map((v) => `\`${v}\``).join(' \\| ')
            : String(child.type)
        const def = child.default === undefined ? 'see description' : `\`${JSON.stringify(child.default)}\``
        out.push(`| \`${key}\` | ${type} | ${def} | ${child.description.replace(/\|/g, '\\|')} |`)
      }
      for (const [key, child] of nested) walk(child, `${path}.${key}`)
    }
  }
  for (const [key, node] of Object.entries(configSchema.properties ?? {})) walk(node, key)
  return out.join('\n').trimStart() + '\n'
}
