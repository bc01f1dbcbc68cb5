/**
 * The heartbeat payload's types. They mirror schema/system-info.schema.json key for key
 * (a test holds the two and DESIGN.md's list together); units are in each field's doc.
 */

/** The heartbeat's `systemInfo`: every key of DESIGN.md's wire format (schema/system-info.schema.json). */
export interface SystemInfo {
  // Host
  /** The kernel's hostname. */
  hostname: string
  /** Operating system family, lower case: `linux`, `darwin`, `windows`. */
  os: string
  /** Distribution version (`VERSION_ID` of os-release, e.g. `22.04`); "" when unknown. */
  osVersion: string
  /** Distribution id (`ID` of os-release, e.g. `ubuntu`); "" when unknown. */
  platform: string
  /** Distribution family (first `ID_LIKE` of os-release, else `ID`, e.g. `debian`). */
  platformFamily: string
  /** Kernel release, as `uname -r` prints it. */
  kernelVersion: string
  /** CPU architecture in Go's spelling: `amd64`, `arm64`, `386`, `arm`. */
  architecture: string
  /** Time since boot, seconds. */
  uptime: number
  /** Boot time, unix seconds. */
  bootTime: number
  /** The host's IANA timezone name (e.g. `Europe/Berlin`); `UTC` when the host does not say. */
  timezone: string
  /** Stable host id: `/etc/machine-id`, else the DMI product UUID, else "". */
  hostId: string
  // CPU
  /** Logical CPUs online (the same as `cpuLogicalCores`; what `nproc` counts), count. */
  cpuCores: number
  /** Logical CPUs online (hardware threads), count. */
  cpuLogicalCores: number
  /** Physical cores (distinct package/core pairs), count; logical cores where the host does not say. */
  cpuPhysicalCores: number
  /** CPU model name of the first processor. */
  cpuModel: string
  /** CPU vendor (e.g. `GenuineIntel`, `AuthenticAMD`), or the ARM implementer. */
  cpuVendor: string
  /** CPU family as text (e.g. `6`); "" where the architecture has none. */
  cpuFamily: string
  /** Current frequency of the first processor, MHz. */
  cpuMhz: number
  /** Cache size of the first processor, bytes. */
  cpuCacheSize: number
  /** Busy share of all CPUs over the last interval (everything but idle and iowait), percent 0–100. */
  cpuUsage: number
  /** Share of CPU time in user mode over the last interval, percent 0–100. */
  cpuUserPercent: number
  /** Share of CPU time in kernel mode over the last interval, percent 0–100. */
  cpuSystemPercent: number
  /** Share of CPU time idle over the last interval, percent 0–100. */
  cpuIdlePercent: number
  /** Share of CPU time idle waiting for I/O over the last interval, percent 0–100. */
  cpuIowaitPercent: number
  /** Share of CPU time stolen by the hypervisor over the last interval, percent 0–100. */
  cpuStealPercent: number
  /** Share of CPU time running guests over the last interval, percent 0–100. */
  cpuGuestPercent: number
  /** Share of CPU time serving hardware interrupts over the last interval, percent 0–100. */
  cpuIrqPercent: number
  /** Share of CPU time serving soft interrupts over the last interval, percent 0–100. */
  cpuSoftirqPercent: number
  /** Share of CPU time in niced user mode over the last interval, percent 0–100. */
  cpuNicePercent: number
  /** Load average over 1 minute (runnable and uninterruptible tasks). */
  loadAvg1: number
  /** Load average over 5 minutes. */
  loadAvg5: number
  /** Load average over 15 minutes. */
  loadAvg15: number
  /** Per logical CPU utilisation over the last interval; empty when per-core collection is off. */
  cpuPerCore: CpuCoreInfo[]
  // Memory
  /** Physical memory (`MemTotal`), bytes. */
  memoryTotal: number
  /** Used memory, `MemTotal − MemAvailable`, bytes. */
  memoryUsed: number
  /** Memory available for new work without swapping (`MemAvailable`), bytes. */
  memoryAvailable: number
  /** Completely unused memory (`MemFree`), bytes. */
  memoryFree: number
  /** `memoryUsed / memoryTotal`, percent 0–100. */
  memoryUsage: number
  /** Page cache (`Cached`), bytes. */
  memoryCached: number
  /** Block-device buffers (`Buffers`), bytes. */
  memoryBuffers: number
  /** Recently used memory (`Active`), bytes. */
  memoryActive: number
  /** Memory not recently used (`Inactive`), bytes. */
  memoryInactive: number
  /** Wired (non-pageable) memory, bytes; always 0 on Linux, which has no such class. */
  memoryWired: number
  /** Shared memory and tmpfs (`Shmem`), bytes. */
  memoryShared: number
  /** Kernel slab allocations (`Slab`), bytes. */
  memorySlab: number
  /** Page tables (`PageTables`), bytes. */
  memoryPageTables: number
  /** Memory committed to processes (`Committed_AS`), bytes. */
  memoryCommitted: number
  /** Commit limit (`CommitLimit`), bytes. */
  memoryCommitLimit: number
  /** Memory waiting to be written back (`Dirty`), bytes. */
  memoryDirty: number
  /** Memory being written back (`Writeback`), bytes. */
  memoryWriteback: number
  /** Swap space, bytes; 0 without swap. */
  swapTotal: number
  /** Swap in use, bytes. */
  swapUsed: number
  /** Swap free, bytes. */
  swapFree: number
  /** `swapUsed / swapTotal`, percent 0–100; 0 without swap. */
  swapUsage: number
  /** Data swapped in since boot (`pswpin` × page size), bytes, cumulative. */
  swapIn: number
  /** Data swapped out since boot (`pswpout` × page size), bytes, cumulative. */
  swapOut: number
  /** Major page faults since boot (`pgmajfault`), count, cumulative. */
  pageFaultsMajor: number
  /** Minor page faults since boot (`pgfault − pgmajfault`), count, cumulative. */
  pageFaultsMinor: number
  // Disk
  /** Size of the root filesystem (`/`), bytes. */
  diskTotal: number
  /** Used space on the root filesystem (`total − free`), bytes. */
  diskUsed: number
  /** Space on the root filesystem available to unprivileged users (as `df` shows it), bytes. */
  diskAvailable: number
  /** Root filesystem use, `used / (used + available)` as `df` shows it, percent 0–100. */
  diskUsage: number
  /** Inodes of the root filesystem, count; 0 where the filesystem has no fixed inode table. */
  diskInodes: number
  /** Free inodes of the root filesystem, count. */
  diskInodesFree: number
  /** Used inodes of the root filesystem, count. */
  diskInodesUsed: number
  /** Inode use of the root filesystem, percent 0–100. */
  diskInodesUsage: number
  /** Bytes read since boot, summed over whole disks (no partitions, loop or ram devices), cumulative. */
  diskReadBytes: number
  /** Bytes written since boot, summed over whole disks, cumulative. */
  diskWriteBytes: number
  /** Reads completed since boot, summed over whole disks, count, cumulative. */
  diskReadOps: number
  /** Writes completed since boot, summed over whole disks, count, cumulative. */
  diskWriteOps: number
  /** Time spent reading since boot, summed over whole disks, seconds, cumulative. */
  diskReadTime: number
  /** Time spent writing since boot, summed over whole disks, seconds, cumulative. */
  diskWriteTime: number
  /** Time the disks were busy since boot, summed over whole disks, seconds, cumulative. */
  diskIoTime: number
  /** Weighted I/O time since boot (time × requests in flight), summed over whole disks, seconds, cumulative. */
  diskWeightedIo: number
  /** I/O requests in flight now, summed over whole disks, count. */
  diskIoInProgress: number
  /** Reads and writes per second over the last interval, summed over whole disks. */
  diskIops: number
  /** Mean time per completed read over the last interval, milliseconds per operation; 0 when none completed. */
  diskLatencyRead: number
  /** Mean time per completed write over the last interval, milliseconds per operation; 0 when none completed. */
  diskLatencyWrite: number
  /** Mounted filesystems (pseudo filesystems left out). */
  diskPartitions: DiskPartitionInfo[]
  // Network
  /** Bytes sent since boot, all interfaces but loopback, cumulative. */
  networkBytesSent: number
  /** Bytes received since boot, all interfaces but loopback, cumulative. */
  networkBytesRecv: number
  /** Packets sent since boot, all interfaces but loopback, count, cumulative. */
  networkPacketsSent: number
  /** Packets received since boot, all interfaces but loopback, count, cumulative. */
  networkPacketsRecv: number
  /** Receive errors since boot, all interfaces but loopback, count, cumulative. */
  networkErrorsIn: number
  /** Transmit errors since boot, all interfaces but loopback, count, cumulative. */
  networkErrorsOut: number
  /** Received packets dropped since boot, all interfaces but loopback, count, cumulative. */
  networkDropsIn: number
  /** Transmitted packets dropped since boot, all interfaces but loopback, count, cumulative. */
  networkDropsOut: number
  /** Receive FIFO overruns since boot, all interfaces but loopback, count, cumulative. */
  networkFifoIn: number
  /** Transmit FIFO overruns since boot, all interfaces but loopback, count, cumulative. */
  networkFifoOut: number
  /** Bytes sent per second over the last interval, all interfaces but loopback. */
  networkBytesSentRate: number
  /** Bytes received per second over the last interval, all interfaces but loopback. */
  networkBytesRecvRate: number
  /** TCP sockets in state ESTABLISHED, IPv4 and IPv6, count. */
  tcpConnectionsEstablished: number
  /** TCP sockets in state TIME_WAIT, IPv4 and IPv6, count. */
  tcpConnectionsTimeWait: number
  /** TCP sockets in state CLOSE_WAIT, IPv4 and IPv6, count. */
  tcpConnectionsCloseWait: number
  /** TCP sockets in state LISTEN, IPv4 and IPv6, count. */
  tcpConnectionsListen: number
  /** TCP sockets in state SYN_SENT, IPv4 and IPv6, count. */
  tcpConnectionsSynSent: number
  /** TCP sockets in state SYN_RECV, IPv4 and IPv6, count. */
  tcpConnectionsSynRecv: number
  /** TCP sockets in state FIN_WAIT1, IPv4 and IPv6, count. */
  tcpConnectionsFinWait1: number
  /** TCP sockets in state FIN_WAIT2, IPv4 and IPv6, count. */
  tcpConnectionsFinWait2: number
  /** TCP sockets in state LAST_ACK, IPv4 and IPv6, count. */
  tcpConnectionsLastAck: number
  /** TCP sockets in state CLOSING, IPv4 and IPv6, count. */
  tcpConnectionsClosing: number
  /** TCP segments retransmitted since boot (`RetransSegs` of `/proc/net/snmp`), count, cumulative. */
  tcpRetransmits: number
  /** Every network interface, loopback included (flagged). */
  networkInterfaces: NetworkInterfaceInfo[]
  // Processes
  /** Processes (thread-group leaders), count. */
  processCount: number
  /** Processes running or runnable (state R), count. */
  processRunning: number
  /** Processes sleeping (state S, and idle kernel threads in state I), count. */
  processSleeping: number
  /** Processes stopped or traced (states T, t), count. */
  processStopped: number
  /** Zombie processes (state Z), count. */
  processZombie: number
  /** Processes in uninterruptible sleep, usually I/O (state D), count. */
  processBlocked: number
  /** Threads across all processes, count. */
  threadCount: number
  /** Context switches since boot, count, cumulative. */
  contextSwitches: number
  /** Interrupts serviced since boot, count, cumulative. */
  interrupts: number
  /** Soft interrupts serviced since boot, count, cumulative. */
  softInterrupts: number
  /** System calls since boot, count, cumulative; always 0 on Linux, whose kernel keeps no such counter. */
  systemCalls: number
  // System resources
  /** File handles allocated system-wide (`file-nr`: allocated − free), count. */
  openFileDescriptors: number
  /** System-wide file handle limit (`file-max`), count. */
  maxFileDescriptors: number
  /** `openFileDescriptors / maxFileDescriptors`, percent 0–100. */
  fileDescriptorsUsage: number
  /** Entropy available to the kernel's random pool, bits. */
  entropyAvailable: number
  // Container
  /** Whether the agent runs inside a container. */
  isContainer: boolean
  /** Full container id (64 hex digits) where found, else "". */
  containerId: string
  /** `docker`, `containerd`, `cri-o`, `podman`, `kubernetes`, `lxc`, or "". */
  containerRuntime: string
  /** Container (or Kubernetes pod) name: always "" for now (nothing supplies it yet). */
  containerName: string
  /** Container image: always "" for now (the kernel does not know it, and nothing supplies it yet). */
  containerImage: string
  // Virtualization
  /** Whether the host is a virtual machine. */
  isVirtualized: boolean
  /** `kvm`, `qemu`, `vmware`, `xen`, `hyperv`, `virtualbox`, `parallels`, `bhyve`, `amazon`, `google`, or "" (bare metal or unknown). */
  virtualizationType: string
  // Cloud
  /** `aws`, `gcp`, `azure`, `alibaba`, or "" when not on a known cloud (or the cloud was not asked). */
  cloudProvider: string
  /** Instance id from the cloud's metadata service, else "". */
  cloudInstanceId: string
  /** Instance (machine) type from the cloud's metadata service, else "". */
  cloudInstanceType: string
  /** Region from the cloud's metadata service, else "". */
  cloudRegion: string
  /** Availability zone from the cloud's metadata service, else "". */
  cloudZone: string
  // Agent
  /** The agent's version (semver). */
  agentVersion: string
  /** When the agent started, unix seconds. */
  agentStartTime: number
  /** Time since the agent started, seconds. */
  agentUptime: number
  /** When this snapshot was collected, unix seconds. */
  collectionTime: number
  /** How long collecting this snapshot took, nanoseconds. */
  collectionDuration: number
}

