/**
 * Small builders for the configuration schema, so each key reads as one line of
 * documentation: its type, default and description. The configuration
 * reference is generated from the result, so descriptions are written for people.
 */
import { MAX_DURATION_MS } from './duration'

/** The subset of JSON Schema the configuration uses. */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | Array<'string' | 'number'>
  description: string
  default?: unknown
  properties?: Record<string, SchemaNode>
  additionalProperties?: boolean | SchemaNode
  items?: SchemaNode
  enum?: readonly string[]
  format?: string
  pattern?: string
  minimum?: number
  maximum?: number
  examples?: unknown[]
  $schema?: string
  $id?: string
  title?: string
}

export function section(description: string, properties: Record<string, SchemaNode>): SchemaNode {
  return { type: 'object', description, additionalProperties: false, default: {}, properties }
}

export function bool(def: boolean, description: string): SchemaNode {
  return { type: 'boolean', default: def, description }
}

export function str(def: string, description: string, extra: Partial<SchemaNode> = {}): SchemaNode {
  return { type: 'string', default: def, description, ...extra }
}

export function oneOf(values: readonly string[], def: string, description: string): SchemaNode {
  return { type: 'string', enum: values, default: def, description }
}

export function int(def: number, min: number, max: number | undefined, description: string): SchemaNode {
  const node: SchemaNode = { type: 'integer', default: def, minimum: min, description }
  if (max !== undefined) node.maximum = max
  return node
}

/** A duration: a string such as `15s` or a number of seconds; the loaded config holds ms. */
export function duration(def: string, description: string): SchemaNode {
  // Numbers are seconds: the same 1 ms … 2^31−1 ms range as strings (see `isSchedulable`).
  return {
    type: ['string', 'number'],
    format: 'duration',
    minimum: 0.001,
    maximum: Math.floor(MAX_DURATION_MS / 1000),
    default: def,
    description,
  }
}

export function list(description: string, items: SchemaNode): SchemaNode {
  return { type: 'array', default: [], items, description }
}

export function stringMap(description: string): SchemaNode {
  return {
    type: 'object',
    default: {},
    additionalProperties: { type: 'string', description: 'A value.' },
    description,
  }
}
