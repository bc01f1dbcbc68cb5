/**
 * The agent's own counters and gauges: what `/metrics` renders, what `/health` judges,
 * and what the heartbeat sends beside `systemInfo`. Pipeline parts call the small
 * record/set methods; readers read the fields (treat them as read-only).
 */

export interface BufferGauges {
  memoryBatches: number
  memoryBytes: number
  diskBatches: number
  diskBytes: number
}

/**
 * Where every batch went. It always holds that
 * `collected + recovered = sent + buffered + dropped` (dropped summed over reasons).
 */
export interface BatchCounts {
  /** Batches made by the collectors in this process. */
  collected: number
  /** Batches found on disk at start, left by an earlier run (including unreadable ones, counted dropped as `corrupt`). */
  recovered: number
  /** Batches the collector accepted. */
  sent: number
  /** Of those, batches sent again after an attempt that got no answer (the collector may hold two copies). */
  resent: number
}

/** The export endpoint's state (see src/agent/endpoint-state.ts). */
export interface ExportState {
  failures: number
  nextAttemptAtMs: number | null
  retryAfter: { askedMs: number; honouredMs: number } | null
  refusal: { reason: string; fix: string; error: string; code: string; sinceMs: number } | null
}

export interface OkFailed {
  ok: number
  failed: number
}

export interface DropCount {
  batches: number
  dataPoints: number
}

export interface AgentStatsOptions {
  /** Unix ms; default now. */
  startTimeMs?: number
  /** The system collector's interval: a collection older than 3 of these is a failure. */
  collectionIntervalSeconds?: number
  /** The buffer's size limit (`max_size_mb`), bytes; 0 = unknown. */
  bufferMaxBytes?: number
  exportEnabled?: boolean
  heartbeatEnabled?: boolean
  /** Clock, unix ms (a test seam). */
  now?: () => number
}

export type AgentPhase = 'starting' | 'running' | 'stopping'

export class AgentStats {
  readonly now: () => number
  readonly startTimeMs: number
  phase: AgentPhase = 'starting'
  collectionIntervalSeconds: number
  exportEnabled: boolean
  heartbeatEnabled: boolean

  collectionsTotal = 0
  lastCollectionDurationSeconds = 0
  lastCollectionAtMs: number | null = null
  /** Groups that failed in the last collection. */
  lastCollectionErrors: string[] = []
  /** Failed collections per group, cumulative. */
  readonly collectionErrors = new Map<string, number>()

  /** Per signal (`metrics`, `logs`), cumulative. */
  readonly exports = new Map<string, OkFailed>([
    ['metrics', { ok: 0, failed: 0 }],
    ['logs', { ok: 0, failed: 0 }],
  ])
  lastSuccessfulExportMs: number | null = null
  consecutiveExportFailures = 0
  lastExportError: string | null = null
  /** The endpoint's backoff, Retry-After and refusal, as the exporter last published them. */
  exportState: ExportState | null = null
  readonly batches: BatchCounts = { collected: 0, recovered: 0, sent: 0, resent: 0 }
  /** The buffer is in its outage mode (exports failing: every batch goes to disk as collected). */
  bufferOutage = false
  /** The buffer's disk refuses writes: batches are held in memory. */
  bufferDiskFull = false

  buffer: BufferGauges = { memoryBatches: 0, memoryBytes: 0, diskBatches: 0, diskBytes: 0 }
  bufferMaxBytes: number
  /** Per reason (`buffer_full`, `max_age`, `max_retries`, `rejected`, …), cumulative. */
  readonly dropped = new Map<string, DropCount>()
  lastDropAtMs: number | null = null

  heartbeats: OkFailed = { ok: 0, failed: 0 }
  consecutiveHeartbeatFailures = 0
  heartbeatUnauthorized = false
  lastHeartbeatError: string | null = null

  logLinesRead = 0
  /** Processes that matched a pattern but were left out of the last collection. */
  processesLeftOut = 0

  constructor(options: AgentStatsOptions = {}) {
    this.now = options.now ?? Date.now
    this.startTimeMs = options.startTimeMs ?? this.now()
    this.collectionIntervalSeconds = options.collectionIntervalSeconds ?? 15
    this.bufferMaxBytes = options.bufferMaxBytes ?? 0
    this.exportEnabled = options.exportEnabled ?? true
    this.heartbeatEnabled = options.heartbeatEnabled ?? true
  }

  setPhase(phase: AgentPhase): void {
    this.phase = phase
  }

  /** One collection finished; `errors` are the snapshot's failed groups. */
  recordCollection(durationSeconds: number, errors: ReadonlyArray<string | { group: string }> = []): void {
    this.collectionsTotal++
    this.lastCollectionDurationSeconds = durationSeconds
    this.lastCollectionAtMs = this.now()
    this.lastCollectionErrors = errors.map((e) => (typeof e === 'string' ? e : e.group))
    for (const group of this.lastCollectionErrors) {
      this.collectionErrors.set(group, (this.collectionErrors.get(group) ?? 0) + 1)
    }
    if (this.phase === 'starting') this.phase = 'running'
  }

  /** One export attempt of `signal` finished. */
  recordExport(signal: string, ok: boolean, error?: string): void {
    const counts = this.exports.get(signal) ?? { ok: 0, failed: 0 }
    this.exports.set(signal, counts)
    if (ok) {
      counts.ok++
      this.lastSuccessfulExportMs = this.now()
      this.consecutiveExportFailures = 0
      this.lastExportError = null
    } else {
      counts.failed++
      this.consecutiveExportFailures++
      this.lastExportError = error ?? null
    }
  }

  setExportState(state: ExportState): void {
    this.exportState = state
  }

  /** Adds to the batch counts (deltas, so a reopened buffer's counters do not go back). */
  addBatches(delta: Partial<BatchCounts>): void {
    for (const [k, v] of Object.entries(delta) as Array<[keyof BatchCounts, number]>) this.batches[k] += v
  }

  setBuffer(gauges: Partial<BufferGauges>): void {
    this.buffer = { ...this.buffer, ...gauges }
  }

  recordDropped(reason: string, batches: number, dataPoints: number): void {
    const counts = this.dropped.get(reason) ?? { batches: 0, dataPoints: 0 }
    counts.batches += batches
    counts.dataPoints += dataPoints
    this.dropped.set(reason, counts)
    this.lastDropAtMs = this.now()
  }

  recordHeartbeat(ok: boolean, details: { unauthorized?: boolean; error?: string } = {}): void {
    if (ok) {
      this.heartbeats.ok++
      this.consecutiveHeartbeatFailures = 0
      this.lastHeartbeatError = null
    } else {
      this.heartbeats.failed++
      this.consecutiveHeartbeatFailures++
      this.lastHeartbeatError = details.error ?? null
    }
    this.heartbeatUnauthorized = ok ? false : (details.unauthorized ?? this.heartbeatUnauthorized)
  }

  addLogLines(count: number): void {
    this.logLinesRead += count
  }

  setProcessesLeftOut(count: number): void {
    this.processesLeftOut = count
  }

  /** Totals across reasons. */
  droppedTotals(): DropCount {
    let batches = 0
    let dataPoints = 0
    for (const d of this.dropped.values()) {
      batches += d.batches
      dataPoints += d.dataPoints
    }
    return { batches, dataPoints }
  }

  /** Totals across signals. */
  exportTotals(): OkFailed {
    let ok = 0
    let failed = 0
    for (const e of this.exports.values()) {
      ok += e.ok
      failed += e.failed
    }
    return { ok, failed }
  }
}
