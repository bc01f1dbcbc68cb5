//! Whole disk, partition or virtual device: what sysfs (or, without it, the
//! name) says about a `/proc/diskstats` entry. See the parent module's docs.

use std::path::Path;

use crate::linux::procfs::{read_trimmed, Roots};

/// What sysfs says about one device name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SysfsFacts {
    /// `/sys/block/<name>` exists.
    pub whole: bool,
    /// `/sys/class/block/<name>` exists.
    pub known: bool,
    /// `/sys/class/block/<name>/partition` exists.
    pub partition: bool,
    /// `/sys/block/<name>/device` exists.
    pub has_device: bool,
}

impl SysfsFacts {
    pub fn read(sys: &Path, name: &str) -> Self {
        let block = sys.join("block").join(name);
        let class = sys.join("class/block").join(name);
        SysfsFacts {
            whole: block.exists(),
            known: class.exists(),
            partition: class.join("partition").exists() || block.join("partition").exists(),
            has_device: block.join("device").exists(),
        }
    }
}

/// `disk`, `partition` or `virtual`; see the module docs. `names` is every device
/// name in the same `/proc/diskstats`, for the name-only fallback.
pub fn classify(name: &str, facts: SysfsFacts, names: &[&str]) -> &'static str {
    let stacked = name.starts_with("dm-") || is_md(name);
    if ["loop", "ram", "zram"].iter().any(|p| name.starts_with(p)) {
        "virtual"
    } else if facts.partition {
        "partition"
    } else if facts.whole {
        if stacked || !facts.has_device {
            "virtual"
        } else {
            "disk"
        }
    } else if facts.known {
        // In /sys/class/block but not /sys/block: only partitions live there.
        "partition"
    } else if stacked {
        "virtual"
    } else if parent_by_name(name, names).is_some() {
        "partition"
    } else {
        "disk"
    }
}

fn is_md(name: &str) -> bool {
    name.strip_prefix("md")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// The listed device a partition name belongs to: `sda1` → `sda`, `nvme0n1p2` →
/// `nvme0n1`, `mmcblk0p1` → `mmcblk0`.
fn parent_by_name<'a>(name: &str, names: &[&'a str]) -> Option<&'a str> {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if stem.len() == name.len() || stem.is_empty() {
        return None;
    }
    let candidates = [Some(stem), stem.strip_suffix('p')];
    candidates
        .into_iter()
        .flatten()
        .filter(|c| !c.is_empty())
        .find_map(|c| names.iter().copied().find(|n| *n == c))
}

/// The name device-mapper or md gives the device, "" when there is none. dm names
/// are in sysfs; an md array's name is only the udev link `/dev/md/<name>`.
pub(super) fn label(roots: &Roots, name: &str) -> String {
    if let Some(dm) = read_trimmed(&roots.sys.join("block").join(name).join("dm/name")) {
        return dm;
    }
    if !is_md(name) {
        return String::new();
    }
    let Ok(dir) = std::fs::read_dir(roots.host("/dev/md")) else {
        return String::new();
    };
    dir.flatten()
        .find(|e| {
            std::fs::read_link(e.path()).is_ok_and(|t| t.file_name().is_some_and(|f| f == name))
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .unwrap_or_default()
}
