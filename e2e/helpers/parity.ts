/**
 * Compares what the agent sent with what the hostmetrics receiver wrote over the same
 * minute: per metric the shape (unit, type, monotonicity, temporality, value type,
 * attribute keys), the series (attribute sets: states, directions, devices, mounts,
 * CPUs, processes) and the values at the same instant, the receiver's interpolated
 * between its two points around each of the agent's. Process resources are compared
 * per pid. Every mismatch not covered by src/metrics/differences.ts is a failure.
 */
import type { PointRow, Value } from '../../__test__/fixtures/otlp'
import { differencesFor } from '../../src/metrics/differences'

/** Allowed |agent − receiver| on top of the receiver's own movement around the instant. */
export interface Tolerance {
  abs: number
  rel: number
  /** `mean`: compare the means over the run (instantaneous or interval figures read at other moments). */
  mode?: 'instant' | 'mean'
  /**
   * Share of a metric's points that must pass (default all). Below 1 for what other
   * programs change between the two reads faster than interpolation follows: processes,
   * process counts, filesystem usage.
   */
  quorum?: number
}

const MiB = 1024 * 1024

/**
 * The stated tolerances, first match wins: a series (`metric|attr=value`), a metric, or a
 * prefix ending in `*`.
 */
export const TOLERANCES: Array<[string, Tolerance]> = [
  ['system.cpu.time', { abs: 0.5, rel: 0.001 }],
  // Utilisation is the share of cpu.time (held tightly above) over each side's own
  // intervals: on a loaded 2-core host a few seconds' phase shift moves a CPU's mean
  // share by several points, so the mean is compared loosely.
  ['system.cpu.utilization', { abs: 0.1, rel: 0, mode: 'mean' }],
  ['system.cpu.frequency', { abs: 0, rel: 0.001 }],
  ['system.cpu.logical.count', { abs: 0, rel: 0 }],
  ['system.cpu.physical.count', { abs: 0, rel: 0 }],
  // The kernel recomputes load averages every 5 s: compared on average.
  ['system.cpu.load_average.*', { abs: 0.05, rel: 0.05, mode: 'mean' }],
  ['system.memory.limit', { abs: 0, rel: 0 }],
  ['system.memory.utilization', { abs: 0.002, rel: 0.05, mode: 'mean' }],
  ['system.memory.*', { abs: 32 * MiB, rel: 0.05, mode: 'mean' }],
  ['system.paging.*', { abs: 64, rel: 0.01 }],
  // Queue depth at one instant: the two never read at the same one.
  ['system.disk.pending_operations', { abs: 4, rel: 0, mode: 'mean' }],
  ['system.disk.io_time', { abs: 0.1, rel: 0.01 }],
  ['system.disk.operation_time', { abs: 0.1, rel: 0.01 }],
  ['system.disk.weighted_io_time', { abs: 0.1, rel: 0.01 }],
  ['system.disk.*', { abs: 16, rel: 0.01 }],
  // Other programs write and delete files between the two reads: 90 % of instants.
  ['system.filesystem.utilization', { abs: 0.001, rel: 0, quorum: 0.9 }],
  ['system.filesystem.*', { abs: 64 * MiB, rel: 0.001, quorum: 0.9 }],
  // Connections open and close between the two reads (other programs' bursts): on average.
  ['system.network.connections', { abs: 10, rel: 0.3, mode: 'mean' }],
  ['system.network.*', { abs: 16 * 1024, rel: 0.01 }],
  // Runnable and blocked tasks at one instant (procs_running, procs_blocked): compared on average.
  ['system.processes.count|status=running', { abs: 2, rel: 0.25, mode: 'mean' }],
  ['system.processes.count|status=blocked', { abs: 2, rel: 0.25, mode: 'mean' }],
  ['system.processes.count', { abs: 5, rel: 0.1, quorum: 0.9 }],
  ['system.processes.created', { abs: 10, rel: 0 }],
  ['process.cpu.time', { abs: 0.2, rel: 0.01, quorum: 0.98 }],
  ['process.memory.*', { abs: 4 * MiB, rel: 0.05, quorum: 0.98 }],
  ['process.disk.io', { abs: 64 * 1024, rel: 0.01, quorum: 0.98 }],
  ['process.*', { abs: 2, rel: 0.05, quorum: 0.98 }],
]

