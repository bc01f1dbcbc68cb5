//! The procfs scan. It runs every interval over every process, so it reads only
//! `<pid>/stat` for each, into one reused buffer, and keeps numbers plus a range of
//! a shared name arena; the other files are read only for the selected records
//! (and `cmdline`/`exe` for all only when patterns are configured).

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use regex::bytes::RegexSet;

use super::detail::{self, Owners};
use super::stat::{self, SystemStat, CMDLINE_CAP};
use super::{validate_patterns, Options, ProcessSnapshot};
use crate::error::{Error, Result};
use crate::linux::procfs::Roots;
use crate::snapshot::process::select::{self, Candidate};
use crate::snapshot::rates::{counter_delta, rate, Previous};

#[derive(Debug, Default)]
pub struct State {
    /// The system counters and, per pid, (start time, user + system ticks) at the
    /// previous successful scan, and when that was.
    pub(super) prev: Previous<Counters>,
    /// This scan's per-pid map, built fresh so vanished pids fall away; it reuses the
    /// allocation of the map `prev` gave back.
    cpu_next: HashMap<u32, (u64, u64)>,
    patterns: Option<(Vec<String>, RegexSet)>,
    exclude: Option<(Vec<String>, RegexSet)>,
    owners: Owners,
    buf: Vec<u8>,
    names: Vec<u8>,
    candidates: Vec<Candidate>,
}

/// Kernel constants the scan converts with.
#[derive(Debug, Clone, Copy)]
pub struct Kernel {
    /// `USER_HZ`: clock ticks per second.
    pub clk_tck: f64,
    /// Bytes per page.
    pub page_size: u64,
}

impl Kernel {
    /// This kernel's constants (asked of `sysconf` once per process).
    pub fn host() -> Self {
        Kernel {
            clk_tck: crate::unix::clock_ticks_per_second(),
            page_size: crate::unix::page_size(),
        }
    }
}

/// What a scan keeps for the next: `/proc/stat`'s counters and, per pid, (start
/// time, user + system ticks).
#[derive(Debug, Default)]
pub struct Counters {
    system: SystemStat,
    pub(super) cpu: HashMap<u32, (u64, u64)>,
}

pub fn collect(
    roots: &Roots,
    st: &mut State,
    opts: &Options,
    now: Instant,
) -> Result<ProcessSnapshot> {
    let kernel = Kernel::host();
    let sys = stat::parse_system_stat(roots.proc_text("stat")?.as_bytes());
    let prev = st.prev.since(now);
    let seconds = prev.map_or(0.0, |(_, s)| s);
    let mut snap = ProcessSnapshot {
        forks_total: sys.forks as f64,
        context_switches: sys.ctxt as f64,
        interrupts: sys.intr as f64,
        soft_interrupts: sys.softirq as f64,
        procs_running: u32::try_from(sys.procs_running).unwrap_or(u32::MAX),
        procs_blocked: u32::try_from(sys.procs_blocked).unwrap_or(u32::MAX),
        interval_seconds: seconds,
        ..Default::default()
    };
    if let Some((prev, seconds)) = prev {
        let p = prev.system;
        snap.forks_per_second = rate(counter_delta(p.forks, sys.forks), seconds);
        snap.context_switches_per_second = rate(counter_delta(p.ctxt, sys.ctxt), seconds);
        snap.interrupts_per_second = rate(counter_delta(p.intr, sys.intr), seconds);
        snap.soft_interrupts_per_second = rate(counter_delta(p.softirq, sys.softirq), seconds);
    }
    let empty = HashMap::new();

    let mem_total = roots
        .proc_text("meminfo")
        .ok()
        .and_then(|text| stat::parse_mem_total(text.as_bytes()))
        .unwrap_or(0);
    let patterns = compiled(&mut st.patterns, &opts.patterns)?;
    let exclude = compiled(&mut st.exclude, &opts.exclude)?;
    let scan = Scan {
        kernel,
        seconds,
        patterns,
        exclude,
        prev: prev.map_or(&empty, |(p, _)| &p.cpu),
    };
    scan.run(
        &roots.proc,
        &mut snap,
        &mut st.buf,
        &mut st.names,
        &mut st.candidates,
        &mut st.cpu_next,
    )?;
    let this = Counters {
        system: sys,
        cpu: std::mem::take(&mut st.cpu_next),
    };
    if let Some(unused) = st.prev.store(now, this) {
        st.cpu_next = unused.cpu;
    }

    let (chosen, left_out) = select::select(&st.candidates, opts.top_n, opts.max_processes);
    snap.left_out = left_out;
    st.owners.begin_collect();
    let ctx = detail::Context {
        roots,
        kernel,
        btime: sys.btime,
        mem_total,
    };
    snap.top = chosen
        .iter()
        .filter_map(|&i| st.candidates.get(i))
        .map(|c| {
            let name = st.names.get(c.name.0..c.name.1).unwrap_or_default();
            detail::record(&ctx, c, name, &mut st.buf, &mut st.owners)
        })
        .collect();
    Ok(snap)
}

