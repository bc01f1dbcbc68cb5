//! The CPU and load groups' shapes, and utilisation from two readings of the
//! cumulative per-mode counters (whatever the OS calls them, in `/proc/stat` order).

use napi_derive::napi;

use super::rates::percent;

/// Cumulative CPU time per mode since boot, in seconds (`/proc/stat` ticks / `USER_HZ`).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct CpuTimes {
    /// `user`: normal processes in user mode (includes guest time, as the kernel counts it).
    pub user_seconds: f64,
    /// `nice`: niced processes in user mode (includes guest_nice time).
    pub nice_seconds: f64,
    /// `system`: kernel mode.
    pub system_seconds: f64,
    /// `idle`.
    pub idle_seconds: f64,
    /// `iowait`: idle with I/O outstanding (approximate, per the kernel).
    pub iowait_seconds: f64,
    /// `irq`: servicing hardware interrupts.
    pub irq_seconds: f64,
    /// `softirq`: servicing soft interrupts.
    pub softirq_seconds: f64,
    /// `steal`: time the hypervisor gave to other guests.
    pub steal_seconds: f64,
    /// `guest`: running a virtual CPU for a guest (already inside `userSeconds`).
    pub guest_seconds: f64,
    /// `guest_nice`: running a niced guest (already inside `niceSeconds`).
    pub guest_nice_seconds: f64,
}

/// Share of the interval spent in each mode, percent 0–100. All zero on the first collect.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct CpuUtilization {
    /// Busy share: everything but idle and iowait.
    pub usage_percent: f64,
    /// User mode (guest time included), percent.
    pub user_percent: f64,
    /// Niced user mode, percent.
    pub nice_percent: f64,
    /// Kernel mode, percent.
    pub system_percent: f64,
    /// Idle, percent.
    pub idle_percent: f64,
    /// Idle with I/O outstanding, percent.
    pub iowait_percent: f64,
    /// Hardware interrupts, percent.
    pub irq_percent: f64,
    /// Soft interrupts, percent.
    pub softirq_percent: f64,
    /// Stolen by the hypervisor, percent.
    pub steal_percent: f64,
    /// Running guests (guest + guest_nice; already inside user and nice), percent.
    pub guest_percent: f64,
}

/// One logical CPU (`cpuN` of `/proc/stat`).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct CoreStat {
    /// N of `cpuN`.
    pub core_id: u32,
    /// Cumulative time per mode on this CPU since boot.
    pub times: CpuTimes,
    /// Utilisation of this CPU over the interval (all zero on the first collect).
    pub utilization: CpuUtilization,
    /// Current frequency of this CPU, MHz: cpufreq's `scaling_cur_freq` where the
    /// kernel offers it, else this processor's `cpu MHz` of `/proc/cpuinfo` as read
    /// when the collector started; 0 when neither says. The portable and Windows
    /// backends give the processor's one frequency for every CPU.
    pub mhz: f64,
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

/// The ten tick counters of one `cpu` line, in `/proc/stat` order: user, nice,
/// system, idle, iowait, irq, softirq, steal, guest, guest_nice.
pub type Ticks = [u64; 10];

/// Ticks to seconds.
pub fn times(t: &Ticks, hz: f64) -> CpuTimes {
    let s = |i: usize| t.get(i).copied().unwrap_or(0) as f64 / hz;
    CpuTimes {
        user_seconds: s(0),
        nice_seconds: s(1),
        system_seconds: s(2),
        idle_seconds: s(3),
        iowait_seconds: s(4),
        irq_seconds: s(5),
        softirq_seconds: s(6),
        steal_seconds: s(7),
        guest_seconds: s(8),
        guest_nice_seconds: s(9),
    }
}

/// Shares of the interval between two readings. Zero without a previous reading,
/// or when the line as a whole went backwards (the counters were reset, so there
/// is no interval to measure). A single field that steps back (the kernel's idle
/// and iowait accounting is known to, by a few ticks, under NO_HZ) counts as no
/// change rather than as a fresh counter, which would swamp the interval.
pub fn utilization(prev: Option<&Ticks>, cur: &Ticks) -> CpuUtilization {
    let Some(prev) = prev else {
        return CpuUtilization::default();
    };
    // guest and guest_nice are already inside user and nice.
    let sum = |t: &Ticks| t.iter().take(8).map(|&v| u128::from(v)).sum::<u128>();
    if sum(cur) < sum(prev) {
        return CpuUtilization::default();
    }
    let mut d = [0f64; 10];
    for ((slot, c), p) in d.iter_mut().zip(cur).zip(prev) {
        *slot = c.saturating_sub(*p) as f64;
    }
    let whole: f64 = d.iter().take(8).sum();
    let pct = |i: usize| percent(d.get(i).copied().unwrap_or(0.0), whole);
    if whole <= 0.0 {
        return CpuUtilization::default();
    }
    let idle = pct(3);
    let iowait = pct(4);
    CpuUtilization {
        usage_percent: (100.0 - idle - iowait).clamp(0.0, 100.0),
        user_percent: pct(0),
        nice_percent: pct(1),
        system_percent: pct(2),
        idle_percent: idle,
        iowait_percent: iowait,
        irq_percent: pct(5),
        softirq_percent: pct(6),
        steal_percent: pct(7),
        guest_percent: percent(d[8] + d[9], whole),
    }
}

/// Load averages from `/proc/loadavg`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct LoadAverage {
    /// Runnable plus uninterruptible tasks, averaged over 1 minute (`/proc/loadavg`).
    pub one: f64,
    /// The same over 5 minutes.
    pub five: f64,
    /// The same over 15 minutes.
    pub fifteen: f64,
}
