//! Processes: every process from a Toolhelp32 snapshot (pid, parent, threads, image
//! name); each one's CPU times, memory and I/O through a query-limited handle
//! (`GetProcessTimes`, `K32GetProcessMemoryInfo`, `GetProcessIoCounters`); the records
//! chosen by the shared [`select`]; for those, the executable, the command line and the
//! owner. Windows has no Unix process states: those fields stay empty.

use std::collections::HashMap;
use std::io;
use std::mem::size_of;

use regex::bytes::RegexSet;
use windows_sys::Wdk::System::Threading::{
    NtQueryInformationProcess, ProcessCommandLineInformation,
};
use windows_sys::Win32::Foundation::UNICODE_STRING;
use windows_sys::Win32::Foundation::{CloseHandle, FILETIME, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Security::{
    GetTokenInformation, LookupAccountSidW, TokenUser, TOKEN_QUERY, TOKEN_USER,
};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, Process32FirstW, Process32NextW, PROCESSENTRY32W, TH32CS_SNAPPROCESS,
};
use windows_sys::Win32::System::ProcessStatus::{K32GetProcessMemoryInfo, PROCESS_MEMORY_COUNTERS};
use windows_sys::Win32::System::Threading::OpenProcessToken;
use windows_sys::Win32::System::Threading::{
    GetProcessIoCounters, GetProcessTimes, OpenProcess, QueryFullProcessImageNameW, IO_COUNTERS,
    PROCESS_QUERY_LIMITED_INFORMATION,
};

use super::decode::{filetime_unix, UNITS_PER_SECOND};
use super::win::{aligned, from_wide, last_error};
use crate::error::{Error, Result};
use crate::snapshot::process::select::{select, Candidate};
use crate::snapshot::process::{Options, ProcessRecord, ProcessSnapshot};
use crate::snapshot::rates::percent;

/// What one scan knows of a process.
struct Seen {
    pid: u32,
    ppid: u32,
    threads: u32,
    name: String,
    /// Creation time (FILETIME units) and user, kernel time (100 ns), when readable.
    times: Option<(u64, u64, u64)>,
    rss: u64,
    private: u64,
    io: Option<(u64, u64)>,
}

/// CPU time per process at the previous scan, keyed by pid and creation time (so a
/// reused pid starts afresh).
pub type Counters = HashMap<(u32, u64), u64>;

fn ft(t: &FILETIME) -> u64 {
    (u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime)
}

struct Handle(HANDLE);

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: a handle this module opened, closed once.
        unsafe { CloseHandle(self.0) };
    }
}

fn open(pid: u32) -> Option<Handle> {
    // SAFETY: no preconditions; a null handle means refused (protected, or gone).
    let h = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    (!h.is_null()).then_some(Handle(h))
}

fn details(seen: &mut Seen) {
    let Some(h) = open(seen.pid) else { return };
    let zero = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
    // SAFETY: four FILETIMEs to fill, an open handle.
    if unsafe { GetProcessTimes(h.0, &mut created, &mut exited, &mut kernel, &mut user) } != 0 {
        seen.times = Some((ft(&created), ft(&user), ft(&kernel)));
    }
    // SAFETY: plain data; `cb` is set to its size.
    let mut mem: PROCESS_MEMORY_COUNTERS = unsafe { std::mem::zeroed() };
    mem.cb = size_of::<PROCESS_MEMORY_COUNTERS>() as u32;
    // SAFETY: as above.
    if unsafe { K32GetProcessMemoryInfo(h.0, &mut mem, mem.cb) } != 0 {
        seen.rss = mem.WorkingSetSize as u64;
        seen.private = mem.PagefileUsage as u64;
    }
    // SAFETY: plain data to fill.
    let mut io: IO_COUNTERS = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    if unsafe { GetProcessIoCounters(h.0, &mut io) } != 0 {
        seen.io = Some((io.ReadTransferCount, io.WriteTransferCount));
    }
}

fn executable(pid: u32) -> String {
    let Some(h) = open(pid) else {
        return String::new();
    };
    let mut buf = vec![0u16; 1024];
    let mut len = buf.len() as u32;
    // SAFETY: `buf` holds `len` units.
    if unsafe { QueryFullProcessImageNameW(h.0, 0, buf.as_mut_ptr(), &mut len) } == 0 {
        return String::new();
    }
    from_wide(&buf[..(len as usize).min(buf.len())])
}