/// The compiled form of `patterns`, recompiled only when the list changes.
fn compiled<'a>(
    cache: &'a mut Option<(Vec<String>, RegexSet)>,
    patterns: &[String],
) -> Result<Option<&'a RegexSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    if cache.as_ref().is_none_or(|(p, _)| p.as_slice() != patterns) {
        validate_patterns(patterns)?;
        let set = RegexSet::new(patterns).map_err(|e| Error::InvalidOption {
            name: "processPatterns",
            message: e.to_string(),
        })?;
        *cache = Some((patterns.to_vec(), set));
    }
    Ok(cache.as_ref().map(|(_, set)| set))
}

struct Scan<'a> {
    kernel: Kernel,
    seconds: f64,
    patterns: Option<&'a RegexSet>,
    exclude: Option<&'a RegexSet>,
    prev: &'a HashMap<u32, (u64, u64)>,
}

impl Scan<'_> {
    fn run(
        &self,
        proc: &Path,
        snap: &mut ProcessSnapshot,
        buf: &mut Vec<u8>,
        names: &mut Vec<u8>,
        out: &mut Vec<Candidate>,
        cpu_next: &mut HashMap<u32, (u64, u64)>,
    ) -> Result<()> {
        names.clear();
        out.clear();
        cpu_next.clear();
        let dir = fs::read_dir(proc).map_err(|e| Error::io(proc, e))?;
        let mut path = PathBuf::from(proc);
        for entry in dir.flatten() {
            let file_name = entry.file_name();
            let Some(pid) = stat::parse_pid(file_name.as_bytes()) else {
                continue;
            };
            path.push(&file_name);
            if let Some(c) = self.process(pid, &mut path, buf, names, snap) {
                cpu_next.insert(pid, (c.starttime, c.utime.saturating_add(c.stime)));
                out.push(c);
            }
            path.pop();
        }
        Ok(())
    }

    /// One `<proc>/<pid>` (`dir`); `None` when it vanished or its stat is unusable.
    fn process(
        &self,
        pid: u32,
        dir: &mut PathBuf,
        buf: &mut Vec<u8>,
        names: &mut Vec<u8>,
        snap: &mut ProcessSnapshot,
    ) -> Option<Candidate> {
        // Any error here means the process is gone (ENOENT, ESRCH) or hidden from
        // us: either way it is not one we can report, and never a scan error.
        read_into(&with_file(dir, "stat"), buf, usize::MAX).ok()?;
        let ps = stat::parse_pid_stat(buf)?;
        snap.total += 1;
        match ps.state {
            b'R' => snap.running += 1,
            b'S' => snap.sleeping += 1,
            b'D' => snap.blocked += 1,
            b'T' | b't' => snap.stopped += 1,
            b'Z' => snap.zombie += 1,
            b'I' => snap.idle += 1,
            _ => {}
        }
        snap.threads = snap.threads.saturating_add(ps.num_threads);
        let ticks = ps.utime.saturating_add(ps.stime);
        let cpu_percent = match self.prev.get(&pid) {
            Some(&(start, before)) if start == ps.starttime && self.seconds > 0.0 => {
                ticks.saturating_sub(before) as f64 / self.kernel.clk_tck / self.seconds * 100.0
            }
            _ => 0.0,
        };
        let start = names.len();
        names.extend_from_slice(ps.comm);
        let mut c = Candidate {
            pid,
            ppid: ps.ppid,
            state: ps.state,
            utime: ps.utime,
            stime: ps.stime,
            starttime: ps.starttime,
            vsize: ps.vsize,
            rss_pages: ps.rss_pages,
            threads: ps.num_threads,
            blkio_ticks: ps.blkio_ticks,
            name: (start, names.len()),
            cpu_percent,
            matched: false,
            excluded: false,
        };
        let comm = names.get(start..).unwrap_or_default();
        // Reading `cmdline` (or resolving `exe`) takes the process's mm lock, which a
        // process in state D may hold for as long as its I/O hangs (a dead NFS server):
        // the scan would hang with it. Such a process is matched on its name only.
        let mut subject = Subject {
            comm,
            blocked: ps.state == b'D',
            dir,
            buf,
            cmdline: None,
            exe: None,
        };
        if let Some(set) = self.exclude {
            c.excluded = subject.is_match(set);
        }
        if let (Some(set), false) = (self.patterns, c.excluded) {
            c.matched = subject.is_match(set);
        }
        Some(c)
    }
}

