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

/** At most this many problems are listed; the rest are counted. */
export const MAX_LISTED_ISSUES = 20

/**
 * A configuration that cannot be used. `issues` holds the problems listed (at least one, at
 * most `MAX_LISTED_ISSUES`); `total` counts every problem found.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly issues: ConfigIssue[]
  readonly total: number

  constructor(issues: ConfigIssue[], total = issues.length) {
    // In file order, so the list reads top to bottom like the file.
    issues = [...issues]
      .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity))
      .slice(0, MAX_LISTED_ISSUES)
    const first = issues[0] ?? { message: 'invalid configuration' }
    total = Math.max(total, issues.length, 1)
    const more = total > 1 ? ` (and ${total - 1} more)` : ''
    super(formatIssue(first) + more)
    this.issues = issues.length > 0 ? issues : [first]
    this.total = total
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

  /** One line per listed issue, then how many more there were, as the CLI prints them. */
  lines(): string[] {
    const lines = this.issues.map(formatIssue)
    const rest = this.total - this.issues.length
    if (rest > 0) lines.push(`… and ${rest} more problem(s) not listed; fix these first`)
    return lines
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
