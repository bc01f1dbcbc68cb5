//! tfo-agent's native core: host scans read into typed snapshots.
//!
//! This file only declares the modules and the Node-API surface. The shapes and the
//! rate maths are OS-neutral (`snapshot`); each platform's backend reads the host
//! (`linux`, or `unsupported`), behind one interface (`backend`).

#![deny(clippy::all)]

pub mod backend;
pub mod collector;
pub mod error;
pub mod group;
pub mod lock;
pub mod privilege;
pub mod snapshot;

// One module per platform, chosen here on whole modules (see `backend`).
#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "macos")]
pub mod macos;
#[cfg(any(target_os = "linux", target_os = "macos"))]
pub mod portable;
#[cfg(unix)]
pub mod unix;
#[cfg(not(target_os = "linux"))]
pub mod unsupported;
// The Windows backend's decoding is built everywhere (for its tests); its calls on Windows only.
pub mod windows;

// Process-level facilities (the buffer lock, exec, the thread clock), by family.
#[cfg(unix)]
use unix as sys;
#[cfg(not(unix))]
use unsupported as sys;

use napi::bindgen_prelude::{AbortSignal, AsyncTask};
use napi::{Env, Task};
use napi_derive::napi;

use crate::backend::os;
use crate::collector::{Settings, Shared};
use crate::group::Group;
use crate::snapshot::{HostCollectorOptions, HostSnapshot};

fn to_napi(e: error::Error) -> napi::Error {
    napi::Error::new(napi::Status::InvalidArg, e.to_string())
}

/// Reads the host. Keep one instance: it remembers the previous counters, so each
/// collect's rates and percentages cover the interval since the one before.
/// Concurrent collects on one instance run one after the other (each waits for the
/// scan before it); `groups` never waits.
#[napi]
pub struct HostCollector {
    inner: Shared,
}

#[napi]
impl HostCollector {
    /// Throws on invalid options (e.g. an unknown group name).
    #[napi(constructor)]
    pub fn new(options: Option<HostCollectorOptions>) -> napi::Result<Self> {
        let settings = Settings::from_options(&options.unwrap_or_default()).map_err(to_napi)?;
        Ok(HostCollector {
            inner: Shared::new(settings).map_err(to_napi)?,
        })
    }

    /// Scans the host on the libuv thread pool; never blocks the event loop.
    /// Rejects with an `AbortError` when `signal` aborts before the scan starts.
    /// A collect started while another runs waits for it (on the pool), then scans.
    #[napi(ts_return_type = "Promise<HostSnapshot>")]
    pub fn collect(&self, signal: Option<AbortSignal>) -> AsyncTask<CollectTask> {
        AsyncTask::with_optional_signal(
            CollectTask {
                inner: self.inner.clone(),
            },
            signal,
        )
    }

    /// The same scan on the calling thread (for CLIs and tests; blocks the event loop,
    /// also while waiting for a `collect` already running on the pool).
    #[napi]
    pub fn collect_sync(&self) -> HostSnapshot {
        self.inner.collect()
    }

    /// The groups this collector reads, in order. Never waits for a running collect.
    #[napi(getter)]
    pub fn groups(&self) -> Vec<Group> {
        self.inner.groups()
    }
}

pub struct CollectTask {
    inner: Shared,
}

impl Task for CollectTask {
    type Output = HostSnapshot;
    type JsValue = HostSnapshot;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(self.inner.collect())
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// For each platform (`linux`, `linux-portable`, `macos`, `windows`), the snapshot
/// fields it cannot give and why (the source of `docs/platforms.md`).
#[napi]
pub fn platform_gaps() -> Vec<snapshot::availability::PlatformGap> {
    snapshot::availability::all()
}

/// Benchmark floor: reads the kernel files a full collect reads, without parsing.
/// Returns the bytes read. Not part of the agent; `npm run bench` compares against it.
#[napi]
pub fn bench_raw_read(root_path: Option<String>) -> f64 {
    os::bench_raw_read(root_path.as_deref()) as f64
}

/// Benchmark: TCP sockets counted through netlink `SOCK_DIAG`, IPv4 + IPv6.
#[napi]
pub fn bench_tcp_netlink() -> napi::Result<u32> {
    os::bench_tcp_netlink().map_err(to_napi)
}

/// Benchmark: the same count by parsing `/proc/net/tcp` and `/proc/net/tcp6`.
#[napi]
pub fn bench_tcp_procfs() -> napi::Result<u32> {
    os::bench_tcp_procfs().map_err(to_napi)
}

/// Replaces this process with `file` run with `args` (`args[0]` included), keeping its
/// pid, environment and open file descriptors. Does not return when it works; throws
/// with the OS's reason when it does not (and always on Windows).
#[napi]
pub fn replace_process(file: String, args: Vec<String>) -> napi::Result<()> {
    match sys::replace_process(&file, &args) {
        Ok(never) => match never {},
        Err(e) => Err(napi::Error::new(
            napi::Status::GenericFailure,
            format!("cannot run {file}: {e}"),
        )),
    }
}

/// Whether this process has administrative rights: an elevated token on Windows (an
/// administrator past UAC, or a service account), the effective uid 0 on Unix.
#[napi]
pub fn is_elevated() -> bool {
    privilege::is_elevated()
}

/// Benchmark: the calling thread's CPU time in milliseconds (CLOCK_THREAD_CPUTIME_ID),
/// so `npm run bench` can tell an event-loop gap the main thread spent running from one
/// it spent waiting for a CPU. 0 where the clock is missing.
#[napi]
pub fn bench_thread_cpu_ms() -> f64 {
    sys::thread_cpu_ms()
}

/// Ownership of a buffer store, held until `release()` or until the process ends.
#[napi]
pub struct StoreLock {
    file: Option<std::fs::File>,
}

#[napi]
impl StoreLock {
    /// Lets the store go (idempotent).
    #[napi]
    pub fn release(&mut self) {
        self.file = None;
    }
}

/// Takes the buffer store at `dir` (an existing directory) without waiting: an advisory lock
/// on the directory itself on Unix, a byte range far beyond the data on Windows; `holder` is
/// written into the store's owner note. Returns the current holder's note instead (empty if
/// the note is gone) when another one has it. Throws when the store cannot be opened.
#[napi]
pub fn try_lock_store(
    dir: String,
    holder: String,
) -> napi::Result<napi::Either<StoreLock, String>> {
    match lock::try_lock_store(std::path::Path::new(&dir), &holder) {
        Ok(lock::Outcome::Held(file)) => Ok(napi::Either::A(StoreLock { file: Some(file) })),
        Ok(lock::Outcome::Busy { holder }) => Ok(napi::Either::B(holder)),
        Err(e) => Err(napi::Error::new(
            napi::Status::GenericFailure,
            format!("cannot lock {dir}: {e}"),
        )),
    }
}
