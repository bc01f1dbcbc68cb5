/**
 * Writes the generated references in docs/ between their markers, so they cannot drift
 * from what the agent does:
 *   docs/configuration.md  config-reference     from the configuration schema, rendered by
 *                                              src/config/render.ts;
 *   docs/heartbeat.md      heartbeat-reference  from the heartbeat payload schema
 *                                              (schema/system-info.schema.json);
 *   docs/metrics.md        metrics-reference    from the metric model itself, run on the test
 *                                              fixture snapshot with every group on, decoded
 *                                              from the OTLP bytes it would send.
 * docs/platforms.md, a whole generated file, from the native typings and the Rust core's
 * per-platform gaps (scripts/gen-platforms.ts).
 * Text outside the markers is never touched. A new reference is one more entry in
 * `sections()` (and a file with its marker pair); the README links the files.
 *
 *   npm run docs              rewrite the files
 *   npm run docs -- --check   exit 1, naming the stale sections, if a file is not current
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { configSchema } from '../src/config/schema'
import { configReferenceMarkdown } from '../src/config/render'
import { HOSTMETRICS_DIFFERENCES, MetricModel, buildResource, spelling } from '../src/metrics'
import { UPSTREAM_KEYS } from '../src/config/upstream-keys'
import { decodeMetricsRequest, pointRows } from '../__test__/fixtures/otlp'
import { fixtureSnapshot } from '../__test__/fixtures/snapshot'
import { platformsMarkdown } from './gen-platforms'

const root = join(__dirname, '..')

/** Escapes what would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n+/g, ' ')
}

function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`]
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`)
  return lines.join('\n')
}

// ---------------------------------------------------------------------------------------
// Heartbeat

interface JsonSchema {
  type?: string | string[]
  description?: string
  properties?: Record<string, JsonSchema>
  items?: JsonSchema
  $ref?: string
  definitions?: Record<string, JsonSchema>
  minimum?: number
  maximum?: number
  'x-group'?: string
}

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1)
}

function jsonType(node: JsonSchema): string {
  if (node.$ref) return `object (${refName(node.$ref)})`
  if (node.type === 'array') return `array of ${node.items ? jsonType(node.items) : 'values'}`
  return Array.isArray(node.type) ? node.type.join(' or ') : (node.type ?? 'any')
}

function jsonRows(node: JsonSchema, prefix: string, rows: string[][]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key
    if (child.type === 'object' && child.properties) jsonRows(child, path, rows)
    else rows.push([`\`${path}\``, jsonType(child), child.description ?? ''])
  }
}

/** How the payload reaches a definition: `agent`, `systemInfo.cpuPerCore[]`. */
function usedAs(schema: JsonSchema, name: string): string {
  const refersTo = (node: JsonSchema | undefined) => node?.$ref !== undefined && refName(node.$ref) === name
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (refersTo(prop)) return `\`${key}\``
    for (const [inner, child] of Object.entries(prop.properties ?? {})) {
      if (refersTo(child)) return `\`${key}.${inner}\``
      if (refersTo(child.items)) return `\`${key}.${inner}[]\``
    }
  }
  return name
}

export function heartbeatReference(schema: JsonSchema): string {
  const parts = [schema.description ?? '']
  const info = schema.properties?.systemInfo ?? {}
  const groups = new Map<string, string[][]>()
  for (const [key, prop] of Object.entries(info.properties ?? {})) {
    const group = prop['x-group'] ?? 'Other'
    if (!groups.has(group)) groups.set(group, [])
    groups.get(group)!.push([`\`${key}\``, jsonType(prop), prop.description ?? ''])
  }
  parts.push(`### \`systemInfo\`\n\n${info.description ?? ''}`)
  for (const [group, rows] of groups) {
    parts.push(`#### ${group}\n\n${table(['Key', 'Type', 'Description'], rows)}`)
  }
  for (const [name, def] of Object.entries(schema.definitions ?? {})) {
    const rows: string[][] = []
    jsonRows(def, '', rows)
    const title = `${usedAs(schema, name)} (${name})`
    parts.push(`### ${title}\n\n${def.description ?? ''}\n\n${table(['Key', 'Type', 'Description'], rows)}`)
  }
  return parts.join('\n\n')
}

