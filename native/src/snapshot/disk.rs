//! Block devices: cumulative counters per device, and the rates, IOPS, latencies
//! and busy share over the interval between two readings ([`build`]).

use std::collections::HashMap;

use napi_derive::napi;

use super::rates::{counter_delta, percent, rate};

/// One line of `/proc/diskstats`, with rates over the interval.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct BlockDevice {
    /// Kernel name, e.g. `sda`, `nvme0n1p1`, `dm-0`.
    pub name: String,
    /// Device major number.
    pub major: u32,
    /// Device minor number.
    pub minor: u32,
    /// `disk` (a whole device), `partition`, or `virtual` (loop, ram, zram, …).
    pub kind: String,
    /// Device-mapper name or md name where sysfs gives one (e.g. `vg0-root`), else "".
    pub label: String,
    /// Reads completed since boot.
    pub reads_completed: f64,
    /// Adjacent reads merged into one before reaching the device, since boot.
    pub reads_merged: f64,
    /// Sectors read × 512 (the kernel's sector unit is always 512 bytes).
    pub read_bytes: f64,
    /// Total time reads took, seconds (summed over concurrent reads).
    pub read_time_seconds: f64,
    /// Writes completed since boot.
    pub writes_completed: f64,
    /// Adjacent writes merged before reaching the device, since boot.
    pub writes_merged: f64,
    /// Sectors written × 512.
    pub write_bytes: f64,
    /// Total time writes took, seconds (summed over concurrent writes).
    pub write_time_seconds: f64,
    /// I/Os currently in flight.
    pub io_in_progress: f64,
    /// Time the device had I/O in flight, seconds.
    pub io_time_seconds: f64,
    /// I/O time weighted by the number of I/Os in flight, seconds.
    pub weighted_io_time_seconds: f64,
    /// 0 on kernels before 4.18 (14-field lines).
    pub discards_completed: f64,
    /// Discards merged; 0 before 4.18.
    pub discards_merged: f64,
    /// Sectors discarded × 512; 0 before 4.18.
    pub discard_bytes: f64,
    /// Total time discards took, seconds; 0 before 4.18.
    pub discard_time_seconds: f64,
    /// 0 on kernels before 5.5 (18-field lines).
    pub flushes_completed: f64,
    /// Total time flushes took, seconds; 0 before 5.5.
    pub flush_time_seconds: f64,
    /// Reads completed per second over the interval.
    pub read_ops_per_second: f64,
    /// Writes completed per second over the interval.
    pub write_ops_per_second: f64,
    /// Bytes read per second over the interval.
    pub read_bytes_per_second: f64,
    /// Bytes written per second over the interval.
    pub write_bytes_per_second: f64,
    /// Mean time per completed read over the interval, ms (0 when none completed).
    pub read_latency_ms: f64,
    /// Mean time per completed write over the interval, ms.
    pub write_latency_ms: f64,
    /// Share of the interval the device was busy, percent 0–100.
    pub busy_percent: f64,
}

/// Sums over whole disks only: never a partition on top of its disk, never loop/ram.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct DiskTotals {
    /// Bytes read since boot.
    pub read_bytes: f64,
    /// Bytes written since boot.
    pub write_bytes: f64,
    /// Reads completed since boot.
    pub read_ops: f64,
    /// Writes completed since boot.
    pub write_ops: f64,
    /// Total time reads took, seconds.
    pub read_time_seconds: f64,
    /// Total time writes took, seconds.
    pub write_time_seconds: f64,
    /// Time with I/O in flight, seconds, summed over disks.
    pub io_time_seconds: f64,
    /// Weighted I/O time, seconds, summed over disks.
    pub weighted_io_time_seconds: f64,
    /// I/Os in flight now.
    pub io_in_progress: f64,
    /// Reads and writes per second over the interval.
    pub iops: f64,
    /// Bytes read per second over the interval.
    pub read_bytes_per_second: f64,
    /// Bytes written per second over the interval.
    pub write_bytes_per_second: f64,
    /// Mean time per read completed over the interval, ms (0 when none).
    pub read_latency_ms: f64,
    /// Mean time per write completed over the interval, ms (0 when none).
    pub write_latency_ms: f64,
}

/// The block-device group.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct DiskSnapshot {
    /// Every line of `/proc/diskstats`, in its order.
    pub devices: Vec<BlockDevice>,
    /// Sums over whole disks (`kind == "disk"`).
    pub totals: DiskTotals,
    /// Seconds the rates cover: since this group's previous successful read. 0 on the
    /// first read and when that was under 0.1 s ago (rates are then all zero).
    pub interval_seconds: f64,
}

/// The cumulative fields of one `/proc/diskstats` line, in the kernel's units
/// (operations, 512-byte sectors, milliseconds). Missing fields are zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiskCounters {
    pub reads: u64,
    pub reads_merged: u64,
    pub read_sectors: u64,
    pub read_ms: u64,
    pub writes: u64,
    pub writes_merged: u64,
    pub write_sectors: u64,
    pub write_ms: u64,
    /// A gauge, not a counter.
    pub in_progress: u64,
    pub io_ms: u64,
    pub weighted_io_ms: u64,
    pub discards: u64,
    pub discards_merged: u64,
    pub discard_sectors: u64,
    pub discard_ms: u64,
    pub flushes: u64,
    pub flush_ms: u64,
}

