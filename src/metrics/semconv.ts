/**
 * The two spellings of the metric catalogue. `hostmetrics` is what the OpenTelemetry
 * Collector's hostmetrics receiver emits (its scrapers' metadata.yaml), so existing
 * dashboards work unchanged; `latest` is the current semantic conventions for system
 * and process metrics (names, attribute keys, enum values and singular units).
 * Metrics the conventions do not define (load average, weighted I/O time, inodes,
 * the `system.linux.*` extras) keep their hostmetrics name under both.
 */
export type SemconvMode = 'hostmetrics' | 'latest'

/** One metric's name and unit. */
export interface MetricName {
  name: string
  unit: string
}

const m = (name: string, unit: string): MetricName => ({ name, unit })

/** Names and units, keyed by a stable internal id. */
export interface Catalogue {
  cpuTime: MetricName
  cpuUtilization: MetricName
  cpuLogicalCount: MetricName
  cpuPhysicalCount: MetricName
  cpuFrequency: MetricName
  load1m: MetricName
  load5m: MetricName
  load15m: MetricName
  memoryUsage: MetricName
  memoryUtilization: MetricName
  memoryLimit: MetricName
  /** Only under `latest`: slab moved out of `system.memory.usage`. */
  memorySlabUsage: MetricName
  pagingUsage: MetricName
  pagingOperations: MetricName
  pagingFaults: MetricName
  diskIo: MetricName
  diskOperations: MetricName
  diskMerged: MetricName
  diskOperationTime: MetricName
  diskIoTime: MetricName
  diskWeightedIoTime: MetricName
  diskPendingOperations: MetricName
  fsUsage: MetricName
  fsInodesUsage: MetricName
  fsUtilization: MetricName
  netIo: MetricName
  netPackets: MetricName
  netErrors: MetricName
  netDropped: MetricName
  netConnections: MetricName
  processesCount: MetricName
  processesCreated: MetricName
  uptime: MetricName
  linuxContextSwitches: MetricName
  linuxInterrupts: MetricName
  linuxSoftInterrupts: MetricName
  linuxEntropy: MetricName
  linuxFdCount: MetricName
  linuxFdLimit: MetricName
  linuxPressureStallTime: MetricName
  linuxPressureStallRatio: MetricName
  linuxTcpRetransmits: MetricName
  processCpuTime: MetricName
  processMemoryUsage: MetricName
  processMemoryVirtual: MetricName
  processDiskIo: MetricName
  processThreads: MetricName
  processOpenFds: MetricName
}

/** Attribute keys. */
export interface AttributeKeys {
  cpuState: string
  cpuNumber: string
  memoryState: string
  slabState: string
  device: string
  pagingState: string
  pagingDirection: string
  pagingType: string
  diskDirection: string
  fsMode: string
  fsMountpoint: string
  fsType: string
  fsState: string
  netDevice: string
  netDirection: string
  netProtocol: string
  netState: string
  processStatus: string
  processCpuState: string
  processDiskDirection: string
}

/** Enumerated attribute values that differ between the two spellings. */
export interface Values {
  /** CPU mode names, keyed by the hostmetrics value. */
  cpuState: Record<'user' | 'system' | 'idle' | 'interrupt' | 'nice' | 'softirq' | 'steal' | 'wait', string>
  memoryState: Record<'used' | 'free' | 'buffered' | 'cached', string>
  pagingDirection: Record<'page_in' | 'page_out', string>
  processStatus: Record<'running' | 'sleeping' | 'stopped' | 'zombies' | 'blocked' | 'idle', string>
  /** TCP state as the kernel names it (`TCP_SYN_RECV` → `SYN_RECV`) to the emitted value. */
  tcpState: (kernelName: string) => string
}

export interface Spelling {
  mode: SemconvMode
  metrics: Catalogue
  attrs: AttributeKeys
  values: Values
}

