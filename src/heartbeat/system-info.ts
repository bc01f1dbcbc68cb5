/**
 * The native snapshot → the heartbeat's `systemInfo` (DESIGN.md "Heartbeat wire format").
 * Pure: the same snapshot and meta give the same object. Every key is always present;
 * what the host cannot give is 0 or "" (e.g. `systemCalls` and `memoryWired` on Linux).
 */
import type { Filesystem, HostSnapshot } from '../native'
import type { CloudInfo } from '../cloud/types'
import { goArch } from '../version'
import type { CpuCoreInfo, DiskPartitionInfo, NetworkInterfaceInfo, SystemInfo } from './types'

export type { SystemInfo, CpuCoreInfo, DiskPartitionInfo, NetworkInterfaceInfo } from './types'

/** What the snapshot does not know: the agent itself, and what cloud/config detection found. */
export interface AgentMeta {
  agentVersion: string
  /** When the agent started, unix seconds. */
  agentStartTime: number
  /** "Now" for `agentUptime`, unix milliseconds; default `Date.now()`. */
  now?: number
  /** From `detectCloud`; all `cloud*` keys are "" without it. */
  cloud?: CloudInfo
  /** Overrides the snapshot's container name (e.g. from config or the pod's downward API). */
  containerName?: string
  /** Overrides the snapshot's container image (the kernel does not know it). */
  containerImage?: string
}

/** A non-negative integer: counters arrive as f64 from Rust; NaN/∞/negative become 0. */
function int(value: number | undefined): number {
  return Number.isFinite(value) && (value as number) > 0 ? Math.round(value as number) : 0
}

function num(value: number | undefined): number {
  return Number.isFinite(value) && (value as number) > 0 ? (value as number) : 0
}

function pct(value: number | undefined): number {
  return Math.min(100, num(value))
}

function str(value: string | undefined): string {
  return typeof value === 'string' ? value : ''
}

function osName(platform: string = process.platform): string {
  return platform === 'win32' ? 'windows' : platform
}

/** Where the system lives: `/`, or on Windows the system drive's root (`C:\\`). */
export function systemRoot(
  platform: string = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return platform === 'win32' ? `${env.SystemDrive || 'C:'}\\` : '/'
}

/**
 * The root filesystem: the mount at `root` (`/`; the system drive on Windows). Where
 * several are stacked there (rootfs under an overlay), the last one in mount order is
 * the one processes see.
 */
export function rootFilesystem(
  filesystems: readonly Filesystem[],
  root: string = systemRoot(),
): Filesystem | undefined {
  const wanted = root.toLowerCase()
  return filesystems.filter((fs) => fs.mountpoint.toLowerCase() === wanted).at(-1)
}

/** The host's IANA timezone from the snapshot, else the one Node's ICU resolves (Windows
 * names its zones its own way, so the native core leaves it empty there). */