export function toleranceFor(metric: string, series = metric): Tolerance {
  for (const [key, t] of TOLERANCES) {
    if (key.endsWith('*') ? metric.startsWith(key.slice(0, -1)) : key === metric || key === series) return t
  }
  return { abs: 0, rel: 0.01 }
}

export interface MetricReport {
  metric: string
  shape: string
  attributes: string
  tolerance: string
  /** Series in both / only the agent's / only the receiver's. */
  series: [number, number, number]
  points: number
  /** The largest |Δ| as a share of what was allowed (≤ 1 passes). */
  worst: number
  result: string
}

export interface ParityReport {
  rows: MetricReport[]
  agentOnly: string[]
  failures: string[]
  /** Per attribute that names a thing (device, mountpoint, cpu), the values each side had. */
  sets: Array<{ metric: string; key: string; agent: string[]; hostmetrics: string[] }>
  processes: { compared: number; attributes: Record<string, { same: number; differ: string[] }> }
}

const PROCESS_KEYS = [
  'process.pid',
  'process.parent_pid',
  'process.executable.name',
  'process.executable.path',
  'process.command',
  'process.command_line',
  'process.owner',
]

/** The identity of a series: the metric, its attributes, and for process.* the pid. */
function seriesKey(r: PointRow): string {
  const attrs = Object.keys(r.attributes)
    .sort()
    .map((k) => `${k}=${String(r.attributes[k])}`)
  const pid = r.metric.startsWith('process.') ? [`pid=${String(r.resource['process.pid'])}`] : []
  return [r.metric, ...pid, ...attrs].join('|')
}

function group<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = out.get(k)
    if (list) list.push(item)
    else out.set(k, [item])
  }
  return out
}

const time = (r: PointRow) => Number(BigInt(r.timeUnixNano) / 1_000_000n)
const shapeOf = (r: PointRow) =>
  `${r.unit} ${r.type}${r.type === 'sum' ? (r.monotonic ? ' monotonic' : ' non-monotonic') : ''}` +
  `${r.temporality === 2 ? ' cumulative' : r.temporality === 1 ? ' delta' : ''} ${r.int ? 'int' : 'double'}`
const keysOf = (rows: PointRow[]) =>
  [...new Set(rows.map((r) => Object.keys(r.attributes).sort().join(',')))].sort().join(' / ') || '-'

/** Collections (distinct timestamps) each side made of a metric. */
function collections(rows: PointRow[]): number {
  return new Set(rows.map((r) => r.timeUnixNano)).size
}

/** Points compared, the worst |Δ| as a share of what was allowed, and the misses. */
function compareValues(
  metric: string,
  agent: PointRow[],
  hm: PointRow[],
  factor: number,
  key: string,
): { points: number; worst: number; misses: string[] } {
  const t = toleranceFor(metric, key)
  const a = [...agent].sort((x, y) => time(x) - time(y))
  const h = [...hm].sort((x, y) => time(x) - time(y))
  const allowed = (ref: number, spread: number) => t.abs + t.rel * Math.abs(ref) + spread
  if (t.mode === 'mean') {
    const from = Math.max(time(a[0]!), time(h[0]!))
    const to = Math.min(time(a[a.length - 1]!), time(h[h.length - 1]!))
    const inside = (rows: PointRow[]) => rows.filter((r) => time(r) >= from && time(r) <= to)
    const mean = (rows: PointRow[]) => rows.reduce((sum, r) => sum + r.value, 0) / rows.length
    const [ai, hi] = [inside(a), inside(h)]
    if (ai.length === 0 || hi.length === 0) return { points: 0, worst: 0, misses: [] }
    const diff = Math.abs(mean(ai) * factor - mean(hi))
    const ratio = diff / Math.max(allowed(mean(hi), 0), 1e-12)
    const misses = ratio > 1 ? [`${key}: mean ${mean(ai) * factor} vs the receiver's ${mean(hi)}`] : []
    return { points: ai.length, worst: ratio, misses }
  }
  let points = 0
  let worst = 0
  const misses: string[] = []
  for (const p of a) {
    const at = time(p)
    const after = h.findIndex((q) => time(q) >= at)
    if (after <= 0) continue // outside the receiver's points: nothing to interpolate
    const [h0, h1] = [h[after - 1]!, h[after]!]
    const span = time(h1) - time(h0)
    const expected = span > 0 ? h0.value + ((h1.value - h0.value) * (at - time(h0))) / span : h1.value
    const diff = Math.abs(p.value * factor - expected)
    const ratio = diff / Math.max(allowed(expected, Math.abs(h1.value - h0.value)), 1e-12)
    points++
    worst = Math.max(worst, ratio)
    if (ratio > 1) misses.push(`${key}: ${p.value * factor} at ${at}, the receiver ${h0.value} → ${h1.value}`)
  }
  return { points, worst, misses }
}

