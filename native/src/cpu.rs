//! CPU: static description from `/proc/cpuinfo` and sysfs, cumulative time per mode
//! from `/proc/stat`, and utilisation over the interval since the previous collect.

use napi_derive::napi;

use crate::error::{Error, Result};
use crate::procfs::Roots;

/// Cumulative CPU time per mode since boot, in seconds (`/proc/stat` ticks / `USER_HZ`).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct CpuTimes {
    pub user_seconds: f64,
    pub nice_seconds: f64,
    pub system_seconds: f64,
    pub idle_seconds: f64,
    pub iowait_seconds: f64,
    pub irq_seconds: f64,
    pub softirq_seconds: f64,
    pub steal_seconds: f64,
    pub guest_seconds: f64,
    pub guest_nice_seconds: f64,
}

/// Share of the interval spent in each mode, percent 0–100. All zero on the first collect.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct CpuUtilization {
    /// Busy share: everything but idle and iowait.
    pub usage_percent: f64,
    pub user_percent: f64,
    pub nice_percent: f64,
    pub system_percent: f64,
    pub idle_percent: f64,
    pub iowait_percent: f64,
    pub irq_percent: f64,
    pub softirq_percent: f64,
    pub steal_percent: f64,
    pub guest_percent: f64,
}

/// One logical CPU (`cpuN` of `/proc/stat`).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct CoreStat {
    /// N of `cpuN`.
    pub core_id: u32,
    pub times: CpuTimes,
    pub utilization: CpuUtilization,
}

/// The CPU group of a snapshot.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct CpuSnapshot {
    /// `model name` of the first processor.
    pub model: String,
    /// `vendor_id` (e.g. `GenuineIntel`, `AuthenticAMD`) or the ARM implementer.
    pub vendor: String,
    /// `cpu family`, as text ("" where the architecture has none).
    pub family: String,
    /// Current frequency of the first processor, MHz (`cpu MHz`, else cpufreq).
    pub mhz: f64,
    /// Cache size of the first processor, bytes (`cache size`).
    pub cache_size_bytes: f64,
    /// Logical CPUs online (count of `cpuN` lines in `/proc/stat`).
    pub logical_cores: u32,
    /// Distinct (physical id, core id) pairs; falls back to logical cores.
    pub physical_cores: u32,
    /// Distinct physical packages (sockets).
    pub sockets: u32,
    /// Cumulative time per mode, all CPUs together.
    pub total: CpuTimes,
    /// Utilisation over the interval, all CPUs together.
    pub utilization: CpuUtilization,
    /// Per logical CPU; empty when `perCore` is off.
    pub per_core: Vec<CoreStat>,
}

/// Previous `/proc/stat` counters, kept between collects.
#[derive(Debug, Default)]
pub struct State {}

pub fn collect(_roots: &Roots, _state: &mut State, _per_core: bool) -> Result<CpuSnapshot> {
    Err(Error::Unsupported("cpu"))
}

/// Load averages from `/proc/loadavg`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct LoadAverage {
    pub one: f64,
    pub five: f64,
    pub fifteen: f64,
}

pub fn collect_load(_roots: &Roots) -> Result<LoadAverage> {
    Err(Error::Unsupported("load"))
}
