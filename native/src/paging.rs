//! Swap devices (`/proc/swaps`) and paging counters (`/proc/vmstat`).

use napi_derive::napi;

use crate::error::{Error, Result};
use crate::procfs::Roots;

/// One swap area of `/proc/swaps`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct SwapDevice {
    /// The file or partition, path decoded.
    pub device: String,
    /// `partition` or `file`.
    pub kind: String,
    pub size_bytes: f64,
    pub used_bytes: f64,
    pub priority: i32,
}

/// Paging and swapping counters, cumulative since boot, with rates over the interval.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct PagingSnapshot {
    pub devices: Vec<SwapDevice>,
    /// Pages swapped in (`pswpin`).
    pub swap_in_pages: f64,
    /// Pages swapped out (`pswpout`).
    pub swap_out_pages: f64,
    /// `pswpin × page size`.
    pub swap_in_bytes: f64,
    /// `pswpout × page size`.
    pub swap_out_bytes: f64,
    /// KiB paged in from disk (`pgpgin`), as pages of 1 KiB as the kernel counts them.
    pub page_in_count: f64,
    /// KiB paged out to disk (`pgpgout`).
    pub page_out_count: f64,
    /// `pgmajfault`.
    pub major_faults: f64,
    /// `pgfault − pgmajfault`.
    pub minor_faults: f64,
    /// Swap-ins per second over the interval.
    pub swap_in_per_second: f64,
    /// Swap-outs per second over the interval.
    pub swap_out_per_second: f64,
    /// Major faults per second over the interval.
    pub major_faults_per_second: f64,
    pub page_size_bytes: f64,
}

/// Previous `/proc/vmstat` counters.
#[derive(Debug, Default)]
pub struct State {}

pub fn collect(_roots: &Roots, _state: &mut State, _seconds: f64) -> Result<PagingSnapshot> {
    Err(Error::Unsupported("paging"))
}