// ---------------------------------------------------------------------------------------
// Metrics

interface MetricRow {
  name: string
  unit: string
  kind: string
  description: string
  attributes: Set<string>
  perProcess: boolean
}

export async function metricsReference(): Promise<string> {
  const snapshot = fixtureSnapshot()
  const model = new MetricModel({
    resource: buildResource(snapshot, { agentId: 'docs' }),
    perCore: true,
    processMetrics: true,
  })
  model.record(snapshot)
  const request = decodeMetricsRequest((await model.collect()).body)

  const descriptions = new Map<string, string>()
  for (const rm of request.resourceMetrics) {
    for (const sm of (rm.scopeMetrics as { metrics?: { name: string; description?: string }[] }[]) ?? []) {
      for (const m of sm.metrics ?? []) descriptions.set(m.name, m.description ?? '')
    }
  }
  const byName = new Map<string, MetricRow>()
  for (const point of pointRows(request)) {
    let row = byName.get(point.metric)
    if (!row) {
      const kind = point.type === 'gauge' ? 'gauge' : point.monotonic ? 'counter' : 'up-down counter'
      row = {
        name: point.metric,
        unit: point.unit,
        kind: `${kind}${point.int ? ' (int)' : ''}`,
        description: descriptions.get(point.metric) ?? '',
        attributes: new Set(),
        perProcess: 'process.pid' in point.resource,
      }
      byName.set(point.metric, row)
    }
    for (const key of Object.keys(point.attributes)) row.attributes.add(key)
  }

  // The `latest` spelling of each metric, matched through the catalogue's internal ids.
  const latest = new Map<string, string>()
  const hostmetrics = spelling('hostmetrics').metrics as unknown as Record<string, { name: string }>
  const newest = spelling('latest').metrics as unknown as Record<string, { name: string }>
  for (const [id, metric] of Object.entries(hostmetrics)) {
    if (newest[id] && newest[id].name !== metric.name) latest.set(metric.name, newest[id].name)
  }

  const sorted = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const rows = (perProcess: boolean) =>
    sorted
      .filter((r) => r.perProcess === perProcess)
      .map((r) => [
        `\`${r.name}\``,
        `\`${r.unit}\``,
        r.kind,
        [...r.attributes]
          .sort()
          .map((a) => `\`${a}\``)
          .join(', '),
        latest.has(r.name) ? `\`${latest.get(r.name)}\`` : '',
        r.description,
      ])
  const attrs = (mode: 'hostmetrics' | 'latest') => spelling(mode).attrs as unknown as Record<string, string>
  // Pairs, not a map: one hostmetrics key (`state`, `device`) becomes different keys per metric.
  const renamedAttrs = new Set<string>()
  for (const [id, key] of Object.entries(attrs('hostmetrics'))) {
    const newer = attrs('latest')[id]
    if (newer && newer !== key) renamedAttrs.add(`${key}\u0000${newer}`)
  }
  const attrRows = [...renamedAttrs].sort().map((pair) => pair.split('\u0000').map((k) => `\`${k}\``))

  const header = [
    'Metric',
    'Unit',
    'Type',
    'Attributes',
    'With `semantic_conventions: latest`',
    'Description',
  ]
  return [
    'Names, units and attributes are those of the OpenTelemetry Collector’s `hostmetrics` receiver unless ' +
      '`exporter.otlp.semantic_conventions` is `latest`. The `cpu` attribute of `system.cpu.time` and ' +
      '`system.cpu.utilization` appears only with `collectors.system.per_core`.',
    `### Host\n\n${table(header, rows(false))}`,
    `### Per process\n\nOne resource per process (with \`process.pid\`, \`process.executable.name\`, …), when ` +
      `\`collectors.process\` is enabled.\n\n${table(header, rows(true))}`,
    `### Attribute keys with \`semantic_conventions: latest\`\n\n${table(['hostmetrics', 'latest'], attrRows)}`,
    `### Differences from the hostmetrics receiver\n\nOn Linux, against the receiver v0.145.0 (proven side by ` +
      `side by e2e/hostmetrics-parity.e2e.ts; listed in src/metrics/differences.ts):\n\n` +
      table(
        ['Metric', 'What differs', 'Why'],
        HOSTMETRICS_DIFFERENCES.map((d) => [
          `\`${d.metric}\``,
          d.factor
            ? `value: the receiver's is ${d.factor}× the agent's`
            : d.attribute
              ? `attribute \`${d.attribute}\``
              : d.kind,
          d.reason,
        ]),
      ),
  ].join('\n\n')
}

