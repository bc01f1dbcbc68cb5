/** Copies of the configuration that are safe to print or log; the masking is `scrub.ts`'s. */
import { isSecretName, maskUrl, REDACTED, urlSecrets } from './scrub'
import type { AgentConfig } from './types'

/** `tfk_1234abcd…` → `tfk_12…`: enough to tell keys apart, not enough to use one. */
export function maskKeyId(id: string): string {
  if (!id) return id
  const shown = id.length > 8 ? 6 : Math.min(2, Math.floor(id.length / 2))
  return `${id.slice(0, shown)}…`
}

/**
 * A deep copy with `api_key_secret` and secret-looking headers replaced by `***`, the
 * key id shortened, and passwords and credential-looking query values in URLs hidden.
 */
export function redact(config: AgentConfig): AgentConfig {
  const copy = structuredClone(config)
  const tf = copy.telemetryflow
  if (tf.api_key_secret) tf.api_key_secret = REDACTED
  tf.api_key_id = maskKeyId(tf.api_key_id)
  tf.endpoint = maskUrl(tf.endpoint)
  tf.api_endpoint = maskUrl(tf.api_endpoint)
  const headers = copy.exporter.otlp.headers
  for (const name of Object.keys(headers)) if (isSecretName(name)) headers[name] = REDACTED
  if (copy.health?.token) copy.health.token = REDACTED
  return copy
}

/** The values that must never appear in any output: pass them to `createLogger`. */
export function secretsOf(config: AgentConfig): string[] {
  const out = [config.telemetryflow.api_key_secret, config.health?.token ?? '']
  for (const [name, value] of Object.entries(config.exporter.otlp.headers))
    if (isSecretName(name)) out.push(value)
  for (const url of [config.telemetryflow.endpoint, config.telemetryflow.api_endpoint])
    out.push(...urlSecrets(url))
  return [...new Set(out.filter((s) => s.length > 0))]
}
