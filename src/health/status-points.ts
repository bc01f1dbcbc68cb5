/** Pure reductions from what the agent holds to the status page's points and rows. */
import type { HostSnapshot, ProcessRecord } from '../native'
import { evaluateHealth, type HealthReport } from './evaluate'
import type { AgentStats } from './stats'
import type {
  AgentPoint,
  HostPoint,
  MetricValues,
  ProcessRow,
  Reachability,
  StatusState,
} from './status-types'

/** Rows of the top-processes table. */
export const TOP_PROCESS_ROWS = 10

const TCP_STATES = [
  'established',
  'synSent',
  'synRecv',
  'finWait1',
  'finWait2',
  'timeWait',
  'close',
  'closeWait',
  'lastAck',
  'listen',
  'closing',
] as const

/** `synSent` → `syn_sent`, as the kernel and `system.network.connections` spell the states. */
const snake = (name: string): string => name.replace(/[A-Z0-9]+/g, (m) => `_${m.toLowerCase()}`)

export function hostPoint(s: HostSnapshot): HostPoint {
  const tcp: Record<string, number> = {}
  for (const state of TCP_STATES) tcp[snake(state)] = s.tcp.all[state]
  return {
    t: s.collectedAtUnixMs,
    cpuPercent: s.cpu.utilization.usagePercent,
    corePercent: s.cpu.perCore.map((c) => c.utilization.usagePercent),
    memoryUsedBytes: s.memory.usedBytes,
    memoryTotalBytes: s.memory.totalBytes,
    diskReadBytesPerSecond: s.disk.totals.readBytesPerSecond,
    diskWriteBytesPerSecond: s.disk.totals.writeBytesPerSecond,
    networkRxBytesPerSecond: s.network.totals.rxBytesPerSecond,
    networkTxBytesPerSecond: s.network.totals.txBytesPerSecond,
    tcp,
    load1: s.load.one,
    load5: s.load.five,
    load15: s.load.fifteen,
  }
}

/** Process records, busiest first. */
export function processRows(records: readonly ProcessRecord[]): ProcessRow[] {
  return [...records]
    .sort((a, b) => b.cpuPercent - a.cpuPercent || b.rssBytes - a.rssBytes)
    .slice(0, TOP_PROCESS_ROWS)
    .map((p) => ({
      pid: p.pid,
      name: p.name,
      owner: p.owner,
      cpuPercent: p.cpuPercent,
      rssBytes: p.rssBytes,
      memoryPercent: p.memoryPercent,
      threads: p.threads,
    }))
}

/** A Prometheus text's samples as `name{labels}` → value, plus `name` → the sum over its label sets. */
export function metricValues(exposition: string): MetricValues {
  const out: MetricValues = {}
  for (const line of exposition.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{.*\})?\s+(\S+)$/.exec(line)
    if (!m) continue
    const value = Number(m[3])
    if (m[2]) out[`${m[1]}${m[2]}`] = value
    out[m[1]] = (m[2] ? (out[m[1]] ?? 0) : 0) + value
  }
  return out
}

export function agentPoint(stats: AgentStats, seq: number, t: number): AgentPoint {
  const b = stats.buffer
  const exports = stats.exportTotals()
  return {
    t,
    seq,
    bufferBatches: b.memoryBatches + b.diskBatches,
    bufferBytes: b.memoryBytes + b.diskBytes,
    diskBatches: b.diskBatches,
    exportsOk: exports.ok,
    exportsFailed: exports.failed,
    droppedBatches: stats.droppedTotals().batches,
  }
}

function collectorState(stats: AgentStats, health: HealthReport): StatusState['collector'] {
  const message = health.checks.exporter.message
  let state: Reachability = 'waiting'
  if (!stats.exportEnabled) state = 'off'
  else if (stats.consecutiveExportFailures > 0) state = 'unreachable'
  else if (stats.lastSuccessfulExportMs !== null) state = 'reachable'
  return { state, message }
}

function heartbeatState(stats: AgentStats, health: HealthReport): StatusState['heartbeat'] {
  const { ok, failed } = stats.heartbeats
  const message = health.checks.heartbeat.message
  let state: StatusState['heartbeat']['state'] = 'waiting'
  if (!stats.heartbeatEnabled) state = 'off'
  else if (stats.heartbeatUnauthorized) state = 'refused'
  else if (stats.consecutiveHeartbeatFailures > 0) state = 'failing'
  else if (ok > 0) state = 'ok'
  return { state, ok, failed, message }
}

/** The API answers when a heartbeat went through or was refused for its key (it answered). */
function apiState(heartbeat: StatusState['heartbeat']): StatusState['api'] {
  const map: Record<StatusState['heartbeat']['state'], Reachability> = {
    off: 'off',
    ok: 'reachable',
    refused: 'refused',
    failing: 'unreachable',
    waiting: 'waiting',
  }
  return { state: map[heartbeat.state], message: heartbeat.message }
}

export interface StateInputs {
  stats: AgentStats
  t: number
  info: { version: string; agentId: string }
  metricsText: string
  processes: readonly ProcessRecord[]
  logs: StatusState['logs']
}

export function statusState(i: StateInputs): StatusState {
  const health = evaluateHealth(i.stats, i.t, i.info)
  const heartbeat = heartbeatState(i.stats, health)
  return {
    health,
    metrics: metricValues(i.metricsText),
    exports: Object.fromEntries(i.stats.exports),
    dropped: Object.fromEntries(i.stats.dropped),
    collector: collectorState(i.stats, health),
    api: apiState(heartbeat),
    heartbeat,
    logs: i.logs,
    processes: processRows(i.processes),
  }
}
