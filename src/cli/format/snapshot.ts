/** The `collect --format table` view of a snapshot: grouped, aligned, for a person. */
import type { HostSnapshot, TcpStateCounts } from '../../native'
import { bytes, count, fixed, percent, rate, table, uptime } from './units'

type Section = [title: string, lines: string[]]

function pairs(entries: Array<[string, string]>): string[] {
  const width = Math.max(...entries.map(([k]) => k.length))
  return entries.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)
}

function host(s: HostSnapshot): Section {
  const h = s.host
  const boot = h.bootTimeUnix > 0 ? ` (booted ${new Date(h.bootTimeUnix * 1000).toISOString()})` : ''
  return [
    'Host',
    pairs([
      ['Hostname', h.hostname],
      ['OS', `${h.platformName || h.platform || h.os} (${h.os}, kernel ${h.kernelVersion})`],
      ['Architecture', h.architecture],
      ['Uptime', `${uptime(h.uptimeSeconds)}${boot}`],
      ['Timezone', h.timezone],
      ['Host ID', h.hostId || '-'],
    ]),
  ]
}

function cpu(s: HostSnapshot): Section {
  const c = s.cpu
  const u = c.utilization
  const lines = pairs([
    ['Model', `${c.model || '-'}${c.vendor ? ` (${c.vendor})` : ''}`],
    [
      'Cores',
      `${c.logicalCores} logical, ${c.physicalCores} physical, ${c.sockets} socket${c.sockets === 1 ? '' : 's'}`,
    ],
    ['Frequency', `${fixed(c.mhz, 0)} MHz`],
    [
      'Usage',
      `${percent(u.usagePercent)} (user ${percent(u.userPercent)}, system ${percent(u.systemPercent)}, iowait ${percent(u.iowaitPercent)}, steal ${percent(u.stealPercent)})`,
    ],
    ['Load average', `${fixed(s.load.one, 2)} ${fixed(s.load.five, 2)} ${fixed(s.load.fifteen, 2)}`],
  ])
  if (c.perCore.length > 0) {
    lines.push(
      ...table(
        ['CORE', 'USAGE', 'USER', 'SYSTEM', 'IDLE'],
        c.perCore.map((k) => [
          String(k.coreId),
          percent(k.utilization.usagePercent),
          percent(k.utilization.userPercent),
          percent(k.utilization.systemPercent),
          percent(k.utilization.idlePercent),
        ]),
      ),
    )
  }
  return ['CPU', lines]
}

function memory(s: HostSnapshot): Section {
  const m = s.memory
  const p = s.paging
  return [
    'Memory',
    pairs([
      ['Used', `${bytes(m.usedBytes)} of ${bytes(m.totalBytes)} (${percent(m.usedPercent)})`],
      ['Available', bytes(m.availableBytes)],
      ['Cached / buffers', `${bytes(m.cachedBytes)} / ${bytes(m.buffersBytes)}`],
      [
        'Swap',
        m.swapTotalBytes > 0
          ? `${bytes(m.swapUsedBytes)} of ${bytes(m.swapTotalBytes)} (${percent(m.swapUsedPercent)})`
          : 'none',
      ],
      ['Swap in / out', `${fixed(p.swapInPerSecond)} / ${fixed(p.swapOutPerSecond)} pages/s`],
      ['Major faults', `${fixed(p.majorFaultsPerSecond)}/s`],
    ]),
  ]
}

function disk(s: HostSnapshot): Section {
  const t = s.disk.totals
  const lines = pairs([
    ['Read', `${rate(t.readBytesPerSecond)}, latency ${fixed(t.readLatencyMs, 2)} ms`],
    ['Write', `${rate(t.writeBytesPerSecond)}, latency ${fixed(t.writeLatencyMs, 2)} ms`],
    ['IOPS', fixed(t.iops)],
  ])
  const disks = s.disk.devices.filter((d) => d.kind === 'disk')
  if (disks.length > 0) {
    lines.push(
      ...table(
        ['DEVICE', 'READ/S', 'WRITE/S', 'IOPS', 'BUSY'],
        disks.map((d) => [
          d.label || d.name,
          rate(d.readBytesPerSecond),
          rate(d.writeBytesPerSecond),
          fixed(d.readOpsPerSecond + d.writeOpsPerSecond),
          percent(d.busyPercent),
        ]),
      ),
    )
  }
  const fs = s.filesystems.map((f) => [
    f.mountpoint,
    f.fsType,
    f.mode,
    bytes(f.totalBytes),
    bytes(f.usedBytes),
    percent(f.usedPercent),
    percent(f.inodesUsedPercent),
  ])
  if (fs.length > 0)
    lines.push('', ...table(['MOUNTPOINT', 'TYPE', 'MODE', 'SIZE', 'USED', 'USE', 'INODES'], fs))
  return ['Disk (whole disks) and filesystems', lines]
}