/** Compares the two sides' rows (see the module docs). */
export function compareParity(agentRows: PointRow[], hmRows: PointRow[]): ParityReport {
  const failures: string[] = []
  const byMetricAgent = group(agentRows, (r) => r.metric)
  const byMetricHm = group(hmRows, (r) => r.metric)
  const rows: MetricReport[] = []
  const sets: ParityReport['sets'] = []

  for (const metric of [...byMetricHm.keys()].filter((m) => !byMetricAgent.has(m)).sort())
    failures.push(`${metric}: the receiver emits it, the agent does not`)

  for (const metric of [...byMetricAgent.keys()].filter((m) => byMetricHm.has(m)).sort()) {
    const a = byMetricAgent.get(metric)!
    const h = byMetricHm.get(metric)!
    const diffs = differencesFor(metric)
    const before = failures.length
    const [shapeA, shapeH] = [shapeOf(a[0]!), shapeOf(h[0]!)]
    if (shapeA !== shapeH) failures.push(`${metric}: shape ${shapeA} vs the receiver's ${shapeH}`)
    const [keysA, keysH] = [keysOf(a), keysOf(h)]
    if (keysA !== keysH) failures.push(`${metric}: attribute keys ${keysA} vs the receiver's ${keysH}`)

    const seriesA = group(a, seriesKey)
    const seriesH = group(h, seriesKey)
    const [collA, collH] = [collections(a), collections(h)]
    const seriesDiff = diffs.some((d) => d.kind === 'series')
    // A series one side saw in under half its collections came and went (a process, a
    // zombie); one seen throughout that the other side never had is a real difference.
    const lasting = (rows: PointRow[], coll: number) => collections(rows) * 2 >= coll
    let onlyA = 0
    let onlyH = 0
    for (const [k, rowsA] of seriesA) {
      if (seriesH.has(k)) continue
      onlyA++
      if (!seriesDiff && lasting(rowsA, collA)) failures.push(`${k}: only the agent has this series`)
    }
    for (const [k, rowsH] of seriesH) {
      if (seriesA.has(k)) continue
      onlyH++
      if (!seriesDiff && lasting(rowsH, collH)) failures.push(`${k}: only the receiver has this series`)
    }
    for (const key of ['device', 'mountpoint', 'cpu', 'type', 'state', 'status', 'direction']) {
      const values = (rs: PointRow[]) =>
        [...new Set(rs.map((r) => r.attributes[key]).filter((v): v is Value => v !== undefined))]
          .map(String)
          .sort()
      const [va, vh] = [values(a), values(h)]
      if (va.length > 0 || vh.length > 0) sets.push({ metric, key, agent: va, hostmetrics: vh })
    }

    const factor = diffs.find((d) => d.kind === 'value')?.factor ?? 1
    let points = 0
    let worst = 0
    const misses: string[] = []
    for (const [k, rowsA] of seriesA) {
      const rowsH = seriesH.get(k)
      if (!rowsH) continue
      const r = compareValues(metric, rowsA, rowsH, factor, k)
      points += r.points
      worst = Math.max(worst, r.worst)
      misses.push(...r.misses)
    }
    const quorum = toleranceFor(metric).quorum ?? 1
    if (misses.length > points * (1 - quorum)) {
      failures.push(...misses.slice(0, 10))
      if (misses.length > 10) failures.push(`${metric}: ${misses.length - 10} more values differ`)
    }
    const both = [...seriesA.keys()].filter((k) => seriesH.has(k)).length
    if (both === 0) failures.push(`${metric}: no series in common`)
    const t = toleranceFor(metric)
    rows.push({
      metric,
      tolerance: `±${t.abs} ±${t.rel * 100}%${t.mode === 'mean' ? ' (mean)' : ''}${t.quorum ? ` ${t.quorum * 100}% of points` : ''}`,
      shape: shapeA === shapeH ? shapeA : `${shapeA} ≠ ${shapeH}`,
      attributes: keysA === keysH ? keysA : `${keysA} ≠ ${keysH}`,
      series: [both, onlyA, onlyH],
      points,
      worst,
      result:
        failures.length > before
          ? 'DIFFERS'
          : misses.length > 0
            ? `ok (${misses.length} of ${points} outside, quorum ${quorum})`
            : factor !== 1
              ? `ok (×${factor}: listed difference)`
              : seriesDiff && (onlyA > 0 || onlyH > 0)
                ? 'ok (series: listed difference)'
                : 'ok',
    })
  }
  const agentOnly = [...byMetricAgent.keys()].filter((m) => !byMetricHm.has(m)).sort()
  return { rows, agentOnly, failures, sets, processes: compareProcesses(agentRows, hmRows, failures) }
}

