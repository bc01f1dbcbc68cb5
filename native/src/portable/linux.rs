//! What the portable backend asks Linux directly, where sysinfo has nothing: the
//! per-mode tick counters of `/proc/stat`, netlink TCP states, and the procfs
//! backend's container, DMI and host-id detection (one mechanism each, called here).

use sysinfo::Process;

use super::map::{TickReading, VmStats};
use crate::error::Result;
use crate::linux::procfs::{read_string, Roots};
use crate::linux::{container as procfs_container, cpu, host, net, virt};
use crate::snapshot::availability::{self, Gap};
use crate::snapshot::container::ContainerInfo;
use crate::snapshot::filesystem::Stats;
use crate::snapshot::tcp::TcpStateCounts;
use crate::snapshot::virt::VirtualizationInfo;
use crate::unix::statvfs;

pub use crate::unix::{clock_ticks_per_second, load_average, page_size, user_name};

/// `statvfs` on a mount point (used = total − free, as on Linux), on a helper thread
/// with a timeout for network filesystems; `None` when it fails or times out (the mount
/// is then left out).
pub fn fs_stats(mount: &std::path::Path, fs_type: &str) -> Option<Stats> {
    if statvfs::is_remote(fs_type) {
        statvfs::stat_with_timeout(mount.to_path_buf(), statvfs::REMOTE_TIMEOUT)
    } else {
        statvfs::stat(mount).ok()
    }
}

pub const OS: &str = "linux";
pub const GAPS: &[&[Gap]] = availability::LINUX_PORTABLE;
pub const TCP_SOURCE: &str = "netlink";

pub fn uid(p: &Process) -> Option<u32> {
    p.user_id().map(|u| **u)
}

pub fn timezone() -> String {
    host::timezone(&Roots::default())
}

pub fn host_id() -> String {
    host::host_id(&Roots::default())
}

pub fn cpu_ticks() -> Option<TickReading> {
    let (total, cores) = cpu::parse_stat(&read_string(&Roots::default().proc("stat")).ok()?);
    Some((total?, cores))
}

/// Not read by the portable backend on Linux (the procfs backend has them).
pub fn vm_stats() -> Option<VmStats> {
    None
}

pub fn tcp_states() -> Result<(TcpStateCounts, TcpStateCounts)> {
    net::tcp::count_netlink()
}

pub fn container() -> Result<ContainerInfo> {
    procfs_container::collect(&Roots::default())
}

pub fn virtualization() -> Result<VirtualizationInfo> {
    virt::collect(&Roots::default())
}

pub fn is_loopback(name: &str) -> bool {
    name == "lo"
}

/// The procfs backend's rule for pseudo and per-container filesystems.
pub fn is_pseudo(fs_type: &str, mount: &std::path::Path) -> bool {
    crate::linux::filesystem::is_hidden(fs_type, &mount.to_string_lossy())
}
