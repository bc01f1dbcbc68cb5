//! The portable backend's mapping from what sysinfo (and the OS's extras) report to the
//! snapshot: plain functions over plain values, so `cargo test` covers them on every
//! host, whatever the OS the values came from.

use sysinfo::ProcessStatus;

use super::process::ProcessFacts;
use crate::snapshot::cpu::{times, utilization, CoreStat, CpuSnapshot, CpuUtilization, Ticks};
use crate::snapshot::disk::{DiskCounters, DiskLine};
use crate::snapshot::memory::MemorySnapshot;
use crate::snapshot::network::{DevCounters, LinkAttrs};
use crate::snapshot::paging::PagingSnapshot;
use crate::snapshot::process::ProcessSnapshot;
use crate::snapshot::rates::{counter_delta, percent, rate};

/// sysinfo's memory numbers, bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryFacts {
    pub total: u64,
    pub free: u64,
    pub available: u64,
    pub swap_total: u64,
    pub swap_free: u64,
}

/// The OS's VM statistics where it keeps them (macOS `host_statistics64`): memory
/// classes in bytes, paging events in pages since boot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VmStats {
    pub active_bytes: u64,
    pub inactive_bytes: u64,
    pub wired_bytes: u64,
    pub pageins: u64,
    pub pageouts: u64,
    pub swapins: u64,
    pub swapouts: u64,
}

/// Paging counters from VM statistics, with rates over the interval since `prev`.
/// `pageInCount`/`pageOutCount` are KiB, as the procfs backend counts them.
pub fn paging(v: &VmStats, prev: Option<(&VmStats, f64)>, page: u64) -> PagingSnapshot {
    let per_second = |f: fn(&VmStats) -> u64| match prev {
        Some((p, seconds)) => rate(counter_delta(f(p), f(v)), seconds),
        None => 0.0,
    };
    let kib = |pages: u64| (pages.saturating_mul(page) / 1024) as f64;
    PagingSnapshot {
        swap_in_pages: v.swapins as f64,
        swap_out_pages: v.swapouts as f64,
        swap_in_bytes: v.swapins.saturating_mul(page) as f64,
        swap_out_bytes: v.swapouts.saturating_mul(page) as f64,
        page_in_count: kib(v.pageins),
        page_out_count: kib(v.pageouts),
        swap_in_per_second: per_second(|v| v.swapins),
        swap_out_per_second: per_second(|v| v.swapouts),
        page_size_bytes: page as f64,
        interval_seconds: prev.map_or(0.0, |(_, s)| s),
        ..Default::default()
    }
}

/// Used = total − available, as on Linux (and as hostmetrics counts it); the fields
/// sysinfo has no source for stay 0 (or come from the OS's VM statistics, `vm`) and
/// are named in the snapshot's `unavailable`.
pub fn memory(m: MemoryFacts, vm: Option<&VmStats>) -> MemorySnapshot {
    let available = m.available.min(m.total);
    let used = m.total - available;
    let swap_free = m.swap_free.min(m.swap_total);
    let swap_used = m.swap_total - swap_free;
    let f = |v: u64| v as f64;
    MemorySnapshot {
        total_bytes: f(m.total),
        free_bytes: f(m.free.min(m.total)),
        available_bytes: f(available),
        used_bytes: f(used),
        used_percent: percent(f(used), f(m.total)),
        swap_total_bytes: f(m.swap_total),
        swap_free_bytes: f(swap_free),
        swap_used_bytes: f(swap_used),
        swap_used_percent: percent(f(swap_used), f(m.swap_total)),
        active_bytes: vm.map_or(0.0, |v| f(v.active_bytes)),
        inactive_bytes: vm.map_or(0.0, |v| f(v.inactive_bytes)),
        wired_bytes: vm.map_or(0.0, |v| f(v.wired_bytes)),
        ..Default::default()
    }
}

/// What sysinfo says about the CPUs.
#[derive(Debug, Clone, Default)]
pub struct CpuFacts {
    pub model: String,
    pub vendor: String,
    pub mhz: f64,
    pub logical: u32,
    /// `None` where sysinfo cannot count physical cores.
    pub physical: Option<u32>,
    /// sysinfo's busy share per logical CPU over its last interval, percent.
    pub usage: Vec<f32>,
    /// The same over all CPUs.
    pub global_usage: f32,
}

/// Tick counters per mode, in `/proc/stat` order, all CPUs and each CPU by id.
pub type TickReading = (Ticks, Vec<(u32, Ticks)>);

