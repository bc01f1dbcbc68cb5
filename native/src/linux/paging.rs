//! Swap devices (`/proc/swaps`) and paging counters (`/proc/vmstat`).
//!
//! `/proc/vmstat` is core: unreadable, it fails the group. `/proc/swaps` does not
//! exist on kernels built without swap; that is "no swap devices", not an error.

use std::collections::HashMap;
use std::time::Instant;

use crate::error::Result;
use crate::linux::procfs::{decode_octal_escapes, read_string, Roots};
pub use crate::snapshot::paging::{PagingSnapshot, SwapDevice};
use crate::snapshot::rates::{counter_delta, rate, Previous};

/// The `/proc/vmstat` counters the snapshot uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VmCounters {
    pub pswpin: u64,
    pub pswpout: u64,
    pub pgpgin: u64,
    pub pgpgout: u64,
    pub pgfault: u64,
    pub pgmajfault: u64,
}

/// `/proc/vmstat` counters at the previous successful read, and when that was.
#[derive(Debug, Default)]
pub struct State {
    prev: Previous<VmCounters>,
}

/// Reads the group at `now`; rates are over the time since the previous successful
/// read with the same `state` (zero on the first, and within 0.1 s of it).
pub fn collect(roots: &Roots, state: &mut State, now: Instant) -> Result<PagingSnapshot> {
    let vm = parse_vmstat(&read_string(&roots.proc("vmstat"))?);
    let devices = match read_string(&roots.proc("swaps")) {
        Ok(text) => parse_swaps(&text),
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return Err(e),
    };
    let page = crate::unix::page_size() as f64;
    let prev = state.prev.since(now);
    let per_second = |f: fn(&VmCounters) -> u64| match prev {
        Some((prev, seconds)) => rate(counter_delta(f(prev), f(&vm)), seconds),
        None => 0.0,
    };
    let snap = PagingSnapshot {
        devices,
        swap_in_pages: vm.pswpin as f64,
        swap_out_pages: vm.pswpout as f64,
        swap_in_bytes: vm.pswpin as f64 * page,
        swap_out_bytes: vm.pswpout as f64 * page,
        page_in_count: vm.pgpgin as f64,
        page_out_count: vm.pgpgout as f64,
        major_faults: vm.pgmajfault as f64,
        minor_faults: vm.pgfault.saturating_sub(vm.pgmajfault) as f64,
        swap_in_per_second: per_second(|v| v.pswpin),
        swap_out_per_second: per_second(|v| v.pswpout),
        major_faults_per_second: per_second(|v| v.pgmajfault),
        page_size_bytes: page,
        interval_seconds: prev.map_or(0.0, |(_, s)| s),
    };
    state.prev.store(now, vm);
    Ok(snap)
}

/// The paging counters of `/proc/vmstat` (`name value` lines); absent ones are 0.
pub fn parse_vmstat(text: &str) -> VmCounters {
    let all: HashMap<&str, u64> = text
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((f.next()?, f.next()?.parse().ok()?))
        })
        .collect();
    let get = |k: &str| all.get(k).copied().unwrap_or(0);
    VmCounters {
        pswpin: get("pswpin"),
        pswpout: get("pswpout"),
        pgpgin: get("pgpgin"),
        pgpgout: get("pgpgout"),
        pgfault: get("pgfault"),
        pgmajfault: get("pgmajfault"),
    }
}

/// `/proc/swaps` after its header: `Filename Type Size Used Priority`, sizes in KiB.
/// The kernel escapes blanks and backslashes in the path as octal (`\040`).
pub fn parse_swaps(text: &str) -> Vec<SwapDevice> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let device = decode_octal_escapes(f.next()?);
            let kind = f.next()?.to_string();
            let size: u64 = f.next()?.parse().ok()?;
            let used: u64 = f.next()?.parse().ok()?;
            let priority: i32 = f.next()?.parse().ok()?;
            Some(SwapDevice {
                device,
                kind,
                size_bytes: size.saturating_mul(1024) as f64,
                used_bytes: used.saturating_mul(1024) as f64,
                priority,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
