//! Platforms without a backend: every group reports itself unsupported, so the crate
//! builds (and a collect answers, with errors) everywhere; and, where there is no Unix,
//! the process-level functions `sys` offers (no exec, no thread clock).

use std::time::Instant;

use crate::backend::Backend;
use crate::collector::Settings;
use crate::error::{Error, Result};
use crate::group::BackendKind;
use crate::snapshot::availability::Gap;
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

/// The backend that has nothing.
pub struct Unsupported;

/// Any kind asked for is not here; without one, the backend that has nothing.
pub fn open(kind: Option<BackendKind>, _: &Settings) -> Result<Box<dyn Backend>> {
    match kind {
        Some(kind) => Err(crate::backend::not_here(kind)),
        None => Ok(Box::new(Unsupported)),
    }
}

pub fn bench_raw_read(_root_path: Option<&str>) -> u64 {
    0
}

pub fn bench_tcp_netlink() -> Result<u32> {
    Err(Error::Unsupported("netlink SOCK_DIAG"))
}

pub fn bench_tcp_procfs() -> Result<u32> {
    Err(Error::Unsupported("procfs"))
}

/// No thread CPU clock here.
pub fn thread_cpu_ms() -> f64 {
    0.0
}

/// Replacing the process image needs `execv`.
pub fn replace_process(_file: &str, _args: &[String]) -> std::io::Result<std::convert::Infallible> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "replacing the process is not supported on this platform",
    ))
}

impl Backend for Unsupported {
    fn kind(&self) -> BackendKind {
        BackendKind::Portable
    }
    fn gaps(&self) -> &'static [&'static [Gap]] {
        &[]
    }
    fn host(&mut self) -> Result<HostInfo> {
        Err(Error::Unsupported("host"))
    }
    fn cpu(&mut self) -> Result<CpuSnapshot> {
        Err(Error::Unsupported("cpu"))
    }
    fn load(&mut self) -> Result<LoadAverage> {
        Err(Error::Unsupported("load"))
    }
    fn memory(&mut self) -> Result<MemorySnapshot> {
        Err(Error::Unsupported("memory"))
    }
    fn paging(&mut self, _: Instant) -> Result<PagingSnapshot> {
        Err(Error::Unsupported("paging"))
    }
    fn disk(&mut self, _: Instant) -> Result<DiskSnapshot> {
        Err(Error::Unsupported("disk"))
    }
    fn filesystems(&mut self) -> Result<Vec<Filesystem>> {
        Err(Error::Unsupported("filesystem"))
    }
    fn network(&mut self, _: Instant) -> Result<NetworkSnapshot> {
        Err(Error::Unsupported("network"))
    }
    fn tcp(&mut self) -> Result<TcpSnapshot> {
        Err(Error::Unsupported("tcp"))
    }
    fn processes(&mut self, _: Instant) -> Result<ProcessSnapshot> {
        Err(Error::Unsupported("process"))
    }
    fn resources(&mut self) -> Result<ResourcesSnapshot> {
        Err(Error::Unsupported("resources"))
    }
    fn container(&mut self) -> Result<ContainerInfo> {
        Err(Error::Unsupported("container"))
    }
    fn virtualization(&mut self) -> Result<VirtualizationInfo> {
        Err(Error::Unsupported("virtualization"))
    }
}