/// The CPU group. With the OS's tick counters (`ticks`, with the previous reading
/// kept in `prev`), times and per-mode shares come from them exactly as on Linux;
/// without them only the busy share is known, from sysinfo.
pub fn cpu(
    f: &CpuFacts,
    ticks: Option<&TickReading>,
    prev: Option<&TickReading>,
    hz: f64,
    per_core: bool,
) -> CpuSnapshot {
    let busy_only = |usage: f32| CpuUtilization {
        usage_percent: f64::from(usage).clamp(0.0, 100.0),
        idle_percent: (100.0 - f64::from(usage)).clamp(0.0, 100.0),
        ..Default::default()
    };
    let (total, utilization_all) = match ticks {
        Some((t, _)) => (times(t, hz), utilization(prev.map(|(p, _)| p), t)),
        None => (Default::default(), busy_only(f.global_usage)),
    };
    let per_core = if !per_core {
        Vec::new()
    } else if let Some((_, cores)) = ticks {
        cores
            .iter()
            .map(|(id, t)| CoreStat {
                core_id: *id,
                times: times(t, hz),
                utilization: utilization(
                    prev.and_then(|(_, p)| p.iter().find(|(i, _)| i == id).map(|(_, t)| t)),
                    t,
                ),
                mhz: f.mhz,
            })
            .collect()
    } else {
        f.usage
            .iter()
            .enumerate()
            .map(|(i, u)| CoreStat {
                core_id: i as u32,
                utilization: busy_only(*u),
                mhz: f.mhz,
                ..Default::default()
            })
            .collect()
    };
    CpuSnapshot {
        model: f.model.clone(),
        vendor: f.vendor.clone(),
        mhz: f.mhz,
        logical_cores: f.logical,
        physical_cores: f.physical.unwrap_or(f.logical),
        total,
        utilization: utilization_all,
        per_core,
        ..Default::default()
    }
}

/// One volume's cumulative I/O as sysinfo reports it, bytes.
#[derive(Debug, Clone, Default)]
pub struct DiskIo {
    pub name: String,
    pub read_bytes: u64,
    pub written_bytes: u64,
}

/// Volumes as diskstats-shaped lines (bytes in 512-byte sectors, the unit the shared
/// maths counts in), for [`crate::snapshot::disk::build`]. A volume seen twice (one
/// device mounted in several places) is counted once.
pub fn disk_lines(io: &[DiskIo]) -> Vec<DiskLine> {
    let mut seen = std::collections::HashSet::new();
    io.iter()
        .filter(|d| seen.insert(d.name.clone()))
        .map(|d| DiskLine {
            major: 0,
            minor: 0,
            name: d.name.clone(),
            counters: DiskCounters {
                read_sectors: d.read_bytes / 512,
                write_sectors: d.written_bytes / 512,
                ..Default::default()
            },
        })
        .collect()
}

/// One interface as sysinfo reports it.
#[derive(Debug, Clone, Default)]
pub struct InterfaceFacts {
    pub name: String,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub mac: String,
    pub ips: Vec<String>,
    pub mtu: u64,
    pub up: bool,
    pub loopback: bool,
}

/// `/proc/net/dev`-shaped counters and link facts, for
/// [`crate::snapshot::network::build`]. No interface is known to be device-backed, so
/// the totals are every interface but loopback.
pub fn interface(i: &InterfaceFacts) -> ((String, DevCounters), (LinkAttrs, Vec<String>)) {
    let mut c = [0u64; 16];
    c[0] = i.rx_bytes;
    c[1] = i.rx_packets;
    c[2] = i.rx_errors;
    c[8] = i.tx_bytes;
    c[9] = i.tx_packets;
    c[10] = i.tx_errors;
    let mac = if i.mac.chars().all(|c| c == '0' || c == ':') {
        String::new()
    } else {
        i.mac.to_ascii_lowercase()
    };
    let link = LinkAttrs {
        mac_address: mac,
        mtu: u32::try_from(i.mtu).unwrap_or(u32::MAX),
        is_up: i.up,
        is_loopback: i.loopback,
        ..Default::default()
    };
    ((i.name.clone(), c), (link, i.ips.clone()))
}

/// The one-letter state the snapshot uses (as `/proc/<pid>/stat` spells it).
pub fn state_letter(status: ProcessStatus) -> u8 {
    match status {
        ProcessStatus::Run => b'R',
        ProcessStatus::Sleep => b'S',
        ProcessStatus::UninterruptibleDiskSleep => b'D',
        ProcessStatus::Stop => b'T',
        ProcessStatus::Tracing => b't',
        ProcessStatus::Zombie => b'Z',
        ProcessStatus::Idle => b'I',
        ProcessStatus::Dead => b'X',
        ProcessStatus::Parked | ProcessStatus::Wakekill | ProcessStatus::Waking => b'K',
        ProcessStatus::LockBlocked => b'L',
        ProcessStatus::Suspended => b'T',
        ProcessStatus::Unknown(_) => b'?',
    }
}

/// Counts by state over every process.
pub fn counts(all: &[ProcessFacts]) -> ProcessSnapshot {
    let mut s = ProcessSnapshot::default();
    for p in all {
        s.total += 1;
        match p.state {
            b'R' => s.running += 1,
            b'S' => s.sleeping += 1,
            b'D' => s.blocked += 1,
            b'T' | b't' => s.stopped += 1,
            b'Z' => s.zombie += 1,
            b'I' => s.idle += 1,
            _ => {}
        }
    }
    // No task counts without /proc/stat: the processes in those states stand in.
    s.procs_running = s.running;
    s.procs_blocked = s.blocked;
    s
}