/// What a process is matched on. Its `cmdline` and `exe` are read only when a set does
/// not match its short name, and then once, however many sets ask.
struct Subject<'a> {
    comm: &'a [u8],
    /// State D: matched on `comm` only (see `Scan::process`).
    blocked: bool,
    dir: &'a mut PathBuf,
    buf: &'a mut Vec<u8>,
    /// `argv[0]`'s file name and the command line, as ranges of `buf`; `Some(None)` when
    /// unreadable.
    cmdline: Option<Option<(Range<usize>, Range<usize>)>>,
    exe: Option<Option<PathBuf>>,
}

impl Subject<'_> {
    /// Whether `set` matches the short name, the file name of `argv[0]` or of the
    /// executable, the executable path or the command line (`comm` keeps 15 bytes of a
    /// name, so `^long-program-name$` needs the others).
    fn is_match(&mut self, set: &RegexSet) -> bool {
        if set.is_match(self.comm) {
            return true;
        }
        if self.blocked {
            return false;
        }
        if let Some((argv0, line)) = self.cmdline() {
            if set.is_match(&self.buf[argv0]) || set.is_match(&self.buf[line]) {
                return true;
            }
        }
        self.exe().is_some_and(|exe| {
            set.is_match(exe.as_os_str().as_bytes())
                || exe
                    .file_name()
                    .is_some_and(|name| set.is_match(name.as_bytes()))
        })
    }

    fn cmdline(&mut self) -> Option<(Range<usize>, Range<usize>)> {
        if self.cmdline.is_none() {
            let read = read_into(&with_file(self.dir, "cmdline"), self.buf, CMDLINE_CAP).is_ok();
            self.cmdline = Some(read.then(|| {
                let argv0 = stat::argv0_name(self.buf);
                let start = if argv0.is_empty() {
                    0
                } else {
                    argv0.as_ptr() as usize - self.buf.as_ptr() as usize
                };
                let argv0 = start..start + argv0.len();
                (argv0, 0..stat::cmdline_in_place(self.buf).len())
            }));
        }
        self.cmdline.clone().flatten()
    }

    fn exe(&mut self) -> Option<&PathBuf> {
        if self.exe.is_none() {
            self.exe = Some(fs::read_link(with_file(self.dir, "exe")).ok());
        }
        self.exe.as_ref().and_then(Option::as_ref)
    }
}

/// `dir/name`, reusing `dir`'s allocation; the guard pops `name` when dropped.
fn with_file<'a>(dir: &'a mut PathBuf, name: &str) -> PathGuard<'a> {
    dir.push(name);
    PathGuard(dir)
}

struct PathGuard<'a>(&'a mut PathBuf);

impl std::ops::Deref for PathGuard<'_> {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0
    }
}

impl AsRef<Path> for PathGuard<'_> {
    fn as_ref(&self) -> &Path {
        self.0
    }
}

impl Drop for PathGuard<'_> {
    fn drop(&mut self) {
        self.0.pop();
    }
}

/// Reads at most `limit` bytes of `path` into `buf`, replacing its contents but
/// keeping its allocation: one open, a read or two, one close.
pub fn read_into(path: &Path, buf: &mut Vec<u8>, limit: usize) -> io::Result<()> {
    buf.clear();
    let file = File::open(path)?;
    file.take(u64::try_from(limit).unwrap_or(u64::MAX))
        .read_to_end(buf)?;
    Ok(())
}
