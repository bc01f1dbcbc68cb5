//! Memory from `GlobalMemoryStatusEx` and `GetPerformanceInfo`.

use std::io;
use std::mem::size_of;

use windows_sys::Win32::System::ProcessStatus::{GetPerformanceInfo, PERFORMANCE_INFORMATION};
use windows_sys::Win32::System::SystemInformation::{GlobalMemoryStatusEx, MEMORYSTATUSEX};

use super::decode::RawMemory;
use super::win::last_error;

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
    })
}
