/**
 * The upstream Go agent's keys (upstream-keys.ts) in a parsed configuration: each one
 * this agent's schema does not know is taken out of the tree before validation, read as
 * this agent's keys where it has a meaning here, and named in one warning either way.
 * Keys known to neither agent are left in place, for validation to refuse.
 */
import type { KeyPath } from './locate'
import { configSchema, type SchemaNode } from './schema'
import { UPSTREAM_KEYS, type UpstreamKey } from './upstream-keys'

export interface UpstreamNote {
  /** Where the upstream key was written. */
  path: KeyPath
  message: string
}

type Tree = Record<string, unknown>

const isTree = (v: unknown): v is Tree => v !== null && typeof v === 'object' && !Array.isArray(v)

function entryFor(dotted: string): UpstreamKey | undefined {
  return UPSTREAM_KEYS.find((e) => e.key === dotted)
}

/** Whether an upstream entry lies at or below `dotted` (so the walk must go deeper). */
function hasEntryBelow(dotted: string): boolean {
  return UPSTREAM_KEYS.some((e) => e.key.startsWith(`${dotted}.`))
}

function getAt(tree: Tree, dotted: string): unknown {
  let v: unknown = tree
  for (const seg of dotted.split('.')) v = isTree(v) ? v[seg] : undefined
  return v
}

function setAt(tree: Tree, dotted: string, value: unknown): void {
  const segs = dotted.split('.')
  let node = tree
  for (const seg of segs.slice(0, -1)) {
    if (!isTree(node[seg])) node[seg] = {}
    node = node[seg] as Tree
  }
  node[segs[segs.length - 1]!] = value
}

/**
 * Takes the upstream keys out of `tree` (in place) and applies their mapping; a value the
 * file also sets under this agent's own key keeps that (maps are merged, the file's own
 * entries winning). Returns one note per upstream key found.
 */
export function applyUpstreamKeys(tree: Tree): UpstreamNote[] {
  const found: Array<{ path: string[]; entry: UpstreamKey; value: unknown }> = []
  const walk = (node: Tree, schema: SchemaNode | undefined, path: string[]) => {
    for (const key of Object.keys(node)) {
      const child = schema?.properties?.[key]
      const dotted = [...path, key].join('.')
      if (child) {
        if (isTree(node[key])) walk(node[key] as Tree, child, [...path, key])
        continue
      }
      if (typeof schema?.additionalProperties === 'object') continue // a free map (tags, headers)
      const entry = entryFor(dotted)
      if (entry) {
        found.push({ path: [...path, key], entry, value: node[key] })
        delete node[key]
      } else if (isTree(node[key]) && hasEntryBelow(dotted)) {
        // A section only upstream has, holding listed keys (none at the moment): go on.
        walk(node[key] as Tree, undefined, [...path, key])
      }
    }
  }
  walk(tree, configSchema, [])

  const notes: UpstreamNote[] = []
  for (const { path, entry, value } of found) {
    const what = `the upstream Go agent's key${entry.subtree ? ' (and everything below it)' : ''}`
    if (!entry.map) {
      notes.push({ path, message: `${what} is accepted and ignored: ${entry.note}` })
      continue
    }
    const kept: string[] = []
    for (const [target, mapped] of Object.entries(entry.map(value))) {
      const own = getAt(tree, target)
      if (own === undefined) setAt(tree, target, mapped)
      else if (isTree(own) && isTree(mapped)) setAt(tree, target, { ...mapped, ...own })
      else kept.push(target)
    }
    const tail = kept.length > 0 ? ` (${kept.join(', ')} is also set and wins)` : ''
    notes.push({ path, message: `${what}: ${entry.note}${tail}` })
  }
  return notes
}
