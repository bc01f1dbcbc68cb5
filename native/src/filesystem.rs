//! Mounted filesystems: `mountinfo` (escaped paths decoded) and `statvfs`.
//!
//! With a `rootPath` other than `/` the agent runs in a container looking at the
//! host, so the mount table is init's (`<proc>/1/mountinfo`), not the agent's own.
//!
//! Left out by default (`includePseudoFilesystems` keeps them):
//! - the kernel's pseudo filesystems, which hold no user data, and read-only images
//!   (squashfs snaps, erofs, iso9660), which are always 100 % full ([`PSEUDO_TYPES`]),
//!   as node_exporter does;
//! - mounts under [`CONTAINER_DIRS`] (`/var/lib/docker/`, `/var/lib/kubelet/`): each
//!   container's overlay root and each pod volume, one per container, which show the
//!   host disk or a tmpfs again under another name.
//!
//! - virtual filesystems, as the hostmetrics receiver leaves them out by default
//!   (`include_virtual_filesystems: false`): a type that `<proc>/filesystems` marks
//!   `nodev` (tmpfs, overlay, cgroup…), or does not list at all, is left out, except
//!   zfs and the network filesystems ([`is_remote`]), which hold real data (gopsutil,
//!   under the receiver, leaves network filesystems out too: a listed difference).
//!   Without a readable `<proc>/filesystems`, only the types above are left out.
//!
//! A filesystem mounted in several places is reported once, as `df` does: when a
//! device (mountinfo's `major:minor`) is mounted with its root `/` somewhere, only the
//! shortest such mount point is kept, and bind mounts of its sub-directories (root
//! other than `/`) are dropped. A device mounted only through sub-directories (btrfs
//! subvolumes) keeps every mount.
//!
//! `autofs` is never given to `statvfs` (it would trigger the automount, possibly of a
//! server that is gone): it is left out, and with `includePseudoFilesystems` listed
//! with zero sizes.
//!
//! `statvfs` on a network filesystem whose server is gone blocks forever, so for
//! those types ([`is_remote`]) it runs on a helper thread that is given up after
//! [`REMOTE_TIMEOUT`]; such a mount, and one whose `statvfs` fails (EACCES, a
//! mount point gone since the table was read), is left out of the list rather than
//! failing the group. A helper that is still stuck is remembered, so later collects
//! skip that mount instead of piling up threads.

mod statvfs;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use napi_derive::napi;

use crate::error::Result;
use crate::procfs::{decode_octal_escapes, percent, read_string, Roots};

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

/// Kernel filesystems with no user data, and read-only images that are always full,
/// left out unless `include_pseudo`.
pub const PSEUDO_TYPES: &[&str] = &[
    "autofs",
    "binfmt_misc",
    "bpf",
    "cgroup",
    "cgroup2",
    "configfs",
    "debugfs",
    "devpts",
    "devtmpfs",
    "efivarfs",
    "erofs",
    "fuse.lxcfs",
    "fusectl",
    "hugetlbfs",
    "iso9660",
    "mqueue",
    "nsfs",
    "proc",
    "pstore",
    "ramfs",
    "rpc_pipefs",
    "securityfs",
    "selinuxfs",
    "squashfs",
    "sysfs",
    "tracefs",
];

/// Mount points below these are left out unless `include_pseudo`: container runtimes'
/// per-container overlay roots and kubelet's per-pod volumes.
pub const CONTAINER_DIRS: &[&str] = &["/var/lib/docker/", "/var/lib/kubelet/"];

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

/// One line of `mountinfo` (see proc(5)), paths decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountEntry {
    pub mount_id: u32,
    pub parent_id: u32,
    /// The device's numbers (`major:minor`): mounts of one filesystem share them.
    pub major: u32,
    pub minor: u32,
    /// The directory of the filesystem mounted here: `/`, or a sub-directory for a
    /// bind mount of one.
    pub root: String,
    pub mountpoint: String,
    /// Per-mount options (`rw,relatime`).
    pub options: String,
    pub fs_type: String,
    pub source: String,
    /// Superblock options.
    pub super_options: String,
}

impl MountEntry {
    /// Read-only at the mount or at the superblock.
    pub fn read_only(&self) -> bool {
        let ro = |opts: &str| opts.split(',').any(|o| o == "ro");
        ro(&self.options) || ro(&self.super_options)
    }
}

/// Parses `mountinfo`: `id parent major:minor root mountpoint options [optional
/// fields…] - type source super-options`. The optional fields vary in number, so
/// the ` - ` separator is searched for; malformed lines are skipped.
pub fn parse_mountinfo(text: &str) -> Vec<MountEntry> {
    text.lines().filter_map(parse_mount_line).collect()
}

fn parse_mount_line(line: &str) -> Option<MountEntry> {
    let fields: Vec<&str> = line.split(' ').collect();
    let sep = fields.iter().skip(6).position(|f| *f == "-")? + 6;
    let after = fields.get(sep + 1..)?;
    let (major, minor) = fields.get(2)?.split_once(':')?;
    Some(MountEntry {
        mount_id: fields.first()?.parse().ok()?,
        parent_id: fields.get(1)?.parse().ok()?,
        major: major.parse().ok()?,
        minor: minor.parse().ok()?,
        root: decode_octal_escapes(fields.get(3)?),
        mountpoint: decode_octal_escapes(fields.get(4)?),
        options: fields.get(5)?.to_string(),
        fs_type: decode_octal_escapes(after.first()?),
        source: decode_octal_escapes(after.get(1).copied().unwrap_or("")),
        super_options: after.get(2).copied().unwrap_or("").to_string(),
    })
}