/// The command line (`ProcessCommandLineInformation`, Windows 8.1 and later): a
/// `UNICODE_STRING` whose text follows it in the same buffer; "" when refused.
fn command_line(h: &Handle) -> String {
    // Not every implementation reports the size needed on a short buffer: start with
    // room for most command lines, grow on STATUS_INFO_LENGTH_MISMATCH/BUFFER_TOO_SMALL.
    let mut len = 4096u32;
    let buf = loop {
        let mut buf = aligned(len as usize);
        let mut needed = 0u32;
        // SAFETY: `buf` holds at least `len` bytes.
        let status = unsafe {
            NtQueryInformationProcess(
                h.0,
                ProcessCommandLineInformation,
                buf.as_mut_ptr().cast(),
                len,
                &mut needed,
            )
        };
        match status as u32 {
            0xC000_0004 | 0xC000_0023 if len < 1 << 20 => len = needed.max(len * 4),
            _ if status < 0 => return String::new(),
            _ => break buf,
        }
    };
    // SAFETY: the call wrote a UNICODE_STRING at the start of `buf`, which is aligned.
    let s = unsafe { &*buf.as_ptr().cast::<UNICODE_STRING>() };
    let start = buf.as_ptr() as usize;
    let text = s.Buffer as usize;
    let bytes = usize::from(s.Length);
    // The text must lie inside the buffer the call filled.
    if s.Buffer.is_null() || text < start || text + bytes > start + buf.len() * 8 {
        return String::new();
    }
    // SAFETY: checked to lie within `buf`, which outlives the slice.
    String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(s.Buffer, bytes / 2) })
}

/// `DOMAIN\user` of the process's token; "" when the token or the account cannot be read.
fn owner(h: &Handle) -> String {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: a query-limited process handle is enough for TOKEN_QUERY.
    if unsafe { OpenProcessToken(h.0, TOKEN_QUERY, &mut token) } == 0 {
        return String::new();
    }
    let token = Handle(token);
    let mut len = 0u32;
    // SAFETY: a null buffer asks for the size needed.
    unsafe { GetTokenInformation(token.0, TokenUser, std::ptr::null_mut(), 0, &mut len) };
    if len == 0 || len > 1 << 16 {
        return String::new();
    }
    let mut buf = aligned(len as usize);
    // SAFETY: `buf` holds at least `len` bytes.
    if unsafe { GetTokenInformation(token.0, TokenUser, buf.as_mut_ptr().cast(), len, &mut len) }
        == 0
    {
        return String::new();
    }
    // SAFETY: the call wrote a TOKEN_USER at the start of the aligned buffer.
    let sid = unsafe { &*buf.as_ptr().cast::<TOKEN_USER>() }.User.Sid;
    let (mut name, mut domain) = ([0u16; 256], [0u16; 256]);
    let (mut name_len, mut domain_len, mut kind) = (256u32, 256u32, 0);
    // SAFETY: both buffers' lengths are passed; the SID lives in `buf`.
    let ok = unsafe {
        LookupAccountSidW(
            std::ptr::null(),
            sid,
            name.as_mut_ptr(),
            &mut name_len,
            domain.as_mut_ptr(),
            &mut domain_len,
            &mut kind,
        )
    };
    if ok == 0 {
        return String::new();
    }
    match (from_wide(&domain), from_wide(&name)) {
        (d, n) if d.is_empty() => n,
        (d, n) => format!("{d}\\{n}"),
    }
}

/// The command line and owner of a chosen process.
fn identity(pid: u32) -> (String, String) {
    open(pid).map_or_else(Default::default, |h| (command_line(&h), owner(&h)))
}

fn list() -> io::Result<Vec<Seen>> {
    // SAFETY: no preconditions; checked below.
    let snap = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) };
    if snap == INVALID_HANDLE_VALUE {
        return Err(last_error("CreateToolhelp32Snapshot"));
    }
    let snap = Handle(snap);
    let mut entry = PROCESSENTRY32W {
        dwSize: size_of::<PROCESSENTRY32W>() as u32,
        ..Default::default()
    };
    let mut out = Vec::new();
    // SAFETY: `entry.dwSize` is set, as the walk requires.
    let mut more = unsafe { Process32FirstW(snap.0, &mut entry) } != 0;
    while more {
        out.push(Seen {
            pid: entry.th32ProcessID,
            ppid: entry.th32ParentProcessID,
            threads: entry.cntThreads,
            name: from_wide(&entry.szExeFile),
            times: None,
            rss: 0,
            private: 0,
            io: None,
        });
        // SAFETY: as above.
        more = unsafe { Process32NextW(snap.0, &mut entry) } != 0;
    }
    Ok(out)
}