/** The upstream Go agent's keys accepted in a config file (src/config/upstream-keys.ts). */
function upstreamKeysReference(): string {
  return (
    `### Keys of the upstream Go agent\n\nA configuration file of the upstream Go agent (telemetryflow-agent 1.1.x ` +
    `\`configs/tfo-agent.yaml\`, and its \`configs/examples/vm-minimal.yaml\`) is accepted: these keys are read as ` +
    `the agent's own or ignored, each named once in a warning at start. Any other unknown key is an error.\n\n` +
    table(
      ['Key', 'Here'],
      UPSTREAM_KEYS.map((k) => [`\`${k.key}\`${k.subtree ? ' (and below)' : ''}`, k.note]),
    )
  )
}

// ---------------------------------------------------------------------------------------
// docs/

/** One generated section: the file (relative to the repository) and its marker name. */
export interface Section {
  file: string
  name: string
  body: string
}

/** Every generated section, in the files they live in. */
export async function sections(): Promise<Section[]> {
  const heartbeatSchema = JSON.parse(
    readFileSync(join(root, 'schema', 'system-info.schema.json'), 'utf8'),
  ) as JsonSchema
  return [
    // The config module renders its own schema (the CLI shows the same text).
    {
      file: 'docs/configuration.md',
      name: 'config-reference',
      body: `${configSchema.description}\n\n${configReferenceMarkdown()}\n\n${upstreamKeysReference()}`,
    },
    { file: 'docs/heartbeat.md', name: 'heartbeat-reference', body: heartbeatReference(heartbeatSchema) },
    { file: 'docs/metrics.md', name: 'metrics-reference', body: await metricsReference() },
  ]
}

/** Replaces the text between `<!-- BEGIN name -->` and `<!-- END name -->`. */
export function replaceSection(text: string, name: string, body: string, file = 'the file'): string {
  const begin = `<!-- BEGIN ${name} -->`
  const end = `<!-- END ${name} -->`
  const start = text.indexOf(begin)
  const stop = text.indexOf(end)
  if (start < 0 || stop < start) throw new Error(`${file} has no "${begin}" … "${end}" pair`)
  const note = `<!-- Generated by scripts/gen-docs.ts (npm run docs); edit the source, not this. -->`
  return `${text.slice(0, start + begin.length)}\n${note}\n\n${body.trim()}\n\n${text.slice(stop)}`
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check')
  const byFile = new Map<string, Section[]>()
  for (const section of await sections()) {
    byFile.set(section.file, [...(byFile.get(section.file) ?? []), section])
  }
  const stale: string[] = []
  for (const [file, parts] of byFile) {
    const path = join(root, file)
    const current = readFileSync(path, 'utf8')
    let next = current
    for (const { name, body } of parts) {
      const updated = replaceSection(next, name, body, file)
      if (updated !== next) stale.push(`${file} ${name}`)
      next = updated
    }
    if (!check && next !== current) writeFileSync(path, next)
  }
  // Whole generated files under docs/.
  const files: [string, string][] = [[join('docs', 'platforms.md'), platformsMarkdown()]]
  for (const [rel, body] of files) {
    const path = join(root, rel)
    let old = ''
    try {
      old = readFileSync(path, 'utf8')
    } catch {
      // not written yet
    }
    if (old === body) continue
    stale.push(rel)
    if (!check) {
      mkdirSync(join(path, '..'), { recursive: true })
      writeFileSync(path, body)
    }
  }
  if (check) {
    if (stale.length === 0) return 0
    process.stderr.write(
      `stale references (${stale.join(', ')}): run "npm run docs" and commit the result.\n`,
    )
    return 1
  }
  process.stdout.write(stale.length ? `updated ${stale.join(', ')}\n` : 'docs: up to date\n')
  return 0
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      process.stderr.write(`gen-docs: ${err instanceof Error ? err.message : String(err)}\n`)
      process.exitCode = 1
    },
  )
}