const short = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)

/** Share of processes whose resource attribute must agree: a process can exec or lose its parent between the two reads. */
export const PROCESS_ATTRIBUTE_QUORUM = 0.97

/**
 * Resource attributes per pid seen by both sides, each side's observation nearest the
 * middle of the time both saw the process (its start and its end are when it changes).
 */
function compareProcesses(agentRows: PointRow[], hmRows: PointRow[], failures: string[]) {
  const byPid = (rows: PointRow[]) =>
    group(
      rows.filter((r) => r.metric === 'process.memory.usage'),
      (r) => String(r.resource['process.pid']),
    )
  const [a, h] = [byPid(agentRows), byPid(hmRows)]
  const attributes: Record<string, { same: number; differ: string[] }> = {}
  for (const key of PROCESS_KEYS) attributes[key] = { same: 0, differ: [] }
  let compared = 0
  for (const [pid, ra] of a) {
    const rh = h.get(pid)
    if (!rh) continue
    const from = Math.max(Math.min(...ra.map(time)), Math.min(...rh.map(time)))
    const to = Math.min(Math.max(...ra.map(time)), Math.max(...rh.map(time)))
    if (from > to) continue
    const middle = (from + to) / 2
    const nearest = (rows: PointRow[]) =>
      rows.reduce((best, r) => (Math.abs(time(r) - middle) < Math.abs(time(best) - middle) ? r : best))
    const [pa, ph] = [nearest(ra), nearest(rh)]
    compared++
    for (const key of PROCESS_KEYS) {
      const [va, vh] = [pa.resource[key], ph.resource[key]]
      if (va === undefined || vh === undefined) {
        failures.push(`pid ${pid}: ${key} is set by ${va === undefined ? 'the receiver' : 'the agent'} only`)
        continue
      }
      const cut = differencesFor('process.*').find((d) => d.attribute === key)?.cutAtBytes
      const [ta, th] = [String(va), String(vh)]
      const isCut = cut !== undefined && Buffer.byteLength(th) > cut && th.startsWith(ta) && ta.length > 0
      if (ta === th || isCut) attributes[key]!.same++
      else attributes[key]!.differ.push(`pid ${pid}: ${short(ta)} vs ${short(th)}`)
    }
  }
  for (const [key, { same, differ }] of Object.entries(attributes)) {
    if (same >= (same + differ.length) * PROCESS_ATTRIBUTE_QUORUM) continue
    failures.push(
      `${key}: ${differ.length} of ${same + differ.length} processes differ`,
      ...differ.slice(0, 5),
    )
  }
  return { compared, attributes }
}
