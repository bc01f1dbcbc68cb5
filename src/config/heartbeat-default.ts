/**
 * Whether the heartbeat runs when the configuration does not say: only when there is
 * somewhere to send it. A user who runs the agent against a collector alone gets no
 * heartbeat warnings; one who sets an API key or an API endpoint gets the heartbeat.
 * An explicit `heartbeat.enabled` always wins.
 */

/** True when `heartbeat.enabled` is left out and credentials or an API endpoint are given. */
export function heartbeatWanted(tree: Record<string, unknown>): boolean {
  const t = tree.telemetryflow
  if (!t || typeof t !== 'object' || Array.isArray(t)) return false
  const given = (key: string) => {
    const value = (t as Record<string, unknown>)[key]
    return typeof value === 'string' && value.trim() !== ''
  }
  return given('api_key_id') || given('api_key_secret') || given('api_endpoint')
}

/**
 * Fills `heartbeat.enabled` in a raw tree (file and environment merged, before the
 * schema's defaults) when it is left out. A section of the wrong type is left for
 * validation to report.
 */
export function applyHeartbeatDefault(tree: Record<string, unknown>): void {
  const section = tree.heartbeat ?? {}
  if (typeof section !== 'object' || Array.isArray(section)) return
  const heartbeat = section as Record<string, unknown>
  if (heartbeat.enabled === undefined) heartbeat.enabled = heartbeatWanted(tree)
  tree.heartbeat = heartbeat
}
