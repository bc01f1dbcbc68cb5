//! Block devices from `/proc/diskstats` (all kernels' field counts: 14, 18, 20),
//! classified with sysfs into whole disks, partitions and virtual devices.

use napi_derive::napi;

use crate::error::{Error, Result};
use crate::procfs::Roots;

/// One line of `/proc/diskstats`, with rates over the interval.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct BlockDevice {
    /// Kernel name, e.g. `sda`, `nvme0n1p1`, `dm-0`.
    pub name: String,
    pub major: u32,
    pub minor: u32,
    /// `disk` (a whole device), `partition`, or `virtual` (loop, ram, zram, …).
    pub kind: String,
    /// Device-mapper name or md name where sysfs gives one (e.g. `vg0-root`), else "".
    pub label: String,
    pub reads_completed: f64,
    pub reads_merged: f64,
    /// Sectors read × 512 (the kernel's sector unit is always 512 bytes).
    pub read_bytes: f64,
    pub read_time_seconds: f64,
    pub writes_completed: f64,
    pub writes_merged: f64,
    pub write_bytes: f64,
    pub write_time_seconds: f64,
    /// I/Os currently in flight.
    pub io_in_progress: f64,
    pub io_time_seconds: f64,
    pub weighted_io_time_seconds: f64,
    /// 0 on kernels before 4.18 (14-field lines).
    pub discards_completed: f64,
    pub discards_merged: f64,
    pub discard_bytes: f64,
    pub discard_time_seconds: f64,
    /// 0 on kernels before 5.5 (18-field lines).
    pub flushes_completed: f64,
    pub flush_time_seconds: f64,
    pub read_ops_per_second: f64,
    pub write_ops_per_second: f64,
    pub read_bytes_per_second: f64,
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
    pub read_bytes: f64,
    pub write_bytes: f64,
    pub read_ops: f64,
    pub write_ops: f64,
    pub read_time_seconds: f64,
    pub write_time_seconds: f64,
    pub io_time_seconds: f64,
    pub weighted_io_time_seconds: f64,
    pub io_in_progress: f64,
    /// Reads and writes per second over the interval.
    pub iops: f64,
    pub read_bytes_per_second: f64,
    pub write_bytes_per_second: f64,
    pub read_latency_ms: f64,
    pub write_latency_ms: f64,
}

/// The block-device group.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct DiskSnapshot {
    pub devices: Vec<BlockDevice>,
    pub totals: DiskTotals,
}

/// Previous counters per device.
#[derive(Debug, Default)]
pub struct State {}

pub fn collect(_roots: &Roots, _state: &mut State, _seconds: f64) -> Result<DiskSnapshot> {
    Err(Error::Unsupported("disk"))
}
