/** Copies of the configuration that are safe to print or log. */
import type { AgentConfig } from './types'

export const REDACTED = '***'

/** Header names whose values are credentials. */
const SECRET_NAME = /secret|token|password|passwd|authorization|api[-_]?key|cookie|credential/i

/** True for a header or key name that carries a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name)
}

/** `tfk_1234abcd…` → `tfk_12…`: enough to tell keys apart, not enough to use one. */
export function maskKeyId(id: string): string {
  if (!id) return id
  const shown = id.length > 8 ? 6 : Math.min(2, Math.floor(id.length / 2))
  return `${id.slice(0, shown)}…`
}

/** `https://user:pass@host/` → `https://user:***@host/`. */
function redactUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@/\s]+@/i, `$1${REDACTED}@`)
}

/**
 * A deep copy with `api_key_secret` and secret-looking headers replaced by `***`, the
 * key id shortened and passwords in URLs hidden.
 */
export function redact(config: AgentConfig): AgentConfig {
  const copy = structuredClone(config)
  const tf = copy.telemetryflow
  if (tf.api_key_secret) tf.api_key_secret = REDACTED
  tf.api_key_id = maskKeyId(tf.api_key_id)
  tf.endpoint = redactUrl(tf.endpoint)
  tf.api_endpoint = redactUrl(tf.api_endpoint)
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
  for (const url of [config.telemetryflow.endpoint, config.telemetryflow.api_endpoint]) {
    const password = urlPassword(url)
    if (password) out.push(password, encodeURIComponent(password))
  }
  return [...new Set(out.filter((s) => s.length > 0))]
}

/** The password of `scheme://user:password@host…`, if any. */
function urlPassword(text: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:([^@/\s]+)@/i.exec(text)?.[1]
}

/** Replaces every secret in `text` with `***` (for errors that reach /health and the heartbeat). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) if (secret) out = out.split(secret).join(REDACTED)
  return out
}
