//! Memory and swap totals from `/proc/meminfo`.
//!
//! A missing or unreadable `/proc/meminfo`, or one without `MemTotal`, fails the
//! group; any other missing field (fields come and go between kernel versions) is 0.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::linux::procfs::Roots;
pub use crate::snapshot::memory::MemorySnapshot;
use crate::snapshot::rates::percent;

pub fn collect(roots: &Roots) -> Result<MemorySnapshot> {
    let path = roots.proc("meminfo");
    let text = roots.proc_text("meminfo")?;
    snapshot(&parse_meminfo(&text)).ok_or_else(|| Error::parse(&path, "no MemTotal"))
}

/// `Key: value [kB]` lines; values with a `kB` unit are turned into bytes, the
/// others (`HugePages_Total`, counts) are kept as they are. Garbage lines are skipped.
pub fn parse_meminfo(text: &str) -> HashMap<&str, u64> {
    text.lines()
        .filter_map(|line| {
            let (key, rest) = line.split_once(':')?;
            let mut f = rest.split_whitespace();
            let value: u64 = f.next()?.parse().ok()?;
            let value = match f.next() {
                None => value,
                Some(u) if u.eq_ignore_ascii_case("kb") => value.saturating_mul(1024),
                Some(_) => return None,
            };
            Some((key.trim(), value))
        })
        .collect()
}

/// The snapshot from parsed fields; `None` without `MemTotal`.
pub fn snapshot(m: &HashMap<&str, u64>) -> Option<MemorySnapshot> {
    let total = *m.get("MemTotal")?;
    let get = |k: &str| m.get(k).copied().unwrap_or(0);
    // MemAvailable appeared in 3.14; before it, free + buffers + page cache is
    // the usual estimate.
    let available = m
        .get("MemAvailable")
        .copied()
        .unwrap_or_else(|| {
            get("MemFree")
                .saturating_add(get("Buffers"))
                .saturating_add(get("Cached"))
        })
        .min(total);
    let used = total - available;
    let swap_total = get("SwapTotal");
    let swap_free = get("SwapFree").min(swap_total);
    let swap_used = swap_total - swap_free;
    let f = |v: u64| v as f64;
    Some(MemorySnapshot {
        total_bytes: f(total),
        free_bytes: f(get("MemFree")),
        available_bytes: f(available),
        used_bytes: f(used),
        used_percent: percent(f(used), f(total)),
        buffers_bytes: f(get("Buffers")),
        cached_bytes: f(get("Cached")),
        active_bytes: f(get("Active")),
        inactive_bytes: f(get("Inactive")),
        wired_bytes: 0.0,
        shared_bytes: f(get("Shmem")),
        slab_bytes: f(get("Slab")),
        slab_reclaimable_bytes: f(get("SReclaimable")),
        slab_unreclaimable_bytes: f(get("SUnreclaim")),
        page_tables_bytes: f(get("PageTables")),
        committed_bytes: f(get("Committed_AS")),
        commit_limit_bytes: f(get("CommitLimit")),
        dirty_bytes: f(get("Dirty")),
        writeback_bytes: f(get("Writeback")),
        swap_total_bytes: f(swap_total),
        swap_free_bytes: f(swap_free),
        swap_used_bytes: f(swap_used),
        swap_used_percent: percent(f(swap_used), f(swap_total)),
        swap_cached_bytes: f(get("SwapCached")),
    })
}

#[cfg(test)]
mod tests;
