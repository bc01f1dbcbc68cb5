//! What the Windows calls return, turned into the snapshot's shapes. Pure, and built on
//! every host, so `cargo test` covers the mapping here on Linux too; the calls
//! themselves (the sibling modules) are built on Windows only.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::snapshot::cpu::Ticks;
use crate::snapshot::disk::{DiskCounters, DiskLine};
use crate::snapshot::filesystem::{Filesystem, Stats};
use crate::snapshot::memory::MemorySnapshot;
use crate::snapshot::network::{DevCounters, LinkAttrs};
use crate::snapshot::rates::percent;
use crate::snapshot::tcp::TcpStateCounts;

/// Windows counts processor time in 100 ns units.
pub const UNITS_PER_SECOND: f64 = 10_000_000.0;

/// 100 ns intervals from 1601-01-01 (a FILETIME) to the unix epoch.
const FILETIME_UNIX_EPOCH: u64 = 116_444_736_000_000_000;

/// A FILETIME as unix seconds; 0 for times before 1970 (an unset time).
pub fn filetime_unix(t: u64) -> f64 {
    t.checked_sub(FILETIME_UNIX_EPOCH)
        .map_or(0.0, |d| d as f64 / UNITS_PER_SECOND)
}

/// One logical processor's cumulative times, 100 ns units. `kernel` includes `idle`,
/// and also the time spent in DPCs and interrupts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RawTimes {
    pub idle: u64,
    pub kernel: u64,
    pub user: u64,
    pub dpc: u64,
    pub interrupt: u64,
}

impl RawTimes {
    /// In the snapshot's counter order (user, nice, system, idle, iowait, irq, softirq,
    /// steal, guest, guest_nice): system is kernel time without idle, interrupts and
    /// DPCs, which count on their own as irq and softirq (the nearest Linux modes), so
    /// no time is counted twice. Windows has no nice, iowait, steal or guest time.
    pub fn ticks(&self) -> Ticks {
        let system = self
            .kernel
            .saturating_sub(self.idle)
            .saturating_sub(self.dpc)
            .saturating_sub(self.interrupt);
        [
            self.user,
            0,
            system,
            self.idle,
            0,
            self.interrupt,
            self.dpc,
            0,
            0,
            0,
        ]
    }

    pub fn plus(self, o: RawTimes) -> RawTimes {
        RawTimes {
            idle: self.idle.saturating_add(o.idle),
            kernel: self.kernel.saturating_add(o.kernel),
            user: self.user.saturating_add(o.user),
            dpc: self.dpc.saturating_add(o.dpc),
            interrupt: self.interrupt.saturating_add(o.interrupt),
        }
    }
}

/// `SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX` records: each starts with its
/// relationship and its size (two u32); a cache record's size in bytes is the u32 at
/// offset 12 (level u8, associativity u8, line size u16, then the size). Returns the
/// processor cores, the packages and the largest cache.
pub fn parse_topology(bytes: &[u8]) -> (u32, u32, u64) {
    const CORE: u32 = 0;
    const CACHE: u32 = 2;
    const PACKAGE: u32 = 3;
    let (mut cores, mut packages, mut cache) = (0u32, 0u32, 0u64);
    let mut off = 0usize;
    while let (Some(relation), Some(size)) = (u32_at(bytes, off), u32_at(bytes, off + 4)) {
        match relation {
            CORE => cores += 1,
            PACKAGE => packages += 1,
            CACHE => cache = cache.max(u32_at(bytes, off + 12).map_or(0, u64::from)),
            _ => {}
        }
        if size < 8 {
            break; // a malformed record: stop rather than loop
        }
        off += size as usize;
    }
    (cores, packages, cache)
}

fn u32_at(bytes: &[u8], off: usize) -> Option<u32> {
    let b = bytes.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// What `GlobalMemoryStatusEx` and `GetPerformanceInfo` report, bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RawMemory {
    /// Physical memory.
    pub total: u64,
    /// Physical memory available (free, zeroed and standby pages).
    pub available: u64,
    /// The commit limit: physical memory plus the paging files.
    pub commit_limit: u64,
    /// Commit charge not yet used.
    pub commit_available: u64,
    /// The commit charge.
    pub committed: u64,
    /// The system file cache.
    pub system_cache: u64,
}

