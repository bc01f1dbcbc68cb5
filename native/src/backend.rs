//! The one interface between the collector and the host: every backend answers every
//! group through the same methods, and the platform's module is chosen here, once.
//!
//! How a backend plugs in:
//! - a module per OS (`linux`, later `macos`, `windows`), declared in `lib.rs` under a
//!   `#[cfg(target_os = …)]` on the module, never inside function bodies;
//! - the module implements [`Backend`] (one method per [`crate::group::Group`]; a
//!   group the OS cannot give returns `Error::Unsupported`, which the snapshot
//!   reports in `errors`) and exposes the platform functions listed on [`os`];
//! - the `cfg` pair below points [`os`] at it.
//!
//! Snapshot types and the rate maths live in [`crate::snapshot`] and know no OS.

use std::time::Instant;

use crate::collector::Settings;
use crate::error::Result;
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

/// This platform's module. Each provides the same functions:
/// `open(&Settings) -> Result<Box<dyn Backend>>` (the default backend),
/// `bench_raw_read(root_path) -> u64`, `bench_tcp_netlink() -> Result<u32>`,
/// and `bench_tcp_procfs() -> Result<u32>`.
#[cfg(target_os = "linux")]
pub use crate::linux as os;
#[cfg(not(target_os = "linux"))]
pub use crate::unsupported as os;

/// A source of every group. Stateful groups get the moment of the read (`now`) and
/// keep their own previous counters (see [`crate::snapshot::rates::Previous`]).
pub trait Backend: Send {
    /// Called before the groups of one collect are read.
    fn begin_collect(&mut self) {}
    fn host(&mut self) -> Result<HostInfo>;
    fn cpu(&mut self) -> Result<CpuSnapshot>;
    fn load(&mut self) -> Result<LoadAverage>;
    fn memory(&mut self) -> Result<MemorySnapshot>;
    fn paging(&mut self, now: Instant) -> Result<PagingSnapshot>;
    fn disk(&mut self, now: Instant) -> Result<DiskSnapshot>;
    fn filesystems(&mut self) -> Result<Vec<Filesystem>>;
    fn network(&mut self, now: Instant) -> Result<NetworkSnapshot>;
    fn tcp(&mut self) -> Result<TcpSnapshot>;
    fn processes(&mut self, now: Instant) -> Result<ProcessSnapshot>;
    fn resources(&mut self) -> Result<ResourcesSnapshot>;
    fn container(&mut self) -> Result<ContainerInfo>;
    fn virtualization(&mut self) -> Result<VirtualizationInfo>;
}

/// The default backend of this platform.
pub fn open(settings: &Settings) -> Result<Box<dyn Backend>> {
    os::open(settings)
}
