/**
 * CPU, load, memory, paging, process counts, uptime and the `system.linux.*`
 * extras, in the hostmetrics receiver's shape (or the latest conventions').
 */
import type { MemorySnapshot } from '../native'
import { cpuTimes, cpuUtilization, emitModes } from './cpu-modes'
import { isUnavailable, type Registrar } from './instruments'
import type { Spelling } from './semconv'

export interface HostMetricOptions {
  perCore: boolean
  enabled: (group: string) => boolean
}

export function registerHostMetrics(r: Registrar, s: Spelling, o: HostMetricOptions): void {
  const { metrics: n, attrs: a, values: v } = s

  if (o.enabled('cpu')) {
    r.counter({
      metric: n.cpuTime,
      groups: ['cpu'],
      description: 'Seconds each logical CPU spent on each mode.',
      feed: (snap, emit) => {
        const gone = (f: string) => isUnavailable(snap, f) || isUnavailable(snap, 'cpu.total')
        if (!o.perCore) return emitModes(s, cpuTimes(snap.cpu.total), emit, {}, gone)
        for (const c of snap.cpu.perCore)
          emitModes(s, cpuTimes(c.times), emit, { [a.cpuNumber]: cpuId(s, c.coreId) }, gone)
      },
    })
    r.gauge({
      metric: n.cpuUtilization,
      groups: ['cpu'],
      description: 'Share of the last interval each logical CPU spent in each mode (0–1).',
      feed: (snap, emit) => {
        const gone = (f: string) => isUnavailable(snap, f)
        if (!o.perCore) return emitModes(s, cpuUtilization(snap.cpu.utilization), emit, {}, gone)
        for (const c of snap.cpu.perCore) {
          emitModes(s, cpuUtilization(c.utilization), emit, { [a.cpuNumber]: cpuId(s, c.coreId) }, gone)
        }
      },
    })
    r.upDown({
      metric: n.cpuLogicalCount,
      groups: ['cpu'],
      int: true,
      description: 'Number of available logical CPUs.',
      feed: (snap, emit) => emit(snap.cpu.logicalCores),
    })
    r.upDown({
      metric: n.cpuPhysicalCount,
      groups: ['cpu'],
      int: true,
      description: 'Number of available physical CPUs.',
      feed: (snap, emit) => emit(snap.cpu.physicalCores),
    })
    r.gauge({
      metric: n.cpuFrequency,
      groups: ['cpu'],
      description: 'Current frequency of each logical CPU, Hz.',
      feed: (snap, emit) => {
        const cores = snap.cpu.perCore.filter((c) => c.mhz > 0)
        for (const c of cores) emit(c.mhz * 1e6, { [a.cpuNumber]: cpuId(s, c.coreId) })
        // A snapshot taken without per-core data (the library's `perCore: false`).
        if (cores.length === 0 && snap.cpu.mhz > 0) emit(snap.cpu.mhz * 1e6)
      },
    })
  }

  if (o.enabled('load')) {
    const load = [
      [n.load1m, 'one', '1 minute'],
      [n.load5m, 'five', '5 minutes'],
      [n.load15m, 'fifteen', '15 minutes'],
    ] as const
    for (const [metric, key, span] of load) {
      r.gauge({
        metric,
        groups: ['load'],
        description: `Average CPU load over ${span}.`,
        feed: (snap, emit) => emit(snap.load[key]),
      })
    }
  }

  if (o.enabled('memory')) {
    r.upDown({
      metric: n.memoryUsage,
      groups: ['memory'],
      int: true,
      description: 'Bytes of memory in use.',
      feed: (snap, emit) => {
        const mem = snap.memory
        emit(mem.usedBytes, { [a.memoryState]: v.memoryState.used })
        emit(mem.freeBytes, { [a.memoryState]: v.memoryState.free })
        emit(mem.buffersBytes, { [a.memoryState]: v.memoryState.buffered }, 'memory.buffersBytes')
        emit(cachedBytes(mem, s.mode), { [a.memoryState]: v.memoryState.cached }, 'memory.cachedBytes')
        if (s.mode === 'hostmetrics') {
          emit(
            mem.slabReclaimableBytes,
            { [a.memoryState]: 'slab_reclaimable' },
            'memory.slabReclaimableBytes',
          )
          emit(
            mem.slabUnreclaimableBytes,
            { [a.memoryState]: 'slab_unreclaimable' },
            'memory.slabUnreclaimableBytes',
          )
        }
      },
    })
    if (s.mode === 'latest') {
      r.upDown({
        metric: n.memorySlabUsage,
        groups: ['memory'],
        int: true,
        description: 'Memory the kernel uses for slab caches.',
        feed: (snap, emit) => {
          emit(
            snap.memory.slabReclaimableBytes,
            { [a.slabState]: 'reclaimable' },
            'memory.slabReclaimableBytes',
          )
          emit(
            snap.memory.slabUnreclaimableBytes,
            { [a.slabState]: 'unreclaimable' },
            'memory.slabUnreclaimableBytes',
          )
        },
      })
    }
    r.gauge({
      metric: n.memoryUtilization,
      groups: ['memory'],
      description: 'Share of memory in each state (0–1).',
      feed: (snap, emit) => {
        const mem = snap.memory
        if (mem.totalBytes <= 0) return
        const share = (bytes: number) => bytes / mem.totalBytes
        emit(share(mem.usedBytes), { [a.memoryState]: v.memoryState.used })
        emit(share(mem.freeBytes), { [a.memoryState]: v.memoryState.free })
        emit(share(mem.buffersBytes), { [a.memoryState]: v.memoryState.buffered })
        emit(share(cachedBytes(mem, s.mode)), { [a.memoryState]: v.memoryState.cached })
        if (s.mode === 'hostmetrics') {
          emit(share(mem.slabReclaimableBytes), { [a.memoryState]: 'slab_reclaimable' })
          emit(share(mem.slabUnreclaimableBytes), { [a.memoryState]: 'slab_unreclaimable' })
        }
      },
    })
    r.upDown({
      metric: n.memoryLimit,
      groups: ['memory'],
      int: true,
      description: 'Total bytes of memory available.',
      feed: (snap, emit) => emit(snap.memory.totalBytes),
    })
  }

  if (o.enabled('paging')) {
    r.upDown({
      metric: n.pagingUsage,
      groups: ['paging'],
      int: true,
      description: 'Swap usage per swap device.',
      feed: (snap, emit) => {
        for (const d of snap.paging.devices) {
          emit(d.usedBytes, { [a.device]: d.device, [a.pagingState]: 'used' })
          emit(Math.max(0, d.sizeBytes - d.usedBytes), { [a.device]: d.device, [a.pagingState]: 'free' })
        }
      },
    })
    r.counter({
      metric: n.pagingOperations,
      groups: ['paging'],
      int: true,
      description:
        'Paging operations: major are swap-ins/outs (pswpin/pswpout), minor are page-ins/outs (pgpgin/pgpgout).',
      feed: (snap, emit) => {
        const p = snap.paging
        const dir = (d: 'page_in' | 'page_out') => v.pagingDirection[d]
        emit(
          p.swapInPages,
          { [a.pagingDirection]: dir('page_in'), [a.pagingType]: 'major' },
          'paging.swapInPages',
        )
        emit(
          p.swapOutPages,
          { [a.pagingDirection]: dir('page_out'), [a.pagingType]: 'major' },
          'paging.swapOutPages',
        )
        emit(
          p.pageInCount,
          { [a.pagingDirection]: dir('page_in'), [a.pagingType]: 'minor' },
          'paging.pageInCount',
        )
        emit(
          p.pageOutCount,
          { [a.pagingDirection]: dir('page_out'), [a.pagingType]: 'minor' },
          'paging.pageOutCount',
        )
      },
    })
    r.counter({
      metric: n.pagingFaults,
      groups: ['paging'],
      int: true,
      description: 'Page faults.',
      feed: (snap, emit) => {
        emit(snap.paging.majorFaults, { [a.pagingType]: 'major' }, 'paging.majorFaults')
        emit(snap.paging.minorFaults, { [a.pagingType]: 'minor' }, 'paging.minorFaults')
      },
    })
  }

  if (o.enabled('processes')) {
    r.upDown({
      metric: n.processesCount,
      groups: ['process'],
      int: true,
      description: 'Processes in each state.',
      feed: (snap, emit) => {
        const p = snap.processes
        const st = v.processStatus
        // As the receiver: running and blocked are the kernel's task counts (threads
        // included); the other states count processes, reported when not empty.
        emit(p.procsRunning, { [a.processStatus]: st.running }, 'processes.procsRunning')
        emit(p.procsBlocked, { [a.processStatus]: st.blocked }, 'processes.procsBlocked')
        const counted = [
          [p.sleeping, st.sleeping],
          [p.stopped, st.stopped],
          [p.zombie, st.zombies],
          [p.idle, st.idle],
        ] as const
        for (const [count, status] of counted) if (count > 0) emit(count, { [a.processStatus]: status })
      },
    })
    r.counter({
      metric: n.processesCreated,
      groups: ['process'],
      int: true,
      description: 'Processes created since boot.',
      feed: (snap, emit) => emit(snap.processes.forksTotal, {}, 'processes.forksTotal'),
    })
  }

  if (o.enabled('uptime')) {
    r.gauge({
      metric: n.uptime,
      groups: ['host'],
      description: 'Seconds since the system booted.',
      feed: (snap, emit) => emit(snap.host.uptimeSeconds),
    })
  }

  if (o.enabled('linux')) registerLinuxExtras(r, s)
}

