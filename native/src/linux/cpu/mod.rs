//! CPU: static description from `/proc/cpuinfo` and sysfs, cumulative time per mode
//! from `/proc/stat`, and utilisation over the interval since the previous collect.
//!
//! `/proc/cpuinfo` is read once per collector and kept (only the frequency changes,
//! and it is refreshed from cpufreq where the kernel offers it): on large hosts the
//! file is long and, on x86, costly for the kernel to produce.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::linux::procfs::{read_string, read_u64, Roots};
pub use crate::snapshot::cpu::{
    times, utilization, CoreStat, CpuSnapshot, CpuTimes, CpuUtilization, LoadAverage, Ticks,
};

mod info;
mod load;

use info::sysfs_topology;
pub use info::{parse_cpuinfo, CpuInfo};
pub use load::{collect_load, parse_loadavg};

/// Previous `/proc/stat` counters, kept between collects.
#[derive(Debug, Default)]
pub struct State {
    info: Option<CpuInfo>,
    total: Option<Ticks>,
    cores: HashMap<u32, Ticks>,
}

pub fn collect(roots: &Roots, state: &mut State, per_core: bool) -> Result<CpuSnapshot> {
    let stat_path = roots.proc("stat");
    let (total, cores) = parse_stat(&roots.proc_text("stat")?);
    let total = total.ok_or_else(|| Error::parse(&stat_path, "no aggregate cpu line"))?;
    let hz = crate::unix::clock_ticks_per_second();

    if state.info.is_none() {
        // Some containers hide /proc/cpuinfo (or lxcfs fakes it); the times still count.
        state.info = read_string(&roots.proc("cpuinfo"))
            .ok()
            .map(|t| parse_cpuinfo(&t));
    }
    let info = state.info.clone().unwrap_or_default();
    let mhz = read_u64(&roots.sys("devices/system/cpu/cpu0/cpufreq/scaling_cur_freq"))
        .map(|khz| khz as f64 / 1000.0)
        .unwrap_or(info.mhz);
    let logical = cores.len() as u32;
    let (physical, sockets) = if info.physical_cores > 0 {
        (info.physical_cores, info.sockets.max(1))
    } else {
        sysfs_topology(roots, &cores).unwrap_or((logical, u32::from(logical > 0)))
    };

    let overall = utilization(state.total.as_ref(), &total);
    state.total = Some(total);
    let mut per_core_out = Vec::new();
    let mut seen = HashMap::with_capacity(if per_core { cores.len() } else { 0 });
    if per_core {
        for (id, ticks) in &cores {
            per_core_out.push(CoreStat {
                core_id: *id,
                times: times(ticks, hz),
                utilization: utilization(state.cores.get(id), ticks),
                mhz: core_mhz(roots, &info, *id),
            });
            seen.insert(*id, *ticks);
        }
    }
    // Cores that went offline are forgotten; ones that come online start afresh.
    state.cores = seen;

    Ok(CpuSnapshot {
        model: info.model,
        vendor: info.vendor,
        family: info.family,
        mhz,
        cache_size_bytes: info.cache_size_bytes,
        logical_cores: logical,
        physical_cores: physical,
        sockets,
        total: times(&total, hz),
        utilization: overall,
        per_core: per_core_out,
    })
}

/// One CPU's current frequency, MHz (see [`CoreStat::mhz`]).
fn core_mhz(roots: &Roots, info: &CpuInfo, id: u32) -> f64 {
    let cpufreq = format!("devices/system/cpu/cpu{id}/cpufreq/scaling_cur_freq");
    read_u64(&roots.sys(&cpufreq))
        .map(|khz| khz as f64 / 1000.0)
        .or_else(|| {
            info.processor_mhz
                .iter()
                .find(|(p, _)| *p == id)
                .map(|(_, m)| *m)
        })
        .unwrap_or(0.0)
}

/// The aggregate `cpu` line and every `cpuN` line of `/proc/stat`, in file order.
/// Missing trailing fields (older kernels) count as zero; garbage lines are skipped.
pub fn parse_stat(text: &str) -> (Option<Ticks>, Vec<(u32, Ticks)>) {
    let mut total = None;
    let mut cores = Vec::new();
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let Some(name) = fields.next().and_then(|n| n.strip_prefix("cpu")) else {
            continue;
        };
        let mut ticks = [0u64; 10];
        let mut count = 0;
        for (slot, field) in ticks.iter_mut().zip(fields) {
            match field.parse() {
                Ok(v) => *slot = v,
                Err(_) => break,
            }
            count += 1;
        }
        if count < 4 {
            continue; // user, nice, system and idle exist on every kernel
        }
        if name.is_empty() {
            total.get_or_insert(ticks);
        } else if let Ok(id) = name.parse::<u32>() {
            if !cores.iter().any(|(c, _)| *c == id) {
                cores.push((id, ticks));
            }
        }
    }
    (total, cores)
}

#[cfg(test)]
mod tests;
