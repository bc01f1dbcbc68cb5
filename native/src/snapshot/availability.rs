//! Which snapshot fields each platform cannot give. A field listed here holds 0 or ""
//! in the snapshot, which means "unknown": the metrics leave its points out, and the
//! heartbeat keeps its key but names it in the agent state. `npm run docs` turns these
//! lists into `docs/platforms.md`; every other field of a group the platform reads is
//! real there.
//!
//! Plain data, compiled on every target, so the table can be written from any host.

use napi_derive::napi;

use crate::group::Group;

/// A field a platform cannot give, and why.
#[derive(Debug, Clone, Copy)]
pub struct Gap {
    pub group: Group,
    /// The path below the snapshot, as JavaScript spells it (`memory.buffersBytes`,
    /// `processes.top[].systemSeconds`).
    pub field: &'static str,
    pub reason: &'static str,
}

const fn gap(group: Group, field: &'static str, reason: &'static str) -> Gap {
    Gap {
        group,
        field,
        reason,
    }
}

use Group::*;

/// Linux, procfs backend.
pub const LINUX_PROCFS: &[Gap] = &[
    gap(
        Memory,
        "memory.wiredBytes",
        "Linux has no wired memory class",
    ),
    gap(
        Process,
        "processes.systemCalls",
        "Linux keeps no system-call counter",
    ),
];