/** One item of `CpuCoreInfo`. */
export interface CpuCoreInfo {
  /** N of the logical CPU `cpuN`. */
  coreId: number
  /** Busy share of this CPU over the last interval, percent 0–100. */
  usage: number
  /** User-mode share of this CPU over the last interval, percent 0–100. */
  userPercent: number
  /** Kernel-mode share of this CPU over the last interval, percent 0–100. */
  systemPercent: number
  /** Idle share of this CPU over the last interval, percent 0–100. */
  idlePercent: number
}

/** One item of `DiskPartitionInfo`. */
export interface DiskPartitionInfo {
  /** Mount source, e.g. `/dev/sda1`, `tmpfs`, `server:/export`. */
  device: string
  /** Mount point as the host sees it (escapes such as `\040` decoded). */
  mountpoint: string
  /** Filesystem type, e.g. `ext4`, `xfs`, `overlay`. */
  fstype: string
  /** Filesystem size, bytes. */
  total: number
  /** Used space (`total − free` including root-reserved blocks), bytes. */
  used: number
  /** Space available to unprivileged users (as `df` shows it), bytes. */
  free: number
  /** `used / (used + free)`, percent 0–100, as `df` shows it. */
  usage: number
  /** Inodes, count; 0 where the filesystem has no fixed inode table. */
  inodes: number
  /** Free inodes, count. */
  inodesFree: number
  /** Inode use, percent 0–100. */
  inodesUsage: number
}

