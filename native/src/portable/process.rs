//! Processes through sysinfo: counts by state from every process, records for the
//! top N by CPU and by memory and for pattern matches, chosen by the same
//! [`select`] as the procfs backend.

use std::collections::HashMap;

use regex::bytes::RegexSet;
use sysinfo::{Pid, Process, ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};

use super::map;
use crate::error::{Error, Result};
use crate::snapshot::process::select::{self, Candidate};
use crate::snapshot::process::{Options, ProcessRecord, ProcessSnapshot};
use crate::snapshot::rates::percent;

/// The per-process numbers the counts need, one per process.
#[derive(Debug, Clone, Copy)]
pub struct ProcessFacts {
    pub state: u8,
}

/// Compiled patterns and the uid → name cache.
pub struct Processes {
    patterns: Option<RegexSet>,
    exclude: Option<RegexSet>,
    owners: HashMap<u32, String>,
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

impl Processes {
    pub fn new(opts: &Options) -> Result<Self> {
        Ok(Processes {
            patterns: compile(&opts.patterns)?,
            exclude: compile(&opts.exclude)?,
            owners: HashMap::new(),
        })
    }

    /// Refreshes sysinfo's process list (threads not listed as processes; command
    /// lines and executables read once per process) and builds the group. CPU
    /// percentages are over the time since the previous refresh.
    pub fn collect(&mut self, sys: &mut System, opts: &Options, mem_total: u64) -> ProcessSnapshot {
        let kind = ProcessRefreshKind::nothing()
            .with_cpu()
            .with_memory()
            .with_disk_usage()
            .with_cmd(UpdateKind::OnlyIfNotSet)
            .with_exe(UpdateKind::OnlyIfNotSet)
            .with_user(UpdateKind::OnlyIfNotSet)
            .without_tasks();
        sys.refresh_processes_specifics(ProcessesToUpdate::All, true, kind);
        let procs: Vec<&Process> = sys.processes().values().collect();
        let facts: Vec<ProcessFacts> = procs
            .iter()
            .map(|p| ProcessFacts {
                state: map::state_letter(p.status()),
            })
            .collect();
        let mut snap = map::counts(&facts);
        let mut names = Vec::new();
        let candidates: Vec<Candidate> = procs
            .iter()
            .zip(&facts)
            .map(|(p, f)| {
                let start = names.len();
                names.extend_from_slice(p.name().as_encoded_bytes());
                let subject = |set: &RegexSet| {
                    set.is_match(p.name().as_encoded_bytes())
                        || p.exe()
                            .is_some_and(|e| set.is_match(e.as_os_str().as_encoded_bytes()))
                        || set.is_match(command_line(p).as_bytes())
                };
                let excluded = self.exclude.as_ref().is_some_and(subject);
                let matched = !excluded && self.patterns.as_ref().is_some_and(subject);
                Candidate {
                    pid: p.pid().as_u32(),
                    ppid: p.parent().map_or(0, Pid::as_u32),
                    state: f.state,
                    utime: p.accumulated_cpu_time(),
                    stime: 0,
                    blkio_ticks: 0,
                    starttime: p.start_time(),
                    vsize: p.virtual_memory(),
                    rss_pages: p.memory(),
                    threads: 0,
                    name: (start, names.len()),
                    cpu_percent: f64::from(p.cpu_usage()),
                    matched,
                    excluded,
                }
            })
            .collect();
        let (chosen, left_out) = select::select(&candidates, opts.top_n, opts.max_processes);
        snap.left_out = left_out;
        snap.top = chosen
            .iter()
            .filter_map(|&i| Some((candidates.get(i)?, procs.get(i)?)))
            .map(|(c, p)| self.record(c, p, mem_total))
            .collect();
        snap
    }

    fn record(&mut self, c: &Candidate, p: &Process, mem_total: u64) -> ProcessRecord {
        let uid = owner_uid(p);
        let owner = uid.map(|u| self.owner(u)).unwrap_or_default();
        let io = p.disk_usage();
        ProcessRecord {
            pid: c.pid,
            parent_pid: c.ppid,
            name: p.name().to_string_lossy().into_owned(),
            executable: p
                .exe()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default(),
            command_line: command_line(p),
            owner,
            uid: uid.unwrap_or(0),
            state: char::from(c.state).to_string(),
            cpu_percent: c.cpu_percent,
            rss_bytes: p.memory() as f64,
            virtual_bytes: p.virtual_memory() as f64,
            memory_percent: percent(p.memory() as f64, mem_total as f64),
            read_bytes: Some(io.total_read_bytes as f64),
            write_bytes: Some(io.total_written_bytes as f64),
            start_time_unix: p.start_time() as f64,
            matched: c.matched,
            ..Default::default()
        }
    }

    fn owner(&mut self, uid: u32) -> String {
        self.owners
            .entry(uid)
            .or_insert_with(|| super::extras::user_name(uid).unwrap_or_else(|| uid.to_string()))
            .clone()
    }
}

fn command_line(p: &Process) -> String {
    let args: Vec<String> = p
        .cmd()
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    args.join(" ")
}

fn owner_uid(p: &Process) -> Option<u32> {
    super::extras::uid(p)
}