/// What sysinfo does not give on any platform, whatever the OS's extras add.
const SYSINFO: &[Gap] = &[
    gap(Cpu, "cpu.family", "not in sysinfo"),
    gap(Cpu, "cpu.cacheSizeBytes", "not in sysinfo"),
    gap(Cpu, "cpu.sockets", "not in sysinfo"),
    gap(Memory, "memory.buffersBytes", "not in sysinfo"),
    gap(Memory, "memory.cachedBytes", "not in sysinfo"),
    gap(Memory, "memory.sharedBytes", "not in sysinfo"),
    gap(Memory, "memory.slabBytes", "not in sysinfo"),
    gap(Memory, "memory.slabReclaimableBytes", "not in sysinfo"),
    gap(Memory, "memory.slabUnreclaimableBytes", "not in sysinfo"),
    gap(Memory, "memory.pageTablesBytes", "not in sysinfo"),
    gap(Memory, "memory.committedBytes", "not in sysinfo"),
    gap(Memory, "memory.commitLimitBytes", "not in sysinfo"),
    gap(Memory, "memory.dirtyBytes", "not in sysinfo"),
    gap(Memory, "memory.writebackBytes", "not in sysinfo"),
    gap(Memory, "memory.swapCachedBytes", "not in sysinfo"),
    gap(Paging, "paging.devices", "not in sysinfo"),
    gap(Paging, "paging.majorFaults", "not in sysinfo"),
    gap(Paging, "paging.minorFaults", "not in sysinfo"),
    gap(Paging, "paging.majorFaultsPerSecond", "not in sysinfo"),
    gap(
        Disk,
        "disk.devices[].major",
        "sysinfo lists mounted volumes, not device numbers",
    ),
    gap(
        Disk,
        "disk.devices[].minor",
        "sysinfo lists mounted volumes, not device numbers",
    ),
    gap(Disk, "disk.devices[].label", "not in sysinfo"),
    gap(
        Disk,
        "disk.devices[].readsCompleted",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].readsMerged",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].readTimeSeconds",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].writesCompleted",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].writesMerged",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].writeTimeSeconds",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].ioInProgress",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].ioTimeSeconds",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].weightedIoTimeSeconds",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].discardsCompleted",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].discardsMerged",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].discardBytes",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].discardTimeSeconds",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].flushesCompleted",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].flushTimeSeconds",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].readOpsPerSecond",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].writeOpsPerSecond",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].readLatencyMs",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].writeLatencyMs",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.devices[].busyPercent",
        "sysinfo counts bytes only",
    ),
    gap(Disk, "disk.totals.readOps", "sysinfo counts bytes only"),
    gap(Disk, "disk.totals.writeOps", "sysinfo counts bytes only"),
    gap(
        Disk,
        "disk.totals.readTimeSeconds",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.totals.writeTimeSeconds",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.totals.ioTimeSeconds",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.totals.weightedIoTimeSeconds",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.totals.ioInProgress",
        "sysinfo counts bytes only",
    ),
    gap(Disk, "disk.totals.iops", "sysinfo counts bytes only"),
    gap(
        Disk,
        "disk.totals.readLatencyMs",
        "sysinfo counts bytes only",
    ),
    gap(
        Disk,
        "disk.totals.writeLatencyMs",
        "sysinfo counts bytes only",
    ),
    gap(Network, "network.interfaces[].speedMbps", "not in sysinfo"),
    gap(Network, "network.interfaces[].rxDropped", "not in sysinfo"),
    gap(Network, "network.interfaces[].txDropped", "not in sysinfo"),
    gap(Network, "network.interfaces[].rxFifo", "not in sysinfo"),
    gap(Network, "network.interfaces[].txFifo", "not in sysinfo"),
    gap(Network, "network.totals.rxDropped", "not in sysinfo"),
    gap(Network, "network.totals.txDropped", "not in sysinfo"),
    gap(Network, "network.totals.rxFifo", "not in sysinfo"),
    gap(Network, "network.totals.txFifo", "not in sysinfo"),
    gap(
        Process,
        "processes.threads",
        "sysinfo lists threads on Linux only, and not here",
    ),
    gap(Process, "processes.forksTotal", "not in sysinfo"),
    gap(Process, "processes.contextSwitches", "not in sysinfo"),
    gap(Process, "processes.interrupts", "not in sysinfo"),
    gap(Process, "processes.softInterrupts", "not in sysinfo"),
    gap(Process, "processes.forksPerSecond", "not in sysinfo"),
    gap(
        Process,
        "processes.contextSwitchesPerSecond",
        "not in sysinfo",
    ),
    gap(Process, "processes.interruptsPerSecond", "not in sysinfo"),
    gap(
        Process,
        "processes.softInterruptsPerSecond",
        "not in sysinfo",
    ),
    gap(Process, "processes.systemCalls", "not in sysinfo"),
    gap(
        Process,
        "processes.top[].userSeconds",
        "sysinfo gives user + system together",
    ),
    gap(
        Process,
        "processes.top[].systemSeconds",
        "sysinfo gives user + system together",
    ),
    gap(Process, "processes.top[].threads", "not in sysinfo"),
    gap(Process, "processes.top[].iowaitSeconds", "not in sysinfo"),
    gap(Process, "processes.top[].openFds", "not in sysinfo"),
    gap(Tcp, "tcp.retransmittedSegments", "no portable TCP counters"),
    gap(Tcp, "tcp.outSegments", "no portable TCP counters"),
    gap(Tcp, "tcp.inSegments", "no portable TCP counters"),
    gap(Tcp, "tcp.activeOpens", "no portable TCP counters"),
    gap(Tcp, "tcp.passiveOpens", "no portable TCP counters"),
    gap(Tcp, "tcp.attemptFails", "no portable TCP counters"),
    gap(Tcp, "tcp.estabResets", "no portable TCP counters"),
    gap(Tcp, "tcp.inErrors", "no portable TCP counters"),
    gap(Tcp, "tcp.outResets", "no portable TCP counters"),
    gap(
        Resources,
        "resources",
        "no portable source: the group reports itself unsupported",
    ),
];