function network(s: HostSnapshot): Section {
  const t = s.network.totals
  const lines = pairs([
    ['Received', `${bytes(t.rxBytes)} total, ${rate(t.rxBytesPerSecond)}`],
    ['Sent', `${bytes(t.txBytes)} total, ${rate(t.txBytesPerSecond)}`],
    [
      'Errors / drops',
      `in ${count(t.rxErrors)} / ${count(t.rxDropped)}, out ${count(t.txErrors)} / ${count(t.txDropped)}`,
    ],
  ])
  const rows = s.network.interfaces.map((i) => [
    i.name,
    i.isUp ? 'up' : 'down',
    String(i.mtu),
    rate(i.rxBytesPerSecond),
    rate(i.txBytesPerSecond),
    i.ipAddresses.join(' ') || '-',
  ])
  if (rows.length > 0) lines.push(...table(['INTERFACE', 'STATE', 'MTU', 'RX/S', 'TX/S', 'ADDRESSES'], rows))
  return ['Network (totals leave out loopback)', lines]
}

function tcp(s: HostSnapshot): Section {
  const states = (c: TcpStateCounts): string =>
    `established ${c.established}, listen ${c.listen}, time_wait ${c.timeWait}, close_wait ${c.closeWait}, syn_sent ${c.synSent}, syn_recv ${c.synRecv}, fin_wait ${c.finWait1 + c.finWait2}, last_ack ${c.lastAck}, closing ${c.closing}`
  return [
    `TCP (via ${s.tcp.source || '-'})`,
    pairs([
      ['IPv4', states(s.tcp.ipv4)],
      ['IPv6', states(s.tcp.ipv6)],
      ['Retransmitted', `${count(s.tcp.retransmittedSegments)} segments since boot`],
    ]),
  ]
}

function processes(s: HostSnapshot): Section {
  const p = s.processes
  const lines = pairs([
    [
      'Processes',
      `${count(p.total)} (running ${p.running}, sleeping ${p.sleeping}, blocked ${p.blocked}, stopped ${p.stopped}, zombie ${p.zombie})`,
    ],
    ['Threads', count(p.threads)],
    ['Context switches', `${count(p.contextSwitchesPerSecond)}/s`],
    ['Forks', `${fixed(p.forksPerSecond)}/s`],
    ['Open files', `${count(s.resources.openFileDescriptors)} of ${count(s.resources.maxFileDescriptors)}`],
  ])
  const top = [...p.top].sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, 10)
  if (top.length > 0) {
    lines.push(
      ...table(
        ['PID', 'USER', 'CPU', 'RSS', 'THREADS', 'NAME'],
        top.map((r) => [
          String(r.pid),
          r.owner,
          percent(r.cpuPercent),
          bytes(r.rssBytes),
          String(r.threads),
          r.name,
        ]),
      ),
    )
  }
  return ['Processes', lines]
}

function environment(s: HostSnapshot): Section {
  const c = s.container
  const v = s.virtualization
  const container = c.isContainer
    ? `${c.runtime || 'yes'}${c.containerId ? ` ${c.containerId.slice(0, 12)}` : ''}${c.containerName ? ` (${c.containerName})` : ''}`
    : 'no'
  const limits =
    c.cpuQuotaCores > 0 || c.memoryLimitBytes > 0
      ? `cpu ${c.cpuQuotaCores || 'unlimited'}, memory ${c.memoryLimitBytes ? bytes(c.memoryLimitBytes) : 'unlimited'}`
      : 'none'
  return [
    'Container and virtualization',
    pairs([
      ['Container', container],
      ['Cgroup limits', limits],
      [
        'Virtualization',
        v.isVirtualized
          ? `${v.virtualizationType || 'yes'}${v.cloudHint ? ` (cloud: ${v.cloudHint})` : ''}`
          : 'none detected',
      ],
    ]),
  ]
}

/** The whole snapshot as text. */
export function formatSnapshotTable(s: HostSnapshot): string {
  const sections = [host(s), cpu(s), memory(s), disk(s), network(s), tcp(s), processes(s), environment(s)]
  if (s.errors.length > 0) sections.push(['Not collected', pairs(s.errors.map((e) => [e.group, e.message]))])
  const footer = `Rates and percentages over ${fixed(s.intervalSeconds, 2)} s; collected in ${fixed(s.collectionDurationNs / 1e6, 1)} ms.`
  return `${sections.map(([title, lines]) => `${title}\n${lines.join('\n')}`).join('\n\n')}\n\n${footer}\n`
}
