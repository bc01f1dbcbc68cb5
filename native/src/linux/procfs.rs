//! Where the kernel's files are, and small readers shared by the collectors.
//!
//! Every collector takes a [`Roots`] so that `cargo test` can point it at a fixture
//! tree and a containerised agent can read the host's `/proc` and `/sys` under
//! `/hostfs` (like node_exporter's `--path.rootfs`).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

/// The three trees a scan reads from.
#[derive(Debug, Clone)]
pub struct Roots {
    /// Files of the proc tree read at most once per collect (see [`Roots::proc_text`]);
    /// `None` reads every time (a bare `Roots`, as tests and one-off readers build it).
    cache: Option<Arc<Mutex<ReadCache>>>,
    /// procfs, normally `/proc`.
    pub proc: PathBuf,
    /// sysfs, normally `/sys`.
    pub sys: PathBuf,
    /// The host's root filesystem, normally `/`: `/etc/os-release`, machine-id and
    /// the mount points that `statvfs` is called on are read below it.
    pub rootfs: PathBuf,
}

impl Default for Roots {
    fn default() -> Self {
        Roots {
            cache: None,
            proc: "/proc".into(),
            sys: "/sys".into(),
            rootfs: "/".into(),
        }
    }
}

impl Roots {
    /// `root_path` moves all three; `proc_root` and `sys_root` then override one each.
    pub fn new(root_path: Option<&str>, proc_root: Option<&str>, sys_root: Option<&str>) -> Self {
        let rootfs = PathBuf::from(root_path.unwrap_or("/"));
        Roots {
            cache: None,
            proc: proc_root
                .map(PathBuf::from)
                .unwrap_or_else(|| rootfs.join("proc")),
            sys: sys_root
                .map(PathBuf::from)
                .unwrap_or_else(|| rootfs.join("sys")),
            rootfs,
        }
    }

    /// A whole host tree below `dir`: `dir/proc`, `dir/sys` and `dir` itself as the
    /// root filesystem, the way fixture trees are laid out and as `rootPath` moves
    /// all three.
    pub fn at(dir: &Path) -> Self {
        Roots {
            cache: None,
            proc: dir.join("proc"),
            sys: dir.join("sys"),
            rootfs: dir.to_path_buf(),
        }
    }

    /// The same trees, with a read cache for [`Roots::proc_text`] that lives until
    /// [`Roots::forget_reads`]: the procfs backend keeps one and clears it before each
    /// collect, so a kernel file several groups need (`stat`, `meminfo`) is read once.
    pub fn with_read_cache(mut self) -> Self {
        self.cache = Some(Arc::default());
        self
    }

    /// Drops what the read cache holds (the start of a collect).
    pub fn forget_reads(&self) {
        if let Some(cache) = &self.cache {
            cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .files
                .clear();
        }
    }

    /// The text of `<proc>/<rel>`, read once per collect where this `Roots` has a read
    /// cache (every group of the collect then sees the same reading), else every time.
    pub fn proc_text(&self, rel: &str) -> Result<Arc<str>> {
        let Some(cache) = &self.cache else {
            return read_string(&self.proc(rel)).map(Arc::from);
        };
        let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(text) = cache.files.get(rel) {
            return Ok(text.clone());
        }
        let text: Arc<str> = Arc::from(read_string(&self.proc(rel))?);
        cache.files.insert(rel.to_string(), text.clone());
        Ok(text)
    }

    pub fn proc(&self, rel: &str) -> PathBuf {
        self.proc.join(rel)
    }

    pub fn sys(&self, rel: &str) -> PathBuf {
        self.sys.join(rel)
    }

    /// A host path such as `/etc/os-release` or a mount point, under the root filesystem.
    pub fn host(&self, abs: &str) -> PathBuf {
        self.rootfs.join(abs.trim_start_matches('/'))
    }
}

/// Files read in this collect, by path below the proc tree.
#[derive(Debug, Default)]
pub struct ReadCache {
    files: HashMap<String, Arc<str>>,
}

/// Reads a whole file as text; invalid UTF-8 is replaced rather than refused,
/// since process names and mount paths are arbitrary bytes.
pub fn read_string(path: &Path) -> Result<String> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Reads a one-line file (sysfs attributes) and trims it; `None` when it is absent
/// or unreadable, since sysfs attributes come and go with drivers.
pub fn read_trimmed(path: &Path) -> Option<String> {
    read_string(path).ok().map(|s| s.trim().to_string())
}

/// Reads a one-number sysfs/procfs attribute.
pub fn read_u64(path: &Path) -> Option<u64> {
    read_trimmed(path)?.parse().ok()
}

/// Undoes the kernel's octal escapes in paths of `mountinfo` and `/proc/swaps` (`\040` space, `\011` tab, `\012` newline,
/// `\134` backslash); a backslash not followed by three octal digits stays.
pub fn decode_octal_escapes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let octal = b.get(i + 1..i + 4).filter(|d| {
            d.first().is_some_and(|c| (b'0'..=b'3').contains(c))
                && d.iter().all(|c| (b'0'..=b'7').contains(c))
        });
        match (b.get(i), octal) {
            (Some(b'\\'), Some(d)) => {
                out.push(d.iter().fold(0u8, |acc, c| (acc << 3) | (c - b'0')));
                i += 4;
            }
            (Some(&c), _) => {
                out.push(c);
                i += 1;
            }
            (None, _) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_follow_the_root_path_unless_overridden() {
        let r = Roots::new(Some("/hostfs"), None, Some("/other/sys"));
        assert_eq!(r.proc, PathBuf::from("/hostfs/proc"));
        assert_eq!(r.sys, PathBuf::from("/other/sys"));
        assert_eq!(
            r.host("/etc/os-release"),
            PathBuf::from("/hostfs/etc/os-release")
        );
    }

    #[test]
    fn a_tree_at_a_directory_is_the_same_as_that_root_path() {
        let r = Roots::at(Path::new("/srv/fixture"));
        assert_eq!(r.proc, PathBuf::from("/srv/fixture/proc"));
        assert_eq!(r.sys, PathBuf::from("/srv/fixture/sys"));
        assert_eq!(r.rootfs, PathBuf::from("/srv/fixture"));
        let same = Roots::new(Some("/srv/fixture"), None, None);
        assert_eq!(
            (r.proc, r.sys, r.rootfs),
            (same.proc, same.sys, same.rootfs)
        );
    }
}
