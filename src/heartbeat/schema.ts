/**
 * The heartbeat payload's JSON schema (schema/system-info.schema.json, draft-07: what
 * ajv 8's default class compiles), for tests, the recording server and anyone who wants
 * to check a body before sending it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv'

/** Where the schema lives, in the repository and in the published package alike. */
export const SYSTEM_INFO_SCHEMA_PATH = join(__dirname, '..', '..', 'schema', 'system-info.schema.json')

/** The schema as an object. */
export function loadSystemInfoSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SYSTEM_INFO_SCHEMA_PATH, 'utf8')) as Record<string, unknown>
}

/**
 * A strict ajv validator of a heartbeat body. `x-group` (the payload section a key
 * belongs to, for the generated reference in docs/heartbeat.md) is declared as an annotation.
 */
export function compileHeartbeatValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true })
  ajv.addKeyword({ keyword: 'x-group', schemaType: 'string' })
  return ajv.compile(loadSystemInfoSchema())
}

/** ajv's errors as short lines: `/systemInfo/cpuUsage must be <= 100`. */
export function formatSchemaErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : ''
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`
  })
}
