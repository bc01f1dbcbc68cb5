/** The parity comparison (parity.ts) as text tables, for the test's output. */
import type { ParityReport } from './parity'

/** The report as text tables, for the test's output. */
export function formatReport(report: ParityReport): string {
  const pad = (cells: string[], widths: number[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  const header = [
    'metric',
    'unit, type',
    'attribute keys',
    'series both/agent/recv',
    'points',
    'tolerance',
    'worst',
    'result',
  ]
  const body = report.rows.map((r) => [
    r.metric,
    r.shape,
    r.attributes,
    r.series.join('/'),
    String(r.points),
    r.tolerance,
    r.worst.toFixed(2),
    r.result,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const lines = [pad(header, widths), ...body.map((b) => pad(b, widths))]
  lines.push(
    '',
    'tolerance: on top of how far the receiver moved between its two points around the agent’s instant; worst: the largest |Δ| as a share of it',
    `agent only (extras): ${report.agentOnly.join(', ') || '-'}`,
    '',
  )
  for (const s of report.sets) {
    if (!['device', 'mountpoint', 'cpu'].includes(s.key)) continue
    lines.push(`${s.metric} ${s.key}: agent [${s.agent.join(' ')}] receiver [${s.hostmetrics.join(' ')}]`)
  }
  lines.push('', `processes compared by pid: ${report.processes.compared}`)
  for (const [key, { same, differ }] of Object.entries(report.processes.attributes))
    lines.push(
      `  ${key}: ${same} same, ${differ.length} differ${differ.length ? ` (${differ.slice(0, 3).join('; ')})` : ''}`,
    )
  return lines.join('\n')
}