fn compile(patterns: &[String]) -> Result<Option<RegexSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    RegexSet::new(patterns)
        .map(Some)
        .map_err(|e| Error::InvalidOption {
            name: "processPatterns",
            message: e.to_string(),
        })
}

/// One scan: counts, CPU shares over `seconds` since `prev`, the chosen records.
/// Returns the snapshot and this scan's CPU counters, to keep for the next.
pub fn collect(
    opts: &Options,
    prev: Option<(&Counters, f64)>,
    mem_total: u64,
) -> Result<(ProcessSnapshot, Counters)> {
    let mut all = list().map_err(|e| Error::io(std::path::Path::new("win32"), e))?;
    let (patterns, exclude) = (compile(&opts.patterns)?, compile(&opts.exclude)?);
    let mut next = Counters::with_capacity(all.len());
    let mut names = Vec::new();
    let mut exes = HashMap::new();
    let mut candidates = Vec::with_capacity(all.len());
    for p in &mut all {
        details(p);
        let (created, user, kernel) = p.times.unwrap_or_default();
        let cpu = user.saturating_add(kernel);
        let cpu_percent = match (prev, p.times) {
            (Some((before, seconds)), Some(_)) if seconds > 0.0 => {
                before.get(&(p.pid, created)).map_or(0.0, |b| {
                    cpu.saturating_sub(*b) as f64 / UNITS_PER_SECOND / seconds * 100.0
                })
            }
            _ => 0.0,
        };
        if p.times.is_some() {
            next.insert((p.pid, created), cpu);
        }
        let subject = |set: &RegexSet, exes: &mut HashMap<u32, String>| {
            set.is_match(p.name.as_bytes())
                || set.is_match(
                    exes.entry(p.pid)
                        .or_insert_with(|| executable(p.pid))
                        .as_bytes(),
                )
        };
        let excluded = exclude.as_ref().is_some_and(|s| subject(s, &mut exes));
        let matched = !excluded && patterns.as_ref().is_some_and(|s| subject(s, &mut exes));
        let start = names.len();
        names.extend_from_slice(p.name.as_bytes());
        candidates.push(Candidate {
            pid: p.pid,
            ppid: p.ppid,
            state: b'?',
            utime: user,
            stime: kernel,
            blkio_ticks: 0,
            starttime: created,
            vsize: p.private,
            rss_pages: p.rss,
            threads: p.threads,
            name: (start, names.len()),
            cpu_percent,
            matched,
            excluded,
        });
    }
    let (chosen, left_out) = select(&candidates, opts.top_n, opts.max_processes);
    let top = chosen
        .iter()
        .filter_map(|&i| Some((all.get(i)?, candidates.get(i)?)))
        .map(|(p, c)| {
            let (command_line, owner) = identity(p.pid);
            ProcessRecord {
                pid: p.pid,
                command_line,
                owner,
                parent_pid: p.ppid,
                name: p.name.clone(),
                executable: exes.remove(&p.pid).unwrap_or_else(|| executable(p.pid)),
                user_seconds: c.utime as f64 / UNITS_PER_SECOND,
                system_seconds: c.stime as f64 / UNITS_PER_SECOND,
                cpu_percent: c.cpu_percent,
                rss_bytes: p.rss as f64,
                virtual_bytes: p.private as f64,
                memory_percent: percent(p.rss as f64, mem_total as f64),
                threads: p.threads,
                read_bytes: p.io.map(|(r, _)| r as f64),
                write_bytes: p.io.map(|(_, w)| w as f64),
                start_time_unix: p
                    .times
                    .map_or(0.0, |(created, _, _)| filetime_unix(created)),
                matched: c.matched,
                ..Default::default()
            }
        })
        .collect();
    let snap = ProcessSnapshot {
        total: all.len() as u32,
        threads: all.iter().map(|p| p.threads).sum(),
        top,
        left_out,
        interval_seconds: prev.map_or(0.0, |(_, s)| s),
        ..Default::default()
    };
    Ok((snap, next))
}
