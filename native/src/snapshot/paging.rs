//! Swap areas and paging counters, with rates over the interval.

use napi_derive::napi;

/// One swap area of `/proc/swaps`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct SwapDevice {
    /// The file or partition, path decoded.
    pub device: String,
    /// `partition` or `file`.
    pub kind: String,
    /// Size, bytes.
    pub size_bytes: f64,
    /// In use, bytes.
    pub used_bytes: f64,
    /// Swap priority; higher is used first.
    pub priority: i32,
}

/// Paging and swapping counters, cumulative since boot, with rates over the interval.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct PagingSnapshot {
    /// Swap areas of `/proc/swaps`; empty without swap.
    pub devices: Vec<SwapDevice>,
    /// Pages swapped in (`pswpin`).
    pub swap_in_pages: f64,
    /// Pages swapped out (`pswpout`).
    pub swap_out_pages: f64,
    /// `pswpin × page size`.
    pub swap_in_bytes: f64,
    /// `pswpout × page size`.
    pub swap_out_bytes: f64,
    /// KiB paged in from disk since boot (`pgpgin`): despite the name, the kernel
    /// counts this in KiB, not in pages.
    pub page_in_count: f64,
    /// KiB paged out to disk since boot (`pgpgout`), KiB as for `pageInCount`.
    pub page_out_count: f64,
    /// `pgmajfault`.
    pub major_faults: f64,
    /// `pgfault − pgmajfault`.
    pub minor_faults: f64,
    /// Pages swapped in per second over the interval (pages/s; × `pageSizeBytes` for bytes/s).
    pub swap_in_per_second: f64,
    /// Pages swapped out per second over the interval (pages/s).
    pub swap_out_per_second: f64,
    /// Major faults per second over the interval.
    pub major_faults_per_second: f64,
    /// The kernel's page size, bytes (the unit of the `*Pages` fields).
    pub page_size_bytes: f64,
    /// Seconds the rates cover: since this group's previous successful read. 0 on the
    /// first read and when that was under 0.1 s ago (rates are then all zero).
    pub interval_seconds: f64,
}
