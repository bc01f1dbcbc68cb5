//! The Windows backend: Win32 calls through `windows-sys`, no child processes and no
//! PDH (which sysinfo's CPU usage calls, and Wine 8 lacks). `decode` turns what the
//! calls return into the snapshot's shapes; it is built on every host so `cargo test`
//! covers it. The calls, and the backend over them, are built on Windows only.
//!
//! Not available on Windows, reported as group errors: the load average (Windows keeps
//! none), paging, file handles and entropy (`resources`) and containers.

pub mod decode;

#[cfg(windows)]
mod backend;
#[cfg(windows)]
mod cpu;
#[cfg(windows)]
mod disks;
#[cfg(windows)]
mod host;
#[cfg(windows)]
mod interfaces;
#[cfg(windows)]
mod memory;
#[cfg(windows)]
mod process;
#[cfg(windows)]
mod tcp;
#[cfg(windows)]
mod volumes;
#[cfg(windows)]
mod win;

#[cfg(windows)]
pub use backend::{bench_raw_read, bench_tcp_netlink, bench_tcp_procfs, open, Win32};
