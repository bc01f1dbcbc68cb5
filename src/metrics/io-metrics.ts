/**
 * Block devices, filesystems, network interfaces and TCP connection states.
 */
import type { BlockDevice, Filesystem, TcpStateCounts } from '../native'
import type { Registrar } from './instruments'
import type { Spelling } from './semconv'

export interface IoMetricOptions {
  enabled: (group: string) => boolean
}

/** The kernel's TCP state names, with the snapshot field that counts each. */
const TCP_STATES: Array<[string, keyof TcpStateCounts]> = [
  ['ESTABLISHED', 'established'],
  ['SYN_SENT', 'synSent'],
  ['SYN_RECV', 'synRecv'],
  ['FIN_WAIT1', 'finWait1'],
  ['FIN_WAIT2', 'finWait2'],
  ['TIME_WAIT', 'timeWait'],
  ['CLOSE', 'close'],
  ['CLOSE_WAIT', 'closeWait'],
  ['LAST_ACK', 'lastAck'],
  ['LISTEN', 'listen'],
  ['CLOSING', 'closing'],
]

export function registerIoMetrics(r: Registrar, s: Spelling, o: IoMetricOptions): void {
  const { metrics: n, attrs: a } = s

  if (o.enabled('disk')) {
    const dev = (name: string) => ({ [a.device]: name })
    const rw = (name: string, direction: 'read' | 'write') => ({
      [a.device]: name,
      [a.diskDirection]: direction,
    })
    // Read/write pairs of /proc/diskstats, each a counter with a direction attribute.
    const directional = [
      [n.diskIo, true, 'Disk bytes transferred.', 'readBytes', 'writeBytes'],
      [n.diskOperations, true, 'Disk operations completed.', 'readsCompleted', 'writesCompleted'],
      [
        n.diskMerged,
        true,
        'Disk reads/writes merged into single physical disk accesses.',
        'readsMerged',
        'writesMerged',
      ],
      [n.diskOperationTime, false, 'Time spent in disk operations.', 'readTimeSeconds', 'writeTimeSeconds'],
    ] as const
    // Devices that never did any I/O (unused loop, ram and zram devices) are left out,
    // as the receiver leaves them out.
    const active = (d: BlockDevice) => d.readsCompleted > 0 || d.writesCompleted > 0 || d.ioInProgress > 0
    for (const [metric, int, description, read, write] of directional) {
      r.counter({
        metric,
        groups: ['disk'],
        int,
        description,
        feed: (snap, emit) => {
          for (const d of snap.disk.devices.filter(active)) {
            emit(d[read], rw(d.name, 'read'), `disk.devices[].${read}`)
            emit(d[write], rw(d.name, 'write'), `disk.devices[].${write}`)
          }
        },
      })
    }
    r.counter({
      metric: n.diskIoTime,
      groups: ['disk'],
      description: 'Time the disk spent activated.',
      feed: (snap, emit) => {
        for (const d of snap.disk.devices.filter(active))
          emit(d.ioTimeSeconds, dev(d.name), 'disk.devices[].ioTimeSeconds')
      },
    })
    r.counter({
      metric: n.diskWeightedIoTime,
      groups: ['disk'],
      description: 'Time the disk spent activated multiplied by the queue length.',
      feed: (snap, emit) => {
        for (const d of snap.disk.devices.filter(active))
          emit(d.weightedIoTimeSeconds, dev(d.name), 'disk.devices[].weightedIoTimeSeconds')
      },
    })
    r.upDown({
      metric: n.diskPendingOperations,
      groups: ['disk'],
      int: true,
      description: 'The queue size of pending I/O operations.',
      feed: (snap, emit) => {
        for (const d of snap.disk.devices.filter(active))
          emit(d.ioInProgress, dev(d.name), 'disk.devices[].ioInProgress')
      },
    })
  }

  if (o.enabled('filesystem')) {
    const fsAttrs = (f: Filesystem) => ({
      [a.device]: f.device,
      [a.fsMode]: f.mode,
      [a.fsMountpoint]: f.mountpoint,
      [a.fsType]: f.fsType,
    })
    r.upDown({
      metric: n.fsUsage,
      groups: ['filesystem'],
      int: true,
      description: 'Filesystem bytes by state: free is what an unprivileged user may still use.',
      feed: (snap, emit) => {
        for (const f of snap.filesystems) {
          emit(f.usedBytes, { ...fsAttrs(f), [a.fsState]: 'used' })
          emit(f.availableBytes, { ...fsAttrs(f), [a.fsState]: 'free' })
          emit(f.reservedBytes, { ...fsAttrs(f), [a.fsState]: 'reserved' })
        }
      },
    })
    r.upDown({
      metric: n.fsInodesUsage,
      groups: ['filesystem'],
      int: true,
      description: 'Filesystem inodes by state.',
      feed: (snap, emit) => {
        for (const f of snap.filesystems) {
          emit(f.inodesUsed, { ...fsAttrs(f), [a.fsState]: 'used' })
          emit(f.inodesFree, { ...fsAttrs(f), [a.fsState]: 'free' })
        }
      },
    })
    r.gauge({
      metric: n.fsUtilization,
      groups: ['filesystem'],
      description: 'Fraction of filesystem bytes used, as df shows it: used / (used + free).',
      feed: (snap, emit) => {
        for (const f of snap.filesystems) emit(f.usedPercent / 100, fsAttrs(f))
      },
    })
  }

  if (o.enabled('network')) {
    const io = (device: string, direction: 'receive' | 'transmit') => ({
      [a.netDevice]: device,
      [a.netDirection]: direction,
    })
    const counters = [
      [n.netIo, 'The number of bytes transmitted and received.', 'rxBytes', 'txBytes'],
      [n.netPackets, 'The number of packets transferred.', 'rxPackets', 'txPackets'],
      [n.netErrors, 'The number of errors encountered.', 'rxErrors', 'txErrors'],
      [n.netDropped, 'The number of packets dropped.', 'rxDropped', 'txDropped'],
    ] as const
    for (const [metric, description, rx, tx] of counters) {
      r.counter({
        metric,
        description,
        groups: ['network'],
        int: true,
        feed: (snap, emit) => {
          for (const i of snap.network.interfaces) {
            emit(i[rx], io(i.name, 'receive'), `network.interfaces[].${rx}`)
            emit(i[tx], io(i.name, 'transmit'), `network.interfaces[].${tx}`)
          }
        },
      })
    }
  }

  if (o.enabled('tcp')) {
    r.upDown({
      metric: n.netConnections,
      groups: ['tcp'],
      int: true,
      description: 'TCP connections (IPv4 and IPv6) in each state.',
      feed: (snap, emit) => {
        for (const [kernel, field] of TCP_STATES) {
          emit(snap.tcp.all[field], { [a.netProtocol]: 'tcp', [a.netState]: s.values.tcpState(kernel) })
        }
        // The receiver (gopsutil) always lists Windows' DELETE_TCB state too: 0 here.
        if (s.mode === 'hostmetrics') emit(0, { [a.netProtocol]: 'tcp', [a.netState]: 'DELETE' })
      },
    })
  }
}
