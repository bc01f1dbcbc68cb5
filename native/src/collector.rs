//! The stateful collector: runs each group, keeps the previous counters so that
//! rates are over the interval since the last collect, and turns a failed (or
//! panicking) group into an entry of the snapshot's `errors` list.
//!
//! Each stateful group (paging, disk, network, process) keeps its counters with the
//! moment it read them ([`crate::procfs::Previous`]) and measures its rates over its
//! own interval: a group that failed last time keeps its older counters, so its next
//! rates span the real time since its last good read. (CPU utilisation is a ratio of
//! tick deltas and needs no interval.)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};
use crate::procfs::Roots;
use crate::snapshot::{GroupError, HostCollectorOptions, HostSnapshot};
use crate::{
    container, cpu, disk, filesystem, host, memory, net, paging, process, resources, virt,
};

pub const GROUPS: &[&str] = &[
    "host",
    "cpu",
    "load",
    "memory",
    "paging",
    "disk",
    "filesystem",
    "network",
    "tcp",
    "process",
    "resources",
    "container",
    "virtualization",
];

/// Options resolved to their defaults and checked once, at construction.
#[derive(Debug, Clone)]
pub struct Settings {
    pub roots: Roots,
    pub per_core: bool,
    pub groups: Vec<&'static str>,
    pub filesystem: filesystem::Options,
    pub process: process::Options,
}

impl Settings {
    pub fn from_options(opts: &HostCollectorOptions) -> Result<Self> {
        let mut groups = match &opts.groups {
            None => GROUPS.to_vec(),
            Some(names) => names
                .iter()
                .map(|n| {
                    GROUPS
                        .iter()
                        .copied()
                        .find(|g| g == n)
                        .ok_or_else(|| Error::InvalidOption {
                            name: "groups",
                            message: format!("unknown group {n:?}; known: {}", GROUPS.join(", ")),
                        })
                })
                .collect::<Result<Vec<_>>>()?,
        };
        // A group named twice would run twice per collect, and its second read, a
        // moment after the first, would report zero rates: keep the first mention.
        let mut seen = std::collections::HashSet::new();
        groups.retain(|g| seen.insert(*g));
        let patterns = opts.process_patterns.clone().unwrap_or_default();
        process::validate_patterns(&patterns)?;
        let exclude = opts.process_exclude_patterns.clone().unwrap_or_default();
        process::validate_patterns(&exclude)?;
        Ok(Settings {
            roots: Roots::new(
                opts.root_path.as_deref(),
                opts.proc_root.as_deref(),
                opts.sys_root.as_deref(),
            ),
            per_core: opts.per_core.unwrap_or(true),
            groups,
            filesystem: filesystem::Options {
                include_pseudo: opts.include_pseudo_filesystems.unwrap_or(false),
            },
            process: process::Options {
                top_n: opts.top_processes.unwrap_or(10),
                patterns,
                exclude,
                max_processes: opts.max_processes.unwrap_or(200),
            },
        })
    }
}

/// Counters carried from one collect to the next.
#[derive(Debug, Default)]
struct State {
    last: Option<Instant>,
    host: host::State,
    cpu: cpu::State,
    paging: paging::State,
    disk: disk::State,
    network: net::interfaces::State,
    process: process::State,
}

/// A collector as JavaScript holds it: the settings, read-only after construction,
/// outside the lock a scan holds (so `groups` never waits), and the stateful
/// collector behind it. Concurrent collects on one `Shared` run one after the other.
#[derive(Clone)]
pub struct Shared {
    settings: Arc<Settings>,
    inner: Arc<Mutex<Collector>>,
}

impl Shared {
    pub fn new(settings: Settings) -> Self {
        let settings = Arc::new(settings);
        Shared {
            inner: Arc::new(Mutex::new(Collector::new(settings.clone()))),
            settings,
        }
    }

