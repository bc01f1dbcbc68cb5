/**
 * Exponential backoff with full jitter: the n-th retry waits a uniformly random
 * time in [0, min(max, initial × multiplier^n)], so a fleet of agents that lost
 * the same collector does not return in lockstep.
 */
export interface BackoffOptions {
  initialMs: number
  maxMs: number
  multiplier: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 60_000, multiplier: 2 }

/** The ceiling for retry number `attempt` (0 for the first retry). */
export function backoffCeiling(attempt: number, o: BackoffOptions = DEFAULT_BACKOFF): number {
  const n = Math.max(0, Math.floor(attempt))
  return Math.min(o.maxMs, o.initialMs * Math.pow(o.multiplier, n))
}

/**
 * The wait before retry number `attempt`. `random` returns [0, 1) (injectable for
 * tests). A server's Retry-After / RetryInfo is a floor: never retry earlier.
 */
export function backoffDelay(
  attempt: number,
  o: BackoffOptions = DEFAULT_BACKOFF,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  // Equal jitter: at least half the ceiling, so a fleet restarted together spreads out
  // without any agent retrying almost at once.
  const ceiling = backoffCeiling(attempt, o)
  const jittered = Math.floor(ceiling / 2 + (random() * ceiling) / 2)
  return Math.max(jittered, retryAfterMs ?? 0)
}