const hostmetricsCatalogue: Catalogue = {
  cpuTime: m('system.cpu.time', 's'),
  cpuUtilization: m('system.cpu.utilization', '1'),
  cpuLogicalCount: m('system.cpu.logical.count', '{cpu}'),
  cpuPhysicalCount: m('system.cpu.physical.count', '{cpu}'),
  cpuFrequency: m('system.cpu.frequency', 'Hz'),
  load1m: m('system.cpu.load_average.1m', '{thread}'),
  load5m: m('system.cpu.load_average.5m', '{thread}'),
  load15m: m('system.cpu.load_average.15m', '{thread}'),
  memoryUsage: m('system.memory.usage', 'By'),
  memoryUtilization: m('system.memory.utilization', '1'),
  memoryLimit: m('system.memory.limit', 'By'),
  memorySlabUsage: m('system.memory.linux.slab.usage', 'By'),
  pagingUsage: m('system.paging.usage', 'By'),
  pagingOperations: m('system.paging.operations', '{operations}'),
  pagingFaults: m('system.paging.faults', '{faults}'),
  diskIo: m('system.disk.io', 'By'),
  diskOperations: m('system.disk.operations', '{operations}'),
  diskMerged: m('system.disk.merged', '{operations}'),
  diskOperationTime: m('system.disk.operation_time', 's'),
  diskIoTime: m('system.disk.io_time', 's'),
  diskWeightedIoTime: m('system.disk.weighted_io_time', 's'),
  diskPendingOperations: m('system.disk.pending_operations', '{operations}'),
  fsUsage: m('system.filesystem.usage', 'By'),
  fsInodesUsage: m('system.filesystem.inodes.usage', '{inodes}'),
  fsUtilization: m('system.filesystem.utilization', '1'),
  netIo: m('system.network.io', 'By'),
  netPackets: m('system.network.packets', '{packets}'),
  netErrors: m('system.network.errors', '{errors}'),
  netDropped: m('system.network.dropped', '{packets}'),
  netConnections: m('system.network.connections', '{connections}'),
  processesCount: m('system.processes.count', '{processes}'),
  processesCreated: m('system.processes.created', '{processes}'),
  uptime: m('system.uptime', 's'),
  linuxContextSwitches: m('system.linux.context_switches', '{switches}'),
  linuxInterrupts: m('system.linux.interrupts', '{interrupts}'),
  linuxSoftInterrupts: m('system.linux.soft_interrupts', '{interrupts}'),
  linuxEntropy: m('system.linux.entropy.available', '{bits}'),
  linuxFdCount: m('system.linux.file_descriptors.count', '{file_descriptors}'),
  linuxFdLimit: m('system.linux.file_descriptors.limit', '{file_descriptors}'),
  linuxPressureStallTime: m('system.linux.pressure.stall_time', 's'),
  linuxPressureStallRatio: m('system.linux.pressure.stall_ratio', '1'),
  linuxTcpRetransmits: m('system.linux.tcp.retransmitted_segments', '{segments}'),
  processCpuTime: m('process.cpu.time', 's'),
  processMemoryUsage: m('process.memory.usage', 'By'),
  processMemoryVirtual: m('process.memory.virtual', 'By'),
  processDiskIo: m('process.disk.io', 'By'),
  processThreads: m('process.threads', '{threads}'),
  processOpenFds: m('process.open_file_descriptors', '{count}'),
}

const latestCatalogue: Catalogue = {
  ...hostmetricsCatalogue,
  pagingOperations: m('system.paging.operations', '{operation}'),
  pagingFaults: m('system.paging.faults', '{fault}'),
  diskOperations: m('system.disk.operations', '{operation}'),
  diskMerged: m('system.disk.merged', '{operation}'),
  diskPendingOperations: m('system.disk.pending_operations', '{operation}'),
  netPackets: m('system.network.packet.count', '{packet}'),
  netErrors: m('system.network.errors', '{error}'),
  netDropped: m('system.network.packet.dropped', '{packet}'),
  netConnections: m('system.network.connection.count', '{connection}'),
  processesCount: m('system.process.count', '{process}'),
  processesCreated: m('system.process.created', '{process}'),
  processThreads: m('process.thread.count', '{thread}'),
  processOpenFds: m('process.unix.file_descriptor.count', '{file_descriptor}'),
}

/** The kernel's TCP state names in hostmetrics' spelling (upper case, as gopsutil names them). */
const TCP_HOSTMETRICS: Record<string, string> = {
  ESTABLISHED: 'ESTABLISHED',
  SYN_SENT: 'SYN_SENT',
  SYN_RECV: 'SYN_RECV',
  FIN_WAIT1: 'FIN_WAIT_1',
  FIN_WAIT2: 'FIN_WAIT_2',
  TIME_WAIT: 'TIME_WAIT',
  CLOSE: 'CLOSE',
  CLOSE_WAIT: 'CLOSE_WAIT',
  LAST_ACK: 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
}