/// Windows' memory in the snapshot's shape. Windows counts standby pages (its cache)
/// as available and exposes no separate free list here, so free is the available
/// figure. Swap is the paging files: their size is the commit limit beyond physical
/// memory; their use, the commit charge beyond the physical memory in use.
pub fn memory(m: &RawMemory) -> MemorySnapshot {
    let total = m.total as f64;
    let available = m.available.min(m.total) as f64;
    let used = total - available;
    let swap_total = m.commit_limit.saturating_sub(m.total);
    let commit_used = m.commit_limit.saturating_sub(m.commit_available);
    let swap_used = commit_used
        .saturating_sub(m.total.saturating_sub(m.available))
        .min(swap_total);
    MemorySnapshot {
        total_bytes: total,
        free_bytes: available,
        available_bytes: available,
        used_bytes: used,
        used_percent: percent(used, total),
        cached_bytes: m.system_cache as f64,
        committed_bytes: m.committed as f64,
        commit_limit_bytes: m.commit_limit as f64,
        swap_total_bytes: swap_total as f64,
        swap_used_bytes: swap_used as f64,
        swap_free_bytes: (swap_total - swap_used) as f64,
        swap_used_percent: percent(swap_used as f64, swap_total as f64),
        ..Default::default()
    }
}

/// One drive as Windows reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawVolume {
    /// `C:\`
    pub root: String,
    /// `NTFS`, `ReFS`, `FAT32`, … ("" when the volume does not say).
    pub fs_type: String,
    pub read_only: bool,
    pub total: u64,
    /// Free bytes on the volume, quotas aside (`GetDiskFreeSpaceExW`'s total free).
    pub free: u64,
    /// Free bytes this process may use (quotas applied).
    pub available: u64,
}

/// A drive as a mounted filesystem: the device is the drive (`C:`), the mount point
/// its root (`C:\`); used = total − total free, as on Linux. NTFS keeps no inode
/// counts: those stay 0.
pub fn filesystem(v: &RawVolume) -> Filesystem {
    let device = v.root.trim_end_matches('\\');
    Filesystem::from_stats(
        device,
        &v.root,
        &v.fs_type,
        v.read_only,
        Stats {
            total_bytes: v.total as f64,
            free_bytes: v.free as f64,
            available_bytes: v.available as f64,
            inodes_total: 0.0,
            inodes_free: 0.0,
        },
    )
}

/// Cumulative counters of one interface (`MIB_IF_ROW2`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IfCounters {
    pub bytes_recv: u64,
    pub bytes_sent: u64,
    pub packets_recv: u64,
    pub packets_sent: u64,
    pub errors_in: u64,
    pub errors_out: u64,
    pub drops_in: u64,
    pub drops_out: u64,
}

/// One adapter of `GetAdaptersAddresses` and its counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawInterface {
    /// The friendly name (`Ethernet`, `Wi-Fi`, `Loopback Pseudo-Interface 1`).
    pub name: String,
    pub mac: Vec<u8>,
    pub mtu: u32,
    /// IANA ifType: 6 Ethernet, 24 software loopback, 71 Wi-Fi, 131 tunnel, …
    pub if_type: u32,
    /// `IfOperStatusUp`.
    pub up: bool,
    /// Receive link speed, bits per second (0 when unknown).
    pub speed_bps: u64,
    /// Unicast addresses with their on-link prefix length.
    pub addresses: Vec<(IpAddr, u8)>,
    /// Counters, when `GetIfEntry2` answered for this adapter.
    pub counters: Option<IfCounters>,
}

const IF_TYPE_ETHERNET: u32 = 6;
const IF_TYPE_LOOPBACK: u32 = 24;
const IF_TYPE_WIFI: u32 = 71;
const IF_TYPE_WWAN: [u32; 2] = [243, 244];

/// An adapter as the shared interface maths takes it: its counters in `/proc/net/dev`
/// order (no FIFO counts on Windows), its link facts (Ethernet, Wi-Fi and mobile
/// broadband adapters carry the host's traffic; loopback, tunnels and other virtual
/// adapters do not), and its addresses as `address/prefix`.
pub fn interface(i: &RawInterface) -> (DevCounters, LinkAttrs, Vec<String>) {
    let c = i.counters.unwrap_or_default();
    let mut counters = [0u64; 16];
    counters[0] = c.bytes_recv;
    counters[1] = c.packets_recv;
    counters[2] = c.errors_in;
    counters[3] = c.drops_in;
    counters[8] = c.bytes_sent;
    counters[9] = c.packets_sent;
    counters[10] = c.errors_out;
    counters[11] = c.drops_out;
    let link = LinkAttrs {
        mac_address: mac(&i.mac),
        mtu: if i.mtu == u32::MAX { 0 } else { i.mtu },
        speed_mbps: i.speed_bps / 1_000_000,
        is_up: i.up,
        is_loopback: i.if_type == IF_TYPE_LOOPBACK,
        has_device: i.if_type == IF_TYPE_ETHERNET
            || i.if_type == IF_TYPE_WIFI
            || IF_TYPE_WWAN.contains(&i.if_type),
        bond_member: false,
        is_bond: false,
    };
    let ips = i
        .addresses
        .iter()
        .map(|(ip, p)| format!("{ip}/{p}"))
        .collect();
    (counters, link, ips)
}