/// The mounts to report: duplicates of a mount point collapsed to the last (the
/// kernel lists the mount on top last); then, unless `include_pseudo`, pseudo
/// filesystems and mounts under [`CONTAINER_DIRS`] dropped; then each filesystem
/// mounted in several places reported once (see the module docs).
pub fn visible_mounts(entries: Vec<MountEntry>, include_pseudo: bool) -> Vec<MountEntry> {
    let mut seen = HashSet::new();
    let mut kept: Vec<MountEntry> = entries
        .into_iter()
        .rev()
        .filter(|e| seen.insert(e.mountpoint.clone()))
        .filter(|e| {
            include_pseudo
                || !(PSEUDO_TYPES.contains(&e.fs_type.as_str())
                    || CONTAINER_DIRS.iter().any(|d| e.mountpoint.starts_with(d)))
        })
        .collect();
    kept.reverse();
    // Per device, the shortest mount point of its whole filesystem (root `/`).
    let mut whole: HashMap<(u32, u32), usize> = HashMap::new();
    for (i, e) in kept.iter().enumerate() {
        if e.root == "/" {
            let shortest = whole.entry((e.major, e.minor)).or_insert(i);
            if kept
                .get(*shortest)
                .is_some_and(|s| e.mountpoint.len() < s.mountpoint.len())
            {
                *shortest = i;
            }
        }
    }
    kept.into_iter()
        .enumerate()
        .filter(|(i, e)| whole.get(&(e.major, e.minor)).is_none_or(|w| w == i))
        .map(|(_, e)| e)
        .collect()
}

/// Where the mount table is: init's when looking at a host from a container.
fn mountinfo_paths(roots: &Roots) -> [PathBuf; 2] {
    let own = roots.proc("self/mountinfo");
    let init = roots.proc("1/mountinfo");
    if roots.rootfs == Path::new("/") {
        [own, init]
    } else {
        [init, own]
    }
}

/// The types `<proc>/filesystems` lists without `nodev`: those a block device backs.
pub fn parse_block_types(text: &str) -> HashSet<String> {
    text.lines()
        .filter(|l| !l.starts_with("nodev"))
        .map(|l| l.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// A virtual filesystem (see the module docs): not backed by a block device, not zfs
/// and not a network filesystem. `fuse.sshfs` is judged by its base type `fuse`.
pub fn is_virtual(block_types: &HashSet<String>, fs_type: &str) -> bool {
    let base = fs_type.split('.').next().unwrap_or(fs_type);
    !(block_types.contains(fs_type)
        || block_types.contains(base)
        || fs_type == "zfs"
        || is_remote(fs_type))
}

pub fn collect(roots: &Roots, opts: &Options) -> Result<Vec<Filesystem>> {
    let [first, second] = mountinfo_paths(roots);
    let text = match read_string(&first) {
        Ok(t) => t,
        Err(e) => match read_string(&second) {
            Ok(t) => t,
            Err(e2) if e.is_not_found() && e2.is_not_found() => return Ok(Vec::new()),
            Err(_) => return Err(e),
        },
    };
    let mut mounts = visible_mounts(parse_mountinfo(&text), opts.include_pseudo);
    if !opts.include_pseudo {
        if let Ok(list) = read_string(&roots.proc("filesystems")) {
            let block = parse_block_types(&list);
            mounts.retain(|m| !is_virtual(&block, &m.fs_type));
        }
    }
    Ok(mounts
        .into_iter()
        .filter_map(|m| {
            let path = roots.host(&m.mountpoint);
            let stats = if m.fs_type == "autofs" {
                statvfs::Stats::default()
            } else if is_remote(&m.fs_type) {
                stat_with_timeout(path, REMOTE_TIMEOUT)?
            } else {
                statvfs::stat(&path).ok()?
            };
            Some(to_filesystem(&m, stats))
        })
        .collect())
}

/// Mount points whose helper thread is still blocked in `statvfs`.
pub(crate) static STUCK: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

fn stuck() -> std::sync::MutexGuard<'static, Option<HashSet<PathBuf>>> {
    STUCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// `statvfs` on a helper thread, given up after `timeout`; `None` when it failed,
/// timed out, or an earlier call on the same path is still stuck.
pub fn stat_with_timeout(path: PathBuf, timeout: Duration) -> Option<statvfs::Stats> {
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
                let result = statvfs::stat(&path);
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

fn to_filesystem(m: &MountEntry, s: statvfs::Stats) -> Filesystem {
    let used = (s.total_bytes - s.free_bytes).max(0.0);
    let inodes_used = (s.inodes_total - s.inodes_free).max(0.0);
    Filesystem {
        device: m.source.clone(),
        mountpoint: m.mountpoint.clone(),
        fs_type: m.fs_type.clone(),
        mode: if m.read_only() { "ro" } else { "rw" }.to_string(),
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

#[cfg(test)]
mod tests;
