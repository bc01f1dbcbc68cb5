//! macOS: the portable backend is the only one (and so the default); the procfs
//! benchmarks have nothing to read.

use crate::backend::{not_here, Backend};
use crate::collector::Settings;
use crate::error::Result;
use crate::group::BackendKind;

pub use crate::unsupported::{bench_raw_read, bench_tcp_netlink, bench_tcp_procfs};

/// The portable backend; `procfs` is not here.
pub fn open(kind: Option<BackendKind>, s: &Settings) -> Result<Box<dyn Backend>> {
    match kind.unwrap_or(BackendKind::Portable) {
        BackendKind::Portable => crate::portable::open(s),
        kind @ (BackendKind::Procfs | BackendKind::Windows) => Err(not_here(kind)),
    }
}