/// `aa:bb:cc:dd:ee:ff`; "" for none (loopback, tunnels) or all zeros.
pub fn mac(bytes: &[u8]) -> String {
    if bytes.iter().all(|&b| b == 0) {
        return String::new();
    }
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The address in a `sockaddr_in` (family 2, port, 4 address bytes) or
/// `sockaddr_in6` (family 23, port, flow info, 16 address bytes).
pub fn sockaddr(bytes: &[u8]) -> Option<IpAddr> {
    let family = u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]);
    match family {
        2 => {
            let a: [u8; 4] = bytes.get(4..8)?.try_into().ok()?;
            Some(IpAddr::V4(Ipv4Addr::from(a)))
        }
        23 => {
            let a: [u8; 16] = bytes.get(8..24)?.try_into().ok()?;
            Some(IpAddr::V6(Ipv6Addr::from(a)))
        }
        _ => None,
    }
}

/// `DISK_PERFORMANCE` of one physical drive: bytes, 100 ns units and counts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RawDiskPerf {
    pub bytes_read: u64,
    pub bytes_written: u64,
    pub read_time: u64,
    pub write_time: u64,
    pub read_count: u32,
    pub write_count: u32,
    pub queue_depth: u32,
}

/// A physical drive as the shared disk maths takes it: named `PhysicalDriveN` (minor
/// number N), in `/proc/diskstats` units (512-byte sectors, milliseconds). Windows
/// counts no merges, discards, flushes or busy time here: those stay 0.
pub fn disk_line(n: u32, p: &RawDiskPerf) -> DiskLine {
    DiskLine {
        major: 0,
        minor: n,
        name: format!("PhysicalDrive{n}"),
        counters: DiskCounters {
            reads: u64::from(p.read_count),
            read_sectors: p.bytes_read / 512,
            read_ms: p.read_time / 10_000,
            writes: u64::from(p.write_count),
            write_sectors: p.bytes_written / 512,
            write_ms: p.write_time / 10_000,
            in_progress: u64::from(p.queue_depth),
            ..Default::default()
        },
    }
}

/// Bytes per row of `MIB_TCPTABLE_OWNER_PID` (six u32) and `MIB_TCP6TABLE_OWNER_PID`,
/// and where the state sits in each.
pub const TCP4_ROW: (usize, usize) = (24, 0);
pub const TCP6_ROW: (usize, usize) = (56, 48);

/// Counts a TCP table by state: a u32 count, then fixed-size rows starting 4 bytes
/// in; rows past the buffer are not counted.
pub fn tcp_table(bytes: &[u8], (row, state_at): (usize, usize)) -> TcpStateCounts {
    let mut counts = TcpStateCounts::default();
    let rows = u32_at(bytes, 0).unwrap_or(0) as usize;
    for i in 0..rows {
        let Some(state) = u32_at(bytes, 4 + i * row + state_at) else {
            break;
        };
        match kernel_state(state) {
            Some(s) => counts.add(s, 1),
            None => counts.total = counts.total.saturating_add(1),
        }
    }
    counts
}

/// `MIB_TCP_STATE` (1 CLOSED … 12 DELETE_TCB) as the kernel's `TCP_*` number the
/// snapshot counts by (1 ESTABLISHED … 11 CLOSING); DELETE_TCB and unknown values
/// have none.
pub fn kernel_state(mib: u32) -> Option<usize> {
    Some(match mib {
        1 => 7,  // CLOSED → TCP_CLOSE
        2 => 10, // LISTEN
        3 => 2,  // SYN_SENT
        4 => 3,  // SYN_RCVD → TCP_SYN_RECV
        5 => 1,  // ESTABLISHED
        6 => 4,  // FIN_WAIT1
        7 => 5,  // FIN_WAIT2
        8 => 8,  // CLOSE_WAIT
        9 => 11, // CLOSING
        10 => 9, // LAST_ACK
        11 => 6, // TIME_WAIT
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
