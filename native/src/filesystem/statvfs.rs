//! `statvfs(3)` behind one portable signature: libc on Unix, "unsupported" elsewhere.

/// The numbers `statvfs` gives, already multiplied out to bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub total_bytes: f64,
    pub free_bytes: f64,
    pub available_bytes: f64,
    pub inodes_total: f64,
    pub inodes_free: f64,
}

pub use imp::stat;

#[cfg(unix)]
mod imp {
    use std::ffi::CString;
    use std::io;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    use super::Stats;

    /// Calls `statvfs` on `path`. Blocks for as long as the filesystem does: callers
    /// run it on a helper thread for network filesystems.
    pub fn stat(path: &Path) -> io::Result<Stats> {
        let c = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in path"))?;
        // SAFETY: `statvfs` is plain old data, so all-zero is a valid value; `c` is a
        // NUL-terminated string and `buf` a valid, exclusively borrowed out-pointer.
        let mut buf: libc::statvfs = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::statvfs(c.as_ptr(), &mut buf) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        // f_frsize is the unit of the block counts; some old systems leave it 0.
        #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
        let unit = if buf.f_frsize > 0 {
            buf.f_frsize as f64
        } else {
            buf.f_bsize as f64
        };
        #[allow(clippy::unnecessary_cast)]
        Ok(Stats {
            total_bytes: buf.f_blocks as f64 * unit,
            free_bytes: buf.f_bfree as f64 * unit,
            available_bytes: buf.f_bavail as f64 * unit,
            inodes_total: buf.f_files as f64,
            inodes_free: buf.f_ffree as f64,
        })
    }
}

#[cfg(not(unix))]
mod imp {
    use std::io;
    use std::path::Path;

    use super::Stats;

    pub fn stat(_path: &Path) -> io::Result<Stats> {
        Err(io::Error::new(io::ErrorKind::Unsupported, "statvfs"))
    }
}