/// One parsed line: device numbers, kernel name and counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskLine {
    pub major: u32,
    pub minor: u32,
    pub name: String,
    pub counters: DiskCounters,
}

/// Counters per device at this group's previous successful read.
pub type Counters = HashMap<String, DiskCounters>;

const SECTOR_BYTES: f64 = 512.0;

/// The delta maths, separate from the file reading so tests can drive it: `prev` is
/// the previous counters and the seconds since them (`None`: no rates). Returns the
/// snapshot and this read's counters, to keep for the next.
pub fn build(
    lines: &[DiskLine],
    kinds: &[&'static str],
    labels: Vec<String>,
    prev: Option<(&Counters, f64)>,
) -> (DiskSnapshot, Counters) {
    let (before, seconds) = match prev {
        Some((c, s)) if s > 0.0 => (Some(c), s),
        _ => (None, 0.0),
    };
    let mut devices = Vec::with_capacity(lines.len());
    let mut totals = DiskTotals::default();
    // Sums of interval deltas over whole disks, for the totals' latencies.
    let (mut d_reads, mut d_writes, mut d_read_ms, mut d_write_ms) = (0u64, 0u64, 0u64, 0u64);
    let mut next = HashMap::with_capacity(lines.len());
    let mut labels = labels.into_iter();
    for (i, line) in lines.iter().enumerate() {
        let c = line.counters;
        let kind = kinds.get(i).copied().unwrap_or("disk");
        // A new device (or the first call) has no interval: its deltas are zero.
        let prev = before.and_then(|b| b.get(&line.name)).copied();
        let d = |f: fn(&DiskCounters) -> u64| prev.map_or(0, |p| counter_delta(f(&p), f(&c)));
        let (reads, writes) = (d(|x| x.reads), d(|x| x.writes));
        let (read_ms, write_ms) = (d(|x| x.read_ms), d(|x| x.write_ms));
        let (read_sec, write_sec) = (d(|x| x.read_sectors), d(|x| x.write_sectors));
        let dev = BlockDevice {
            name: line.name.clone(),
            major: line.major,
            minor: line.minor,
            kind: kind.to_string(),
            label: labels.next().unwrap_or_default(),
            reads_completed: c.reads as f64,
            reads_merged: c.reads_merged as f64,
            read_bytes: c.read_sectors as f64 * SECTOR_BYTES,
            read_time_seconds: c.read_ms as f64 / 1000.0,
            writes_completed: c.writes as f64,
            writes_merged: c.writes_merged as f64,
            write_bytes: c.write_sectors as f64 * SECTOR_BYTES,
            write_time_seconds: c.write_ms as f64 / 1000.0,
            io_in_progress: c.in_progress as f64,
            io_time_seconds: c.io_ms as f64 / 1000.0,
            weighted_io_time_seconds: c.weighted_io_ms as f64 / 1000.0,
            discards_completed: c.discards as f64,
            discards_merged: c.discards_merged as f64,
            discard_bytes: c.discard_sectors as f64 * SECTOR_BYTES,
            discard_time_seconds: c.discard_ms as f64 / 1000.0,
            flushes_completed: c.flushes as f64,
            flush_time_seconds: c.flush_ms as f64 / 1000.0,
            read_ops_per_second: rate(reads, seconds),
            write_ops_per_second: rate(writes, seconds),
            read_bytes_per_second: rate(read_sec, seconds) * SECTOR_BYTES,
            write_bytes_per_second: rate(write_sec, seconds) * SECTOR_BYTES,
            read_latency_ms: per_op(read_ms, reads),
            write_latency_ms: per_op(write_ms, writes),
            busy_percent: percent(d(|x| x.io_ms) as f64, seconds * 1000.0),
        };
        if kind == "disk" {
            totals.read_bytes += dev.read_bytes;
            totals.write_bytes += dev.write_bytes;
            totals.read_ops += dev.reads_completed;
            totals.write_ops += dev.writes_completed;
            totals.read_time_seconds += dev.read_time_seconds;
            totals.write_time_seconds += dev.write_time_seconds;
            totals.io_time_seconds += dev.io_time_seconds;
            totals.weighted_io_time_seconds += dev.weighted_io_time_seconds;
            totals.io_in_progress += dev.io_in_progress;
            totals.iops += dev.read_ops_per_second + dev.write_ops_per_second;
            totals.read_bytes_per_second += dev.read_bytes_per_second;
            totals.write_bytes_per_second += dev.write_bytes_per_second;
            d_reads = d_reads.saturating_add(reads);
            d_writes = d_writes.saturating_add(writes);
            d_read_ms = d_read_ms.saturating_add(read_ms);
            d_write_ms = d_write_ms.saturating_add(write_ms);
        }
        next.insert(line.name.clone(), c);
        devices.push(dev);
    }
    totals.read_latency_ms = per_op(d_read_ms, d_reads);
    totals.write_latency_ms = per_op(d_write_ms, d_writes);
    // Devices that disappeared are forgotten, so a re-plugged one starts afresh.
    let snap = DiskSnapshot {
        devices,
        totals,
        interval_seconds: seconds,
    };
    (snap, next)
}

/// Milliseconds per operation; zero when nothing completed.
fn per_op(ms: u64, ops: u64) -> f64 {
    if ops == 0 {
        0.0
    } else {
        ms as f64 / ops as f64
    }
}