/// Memory classes and paging counters the OS keeps as VM statistics: macOS gives them
/// (`host_statistics64`), sysinfo does not, and the portable backend on Linux does
/// not read them (the procfs backend does).
const VM_STATS: &[Gap] = &[
    gap(
        Memory,
        "memory.activeBytes",
        "no VM statistics in the portable backend here",
    ),
    gap(
        Memory,
        "memory.inactiveBytes",
        "no VM statistics in the portable backend here",
    ),
    gap(
        Memory,
        "memory.wiredBytes",
        "no VM statistics in the portable backend here",
    ),
    gap(
        Paging,
        "paging.swapInPages",
        "no VM statistics in the portable backend here",
    ),
    gap(
        Paging,
        "paging.swapOutPages",
        "no VM statistics in the portable backend here",
    ),
    gap(
        Paging,
        "paging.swapInBytes",
        "no VM statistics in the portable backend here",
    ),
    gap(
        Paging,
        "paging.swapOutBytes",
        "no VM statistics in the portable backend here",
    ),
    gap(
        Paging,
        "paging.pageInCount",
        "no VM statistics in the portable backend here",
    ),
    gap(
        Paging,
        "paging.pageOutCount",
        "no VM statistics in the portable backend here",
    ),
    gap(
        Paging,
        "paging.swapInPerSecond",
        "no VM statistics in the portable backend here",
    ),
    gap(
        Paging,
        "paging.swapOutPerSecond",
        "no VM statistics in the portable backend here",
    ),
];

/// Linux, portable backend: sysinfo, with `/proc/stat` ticks for the CPU times,
/// netlink for TCP states, and the procfs container and DMI detection.
pub const LINUX_PORTABLE: &[&[Gap]] = &[SYSINFO, VM_STATS];

/// macOS, portable backend: sysinfo, with `host_processor_info` ticks,
/// `host_statistics64` VM statistics, `getloadavg`, `statvfs`, `gethostuuid` and
/// `kern.hv_vmm_present`. Unverified here.
pub const MACOS: &[&[Gap]] = &[
    SYSINFO,
    &[
        gap(
            Cpu,
            "cpu.utilization.iowaitPercent",
            "macOS counts no iowait",
        ),
        gap(
            Cpu,
            "cpu.utilization.irqPercent",
            "macOS counts no irq time",
        ),
        gap(
            Cpu,
            "cpu.utilization.softirqPercent",
            "macOS counts no softirq time",
        ),
        gap(
            Cpu,
            "cpu.utilization.stealPercent",
            "macOS counts no steal time",
        ),
        gap(
            Cpu,
            "cpu.utilization.guestPercent",
            "macOS counts no guest time",
        ),
        gap(
            Virtualization,
            "virtualization.virtualizationType",
            "kern.hv_vmm_present says only whether",
        ),
    ],
];

