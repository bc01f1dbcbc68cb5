/**
 * Where the default (`hostmetrics`) spelling deliberately differs from the OpenTelemetry
 * Collector's hostmetrics receiver (v0.145.0, Linux), and why. The one list: the parity
 * test (e2e/hostmetrics-parity.e2e.ts) accepts exactly these differences and fails on any
 * other, and the metrics reference (scripts/gen-docs.ts) prints it.
 */

/** What differs. */
export type DifferenceKind =
  /** The values differ by a known factor (`factor`: the receiver's value ÷ the agent's). */
  | 'value'
  /** One side reports series (devices, processes, attribute values) the other does not. */
  | 'series'
  /** A resource or data-point attribute's value differs for some processes. */
  | 'attribute'

export interface Difference {
  /** A metric name, or a prefix ending in `*` (`process.*`). */
  metric: string
  kind: DifferenceKind
  /** For `attribute`: the attribute key. */
  attribute?: string
  /** For `value`: the receiver's value ÷ the agent's. */
  factor?: number
  /** For `attribute`: the agent's value is the receiver's cut at this many bytes. */
  cutAtBytes?: number
  /** Why the agent does what it does. */
  reason: string
}

export const HOSTMETRICS_DIFFERENCES: readonly Difference[] = [
  {
    metric: 'system.paging.faults',
    kind: 'value',
    factor: 4096,
    reason:
      "The kernel's count of page faults (pgfault, pgmajfault of /proc/vmstat). gopsutil, under the receiver, multiplies these counts by the page size as if they were pages of swap, so the receiver reports 4096× the number of faults.",
  },
  {
    metric: 'system.paging.operations',
    kind: 'value',
    factor: 4096,
    reason:
      "The kernel's counts: swap-ins and swap-outs in pages (pswpin, pswpout) for `major`, and pgpgin, pgpgout of /proc/vmstat for `minor`. gopsutil, under the receiver, multiplies all four by 4096.",
  },
  {
    metric: 'process.*',
    kind: 'series',
    reason:
      'The agent exports the processes it selects (`collectors.process`: the top N by CPU and by memory, those matching `include`, up to `max_processes`); the receiver exports every process.',
  },
  {
    metric: 'process.*',
    kind: 'attribute',
    attribute: 'process.command_line',
    cutAtBytes: 4096,
    reason:
      'A command line is cut at 4096 bytes (on a character boundary), so one process cannot make every export of it large; the receiver sends it whole.',
  },
  {
    metric: 'system.cpu.*',
    kind: 'series',
    reason:
      '`system.cpu.time` and `system.cpu.utilization` carry a `cpu` attribute only with `collectors.system.per_core: true` (off by default: one series per core and state); the receiver always sets it. With `per_core` on, the series are the receiver’s.',
  },
  {
    metric: 'system.filesystem.*',
    kind: 'series',
    reason:
      'Network filesystems (nfs, cifs, ceph, fuse.sshfs, …) and zfs are reported: they hold user data. gopsutil, under the receiver, leaves out every type /proc/filesystems marks `nodev`, which includes network filesystems.',
  },
]

/** The differences that apply to `metric`. */
export function differencesFor(metric: string): Difference[] {
  return HOSTMETRICS_DIFFERENCES.filter((d) =>
    d.metric.endsWith('*') ? metric.startsWith(d.metric.slice(0, -1)) : d.metric === metric,
  )
}
