//! The one interface between the collector and the host: every backend answers every
//! group through the same methods, and the platform's module is chosen here, once.
//!
//! How a backend plugs in:
//! - a module per OS (`linux`, later `macos`, `windows`), declared in `lib.rs` under a
//!   `#[cfg(target_os = …)]` on the module, never inside function bodies;
//! - the module implements [`Backend`] (one method per [`crate::group::Group`]; a
//!   group the OS cannot give returns `Error::Unsupported`, which the snapshot
//!   reports in `errors`) and exposes the platform functions listed on [`os`];
//! - the `cfg` lines below point [`os`] at it.
//!
//! Snapshot types and the rate maths live in [`crate::snapshot`] and know no OS.

use std::time::Instant;

use crate::collector::Settings;
use crate::error::Result;
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

/// This platform's module. Each provides the same functions:
/// `open(Option<BackendKind>, &Settings) -> Result<Box<dyn Backend>>` (`None`: the
/// platform's default; a kind it does not have is an invalid option),
/// `bench_raw_read(root_path) -> u64`, `bench_tcp_netlink() -> Result<u32>`,
/// and `bench_tcp_procfs() -> Result<u32>`.
#[cfg(target_os = "linux")]
pub use crate::linux as os;
#[cfg(target_os = "macos")]
pub use crate::macos as os;
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub use crate::unsupported as os;
#[cfg(windows)]
pub use crate::windows as os;

/// A source of every group. Stateful groups get the moment of the read (`now`) and
/// keep their own previous counters (see [`crate::snapshot::rates::Previous`]).
pub trait Backend: Send {
    /// Which backend this is.
    fn kind(&self) -> BackendKind;
    /// The fields this backend cannot give on this platform
    /// ([`crate::snapshot::availability`]).
    fn gaps(&self) -> &'static [&'static [Gap]];
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

/// The backend `settings` names, or this platform's default.
pub fn open(settings: &Settings) -> Result<Box<dyn Backend>> {
    os::open(settings.backend, settings)
}

/// The error for a backend this platform does not have.
pub fn not_here(kind: BackendKind) -> crate::error::Error {
    crate::error::Error::InvalidOption {
        name: "backend",
        message: format!(
            "the {} backend is not available on {}",
            kind.name(),
            std::env::consts::OS
        ),
    }
}