/// Windows, Win32 backend: `GetSystemTimes` and per-processor times, `GlobalMemoryStatusEx`
/// and `GetPerformanceInfo`, `IOCTL_DISK_PERFORMANCE`, the drive letters, the adapters'
/// `GetIfEntry2` counters, `GetExtendedTcpTable` and `GetTcpStatisticsEx`, the registry
/// and CPUID. Proven under Wine here (CPU, memory, file systems, interfaces, TCP, host,
/// virtualisation); per-disk I/O only on Windows itself.
pub const WINDOWS: &[&[Gap]] = &[&[
    gap(
        Host,
        "host.timezone",
        "Windows names its zones its own way; the agent takes the IANA name from Node's ICU",
    ),
    gap(Cpu, "cpu.total.niceSeconds", "Windows counts no nice time"),
    gap(Cpu, "cpu.total.iowaitSeconds", "Windows counts no iowait"),
    gap(
        Cpu,
        "cpu.total.stealSeconds",
        "Windows counts no steal time",
    ),
    gap(
        Cpu,
        "cpu.total.guestSeconds",
        "Windows counts no guest time",
    ),
    gap(
        Cpu,
        "cpu.total.guestNiceSeconds",
        "Windows counts no guest time",
    ),
    gap(
        Cpu,
        "cpu.perCore[].times.niceSeconds",
        "Windows counts no nice time",
    ),
    gap(
        Cpu,
        "cpu.perCore[].times.iowaitSeconds",
        "Windows counts no iowait",
    ),
    gap(
        Cpu,
        "cpu.perCore[].times.stealSeconds",
        "Windows counts no steal time",
    ),
    gap(
        Cpu,
        "cpu.perCore[].times.guestSeconds",
        "Windows counts no guest time",
    ),
    gap(
        Cpu,
        "cpu.perCore[].times.guestNiceSeconds",
        "Windows counts no guest time",
    ),
    gap(Load, "load", "Windows has no load average"),
    gap(
        Process,
        "processes.top[].iowaitSeconds",
        "Windows counts no per-process I/O wait",
    ),
    gap(
        Process,
        "processes.procsRunning",
        "Windows keeps no runnable-task count",
    ),
    gap(
        Process,
        "processes.procsBlocked",
        "Windows keeps no blocked-task count",
    ),
    gap(Memory, "memory.buffersBytes", "no such class on Windows"),
    gap(Memory, "memory.activeBytes", "not read on Windows"),
    gap(Memory, "memory.inactiveBytes", "not read on Windows"),
    gap(Memory, "memory.wiredBytes", "not read on Windows"),
    gap(Memory, "memory.sharedBytes", "not read on Windows"),
    gap(Memory, "memory.slabBytes", "no slab on Windows"),
    gap(Memory, "memory.slabReclaimableBytes", "no slab on Windows"),
    gap(
        Memory,
        "memory.slabUnreclaimableBytes",
        "no slab on Windows",
    ),
    gap(Memory, "memory.pageTablesBytes", "not read on Windows"),
    gap(Memory, "memory.dirtyBytes", "not read on Windows"),
    gap(Memory, "memory.writebackBytes", "not read on Windows"),
    gap(
        Memory,
        "memory.swapCachedBytes",
        "no such figure on Windows",
    ),
    gap(
        Paging,
        "paging",
        "paging files and fault counters are not read on Windows yet",
    ),
    gap(Disk, "disk.devices[].label", "not read on Windows"),
    gap(
        Disk,
        "disk.devices[].readsMerged",
        "Windows counts no merges",
    ),
    gap(
        Disk,
        "disk.devices[].writesMerged",
        "Windows counts no merges",
    ),
    gap(
        Disk,
        "disk.devices[].ioTimeSeconds",
        "IOCTL_DISK_PERFORMANCE has idle time only since its own start",
    ),
    gap(
        Disk,
        "disk.devices[].weightedIoTimeSeconds",
        "not in IOCTL_DISK_PERFORMANCE",
    ),
    gap(
        Disk,
        "disk.devices[].busyPercent",
        "IOCTL_DISK_PERFORMANCE has idle time only since its own start",
    ),
    gap(
        Disk,
        "disk.devices[].discardsCompleted",
        "not in IOCTL_DISK_PERFORMANCE",
    ),
    gap(
        Disk,
        "disk.devices[].discardsMerged",
        "not in IOCTL_DISK_PERFORMANCE",
    ),
    gap(
        Disk,
        "disk.devices[].discardBytes",
        "not in IOCTL_DISK_PERFORMANCE",
    ),
    gap(
        Disk,
        "disk.devices[].discardTimeSeconds",
        "not in IOCTL_DISK_PERFORMANCE",
    ),
    gap(
        Disk,
        "disk.devices[].flushesCompleted",
        "not in IOCTL_DISK_PERFORMANCE",
    ),
    gap(
        Disk,
        "disk.devices[].flushTimeSeconds",
        "not in IOCTL_DISK_PERFORMANCE",
    ),
    gap(
        Disk,
        "disk.totals.ioTimeSeconds",
        "IOCTL_DISK_PERFORMANCE has idle time only since its own start",
    ),
    gap(
        Disk,
        "disk.totals.weightedIoTimeSeconds",
        "not in IOCTL_DISK_PERFORMANCE",
    ),
    gap(
        Filesystem,
        "filesystems[].inodesTotal",
        "NTFS keeps no inode counts",
    ),
    gap(
        Filesystem,
        "filesystems[].inodesFree",
        "NTFS keeps no inode counts",
    ),
    gap(
        Filesystem,
        "filesystems[].inodesUsed",
        "NTFS keeps no inode counts",
    ),
    gap(
        Filesystem,
        "filesystems[].inodesUsedPercent",
        "NTFS keeps no inode counts",
    ),
    gap(
        Network,
        "network.interfaces[].rxFifo",
        "Windows counts no FIFO errors",
    ),
    gap(
        Network,
        "network.interfaces[].txFifo",
        "Windows counts no FIFO errors",
    ),
    gap(
        Network,
        "network.totals.rxFifo",
        "Windows counts no FIFO errors",
    ),
    gap(
        Network,
        "network.totals.txFifo",
        "Windows counts no FIFO errors",
    ),
    gap(
        Process,
        "processes.running",
        "Windows has no Unix process states",
    ),
    gap(
        Process,
        "processes.sleeping",
        "Windows has no Unix process states",
    ),
    gap(
        Process,
        "processes.blocked",
        "Windows has no Unix process states",
    ),
    gap(
        Process,
        "processes.stopped",
        "Windows has no Unix process states",
    ),
    gap(
        Process,
        "processes.zombie",
        "Windows has no Unix process states",
    ),
    gap(
        Process,
        "processes.idle",
        "Windows has no Unix process states",
    ),
    gap(Process, "processes.forksTotal", "not read on Windows"),
    gap(Process, "processes.contextSwitches", "not read on Windows"),
    gap(Process, "processes.interrupts", "not read on Windows"),
    gap(Process, "processes.softInterrupts", "not read on Windows"),
    gap(Process, "processes.forksPerSecond", "not read on Windows"),
    gap(
        Process,
        "processes.contextSwitchesPerSecond",
        "not read on Windows",
    ),
    gap(
        Process,
        "processes.interruptsPerSecond",
        "not read on Windows",
    ),
    gap(
        Process,
        "processes.softInterruptsPerSecond",
        "not read on Windows",
    ),
    gap(Process, "processes.systemCalls", "not read on Windows"),
    gap(
        Process,
        "processes.top[].uid",
        "Windows has security identifiers, not uids",
    ),
    gap(
        Process,
        "processes.top[].state",
        "Windows has no Unix process states",
    ),
    gap(
        Process,
        "processes.top[].openFds",
        "Windows has handles, not file descriptors",
    ),
    gap(
        Resources,
        "resources",
        "no file-descriptor table or entropy pool on Windows",
    ),
    gap(
        Container,
        "container",
        "container detection is not written for Windows",
    ),
    gap(
        Virtualization,
        "virtualization.cloudHint",
        "no DMI reader on Windows yet",
    ),
    gap(
        Virtualization,
        "virtualization.sysVendor",
        "no DMI reader on Windows yet",
    ),
    gap(
        Virtualization,
        "virtualization.productName",
        "no DMI reader on Windows yet",
    ),
    gap(
        Virtualization,
        "virtualization.biosVendor",
        "no DMI reader on Windows yet",
    ),
    gap(
        Virtualization,
        "virtualization.boardVendor",
        "no DMI reader on Windows yet",
    ),
    gap(
        Virtualization,
        "virtualization.chassisAssetTag",
        "no DMI reader on Windows yet",
    ),
]];

/// One row of the platform table.
#[napi(object)]
pub struct PlatformGap {
    /// `linux` (procfs), `linux-portable`, `macos`, `windows`.
    pub platform: String,
    /// The group the field belongs to.
    pub group: Group,
    /// The field's path below the snapshot (`memory.buffersBytes`); a group name alone
    /// means the whole group.
    pub field: String,
    /// Why the platform cannot give it.
    pub reason: String,
}

/// Every platform's gaps, for the generated table.
pub fn all() -> Vec<PlatformGap> {
    let platforms: [(&str, &[&[Gap]]); 4] = [
        ("linux", &[LINUX_PROCFS]),
        ("linux-portable", LINUX_PORTABLE),
        ("macos", MACOS),
        ("windows", WINDOWS),
    ];
    platforms
        .iter()
        .flat_map(|(platform, lists)| {
            lists.iter().flat_map(|l| l.iter()).map(|g| PlatformGap {
                platform: platform.to_string(),
                group: g.group,
                field: g.field.to_string(),
                reason: g.reason.to_string(),
            })
        })
        .collect()
}
