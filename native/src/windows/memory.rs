//! Memory from `GlobalMemoryStatusEx` and `GetPerformanceInfo`.

use std::io;
use std::mem::size_of;

use windows_sys::Win32::System::ProcessStatus::{GetPerformanceInfo, PERFORMANCE_INFORMATION};
use windows_sys::Win32::System::SystemInformation::{GlobalMemoryStatusEx, MEMORYSTATUSEX};

use super::win::last_error;

/// What the two calls report, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RawMemory {
    /// Physical memory.
    pub total: u64,
    /// Physical memory available (free, zeroed and standby pages).
    pub available: u64,
    /// The commit limit: physical memory plus the paging files.
    pub commit_limit: u64,
    /// Commit charge not yet used.
    pub commit_available: u64,
    /// Committed (the commit charge).
    pub committed: u64,
    /// The system file cache.
    pub system_cache: u64,
    /// Kernel paged and nonpaged pools.
    pub kernel_pools: u64,
}

pub fn read() -> io::Result<RawMemory> {
    let mut status = MEMORYSTATUSEX {
        dwLength: size_of::<MEMORYSTATUSEX>() as u32,
        ..Default::default()
    };
    // SAFETY: dwLength is set, as the call requires.
    if unsafe { GlobalMemoryStatusEx(&mut status) } == 0 {
        return Err(last_error("GlobalMemoryStatusEx"));
    }
    let mut perf = PERFORMANCE_INFORMATION {
        cb: size_of::<PERFORMANCE_INFORMATION>() as u32,
        ..Default::default()
    };
    // SAFETY: `cb` is the structure's size.
    let have_perf = unsafe { GetPerformanceInfo(&mut perf, perf.cb) } != 0;
    let page = perf.PageSize as u64;
    let pages = |n: usize| if have_perf { n as u64 * page } else { 0 };
    Ok(RawMemory {
        total: status.ullTotalPhys,
        available: status.ullAvailPhys,
        commit_limit: status.ullTotalPageFile,
        commit_available: status.ullAvailPageFile,
        committed: pages(perf.CommitTotal),
        system_cache: pages(perf.SystemCache),
        kernel_pools: pages(perf.KernelPaged).saturating_add(pages(perf.KernelNonpaged)),
    })
}
