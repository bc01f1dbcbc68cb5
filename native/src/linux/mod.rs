//! The Linux backend: `/proc`, `/sys` and netlink, below a root path that tests point
//! at fixture trees and a containerised agent at the host's (`/hostfs`).

pub mod container;
pub mod cpu;
pub mod disk;
pub mod filesystem;
pub mod floor;
pub mod host;
pub mod memory;
pub mod net;
pub mod paging;
pub mod process;
pub mod procfs;
pub mod resources;
#[cfg(test)]
pub(crate) mod testutil;
pub mod virt;

use std::time::Instant;

use crate::backend::Backend;
use crate::collector::Settings;
use crate::error::Result;
use crate::group::BackendKind;
use crate::snapshot::availability::{self, Gap};
use crate::snapshot::container::ContainerInfo;
use crate::snapshot::cpu::{CpuSnapshot, LoadAverage};
use crate::snapshot::disk::DiskSnapshot;
use crate::snapshot::filesystem::Filesystem;
use crate::snapshot::host::HostInfo;
use crate::snapshot::memory::MemorySnapshot;
use crate::snapshot::network::NetworkSnapshot;
use crate::snapshot::paging::PagingSnapshot;
use crate::snapshot::process::ProcessSnapshot;
use crate::snapshot::resources::ResourcesSnapshot;
use crate::snapshot::tcp::TcpSnapshot;
use crate::snapshot::virt::VirtualizationInfo;
use procfs::Roots;

/// The procfs/netlink backend and the counters it carries between collects.
pub struct Procfs {
    roots: Roots,
    per_core: bool,
    filesystem: filesystem::Options,
    process_options: process::Options,
    host: host::State,
    cpu: cpu::State,
    paging: paging::State,
    disk: disk::State,
    network: net::interfaces::State,
    process: process::State,
}

impl Procfs {
    pub fn new(s: &Settings) -> Self {
        Procfs {
            roots: Roots::new(
                s.root_path.as_deref(),
                s.proc_root.as_deref(),
                s.sys_root.as_deref(),
            )
            .with_read_cache(),
            per_core: s.per_core,
            filesystem: s.filesystem.clone(),
            process_options: s.process.clone(),
            host: Default::default(),
            cpu: Default::default(),
            paging: Default::default(),
            disk: Default::default(),
            network: Default::default(),
            process: Default::default(),
        }
    }
}

/// The backend `kind` names; procfs by default.
pub fn open(kind: Option<BackendKind>, s: &Settings) -> Result<Box<dyn Backend>> {
    match kind.unwrap_or(BackendKind::Procfs) {
        BackendKind::Procfs => Ok(Box::new(Procfs::new(s))),
        BackendKind::Portable => crate::portable::open(s),
        BackendKind::Windows => Err(crate::backend::not_here(BackendKind::Windows)),
    }
}

impl Backend for Procfs {
    fn kind(&self) -> BackendKind {
        BackendKind::Procfs
    }
    fn gaps(&self) -> &'static [&'static [Gap]] {
        &[availability::LINUX_PROCFS]
    }
    fn begin_collect(&mut self) {
        self.roots.forget_reads();
    }
    fn host(&mut self) -> Result<HostInfo> {
        host::collect(&self.roots, &mut self.host)
    }
    fn cpu(&mut self) -> Result<CpuSnapshot> {
        cpu::collect(&self.roots, &mut self.cpu, self.per_core)
    }
    fn load(&mut self) -> Result<LoadAverage> {
        cpu::collect_load(&self.roots)
    }
    fn memory(&mut self) -> Result<MemorySnapshot> {
        memory::collect(&self.roots)
    }
    fn paging(&mut self, now: Instant) -> Result<PagingSnapshot> {
        paging::collect(&self.roots, &mut self.paging, now)
    }
    fn disk(&mut self, now: Instant) -> Result<DiskSnapshot> {
        disk::collect(&self.roots, &mut self.disk, now)
    }
    fn filesystems(&mut self) -> Result<Vec<Filesystem>> {
        filesystem::collect(&self.roots, &self.filesystem)
    }
    fn network(&mut self, now: Instant) -> Result<NetworkSnapshot> {
        net::interfaces::collect(&self.roots, &mut self.network, now)
    }
    fn tcp(&mut self) -> Result<TcpSnapshot> {
        net::tcp::collect(&self.roots)
    }
    fn processes(&mut self, now: Instant) -> Result<ProcessSnapshot> {
        let opts = &self.process_options;
        process::collect(&self.roots, &mut self.process, opts, now)
    }
    fn resources(&mut self) -> Result<ResourcesSnapshot> {
        resources::collect(&self.roots)
    }
    fn container(&mut self) -> Result<ContainerInfo> {
        container::collect(&self.roots)
    }
    fn virtualization(&mut self) -> Result<VirtualizationInfo> {
        virt::collect(&self.roots)
    }
}

/// Benchmark floor: the kernel files a full collect reads, unparsed; bytes read.
pub fn bench_raw_read(root_path: Option<&str>) -> u64 {
    floor::read_all(&Roots::new(root_path, None, None))
}

/// Benchmark: TCP sockets counted through netlink `SOCK_DIAG`, IPv4 + IPv6.
pub fn bench_tcp_netlink() -> Result<u32> {
    let (v4, v6) = net::tcp::count_netlink()?;
    Ok(v4.total + v6.total)
}

/// Benchmark: the same count by parsing `/proc/net/tcp` and `/proc/net/tcp6`.
pub fn bench_tcp_procfs() -> Result<u32> {
    let (v4, v6) = net::tcp::count_procfs(&Roots::default())?;
    Ok(v4.total + v6.total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::HostCollectorOptions;

    const STAT: &str = "cpu  100 0 50 1000 0 0 0 0 0 0\ncpu0 100 0 50 1000 0 0 0 0 0 0\nctxt 111\nbtime 1700000000\nprocesses 5\n";
    const STAT_LATER: &str = "cpu  200 0 60 1100 0 0 0 0 0 0\ncpu0 200 0 60 1100 0 0 0 0 0 0\nctxt 222\nbtime 1700000000\nprocesses 6\n";

    #[test]
    fn each_kernel_file_is_read_once_per_collect_and_afresh_the_next() {
        let (dir, _) = testutil::tree(&[
            ("proc/stat", STAT),
            ("proc/meminfo", "MemTotal: 1024 kB\nMemAvailable: 512 kB\n"),
        ]);
        let opts = HostCollectorOptions {
            root_path: Some(dir.path().to_string_lossy().into_owned()),
            ..Default::default()
        };
        let mut b = Procfs::new(&Settings::from_options(&opts).unwrap());
        let now = testutil::at(0.0);
        b.begin_collect();
        assert_eq!(b.cpu().unwrap().total.user_seconds, 1.0);
        assert_eq!(b.memory().unwrap().total_bytes, 1024.0 * 1024.0);
        std::fs::write(dir.path().join("proc/stat"), STAT_LATER).unwrap();
        std::fs::write(dir.path().join("proc/meminfo"), "MemTotal: 2048 kB\n").unwrap();
        // The same collect: the process group sees the readings the cpu and memory groups had.
        assert_eq!(b.processes(now).unwrap().context_switches, 111.0);
        assert_eq!(b.memory().unwrap().total_bytes, 1024.0 * 1024.0);
        b.begin_collect();
        assert_eq!(
            b.processes(testutil::at(1.0)).unwrap().context_switches,
            222.0
        );
        assert_eq!(b.cpu().unwrap().total.user_seconds, 2.0);
        assert_eq!(b.memory().unwrap().total_bytes, 2048.0 * 1024.0);
    }
}
