/**
 * Configuration problems, each pointing at the place to fix: the file, the line
 * and the key path, as `<file>:<line>: <key>: <message>`.
 */
import { maskUrl } from './scrub'

/** One problem in a configuration. */
export interface ConfigIssue {
  /** The file, or `$VAR` when the value came from an environment override. */
  source?: string
  /** 1-based line in `source`, when known. */
  line?: number
  /** 1-based column; given for YAML syntax errors. */
  column?: number
  /** Dotted key path, e.g. `collectors.system.interval`. */
  key?: string
  message: string
}

/**
 * `<file>:<line>[:<col>]: <key>: <message>`, leaving out the parts that are unknown. A URL
 * quoted in the message has its password and credential-looking query values masked.
 */
export function formatIssue(issue: ConfigIssue): string {
  const parts: string[] = []
  if (issue.source !== undefined) {
    let where = issue.source
    if (issue.line !== undefined) where += `:${issue.line}`
    if (issue.line !== undefined && issue.column !== undefined) where += `:${issue.column}`
    parts.push(where)
  }
  if (issue.key) parts.push(issue.key)
  parts.push(maskUrl(issue.message))
  return parts.join(': ')
}

/** A configuration that cannot be used. `issues` holds every problem found (at least one). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly issues: ConfigIssue[]

  constructor(issues: ConfigIssue[]) {
    // In file order, so the list reads top to bottom like the file.
    issues = [...issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity))
    const first = issues[0] ?? { message: 'invalid configuration' }
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
    super(formatIssue(first) + more)
    this.issues = issues.length > 0 ? issues : [first]
  }

  get file(): string | undefined {
    return this.issues[0]?.source
  }
  get line(): number | undefined {
    return this.issues[0]?.line
  }
  get key(): string | undefined {
    return this.issues[0]?.key
  }

  /** One line per issue, as the CLI prints them. */
  lines(): string[] {
    return this.issues.map(formatIssue)
  }
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost)
    }
    prev = row
  }
  return prev[b.length]!
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase().replace(/-/g, '_')
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    // `warning` → `warn`, `proc` → `process`: a prefix is as good as a small typo.
    const prefix =
      Math.min(candidate.length, lower.length) >= 3 &&
      (lower.startsWith(candidate) || candidate.startsWith(lower))
    const d = candidate === lower ? 0 : prefix ? 1 : editDistance(lower, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  const allowed = Math.max(2, Math.floor(word.length / 3))
  return bestDistance <= allowed ? best : undefined
}
