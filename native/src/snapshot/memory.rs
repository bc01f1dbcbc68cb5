//! The memory group: RAM and swap, bytes.

use napi_derive::napi;

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
