/**
 * `${VAR}`, `${VAR:-default}` and `${VAR:?message}` in string values. Expansion runs
 * on the parsed tree, never on the YAML text, so a variable's value can only ever
 * be a string value: it cannot add keys or change structure.
 */
import type { KeyPath } from './locate'

export type Env = Record<string, string | undefined>

export interface ExpansionProblem {
  path: KeyPath
  message: string
}

export interface ExpansionResult {
  tree: unknown
  /** Paths (joined by `/`) whose value contained a `${…}` reference. */
  expanded: Set<string>
  /** Hard errors: `${VAR:?…}` with VAR unset, malformed references. */
  errors: ExpansionProblem[]
  /** `${VAR}` with VAR unset, expanded to "". */
  unset: ExpansionProblem[]
}

class RequiredVariableError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Expands one string. Throws on `${VAR:?…}` with VAR unset or empty, and on bad syntax. */
export function expandString(text: string, env: Env, onUnset: (name: string) => void = () => {}): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const ch = text[i]
    if (ch !== '$') {
      out += ch
      i++
      continue
    }
    const next = text[i + 1]
    if (next === '$') {
      out += '$'
      i += 2
      continue
    }
    if (next !== '{') {
      out += '$'
      i++
      continue
    }
    const end = closingBrace(text, i + 2)
    if (end < 0) throw new SyntaxError(`unclosed "\${" in "${text}"`)
    out += expandReference(text.slice(i + 2, end), env, onUnset)
    i = end + 1
  }
  return out
}

function closingBrace(text: string, from: number): number {
  let depth = 1
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++
      i++
    } else if (text[i] === '}' && --depth === 0) {
      return i
    }
  }
  return -1
}

function expandReference(body: string, env: Env, onUnset: (name: string) => void): string {
  const op = /:[-?]/.exec(body)
  const name = op ? body.slice(0, op.index) : body
  if (!NAME.test(name))
    throw new SyntaxError(`"\${${body}}" is not a variable reference; write $$ for a literal $`)
  const value = env[name]
  if (!op) {
    if (value === undefined) onUnset(name)
    return value ?? ''
  }
  if (value !== undefined && value !== '') return value
  const rest = body.slice(op.index + 2)
  if (op[0] === ':-') return expandString(rest, env, onUnset)
  const hint = expandString(rest, env, onUnset)
  throw new RequiredVariableError(`environment variable ${name} is not set${hint ? `: ${hint}` : ''}`)
}

/** Expands every string value of a parsed YAML tree (keys are left alone). */
export function expandTree(tree: unknown, env: Env): ExpansionResult {
  const result: ExpansionResult = { tree: undefined, expanded: new Set(), errors: [], unset: [] }
  const walk = (value: unknown, path: KeyPath): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('$')) return value
      if (value.includes('${')) result.expanded.add(path.join('/'))
      try {
        return expandString(value, env, (name) =>
          result.unset.push({ path, message: `environment variable ${name} is not set; using ""` }),
        )
      } catch (err) {
        result.errors.push({ path, message: (err as Error).message })
        return value
      }
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]))
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value)) out[key] = walk(item, [...path, key])
      return out
    }
    return value
  }
  result.tree = walk(tree, [])
  return result
}
