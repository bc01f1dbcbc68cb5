//! Mounted filesystems: `/proc/self/mountinfo` (escaped paths decoded) and `statvfs`.

use napi_derive::napi;

use crate::error::{Error, Result};
use crate::procfs::Roots;

/// One mounted filesystem.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct Filesystem {
    /// Mount source, e.g. `/dev/sda1`, `tmpfs`, `server:/export`.
    pub device: String,
    /// Mount point as the host sees it (decoded: `\040` is a space).
    pub mountpoint: String,
    /// Filesystem type, e.g. `ext4`, `xfs`, `overlay`.
    pub fs_type: String,
    /// `ro` or `rw`.
    pub mode: String,
    pub total_bytes: f64,
    /// Free blocks including those reserved for root.
    pub free_bytes: f64,
    /// Free blocks an unprivileged user may use.
    pub available_bytes: f64,
    /// `total − free`.
    pub used_bytes: f64,
    /// `free − available` (reserved for root).
    pub reserved_bytes: f64,
    /// `used / (used + available)`, percent 0–100, as `df` shows it.
    pub used_percent: f64,
    pub inodes_total: f64,
    pub inodes_free: f64,
    pub inodes_used: f64,
    pub inodes_used_percent: f64,
}

/// Options for the filesystem scan.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep pseudo filesystems (proc, sysfs, cgroup, tmpfs, overlay's lower layers…).
    pub include_pseudo: bool,
}

pub fn collect(_roots: &Roots, _opts: &Options) -> Result<Vec<Filesystem>> {
    Err(Error::Unsupported("filesystem"))
}