/** `cpu` is a string in hostmetrics (`cpu0`), an int (`cpu.logical_number`) in the conventions. */
function cpuId(s: Spelling, coreId: number): string | number {
  return s.mode === 'latest' ? coreId : `cpu${coreId}`
}

/** What node_exporter has and the hostmetrics receiver lacks. */
function registerLinuxExtras(r: Registrar, s: Spelling): void {
  const n = s.metrics
  r.counter({
    metric: n.linuxContextSwitches,
    groups: ['process'],
    int: true,
    description: 'Context switches since boot (ctxt of /proc/stat).',
    feed: (snap, emit) => emit(snap.processes.contextSwitches, {}, 'processes.contextSwitches'),
  })
  r.counter({
    metric: n.linuxInterrupts,
    groups: ['process'],
    int: true,
    description: 'Interrupts serviced since boot (intr of /proc/stat).',
    feed: (snap, emit) => emit(snap.processes.interrupts, {}, 'processes.interrupts'),
  })
  r.counter({
    metric: n.linuxSoftInterrupts,
    groups: ['process'],
    int: true,
    description: 'Soft interrupts serviced since boot (softirq of /proc/stat).',
    feed: (snap, emit) => emit(snap.processes.softInterrupts, {}, 'processes.softInterrupts'),
  })
  r.gauge({
    metric: n.linuxEntropy,
    groups: ['resources'],
    int: true,
    description: 'Bits of entropy available to the kernel random pool.',
    feed: (snap, emit) => emit(snap.resources.entropyAvailableBits),
  })
  r.upDown({
    metric: n.linuxFdCount,
    groups: ['resources'],
    int: true,
    description: 'File handles allocated system-wide (file-nr).',
    feed: (snap, emit) => emit(snap.resources.openFileDescriptors),
  })
  r.upDown({
    metric: n.linuxFdLimit,
    groups: ['resources'],
    int: true,
    description: 'Maximum file handles system-wide (file-max).',
    feed: (snap, emit) => emit(snap.resources.maxFileDescriptors),
  })
  r.counter({
    metric: n.linuxPressureStallTime,
    groups: ['resources'],
    description: 'Time tasks were stalled on a resource (PSI total), by resource and kind (some, full).',
    feed: (snap, emit) => {
      for (const p of snap.resources.psi) emit(p.totalSeconds, { resource: p.resource, kind: p.kind })
    },
  })
  r.gauge({
    metric: n.linuxPressureStallRatio,
    groups: ['resources'],
    description:
      'Share of time tasks were stalled on a resource (PSI avg10/60/300, 0–1), by resource, kind and window.',
    feed: (snap, emit) => {
      for (const p of snap.resources.psi) {
        emit(p.avg10 / 100, { resource: p.resource, kind: p.kind, window: '10s' })
        emit(p.avg60 / 100, { resource: p.resource, kind: p.kind, window: '60s' })
        emit(p.avg300 / 100, { resource: p.resource, kind: p.kind, window: '300s' })
      }
    },
  })
  r.counter({
    metric: n.linuxTcpRetransmits,
    groups: ['tcp'],
    int: true,
    description: 'TCP segments retransmitted since boot (RetransSegs of /proc/net/snmp).',
    feed: (snap, emit) => emit(snap.tcp.retransmittedSegments, {}, 'tcp.retransmittedSegments'),
  })
}

/**
 * `used` is MemTotal − MemAvailable in both spellings (the receiver's since v0.137:
 * `receiver.hostmetricsreceiver.UseLinuxMemAvailable`); the receiver's `cached` is
 * gopsutil's, reclaimable slab included, the conventions' the kernel's `Cached`.
 */
function cachedBytes(mem: MemorySnapshot, mode: string): number {
  return mode === 'hostmetrics' ? mem.cachedBytes + mem.slabReclaimableBytes : mem.cachedBytes
}
