//! Memory and swap totals from `/proc/meminfo`.
//!
//! A missing or unreadable `/proc/meminfo`, or one without `MemTotal`, fails the
//! group; any other missing field (fields come and go between kernel versions) is 0.

use std::collections::HashMap;

use napi_derive::napi;

use crate::error::{Error, Result};
use crate::procfs::{percent, read_string, Roots};

/// The memory group: bytes unless the name says otherwise.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct MemorySnapshot {
    /// `MemTotal`: usable RAM.
    pub total_bytes: f64,
    /// `MemFree`: RAM not used at all.
    pub free_bytes: f64,
    /// `MemAvailable`: what new work can use without swapping (on kernels before 3.14, free + buffers + cached).
    pub available_bytes: f64,
    /// `MemTotal − MemAvailable`.
    pub used_bytes: f64,
    /// `used / total`, percent 0–100.
    pub used_percent: f64,
    /// `Buffers`: block-device cache.
    pub buffers_bytes: f64,
    /// `Cached` (page cache, without `SReclaimable`).
    pub cached_bytes: f64,
    /// `Active`: recently used, reclaimed last.
    pub active_bytes: f64,
    /// `Inactive`: candidates for reclaim.
    pub inactive_bytes: f64,
    /// Always 0 on Linux: the kernel has no "wired" memory class.
    pub wired_bytes: f64,
    /// `Shmem`.
    pub shared_bytes: f64,
    /// `Slab`: kernel object caches.
    pub slab_bytes: f64,
    /// `SReclaimable`: slab the kernel can free under pressure.
    pub slab_reclaimable_bytes: f64,
    /// `SUnreclaim`.
    pub slab_unreclaimable_bytes: f64,
    /// `PageTables`.
    pub page_tables_bytes: f64,
    /// `Committed_AS`.
    pub committed_bytes: f64,
    /// `CommitLimit`.
    pub commit_limit_bytes: f64,
    /// `Dirty`: waiting to be written back.
    pub dirty_bytes: f64,
    /// `Writeback`: being written back now.
    pub writeback_bytes: f64,
    /// `SwapTotal`.
    pub swap_total_bytes: f64,
    /// `SwapFree`.
    pub swap_free_bytes: f64,
    /// `SwapTotal − SwapFree`.
    pub swap_used_bytes: f64,
    /// `swap used / swap total`, percent 0–100 (0 without swap).
    pub swap_used_percent: f64,
    /// `SwapCached`: swapped out and back in, still in swap.
    pub swap_cached_bytes: f64,
}

pub fn collect(roots: &Roots) -> Result<MemorySnapshot> {
    let path = roots.proc("meminfo");
    let text = read_string(&path)?;
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
