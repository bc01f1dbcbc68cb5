//! Process counts and per-process records, and the choice of which processes get a
//! record ([`select`]), the same on every backend.

pub mod select;

use napi_derive::napi;

use crate::error::{Error, Result};

/// One process, from `/proc/<pid>/{stat,status,cmdline,exe,fd,io}`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ProcessRecord {
    /// Process id (thread-group id).
    pub pid: u32,
    /// Parent pid (0 for the kernel's own roots, pid 1 and 2).
    pub parent_pid: u32,
    /// `comm` (up to 15 bytes; may contain spaces and parentheses).
    pub name: String,
    /// Target of `/proc/<pid>/exe`; "" when not readable (another user's process) and
    /// for a process in state D (resolving it could block the scan; see `commandLine`).
    pub executable: String,
    /// `argv[0]` as the process set it (the zeroth string of `cmdline`); "" where
    /// `commandLine` is "".
    pub command: String,
    /// Arguments joined by spaces; "" for kernel threads, and for a process in state D
    /// (uninterruptible sleep): reading its `cmdline` waits on a lock the process may
    /// hold for as long as its I/O hangs. Patterns match such a process by name only.
    pub command_line: String,
    /// User name of the real uid (numeric when the name is unknown).
    pub owner: String,
    /// Real uid (`Uid:` of `status`).
    pub uid: u32,
    /// One-letter state: R, S, D, T, t, Z, X, I.
    pub state: String,
    /// Cumulative user CPU time, seconds.
    pub user_seconds: f64,
    /// Cumulative system CPU time, seconds.
    pub system_seconds: f64,
    /// Cumulative time waiting for block I/O, seconds (`delayacct_blkio_ticks`; 0 when
    /// the kernel's delay accounting is off).
    pub iowait_seconds: f64,
    /// CPU share over the interval; 100 is one whole core. 0 on the first collect.
    pub cpu_percent: f64,
    /// Resident set size, bytes.
    pub rss_bytes: f64,
    /// Virtual memory size, bytes.
    pub virtual_bytes: f64,
    /// RSS as a share of MemTotal, percent.
    pub memory_percent: f64,
    /// Threads in this process.
    pub threads: u32,
    /// Open file descriptors; absent when `/proc/<pid>/fd` is not readable.
    pub open_fds: Option<u32>,
    /// Bytes read from storage (`read_bytes` of `/proc/<pid>/io`); absent when not readable.
    pub read_bytes: Option<f64>,
    /// Bytes written to storage (`write_bytes`); absent when not readable.
    pub write_bytes: Option<f64>,
    /// Bytes the process read through system calls, page-cache hits and pipes included
    /// (`rchar` of `/proc/<pid>/io`); absent when not readable.
    pub chars_read_bytes: Option<f64>,
    /// Bytes the process wrote through system calls (`wchar`); absent when not readable.
    pub chars_written_bytes: Option<f64>,
    /// Start time, unix seconds.
    pub start_time_unix: f64,
    /// True when the record is here because it matched a configured pattern.
    pub matched: bool,
}

/// The process group.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ProcessSnapshot {
    /// Processes (thread-group leaders) seen.
    pub total: u32,
    /// State R (processes; see `procsRunning` for the kernel's count of runnable tasks).
    pub running: u32,
    /// State S.
    pub sleeping: u32,
    /// State D (uninterruptible, usually I/O).
    pub blocked: u32,
    /// States T and t.
    pub stopped: u32,
    /// State Z.
    pub zombie: u32,
    /// State I (idle kernel threads).
    pub idle: u32,
    /// Threads across all processes.
    pub threads: u32,
    /// Runnable tasks, threads included (`procs_running` of `/proc/stat`).
    pub procs_running: u32,
    /// Tasks blocked on I/O, threads included (`procs_blocked` of `/proc/stat`).
    pub procs_blocked: u32,
    /// Processes created since boot (`processes` of `/proc/stat`).
    pub forks_total: f64,
    /// Context switches since boot (`ctxt`).
    pub context_switches: f64,
    /// Interrupts since boot (first field of `intr`).
    pub interrupts: f64,
    /// Soft interrupts since boot (first field of `softirq`).
    pub soft_interrupts: f64,
    /// Processes created per second over the interval; 0 on the first collect.
    pub forks_per_second: f64,
    /// Context switches per second over the interval; 0 on the first collect.
    pub context_switches_per_second: f64,
    /// Interrupts per second over the interval; 0 on the first collect.
    pub interrupts_per_second: f64,
    /// Soft interrupts per second over the interval; 0 on the first collect.
    pub soft_interrupts_per_second: f64,
    /// Always 0 on Linux: the kernel keeps no system-call counter.
    pub system_calls: f64,
    /// Selected per-process records (top N by CPU ∪ top N by memory ∪ matched).
    pub top: Vec<ProcessRecord>,
    /// Processes that matched a pattern but were left out by `maxProcesses`. Top-N
    /// records are kept first, so only when `maxProcesses` is below 2 × `topProcesses`
    /// can top-N records be left out too (and they are then counted here as well).
    pub left_out: u32,
    /// Seconds the rates and CPU percentages cover: since this group's previous
    /// successful scan. 0 on the first and when that was under 0.1 s ago (rates and
    /// CPU percentages are then all zero).
    pub interval_seconds: f64,
}

/// Which per-process records to return.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Top N by CPU and top N by memory (0 = none).
    pub top_n: u32,
    /// Regular expressions; a process matches when its name, executable or command
    /// line matches any of them (its name only when it is in state D).
    pub patterns: Vec<String>,
    /// Regular expressions matched the same way; a matching process is never selected
    /// (it still counts in the totals), so it cannot take a place under the cap.
    pub exclude: Vec<String>,
    /// Hard cap on records returned (0 = no cap).
    pub max_processes: u32,
}

/// Checks that every pattern compiles, naming the first that does not. Called once
/// when the collector is built, so a typo fails construction rather than each collect.
pub fn validate_patterns(patterns: &[String]) -> Result<()> {
    for p in patterns {
        regex::bytes::Regex::new(p).map_err(|e| Error::InvalidOption {
            name: "processPatterns",
            message: format!("{p:?} is not a valid regular expression: {e}"),
        })?;
    }
    Ok(())
}
