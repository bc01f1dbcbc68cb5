/**
 * What the status page (`/`, `/events`, `/status.json`) and `tfo-agent status` read: compact
 * points taken from what the agent already holds (the scheduler's last snapshot and the
 * agent's stats), never from a scan of their own.
 */
import type { HealthReport } from './evaluate'

/** One system collection, reduced to what the charts draw. Rates are per second. */
export interface HostPoint {
  /** When the snapshot was taken, unix ms. */
  t: number
  /** CPU busy share, percent 0–100. */
  cpuPercent: number
  /** Busy share per logical CPU, percent, in core order. */
  corePercent: number[]
  memoryUsedBytes: number
  memoryTotalBytes: number
  diskReadBytesPerSecond: number
  diskWriteBytesPerSecond: number
  networkRxBytesPerSecond: number
  networkTxBytesPerSecond: number
  /** TCP sockets (IPv4 and IPv6) by state; the kernel's state names, lower case. */
  tcp: Record<string, number>
  load1: number
  load5: number
  load15: number
}

/** The agent's own delivery at one sample. */
export interface AgentPoint {
  /** When the sample was taken, unix ms. */
  t: number
  seq: number
  bufferBatches: number
  bufferBytes: number
  diskBatches: number
  exportsOk: number
  exportsFailed: number
  droppedBatches: number
}

export type Reachability = 'reachable' | 'unreachable' | 'refused' | 'waiting' | 'off'

export interface ProcessRow {
  pid: number
  name: string
  owner: string
  cpuPercent: number
  rssBytes: number
  memoryPercent: number
  threads: number
}

export interface TailedFile {
  path: string
  /** Bytes of it delivered to the buffer (the stored cursor). */
  offset: number
  /** Its size at the last check, bytes (-1 before one). */
  sizeBytes: number
  /** True for a file rotated away and still being read to its end. */
  rotated: boolean
}

/**
 * The numbers the page shows that `/metrics` also has, keyed as `/metrics` names them
 * (summed over the labels not in the key). A page and a `/metrics` of the same `seq`
 * show the same values.
 */
export type MetricValues = Record<string, number>

/** The agent's state at one sample. */
export interface StatusState {
  health: HealthReport
  metrics: MetricValues
  /** Per signal. */
  exports: Record<string, { ok: number; failed: number }>
  /** Per reason. */
  dropped: Record<string, { batches: number; dataPoints: number }>
  collector: { state: Reachability; message: string }
  api: { state: Reachability; message: string }
  heartbeat: {
    state: 'off' | 'ok' | 'failing' | 'refused' | 'waiting'
    ok: number
    failed: number
    message: string
  }
  logs: TailedFile[]
  processes: ProcessRow[]
}

/** One SSE `sample` event: `host` only when a collection happened since the previous sample. */
export interface StatusSample {
  seq: number
  t: number
  agent: AgentPoint
  host?: HostPoint
  state: StatusState
}

/** The whole picture: `/status.json`, and the first event of `/events`. */
export interface StatusDocument {
  version: string
  agentId: string
  hostname: string
  /** How far back the history reaches, seconds. */
  windowSeconds: number
  /** The configuration in use, secrets masked. */
  config: unknown
  host: HostPoint[]
  agent: AgentPoint[]
  latest: StatusSample
}