/** `network.connection.state` values of the semantic conventions. */
const TCP_LATEST: Record<string, string> = {
  ESTABLISHED: 'established',
  SYN_SENT: 'syn_sent',
  SYN_RECV: 'syn_received',
  FIN_WAIT1: 'fin_wait_1',
  FIN_WAIT2: 'fin_wait_2',
  TIME_WAIT: 'time_wait',
  CLOSE: 'closed',
  CLOSE_WAIT: 'close_wait',
  LAST_ACK: 'last_ack',
  LISTEN: 'listen',
  CLOSING: 'closing',
}

const HOSTMETRICS: Spelling = {
  mode: 'hostmetrics',
  metrics: hostmetricsCatalogue,
  attrs: {
    cpuState: 'state',
    cpuNumber: 'cpu',
    memoryState: 'state',
    slabState: 'state',
    device: 'device',
    pagingState: 'state',
    pagingDirection: 'direction',
    pagingType: 'type',
    diskDirection: 'direction',
    fsMode: 'mode',
    fsMountpoint: 'mountpoint',
    fsType: 'type',
    fsState: 'state',
    netDevice: 'device',
    netDirection: 'direction',
    netProtocol: 'protocol',
    netState: 'state',
    processStatus: 'status',
    processCpuState: 'state',
    processDiskDirection: 'direction',
  },
  values: {
    cpuState: {
      user: 'user',
      system: 'system',
      idle: 'idle',
      interrupt: 'interrupt',
      nice: 'nice',
      softirq: 'softirq',
      steal: 'steal',
      wait: 'wait',
    },
    memoryState: { used: 'used', free: 'free', buffered: 'buffered', cached: 'cached' },
    pagingDirection: { page_in: 'page_in', page_out: 'page_out' },
    processStatus: {
      running: 'running',
      sleeping: 'sleeping',
      stopped: 'stopped',
      zombies: 'zombies',
      blocked: 'blocked',
      idle: 'idle',
    },
    tcpState: (k) => TCP_HOSTMETRICS[k] ?? k,
  },
}

const LATEST: Spelling = {
  mode: 'latest',
  metrics: latestCatalogue,
  attrs: {
    cpuState: 'cpu.mode',
    cpuNumber: 'cpu.logical_number',
    memoryState: 'system.memory.state',
    slabState: 'system.memory.linux.slab.state',
    device: 'system.device.name',
    pagingState: 'system.paging.state',
    pagingDirection: 'system.paging.direction',
    pagingType: 'system.paging.fault.type',
    diskDirection: 'disk.io.direction',
    fsMode: 'system.filesystem.mode',
    fsMountpoint: 'system.filesystem.mountpoint',
    fsType: 'system.filesystem.type',
    fsState: 'system.filesystem.state',
    netDevice: 'network.interface.name',
    netDirection: 'network.io.direction',
    netProtocol: 'network.transport',
    netState: 'network.connection.state',
    processStatus: 'process.state',
    processCpuState: 'cpu.mode',
    processDiskDirection: 'disk.io.direction',
  },
  values: {
    // The conventions have no softirq mode: soft and hard interrupts are both `interrupt`.
    cpuState: {
      user: 'user',
      system: 'system',
      idle: 'idle',
      interrupt: 'interrupt',
      nice: 'nice',
      softirq: 'interrupt',
      steal: 'steal',
      wait: 'iowait',
    },
    memoryState: { used: 'used', free: 'free', buffered: 'buffers', cached: 'cached' },
    pagingDirection: { page_in: 'in', page_out: 'out' },
    processStatus: {
      running: 'running',
      sleeping: 'sleeping',
      stopped: 'stopped',
      zombies: 'defunct',
      blocked: 'blocked',
      idle: 'idle',
    },
    tcpState: (k) => TCP_LATEST[k] ?? k.toLowerCase(),
  },
}

export function spelling(mode: SemconvMode = 'hostmetrics'): Spelling {
  return mode === 'latest' ? LATEST : HOSTMETRICS
}
