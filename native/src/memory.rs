//! Memory and swap totals from `/proc/meminfo`.

use napi_derive::napi;

use crate::error::{Error, Result};
use crate::procfs::Roots;

/// The memory group: bytes unless the name says otherwise.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct MemorySnapshot {
    pub total_bytes: f64,
    pub free_bytes: f64,
    pub available_bytes: f64,
    /// `MemTotal − MemAvailable`.
    pub used_bytes: f64,
    /// `used / total`, percent 0–100.
    pub used_percent: f64,
    pub buffers_bytes: f64,
    /// `Cached` (page cache, without `SReclaimable`).
    pub cached_bytes: f64,
    pub active_bytes: f64,
    pub inactive_bytes: f64,
    /// Always 0 on Linux: the kernel has no "wired" memory class.
    pub wired_bytes: f64,
    /// `Shmem`.
    pub shared_bytes: f64,
    pub slab_bytes: f64,
    pub slab_reclaimable_bytes: f64,
    pub slab_unreclaimable_bytes: f64,
    pub page_tables_bytes: f64,
    /// `Committed_AS`.
    pub committed_bytes: f64,
    pub commit_limit_bytes: f64,
    pub dirty_bytes: f64,
    pub writeback_bytes: f64,
    pub swap_total_bytes: f64,
    pub swap_free_bytes: f64,
    pub swap_used_bytes: f64,
    /// `swap used / swap total`, percent 0–100 (0 without swap).
    pub swap_used_percent: f64,
    pub swap_cached_bytes: f64,
}

pub fn collect(_roots: &Roots) -> Result<MemorySnapshot> {
    Err(Error::Unsupported("memory"))
}