function timezoneOf(native: string | undefined): string {
  return str(native) || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

function partition(fs: Filesystem): DiskPartitionInfo {
  return {
    device: str(fs.device),
    mountpoint: str(fs.mountpoint),
    fstype: str(fs.fsType),
    total: int(fs.totalBytes),
    used: int(fs.usedBytes),
    free: int(fs.availableBytes),
    usage: pct(fs.usedPercent),
    inodes: int(fs.inodesTotal),
    inodesFree: int(fs.inodesFree),
    inodesUsage: pct(fs.inodesUsedPercent),
  }
}

/**
 * Maps one `HostSnapshot` to the heartbeat's `systemInfo`. `cpuCores` is the logical
 * core count (what `nproc` and `os.cpus().length` say), equal to `cpuLogicalCores`.
 */
export function toSystemInfo(snapshot: HostSnapshot, meta: AgentMeta): SystemInfo {
  const { host, cpu, load, memory, paging, disk, network, tcp, processes, resources } = snapshot
  const { container, virtualization } = snapshot
  const util = cpu.utilization
  const root = rootFilesystem(snapshot.filesystems)
  const io = disk.totals
  const net = network.totals
  const tcpAll = tcp.all
  const cloud = meta.cloud
  const nowMs = meta.now ?? Date.now()

  return {
    hostname: str(host.hostname),
    os: str(host.os) || osName(),
    osVersion: str(host.osVersion),
    platform: str(host.platform),
    platformFamily: str(host.platformFamily),
    kernelVersion: str(host.kernelVersion),
    architecture: str(host.architecture) || goArch(),
    // The values are the scan's (`collectionTime`); the uptimes are at sending.
    uptime: int(Math.floor(host.uptimeSeconds + Math.max(0, nowMs - snapshot.collectedAtUnixMs) / 1000)),
    bootTime: int(host.bootTimeUnix),
    timezone: timezoneOf(host.timezone),
    hostId: str(host.hostId),

    cpuCores: int(cpu.logicalCores),
    cpuLogicalCores: int(cpu.logicalCores),
    cpuPhysicalCores: int(cpu.physicalCores),
    cpuModel: str(cpu.model),
    cpuVendor: str(cpu.vendor),
    cpuFamily: str(cpu.family),
    cpuMhz: num(cpu.mhz),
    cpuCacheSize: int(cpu.cacheSizeBytes),
    cpuUsage: pct(util.usagePercent),
    cpuUserPercent: pct(util.userPercent),
    cpuSystemPercent: pct(util.systemPercent),
    cpuIdlePercent: pct(util.idlePercent),
    cpuIowaitPercent: pct(util.iowaitPercent),
    cpuStealPercent: pct(util.stealPercent),
    cpuGuestPercent: pct(util.guestPercent),
    cpuIrqPercent: pct(util.irqPercent),
    cpuSoftirqPercent: pct(util.softirqPercent),
    cpuNicePercent: pct(util.nicePercent),
    loadAvg1: num(load.one),
    loadAvg5: num(load.five),
    loadAvg15: num(load.fifteen),
    cpuPerCore: cpu.perCore.map((core): CpuCoreInfo => ({
      coreId: int(core.coreId),
      usage: pct(core.utilization.usagePercent),
      userPercent: pct(core.utilization.userPercent),
      systemPercent: pct(core.utilization.systemPercent),
      idlePercent: pct(core.utilization.idlePercent),
    })),

    memoryTotal: int(memory.totalBytes),
    memoryUsed: int(memory.usedBytes),
    memoryAvailable: int(memory.availableBytes),
    memoryFree: int(memory.freeBytes),
    memoryUsage: pct(memory.usedPercent),
    memoryCached: int(memory.cachedBytes),
    memoryBuffers: int(memory.buffersBytes),
    memoryActive: int(memory.activeBytes),
    memoryInactive: int(memory.inactiveBytes),
    memoryWired: int(memory.wiredBytes),
    memoryShared: int(memory.sharedBytes),
    memorySlab: int(memory.slabBytes),
    memoryPageTables: int(memory.pageTablesBytes),
    memoryCommitted: int(memory.committedBytes),
    memoryCommitLimit: int(memory.commitLimitBytes),
    memoryDirty: int(memory.dirtyBytes),
    memoryWriteback: int(memory.writebackBytes),
    swapTotal: int(memory.swapTotalBytes),
    swapUsed: int(memory.swapUsedBytes),
    swapFree: int(memory.swapFreeBytes),
    swapUsage: pct(memory.swapUsedPercent),
    swapIn: int(paging.swapInBytes),
    swapOut: int(paging.swapOutBytes),
    pageFaultsMajor: int(paging.majorFaults),
    pageFaultsMinor: int(paging.minorFaults),

    diskTotal: int(root?.totalBytes),
    diskUsed: int(root?.usedBytes),
    diskAvailable: int(root?.availableBytes),
    diskUsage: pct(root?.usedPercent),
    diskInodes: int(root?.inodesTotal),
    diskInodesFree: int(root?.inodesFree),
    diskInodesUsed: int(root?.inodesUsed),
    diskInodesUsage: pct(root?.inodesUsedPercent),
    diskReadBytes: int(io.readBytes),
    diskWriteBytes: int(io.writeBytes),
    diskReadOps: int(io.readOps),
    diskWriteOps: int(io.writeOps),
    diskReadTime: num(io.readTimeSeconds),
    diskWriteTime: num(io.writeTimeSeconds),
    diskIoTime: num(io.ioTimeSeconds),
    diskWeightedIo: num(io.weightedIoTimeSeconds),
    diskIoInProgress: int(io.ioInProgress),
    diskIops: num(io.iops),
    diskLatencyRead: num(io.readLatencyMs),
    diskLatencyWrite: num(io.writeLatencyMs),
    diskPartitions: snapshot.filesystems.map(partition),

    networkBytesSent: int(net.txBytes),
    networkBytesRecv: int(net.rxBytes),
    networkPacketsSent: int(net.txPackets),
    networkPacketsRecv: int(net.rxPackets),
    networkErrorsIn: int(net.rxErrors),
    networkErrorsOut: int(net.txErrors),
    networkDropsIn: int(net.rxDropped),
    networkDropsOut: int(net.txDropped),
    networkFifoIn: int(net.rxFifo),
    networkFifoOut: int(net.txFifo),
    networkBytesSentRate: num(net.txBytesPerSecond),
    networkBytesRecvRate: num(net.rxBytesPerSecond),
    tcpConnectionsEstablished: int(tcpAll.established),
    tcpConnectionsTimeWait: int(tcpAll.timeWait),
    tcpConnectionsCloseWait: int(tcpAll.closeWait),
    tcpConnectionsListen: int(tcpAll.listen),
    tcpConnectionsSynSent: int(tcpAll.synSent),
    tcpConnectionsSynRecv: int(tcpAll.synRecv),
    tcpConnectionsFinWait1: int(tcpAll.finWait1),
    tcpConnectionsFinWait2: int(tcpAll.finWait2),
    tcpConnectionsLastAck: int(tcpAll.lastAck),
    tcpConnectionsClosing: int(tcpAll.closing),
    tcpRetransmits: int(tcp.retransmittedSegments),
    networkInterfaces: network.interfaces.map((nic): NetworkInterfaceInfo => ({
      name: str(nic.name),
      macAddress: str(nic.macAddress),
      ipAddresses: nic.ipAddresses.map(str),
      mtu: int(nic.mtu),
      speed: int(nic.speedMbps),
      isUp: nic.isUp === true,
      isLoopback: nic.isLoopback === true,
      bytesSent: int(nic.txBytes),
      bytesRecv: int(nic.rxBytes),
      packetsSent: int(nic.txPackets),
      packetsRecv: int(nic.rxPackets),
      errorsIn: int(nic.rxErrors),
      errorsOut: int(nic.txErrors),
      dropsIn: int(nic.rxDropped),
      dropsOut: int(nic.txDropped),
    })),

    processCount: int(processes.total),
    processRunning: int(processes.running),
    // Idle kernel threads (I) sleep too; counting them here keeps the states summing to the total.
    processSleeping: int(processes.sleeping) + int(processes.idle),
    processStopped: int(processes.stopped),
    processZombie: int(processes.zombie),
    processBlocked: int(processes.blocked),
    threadCount: int(processes.threads),
    contextSwitches: int(processes.contextSwitches),
    interrupts: int(processes.interrupts),
    softInterrupts: int(processes.softInterrupts),
    systemCalls: int(processes.systemCalls),

    openFileDescriptors: int(resources.openFileDescriptors),
    maxFileDescriptors: int(resources.maxFileDescriptors),
    fileDescriptorsUsage: pct(resources.fileDescriptorsUsedPercent),
    entropyAvailable: int(resources.entropyAvailableBits),

    isContainer: container.isContainer === true,
    containerId: str(container.containerId),
    containerRuntime: str(container.runtime),
    containerName: meta.containerName || str(container.containerName),
    containerImage: meta.containerImage || str(container.containerImage),

    isVirtualized: virtualization.isVirtualized === true,
    virtualizationType: str(virtualization.virtualizationType),

    cloudProvider: str(cloud?.provider),
    cloudInstanceId: str(cloud?.instanceId),
    cloudInstanceType: str(cloud?.instanceType),
    cloudRegion: str(cloud?.region),
    cloudZone: str(cloud?.zone),

    agentVersion: meta.agentVersion,
    agentStartTime: int(Math.floor(meta.agentStartTime)),
    agentUptime: int(Math.floor(nowMs / 1000 - meta.agentStartTime)),
    collectionTime: int(Math.floor(snapshot.collectedAtUnixMs / 1000)),
    collectionDuration: int(snapshot.collectionDurationNs),
  }
}
