/**
 * Validation against the schema (ajv, compiled once), with ajv's errors turned
 * into messages that say what to write instead.
 */
import Ajv, { type ErrorObject } from 'ajv'
import { DURATION_HINT, parseDuration, isSchedulable } from './duration'
import { suggest } from './errors'
import type { KeyPath } from './locate'
import { configSchema } from './schema'
import { isDuration, mapBySchema, schemaAt } from './schema-walk'
import type { AgentConfig } from './types'

export interface ValidationProblem {
  path: KeyPath
  message: string
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+|\*):(\d{1,5})$/
const ENDPOINT = /^(https?:\/\/([^\s/@]+@)?)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:\d{1,5})?(\/\S*)?$/

function isRegex(text: string): boolean {
  try {
    new RegExp(text)
    return true
  } catch {
    return false
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

const FORMATS: Record<string, { check: (text: string) => boolean; hint: (text: string) => string }> = {
  duration: {
    check: (t) => isSchedulable(parseDuration(t)),
    hint: (t) =>
      parseDuration(t) === undefined
        ? `${JSON.stringify(t)} is not a duration; ${DURATION_HINT}`
        : DURATION_RANGE,
  },
  'host-port': {
    check: (t) => HOST_PORT.test(t) && Number(HOST_PORT.exec(t)?.[2]) <= 65535,
    hint: (t) => `${JSON.stringify(t)} is not host:port (e.g. 127.0.0.1:13133)`,
  },
  endpoint: {
    check: (t) => ENDPOINT.test(t) && Number(/:(\d+)(\/|$)/.exec(t)?.[1] ?? 0) <= 65535,
    hint: (t) => `${JSON.stringify(t)} is not host:port or an http(s):// URL (e.g. localhost:4317)`,
  },
  'http-url': { check: isHttpUrl, hint: (t) => `${JSON.stringify(t)} is not an http:// or https:// URL` },
  'url-path': {
    check: (t) => t.startsWith('/') && !/\s/.test(t),
    hint: (t) => `${JSON.stringify(t)} must be a path starting with /`,
  },
  regex: {
    check: isRegex,
    hint: (t) => {
      try {
        new RegExp(t)
        return 'invalid regular expression'
      } catch (err) {
        return `${JSON.stringify(t)} is not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')})`
      }
    },
  },
}

const DURATION_RANGE = 'must be between 1ms and 24d (timers cannot wait longer)'

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true })
for (const [name, { check }] of Object.entries(FORMATS))
  ajv.addFormat(name, { type: 'string', validate: check })
const validator = ajv.compile(configSchema)

/**
 * Validates a raw tree (which it fills with defaults, in place) and returns the typed
 * config with durations in ms, or the problems found, one per key at most.
 */
export function validateTree(tree: Record<string, unknown>): {
  config?: AgentConfig
  problems: ValidationProblem[]
} {
  if (validator(tree)) {
    const config = mapBySchema(tree, isDuration, (v) => parseDuration(v as string | number)) as AgentConfig
    return { config, problems: [] }
  }
  const problems: ValidationProblem[] = []
  const seen = new Set<string>()
  for (const error of validator.errors ?? []) {
    const problem = translate(error, tree)
    const id = problem.path.join('/')
    if (seen.has(id)) continue
    seen.add(id)
    problems.push(problem)
  }
  return { problems }
}

function pointerToPath(pointer: string): KeyPath {
  if (!pointer) return []
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s))
}

function valueAt(tree: unknown, path: KeyPath): unknown {
  let v: unknown = tree
  for (const seg of path) v = (v as Record<string | number, unknown> | undefined)?.[seg]
  return v
}

function describe(value: unknown): string {
  if (value === null) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return JSON.stringify(value)
  return String(value)
}

const TYPE_WORDS: Record<string, string> = {
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  object: 'a mapping of keys',
  array: 'a list',
}

function translate(error: ErrorObject, tree: unknown): ValidationProblem {
  const path = pointerToPath(error.instancePath)
  const value = valueAt(tree, path)
  const node = schemaAt(path)
  switch (error.keyword) {
    case 'additionalProperty':
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty)
      const allowed = Object.keys(node?.properties ?? {})
      const guess = suggest(key, allowed)
      const message = guess
        ? `unknown key; did you mean \`${guess}\`?`
        : `unknown key; expected one of: ${allowed.join(', ')}`
      return { path: [...path, key], message }
    }
    case 'type': {
      if (node && isDuration(node))
        return { path, message: `must be a duration, got ${describe(value)}; ${DURATION_HINT}` }
      const want = String((error.params as { type: string }).type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ')
      const quote =
        want === 'a string' && (typeof value === 'number' || typeof value === 'boolean')
          ? ` (quote it: "${String(value)}")`
          : ''
      return { path, message: `must be ${want}, got ${describe(value)}${quote}` }
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: string[] }).allowedValues
      const guess = typeof value === 'string' ? suggest(value, allowed) : undefined
      const tail = guess ? `; did you mean \`${guess}\`?` : ''
      return { path, message: `must be one of ${allowed.join(', ')}, got ${describe(value)}${tail}` }
    }
    case 'format': {
      const format = FORMATS[(error.params as { format: string }).format]
      return { path, message: format ? format.hint(String(value)) : (error.message ?? 'invalid value') }
    }
    case 'minimum':
    case 'maximum': {
      if (node && isDuration(node)) return { path, message: DURATION_RANGE }
      const { comparison, limit } = error.params as { comparison: string; limit: number }
      return { path, message: `must be ${comparison} ${limit}, got ${describe(value)}` }
    }
    default:
      return { path, message: error.message ?? 'invalid value' }
  }
}
