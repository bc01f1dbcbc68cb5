/**
 * How the agent is, judged from its stats alone (pure: same stats and clock, same report).
 *
 * Policy, for container HEALTHCHECKs and Kubernetes liveness probes, which restart what
 * answers 503:
 * - `healthy` (200): collecting on schedule, exports and heartbeats succeeding.
 * - `degraded` (200): alive and doing its job locally, but something downstream fails:
 *   exports failing (data waits in the buffer), heartbeat failing or its key refused,
 *   some snapshot groups failing, the buffer nearly full or dropping data. A restart
 *   would not fix any of these and would lose what is in memory, so it is not asked for.
 * - `starting` (200): no collection yet, within three collection intervals of start.
 *   An endpoint that refuses every batch (wrong path, key or protocol; a failing proxy)
 *   makes the exporter check `unhealthy`, with the reason and the fix, but the agent
 *   only `degraded`: a restart cannot fix a configuration, and the data is held.
 * - `unhealthy` (503): no collection for three intervals (the scheduler is stuck).
 * - `stopping` (503): shutting down; it will be gone shortly.
 */
import type { AgentStats } from './stats'

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'starting' | 'stopping'
/** `off`: the part is not configured (never a fault). */
export type CheckStatus = 'healthy' | 'degraded' | 'unhealthy' | 'off'

export interface HealthCheck {
  status: CheckStatus
  message: string
}

export interface HealthReport {
  status: HealthStatus
  version: string
  agentId: string
  uptimeSeconds: number
  /** When this report was made, unix seconds. */
  timestamp: number
  checks: { collector: HealthCheck; exporter: HealthCheck; buffer: HealthCheck; heartbeat: HealthCheck }
  /** Unix seconds; null until an export has succeeded. */
  lastSuccessfulExport: number | null
  buffer: {
    memoryBatches: number
    memoryBytes: number
    diskBatches: number
    diskBytes: number
    droppedBatches: number
    droppedDataPoints: number
    /** Exports are failing: every batch goes to disk as it is collected. */
    outage: boolean
    /** The disk refuses writes: batches are held in memory up to its limit. */
    diskFull: boolean
  }
  /** Where every batch went: collected + recovered = sent + buffered + dropped. */
  batches: AgentStats['batches'] & { buffered: number; dropped: number }
  /** The export endpoint's wait: unix seconds of the next attempt (null: the next flush), and a collector's Retry-After. */
  export: {
    nextAttemptAt: number | null
    retryAfterSeconds: { asked: number; honoured: number } | null
  }
}

/** A collection older than this many intervals means the collector is stuck. */
export const STALE_INTERVALS = 3
/** Drops within this window keep the buffer check degraded. */
export const RECENT_DROP_MS = 5 * 60_000
/** Buffer fill (of `bufferMaxBytes`) from which the buffer check is degraded. */
export const BUFFER_FULL_RATIO = 0.9

/** 200 while the process is alive and useful; 503 when it is stuck or going away. */
export function httpStatusFor(status: HealthStatus): 200 | 503 {
  return status === 'unhealthy' || status === 'stopping' ? 503 : 200
}

function ago(nowMs: number, thenMs: number): string {
  return `${Math.max(0, Math.round((nowMs - thenMs) / 1000))}s ago`
}

