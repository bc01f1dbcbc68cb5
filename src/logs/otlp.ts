/**
 * Records of one file become one OTLP ExportLogsServiceRequest (protobuf bytes, what the buffer
 * stores and the exporter replays), through the OpenTelemetry JS logs serializer.
 *
 * Each record carries `log.file.path` and `log.file.name` (OpenTelemetry semantic conventions,
 * as the Collector's filelog receiver sets them), the observed time (when the agent read it),
 * the body as a string, and the severity parsed from the text. The event time is left unset
 * (0): nothing here parses timestamps out of the text, and OTLP says 0 means "unknown".
 */
import { basename } from 'node:path'
import type { HrTime } from '@opentelemetry/api'
import type { AnyValueMap } from '@opentelemetry/api-logs'
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources'
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs'
import { VERSION } from '../version'
import { parseSeverity } from './severity'

export const SCOPE_NAME = 'tfo-agent/logs'
const UNKNOWN_TIME: HrTime = [0, 0]

export class LogEncoder {
  private readonly resource: Resource
  private readonly scope = { name: SCOPE_NAME, version: VERSION }

  constructor(resource: Record<string, string | number | boolean>) {
    this.resource = resourceFromAttributes(resource)
  }

  /** The request body for `texts`, all read from `path` at `observedMs` (unix ms). */
  encode(path: string, texts: readonly string[], observedMs: number): Uint8Array {
    const attributes: AnyValueMap = { 'log.file.path': path, 'log.file.name': basename(path) }
    const observed: HrTime = [Math.floor(observedMs / 1000), Math.round((observedMs % 1000) * 1e6)]
    const records: ReadableLogRecord[] = texts.map((body) => {
      const severity = parseSeverity(body)
      return {
        hrTime: UNKNOWN_TIME,
        hrTimeObserved: observed,
        severityNumber: severity.number || undefined,
        severityText: severity.text || undefined,
        body,
        resource: this.resource,
        instrumentationScope: this.scope,
        attributes,
        droppedAttributesCount: 0,
      }
    })
    const body = ProtobufLogsSerializer.serializeRequest(records)
    if (!body) throw new Error('the OTLP logs serializer returned no bytes')
    return body
  }
}
