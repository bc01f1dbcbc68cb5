/** Walking the configuration schema alongside a value. */
import { configSchema, type SchemaNode } from './schema'
import type { KeyPath } from './locate'

/** The schema node describing `path`, if the schema has one. */
export function schemaAt(path: KeyPath, root: SchemaNode = configSchema): SchemaNode | undefined {
  let node: SchemaNode | undefined = root
  for (const seg of path) {
    if (!node) return undefined
    if (typeof seg === 'number') node = node.items
    else if (node.properties?.[seg]) node = node.properties[seg]
    else node = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined
  }
  return node
}

/**
 * Rebuilds `value`, replacing every value whose schema node satisfies `match` by
 * `map(value)`. Used to turn durations into ms and back.
 */
export function mapBySchema(
  value: unknown,
  match: (node: SchemaNode) => boolean,
  map: (value: unknown) => unknown,
  node: SchemaNode | undefined = configSchema,
): unknown {
  if (!node) return value
  if (match(node)) return map(value)
  if (Array.isArray(value)) return value.map((item) => mapBySchema(item, match, map, node.items))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    // Schema order first, so the config object and `config show` read like the docs.
    const keys = [...Object.keys(node.properties ?? {}).filter((k) => k in value), ...Object.keys(value)]
    for (const key of new Set(keys)) {
      const item = (value as Record<string, unknown>)[key]
      const child =
        node.properties?.[key] ??
        (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined)
      out[key] = mapBySchema(item, match, map, child)
    }
    return out
  }
  return value
}

export const isDuration = (node: SchemaNode): boolean => node.format === 'duration'
