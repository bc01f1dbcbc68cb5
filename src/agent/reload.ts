/** What a configuration reload can leave running. */
import { isDeepStrictEqual } from 'node:util'
import type { AgentConfig } from '../config'

/** Parts a reload leaves running. */
export interface KeptParts {
  health: boolean
  heartbeat: boolean
}

export const NOTHING_KEPT: KeptParts = { health: false, heartbeat: false }

/** Which running parts a change from `a` to `b` leaves untouched. */
export function unchangedParts(a: AgentConfig, b: AgentConfig): KeptParts {
  const same = (...keys: Array<keyof AgentConfig>) => keys.every((k) => isDeepStrictEqual(a[k], b[k]))
  return {
    health: a.health.enabled && same('health'),
    // The heartbeat reads the API settings, the agent's identity and the cloud facts.
    heartbeat: a.heartbeat.enabled && same('heartbeat', 'telemetryflow', 'agent', 'cloud'),
  }
}
