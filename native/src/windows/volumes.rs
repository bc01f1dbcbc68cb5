//! File systems: every drive letter (`GetLogicalDriveStringsW`), its type and flags
//! (`GetDriveTypeW`, `GetVolumeInformationW`) and sizes (`GetDiskFreeSpaceExW`).

use std::io;

use windows_sys::Win32::Storage::FileSystem::{
    GetDiskFreeSpaceExW, GetDriveTypeW, GetLogicalDriveStringsW, GetVolumeInformationW,
};
use windows_sys::Win32::System::Diagnostics::Debug::{SetThreadErrorMode, SEM_FAILCRITICALERRORS};

use super::decode::RawVolume;
use super::win::{from_wide, last_error, wide};

const FILE_READ_ONLY_VOLUME: u32 = 0x0008_0000;

/// The drive roots, `A:\` to `Z:\`.
fn roots() -> io::Result<Vec<String>> {
    let mut buf = vec![0u16; 256];
    loop {
        // SAFETY: `buf` holds `len` units.
        let n = unsafe { GetLogicalDriveStringsW(buf.len() as u32, buf.as_mut_ptr()) } as usize;
        if n == 0 {
            return Err(last_error("GetLogicalDriveStringsW"));
        }
        if n > buf.len() {
            buf.resize(n + 1, 0);
            continue;
        }
        return Ok(buf[..n]
            .split(|&c| c == 0)
            .filter(|s| !s.is_empty())
            .map(String::from_utf16_lossy)
            .collect());
    }
}

/// Every drive with a readable size; drives without media (an empty card reader) and
/// those that refuse are left out. Windows is kept from asking the user to insert a disk.
pub fn read() -> io::Result<Vec<RawVolume>> {
    let mut old = 0u32;
    // SAFETY: sets this thread's mode only; restored below.
    unsafe { SetThreadErrorMode(SEM_FAILCRITICALERRORS, &mut old) };
    let out = roots().map(|roots| roots.iter().filter_map(|r| volume(r)).collect());
    // SAFETY: as above.
    unsafe { SetThreadErrorMode(old, std::ptr::null_mut()) };
    out
}

fn volume(root: &str) -> Option<RawVolume> {
    let w = wide(root);
    // SAFETY: `w` is NUL-terminated.
    let drive_type = unsafe { GetDriveTypeW(w.as_ptr()) };
    if drive_type <= 1 {
        return None; // unknown, or no such root
    }
    let (mut available, mut total, mut free) = (0u64, 0u64, 0u64);
    // SAFETY: `w` is NUL-terminated; three u64 outputs.
    if unsafe { GetDiskFreeSpaceExW(w.as_ptr(), &mut available, &mut total, &mut free) } == 0 {
        return None;
    }
    let mut fs = [0u16; 64];
    let mut flags = 0u32;
    // SAFETY: the name buffer's length is passed; the other outputs are optional.
    let named = unsafe {
        GetVolumeInformationW(
            w.as_ptr(),
            std::ptr::null_mut(),
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut flags,
            fs.as_mut_ptr(),
            fs.len() as u32,
        )
    } != 0;
    Some(RawVolume {
        root: root.to_string(),
        fs_type: if named { from_wide(&fs) } else { String::new() },
        read_only: named && flags & FILE_READ_ONLY_VOLUME != 0,
        total,
        free,
        available,
    })
}
