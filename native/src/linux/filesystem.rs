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

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::linux::procfs::{decode_octal_escapes, read_string, Roots};
pub use crate::snapshot::filesystem::{Filesystem, Options, Stats};
use crate::unix::statvfs;
pub use crate::unix::statvfs::{is_remote, stat_with_timeout, REMOTE_TIMEOUT, STUCK};

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

/// A pseudo filesystem or a mount under [`CONTAINER_DIRS`]: left out by default.
pub fn is_hidden(fs_type: &str, mountpoint: &str) -> bool {
    PSEUDO_TYPES.contains(&fs_type) || CONTAINER_DIRS.iter().any(|d| mountpoint.starts_with(d))
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
        .filter(|e| include_pseudo || !is_hidden(&e.fs_type, &e.mountpoint))
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
                Stats::default()
            } else if is_remote(&m.fs_type) {
                stat_with_timeout(path, REMOTE_TIMEOUT)?
            } else {
                statvfs::stat(&path).ok()?
            };
            Some(Filesystem::from_stats(
                &m.source,
                &m.mountpoint,
                &m.fs_type,
                m.read_only(),
                stats,
            ))
        })
        .collect())
}

#[cfg(test)]
mod tests;
