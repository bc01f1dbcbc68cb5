/**
 * The status page's picture in a terminal: delivery first, then the host over the last
 * minutes with small sparklines, the top processes and the tailed files. Compact: one line
 * per chart.
 */
import type { AgentPoint, HostPoint, StatusDocument } from '../../health/status-types'
import { bytes, count, fixed, percent, rate, table } from './units'

const BARS = '▁▂▃▄▅▆▇█'
/** Points per sparkline (the newest). */
const SPARK_WIDTH = 24

/**
 * `values` as a row of block characters, from `range.lo` (default: 0, or the lowest when
 * negative) to `range.hi` (default: the highest).
 */
export function sparkline(values: readonly number[], range: { lo?: number; hi?: number } = {}): string {
  const v = values.slice(-SPARK_WIDTH).map((x) => (Number.isFinite(x) ? x : 0))
  if (v.length === 0) return ''
  const lo = range.lo ?? Math.min(0, ...v)
  const hi = range.hi ?? Math.max(...v)
  const span = hi - lo
  return v
    .map(
      (x) =>
        BARS[span > 0 ? Math.round((Math.min(Math.max(x - lo, 0), span) / span) * (BARS.length - 1)) : 0],
    )
    .join('')
}

function ago(nowMs: number, unixSeconds: number | null): string {
  if (unixSeconds === null) return 'none yet'
  const s = Math.max(0, Math.round(nowMs / 1000 - unixSeconds))
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`
}

const host = (points: HostPoint[], pick: (p: HostPoint) => number, range?: { lo?: number; hi?: number }) =>
  sparkline(points.map(pick), range)
const agent = (points: AgentPoint[], pick: (p: AgentPoint) => number) => sparkline(points.map(pick))

function row(label: string, text: string, spark = ''): string {
  return `  ${label.padEnd(10)} ${spark ? `${text.padEnd(44)} ${spark}` : text}`.trimEnd()
}

/** Lines of the picture (without the title line). */
export function formatPicture(doc: StatusDocument): string[] {
  const s = doc.latest.state
  const h = doc.host
  const last = h.at(-1)
  const now = doc.latest.t
  const m = s.metrics
  const dropped = Object.entries(s.dropped).map(([r, d]) => `${r} ${count(d.batches)}`)
  const lines = [
    `  ${doc.hostname} · agent ${doc.agentId} · v${doc.version} · sample ${doc.latest.seq}`,
    row(
      'collector',
      `${s.collector.state} · last export ${ago(now, s.health.lastSuccessfulExport)} · ` +
        `${count(m['tfo_agent_exports_total{signal="metrics",outcome="ok"}'] ?? 0)} ok, ` +
        `${count(m['tfo_agent_exports_total{signal="metrics",outcome="failed"}'] ?? 0)} failed`,
    ),
    row(
      'buffer',
      `${count(doc.latest.agent.bufferBatches)} batches, ${bytes(doc.latest.agent.bufferBytes)} ` +
        `(${count(doc.latest.agent.diskBatches)} on disk)`,
      agent(doc.agent, (p) => p.bufferBatches),
    ),
    row('dropped', dropped.length ? dropped.join(', ') : 'none'),
    row('heartbeat', `${s.heartbeat.state} · API ${s.api.state}`),
  ]
  for (const [name, check] of Object.entries(s.health.checks))
    if (check.status !== 'healthy' && check.status !== 'off')
      lines.push(row(name, `${check.status}: ${check.message}`))
  if (!last) return [...lines, row('host', 'no collection yet')]
  const cores = last.corePercent.map((c) => fixed(c, 0)).join(' ')
  lines.push(
    row(
      'cpu',
      `${percent(last.cpuPercent)}${cores ? ` · cores ${cores}` : ''}`,
      host(h, (p) => p.cpuPercent),
    ),
    row(
      'memory',
      `${bytes(last.memoryUsedBytes)} of ${bytes(last.memoryTotalBytes)}`,
      host(h, (p) => p.memoryUsedBytes, { lo: 0, hi: last.memoryTotalBytes }),
    ),
    row(
      'load',
      `${fixed(last.load1, 2)} ${fixed(last.load5, 2)} ${fixed(last.load15, 2)}`,
      host(h, (p) => p.load1),
    ),
    row(
      'disk',
      `read ${rate(last.diskReadBytesPerSecond)} · write ${rate(last.diskWriteBytesPerSecond)}`,
      host(h, (p) => p.diskReadBytesPerSecond + p.diskWriteBytesPerSecond),
    ),
    row(
      'network',
      `in ${rate(last.networkRxBytesPerSecond)} · out ${rate(last.networkTxBytesPerSecond)}`,
      host(h, (p) => p.networkRxBytesPerSecond + p.networkTxBytesPerSecond),
    ),
    row(
      'tcp',
      Object.entries(last.tcp)
        .filter(([, n]) => n > 0)
        .map(([state, n]) => `${state} ${n}`)
        .join(' · ') || 'none',
    ),
  )
  if (s.processes.length) {
    lines.push('  top processes')
    lines.push(
      ...table(
        ['pid', 'name', 'cpu', 'rss', 'threads'],
        s.processes
          .slice(0, 5)
          .map((p) => [String(p.pid), p.name, percent(p.cpuPercent), bytes(p.rssBytes), String(p.threads)]),
        '    ',
      ),
    )
  }
  for (const f of s.logs)
    lines.push(
      row('log', `${f.path}${f.rotated ? ' (rotated)' : ''} at ${bytes(f.offset)} of ${bytes(f.sizeBytes)}`),
    )
  return lines
}
