/**
 * The headers every export carries. Secrets go on the wire only: nothing here
 * is ever logged.
 */
import { USER_AGENT } from '../version'
import type { ExporterOptions } from './types'

/** User headers first; the TelemetryFlow ones, when configured, win. */
export function exportHeaders(o: ExporterOptions): Record<string, string> {
  const out: Record<string, string> = { ...(o.headers ?? {}) }
  if (o.apiKeyId) out['X-TelemetryFlow-Key-ID'] = o.apiKeyId
  if (o.apiKeySecret) out['X-TelemetryFlow-Key-Secret'] = o.apiKeySecret
  if (o.agentId) out['X-TelemetryFlow-Agent-ID'] = o.agentId
  return out
}

export { USER_AGENT }
