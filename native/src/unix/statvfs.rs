//! `statvfs(3)` for every Unix backend, and a guard for network filesystems whose
//! `statvfs` can block forever: such calls run on a helper thread that is given up
//! after [`REMOTE_TIMEOUT`], and a mount whose helper is still stuck is skipped.

use std::collections::HashSet;
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use crate::snapshot::filesystem::Stats;

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

/// How long a network filesystem's `statvfs` may take before it is skipped.
pub const REMOTE_TIMEOUT: Duration = Duration::from_secs(1);

/// Filesystems whose `statvfs` may wait on a server, a cluster lock manager, a
/// hypervisor or a FUSE daemon forever.
pub fn is_remote(fs_type: &str) -> bool {
    matches!(
        fs_type,
        "nfs"
            | "nfs4"
            | "cifs"
            | "smb3"
            | "smbfs"
            | "ceph"
            | "glusterfs"
            | "9p"
            | "afs"
            | "lustre"
            | "fuse"
            | "fuseblk"
            | "virtiofs"
            | "gpfs"
            | "beegfs"
            | "ocfs2"
            | "gfs2"
            | "vboxsf"
    ) || fs_type.starts_with("fuse.")
}

/// Mount points whose helper thread is still blocked in `statvfs`.
pub static STUCK: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

fn stuck() -> std::sync::MutexGuard<'static, Option<HashSet<PathBuf>>> {
    STUCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// `statvfs` on a helper thread, given up after `timeout`; `None` when it failed,
/// timed out, or an earlier call on the same path is still stuck.
pub fn stat_with_timeout(path: PathBuf, timeout: Duration) -> Option<Stats> {
    if !stuck()
        .get_or_insert_with(HashSet::new)
        .insert(path.clone())
    {
        return None;
    }
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("tfo-statvfs".into())
        .spawn({
            let path = path.clone();
            move || {
                let result = stat(&path);
                if let Some(set) = stuck().as_mut() {
                    set.remove(&path);
                }
                let _ = tx.send(result);
            }
        });
    if spawned.is_err() {
        if let Some(set) = stuck().as_mut() {
            set.remove(&path);
        }
        return None;
    }
    rx.recv_timeout(timeout).ok()?.ok()
}
