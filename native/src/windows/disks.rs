//! Per-disk I/O counters: `IOCTL_DISK_PERFORMANCE` on each `\\.\PhysicalDriveN`,
//! opened with no access rights (enough for the query, no administrator needed).

use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, FILE_SHARE_READ, FILE_SHARE_WRITE, OPEN_EXISTING,
};
use windows_sys::Win32::System::Ioctl::{DISK_PERFORMANCE, IOCTL_DISK_PERFORMANCE};
use windows_sys::Win32::System::IO::DeviceIoControl;

use super::decode::RawDiskPerf;
use super::win::wide;

/// Physical drives are numbered from 0 with gaps where one was removed; the scan stops
/// after this many numbers in a row that open nothing.
const GAP: u32 = 8;

fn query(n: u32) -> Option<Option<RawDiskPerf>> {
    let path = wide(&format!(r"\\.\PhysicalDrive{n}"));
    // SAFETY: a NUL-terminated path; no security attributes, no template.
    let handle = unsafe {
        CreateFileW(
            path.as_ptr(),
            0,
            FILE_SHARE_READ | FILE_SHARE_WRITE,
            std::ptr::null(),
            OPEN_EXISTING,
            0,
            std::ptr::null_mut(),
        )
    };
    if handle == INVALID_HANDLE_VALUE {
        return None;
    }
    // SAFETY: plain data, zero is valid.
    let mut perf: DISK_PERFORMANCE = unsafe { std::mem::zeroed() };
    let mut returned = 0u32;
    // SAFETY: the output buffer is a DISK_PERFORMANCE of the size passed.
    let ok = unsafe {
        DeviceIoControl(
            handle,
            IOCTL_DISK_PERFORMANCE,
            std::ptr::null(),
            0,
            (&mut perf as *mut DISK_PERFORMANCE).cast(),
            std::mem::size_of::<DISK_PERFORMANCE>() as u32,
            &mut returned,
            std::ptr::null_mut(),
        )
    } != 0;
    // SAFETY: opened above, closed once.
    unsafe { CloseHandle(handle) };
    Some(ok.then(|| RawDiskPerf {
        bytes_read: perf.BytesRead.max(0) as u64,
        bytes_written: perf.BytesWritten.max(0) as u64,
        read_time: perf.ReadTime.max(0) as u64,
        write_time: perf.WriteTime.max(0) as u64,
        read_count: perf.ReadCount,
        write_count: perf.WriteCount,
        queue_depth: perf.QueueDepth,
    }))
}

/// `(drive number, counters)` of every physical drive that answers the query.
pub fn read() -> Vec<(u32, RawDiskPerf)> {
    let mut out = Vec::new();
    let mut misses = 0;
    let mut n = 0u32;
    while misses < GAP && n < 256 {
        match query(n) {
            None => misses += 1,
            Some(perf) => {
                misses = 0;
                if let Some(perf) = perf {
                    out.push((n, perf));
                }
            }
        }
        n += 1;
    }
    out
}