function collectorCheck(stats: AgentStats, nowMs: number): HealthCheck {
  const staleMs = STALE_INTERVALS * stats.collectionIntervalSeconds * 1000
  const last = stats.lastCollectionAtMs
  if (last === null) {
    return nowMs - stats.startTimeMs > staleMs
      ? {
          status: 'unhealthy',
          message: `no collection since the agent started ${ago(nowMs, stats.startTimeMs)}`,
        }
      : { status: 'healthy', message: 'waiting for the first collection' }
  }
  if (nowMs - last > staleMs) {
    return {
      status: 'unhealthy',
      message: `last collection ${ago(nowMs, last)}, more than ${STALE_INTERVALS} intervals of ${stats.collectionIntervalSeconds}s`,
    }
  }
  if (stats.lastCollectionErrors.length > 0) {
    return { status: 'degraded', message: `groups failing: ${stats.lastCollectionErrors.join(', ')}` }
  }
  const ms = Math.round(stats.lastCollectionDurationSeconds * 1000)
  return { status: 'healthy', message: `last collection ${ago(nowMs, last)}, took ${ms} ms` }
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))}s`
}

/** When the next attempt is, and whether a collector's Retry-After set it. */
function nextAttempt(stats: AgentStats, nowMs: number): string {
  const state = stats.exportState
  if (!state?.nextAttemptAtMs) return 'next attempt at the next flush'
  const when = `next attempt in ${seconds(state.nextAttemptAtMs - nowMs)}`
  const ra = state.retryAfter
  if (!ra) return when
  const capped =
    ra.honouredMs < ra.askedMs ? `, capped at ${seconds(ra.honouredMs)} (retry.max_retry_after)` : ''
  return `${when} (the collector asked to wait ${seconds(ra.askedMs)}${capped})`
}

function held(stats: AgentStats): string {
  const n = stats.buffer.memoryBatches + stats.buffer.diskBatches
  return n === 0 ? 'nothing is waiting in the buffer' : `${n} batches are held in the buffer`
}

function exporterCheck(stats: AgentStats, nowMs: number): HealthCheck {
  if (!stats.exportEnabled) return { status: 'off', message: 'export disabled' }
  const lastOk = stats.lastSuccessfulExportMs
  const since = lastOk === null ? 'none has succeeded yet' : `last success ${ago(nowMs, lastOk)}`
  const refusal = stats.exportState?.refusal
  if (refusal) {
    return {
      status: 'unhealthy',
      message: `${refusal.reason}: ${refusal.fix} (every batch refused since ${ago(nowMs, refusal.sinceMs)}: ${refusal.error}); ${since}; none is dropped: ${held(stats)} and sent once the endpoint accepts them; ${nextAttempt(stats, nowMs)}; a reload (SIGHUP) applies a fixed configuration`,
    }
  }
  if (stats.consecutiveExportFailures > 0) {
    const why = stats.lastExportError ? ` (${stats.lastExportError})` : ''
    return {
      status: 'degraded',
      message: `${stats.consecutiveExportFailures} exports failed in a row${why}; ${since}; ${held(stats)}; ${nextAttempt(stats, nowMs)}`,
    }
  }
  if (lastOk === null) return { status: 'healthy', message: 'no export yet' }
  return { status: 'healthy', message: `last export ${ago(nowMs, lastOk)}` }
}

function bufferCheck(stats: AgentStats, nowMs: number): HealthCheck {
  const b = stats.buffer
  const bytes = b.memoryBytes + b.diskBytes
  const summary = `${b.memoryBatches + b.diskBatches} batches buffered (${b.memoryBatches} in memory, ${b.diskBatches} on disk, ${bytes} bytes)`
  if (stats.bufferDiskFull) {
    return {
      status: 'degraded',
      message: `the disk refuses writes (full?): batches are held in memory up to buffer.memory_max_mb, the oldest beyond it dropped (disk_full); ${summary}`,
    }
  }
  if (stats.lastDropAtMs !== null && nowMs - stats.lastDropAtMs < RECENT_DROP_MS) {
    const reasons = [...stats.dropped.entries()].map(([r, d]) => `${r}: ${d.dataPoints}`).join(', ')
    return {
      status: 'degraded',
      message: `data points dropped ${ago(nowMs, stats.lastDropAtMs)} (${reasons}); ${summary}`,
    }
  }
  if (stats.bufferMaxBytes > 0 && bytes >= BUFFER_FULL_RATIO * stats.bufferMaxBytes) {
    const percent = Math.round((bytes / stats.bufferMaxBytes) * 100)
    return { status: 'degraded', message: `buffer ${percent}% full, the oldest data goes next; ${summary}` }
  }
  return { status: 'healthy', message: summary }
}

function heartbeatCheck(stats: AgentStats): HealthCheck {
  if (!stats.heartbeatEnabled) return { status: 'off', message: 'heartbeat not configured' }
  if (stats.heartbeatUnauthorized) {
    return {
      status: 'degraded',
      message: 'the TelemetryFlow API refuses the API key (401/403); check the key id and secret',
    }
  }
  if (stats.consecutiveHeartbeatFailures > 0) {
    const why = stats.lastHeartbeatError ? `: ${stats.lastHeartbeatError}` : ''
    return {
      status: 'degraded',
      message: `${stats.consecutiveHeartbeatFailures} heartbeats failed in a row${why}`,
    }
  }
  return { status: 'healthy', message: stats.heartbeats.ok > 0 ? 'heartbeat accepted' : 'no heartbeat yet' }
}

/** The report `/health` serves. `info` names the agent; `nowMs` is unix ms. */
export function evaluateHealth(
  stats: AgentStats,
  nowMs: number,
  info: { version: string; agentId: string },
): HealthReport {
  const checks = {
    collector: collectorCheck(stats, nowMs),
    exporter: exporterCheck(stats, nowMs),
    buffer: bufferCheck(stats, nowMs),
    heartbeat: heartbeatCheck(stats),
  }
  const all = Object.values(checks).map((c) => c.status)
  let status: HealthStatus = 'healthy'
  if (stats.phase === 'stopping') status = 'stopping'
  // Only a stuck collector is worth a restart; any other failing check degrades the agent.
  else if (checks.collector.status === 'unhealthy') status = 'unhealthy'
  else if (stats.lastCollectionAtMs === null) status = 'starting'
  else if (all.includes('degraded') || all.includes('unhealthy')) status = 'degraded'
  const dropped = stats.droppedTotals()
  return {
    status,
    version: info.version,
    agentId: info.agentId,
    uptimeSeconds: Math.max(0, Math.floor((nowMs - stats.startTimeMs) / 1000)),
    timestamp: Math.floor(nowMs / 1000),
    checks,
    lastSuccessfulExport:
      stats.lastSuccessfulExportMs === null ? null : Math.floor(stats.lastSuccessfulExportMs / 1000),
    buffer: {
      ...stats.buffer,
      droppedBatches: dropped.batches,
      droppedDataPoints: dropped.dataPoints,
      outage: stats.bufferOutage,
      diskFull: stats.bufferDiskFull,
    },
    batches: {
      ...stats.batches,
      buffered: stats.buffer.memoryBatches + stats.buffer.diskBatches,
      dropped: dropped.batches,
    },
    export: exportWait(stats),
  }
}

function exportWait(stats: AgentStats): HealthReport['export'] {
  const state = stats.exportState
  const ra = state?.retryAfter
  return {
    nextAttemptAt: state?.nextAttemptAtMs ? Math.ceil(state.nextAttemptAtMs / 1000) : null,
    retryAfterSeconds: ra ? { asked: ra.askedMs / 1000, honoured: ra.honouredMs / 1000 } : null,
  }
}