    /// The groups read, in order; answers at once, even during a collect.
    pub fn groups(&self) -> Vec<String> {
        self.settings.groups.iter().map(|g| g.to_string()).collect()
    }

    /// One collect; waits for a collect already running on another thread.
    pub fn collect(&self) -> HostSnapshot {
        self.lock().collect()
    }

    fn lock(&self) -> MutexGuard<'_, Collector> {
        // A panic inside a group is caught in `Collector::collect`, so a poisoned lock
        // only means a previous call was interrupted; its state is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub struct Collector {
    /// Shared with the napi wrapper, which answers `groups` without taking the lock a
    /// collect holds.
    settings: Arc<Settings>,
    state: State,
}

impl Collector {
    pub fn new(settings: Arc<Settings>) -> Self {
        Collector {
            settings,
            state: State::default(),
        }
    }

    pub fn collect(&mut self) -> HostSnapshot {
        let started = Instant::now();
        let seconds = self
            .state
            .last
            .map(|t| started.duration_since(t).as_secs_f64())
            .unwrap_or(0.0);
        self.state.last = Some(started);
        let mut snap = HostSnapshot {
            collected_at_unix_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64() * 1000.0)
                .unwrap_or(0.0),
            interval_seconds: seconds,
            ..Default::default()
        };
        let s = &self.settings;
        let st = &mut self.state;
        let r = &s.roots;
        let mut errors = Vec::new();
        for &group in &s.groups {
            // Each stateful group keeps the moment of its own previous successful
            // read, so a group that failed last time measures over its real interval.
            let now = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<()> {
                match group {
                    "host" => snap.host = host::collect(r, &mut st.host)?,
                    "cpu" => snap.cpu = cpu::collect(r, &mut st.cpu, s.per_core)?,
                    "load" => snap.load = cpu::collect_load(r)?,
                    "memory" => snap.memory = memory::collect(r)?,
                    "paging" => snap.paging = paging::collect(r, &mut st.paging, now)?,
                    "disk" => snap.disk = disk::collect(r, &mut st.disk, now)?,
                    "filesystem" => snap.filesystems = filesystem::collect(r, &s.filesystem)?,
                    "network" => snap.network = net::interfaces::collect(r, &mut st.network, now)?,
                    "tcp" => snap.tcp = net::tcp::collect(r)?,
                    "process" => {
                        snap.processes = process::collect(r, &mut st.process, &s.process, now)?
                    }
                    "resources" => snap.resources = resources::collect(r)?,
                    "container" => snap.container = container::collect(r)?,
                    "virtualization" => snap.virtualization = virt::collect(r)?,
                    _ => {}
                }
                Ok(())
            }));
            let message = match outcome {
                Ok(Ok(())) => continue,
                Ok(Err(e)) => e.to_string(),
                Err(panic) => format!("internal error (panic): {}", panic_message(&panic)),
            };
            errors.push(GroupError {
                group: group.to_string(),
                message,
            });
        }
        snap.errors = errors;
        snap.collection_duration_ns = started.elapsed().as_nanos() as f64;
        snap
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_groups_getter_answers_while_a_collect_holds_the_lock() {
        let shared = Shared::new(Settings::from_options(&Default::default()).unwrap());
        let scan = shared.lock();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| tx.send(shared.groups()).unwrap());
            // A deadlock detector, not a time measurement: the answer needs no lock.
            let groups = rx.recv_timeout(std::time::Duration::from_secs(30));
            drop(scan);
            assert_eq!(groups.unwrap().len(), GROUPS.len());
        });
    }

    #[test]
    fn a_group_named_twice_runs_once_in_the_order_first_given() {
        let opts = HostCollectorOptions {
            groups: Some(vec![
                "process".into(),
                "memory".into(),
                "process".into(),
                "memory".into(),
            ]),
            ..Default::default()
        };
        let settings = Settings::from_options(&opts).unwrap();
        assert_eq!(settings.groups, vec!["process", "memory"]);
    }
}
