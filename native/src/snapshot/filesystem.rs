//! Mounted filesystems and their sizes.

use napi_derive::napi;

use super::rates::percent;

/// The numbers a filesystem reports (`statvfs` on Unix), multiplied out to bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub total_bytes: f64,
    pub free_bytes: f64,
    pub available_bytes: f64,
    pub inodes_total: f64,
    pub inodes_free: f64,
}

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
    /// Size, bytes (`f_blocks × f_frsize`).
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
    /// Inodes (files) the filesystem can hold; 0 where it does not count them (btrfs, some FUSE).
    pub inodes_total: f64,
    /// Free inodes.
    pub inodes_free: f64,
    /// `inodesTotal − inodesFree`.
    pub inodes_used: f64,
    /// `inodesUsed / inodesTotal`, percent 0–100 (0 without inode counts).
    pub inodes_used_percent: f64,
}

/// Options for the filesystem scan.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep pseudo filesystems and images ([`PSEUDO_TYPES`]: proc, sysfs, cgroup,
    /// devtmpfs, squashfs…) and mounts under [`CONTAINER_DIRS`].
    pub include_pseudo: bool,
}

impl Filesystem {
    /// A mount's sizes from what its OS reports: used = total − free (the blocks
    /// reserved for root count as neither used nor available, as `df` shows them).
    pub fn from_stats(
        device: &str,
        mountpoint: &str,
        fs_type: &str,
        read_only: bool,
        s: Stats,
    ) -> Self {
        let used = (s.total_bytes - s.free_bytes).max(0.0);
        let inodes_used = (s.inodes_total - s.inodes_free).max(0.0);
        Filesystem {
            device: device.to_string(),
            mountpoint: mountpoint.to_string(),
            fs_type: fs_type.to_string(),
            mode: if read_only { "ro" } else { "rw" }.to_string(),
            total_bytes: s.total_bytes,
            free_bytes: s.free_bytes,
            available_bytes: s.available_bytes,
            used_bytes: used,
            reserved_bytes: (s.free_bytes - s.available_bytes).max(0.0),
            used_percent: percent(used, used + s.available_bytes),
            inodes_total: s.inodes_total,
            inodes_free: s.inodes_free,
            inodes_used,
            inodes_used_percent: percent(inodes_used, s.inodes_total),
        }
    }
}