/** One item of `NetworkInterfaceInfo`. */
export interface NetworkInterfaceInfo {
  /** Interface name, e.g. `eth0`. */
  name: string
  /** Hardware address `aa:bb:cc:dd:ee:ff`; "" when the interface has none. */
  macAddress: string
  /** Addresses in CIDR notation (`192.0.2.1/24`, `2001:db8::1/64`). */
  ipAddresses: string[]
  /** MTU, bytes. */
  mtu: number
  /** Link speed, Mbit/s; 0 when the driver does not say (virtual devices, link down). */
  speed: number
  /** Whether the interface is up and running. */
  isUp: boolean
  /** Whether this is a loopback interface. */
  isLoopback: boolean
  /** Bytes sent since boot, cumulative. */
  bytesSent: number
  /** Bytes received since boot, cumulative. */
  bytesRecv: number
  /** Packets sent since boot, count, cumulative. */
  packetsSent: number
  /** Packets received since boot, count, cumulative. */
  packetsRecv: number
  /** Receive errors since boot, count, cumulative. */
  errorsIn: number
  /** Transmit errors since boot, count, cumulative. */
  errorsOut: number
  /** Received packets dropped since boot, count, cumulative. */
  dropsIn: number
  /** Transmitted packets dropped since boot, count, cumulative. */
  dropsOut: number
}

/** The agent's own state, sent beside `systemInfo` (the schema's `AgentState`). */
export interface AgentState {
  buffer: {
    /** Batches buffered, memory and disk together. */
    batches: number
    /** Bytes buffered, memory and disk together. */
    bytes: number
    memoryBatches?: number
    memoryBytes?: number
    diskBatches?: number
    diskBytes?: number
  }
  /** Unix seconds; null until an export has succeeded. */
  lastSuccessfulExport: number | null
  dropped: {
    batches: number
    dataPoints: number
    /** Per reason (`size`, `age`, `retries`, `rejected`, `corrupt`, `disk_full`). */
    byReason?: Record<string, { batches: number; dataPoints: number }>
  }
  /** Where every batch went: collected + recovered = sent + buffered + dropped. */
  batches?: {
    collected: number
    recovered: number
    sent: number
    resent: number
    buffered: number
    dropped: number
  }
  exports: { ok: number; failed: number }
  /** Per collector (`system`, `process`, `logs`, …), each an object of its own. */
  collectors?: Record<string, Record<string, unknown>>
  /**
   * `systemInfo` keys the host cannot give on this platform: they are sent (the API
   * expects every key) as 0 or "", which here means "unknown" (docs/platforms.md).
   */
  unavailableFields?: string[]
}

/** The body of `POST …/agents/{agentId}/heartbeat`. */
export interface HeartbeatBody {
  systemInfo: SystemInfo
  agent?: AgentState
}
