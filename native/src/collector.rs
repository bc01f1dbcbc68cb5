//! The stateful collector: runs each group, keeps the previous counters so that
//! rates are over the interval since the last collect, and turns a failed (or
//! panicking) group into an entry of the snapshot's `errors` list.
//!
//! Each stateful group (paging, disk, network, process) keeps its counters with the
//! moment it read them ([`crate::snapshot::rates::Previous`]) and measures its rates over its
//! own interval: a group that failed last time keeps its older counters, so its next
//! rates span the real time since its last good read. (CPU utilisation is a ratio of
//! tick deltas and needs no interval.)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::backend::{self, Backend};
use crate::error::Result;
use crate::group::{BackendKind, Group};
use crate::snapshot::process::validate_patterns;
use crate::snapshot::{filesystem, process, GroupError, HostCollectorOptions, HostSnapshot};

/// Options resolved to their defaults and checked once, at construction.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `rootPath`, `procRoot`, `sysRoot` as given (the procfs backend's trees).
    pub root_path: Option<String>,
    pub proc_root: Option<String>,
    pub sys_root: Option<String>,
    /// The backend asked for; `None` is the platform's default.
    pub backend: Option<BackendKind>,
    pub per_core: bool,
    pub groups: Vec<Group>,
    pub filesystem: filesystem::Options,
    pub process: process::Options,
}

impl Settings {
    pub fn from_options(opts: &HostCollectorOptions) -> Result<Self> {
        let mut groups = match &opts.groups {
            None => Group::ALL.to_vec(),
            Some(names) => names
                .iter()
                .map(|n| Group::from_name(n))
                .collect::<Result<Vec<_>>>()?,
        };
        // A group named twice would run twice per collect, and its second read, a
        // moment after the first, would report zero rates: keep the first mention.
        let mut seen = std::collections::HashSet::new();
        groups.retain(|g| seen.insert(*g));
        let patterns = opts.process_patterns.clone().unwrap_or_default();
        validate_patterns(&patterns)?;
        let exclude = opts.process_exclude_patterns.clone().unwrap_or_default();
        validate_patterns(&exclude)?;
        Ok(Settings {
            root_path: opts.root_path.clone(),
            proc_root: opts.proc_root.clone(),
            sys_root: opts.sys_root.clone(),
            backend: opts.backend,
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

/// A collector as JavaScript holds it: the settings, read-only after construction,
/// outside the lock a scan holds (so `groups` never waits), and the stateful
/// collector behind it. Concurrent collects on one `Shared` run one after the other.
#[derive(Clone)]
pub struct Shared {
    settings: Arc<Settings>,
    inner: Arc<Mutex<Collector>>,
}

impl Shared {
    pub fn new(settings: Settings) -> Result<Self> {
        let settings = Arc::new(settings);
        Ok(Shared {
            inner: Arc::new(Mutex::new(Collector::new(settings.clone())?)),
            settings,
        })
    }

    /// The groups read, in order; answers at once, even during a collect.
    pub fn groups(&self) -> Vec<Group> {
        self.settings.groups.clone()
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
    backend: Box<dyn Backend>,
    last: Option<Instant>,
}

impl Collector {
    pub fn new(settings: Arc<Settings>) -> Result<Self> {
        Ok(Collector {
            backend: backend::open(&settings)?,
            settings,
            last: None,
        })
    }

    pub fn collect(&mut self) -> HostSnapshot {
        let started = Instant::now();
        let seconds = self
            .last
            .map(|t| started.duration_since(t).as_secs_f64())
            .unwrap_or(0.0);
        self.last = Some(started);
        let mut snap = HostSnapshot {
            collected_at_unix_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64() * 1000.0)
                .unwrap_or(0.0),
            interval_seconds: seconds,
            ..Default::default()
        };
        let b = &mut self.backend;
        b.begin_collect();
        let mut errors = Vec::new();
        for &group in &self.settings.groups {
            // Each stateful group keeps the moment of its own previous successful
            // read, so a group that failed last time measures over its real interval.
            let now = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<()> {
                match group {
                    Group::Host => snap.host = b.host()?,
                    Group::Cpu => snap.cpu = b.cpu()?,
                    Group::Load => snap.load = b.load()?,
                    Group::Memory => snap.memory = b.memory()?,
                    Group::Paging => snap.paging = b.paging(now)?,
                    Group::Disk => snap.disk = b.disk(now)?,
                    Group::Filesystem => snap.filesystems = b.filesystems()?,
                    Group::Network => snap.network = b.network(now)?,
                    Group::Tcp => snap.tcp = b.tcp()?,
                    Group::Process => snap.processes = b.processes(now)?,
                    Group::Resources => snap.resources = b.resources()?,
                    Group::Container => snap.container = b.container()?,
                    Group::Virtualization => snap.virtualization = b.virtualization()?,
                }
                Ok(())
            }));
            let message = match outcome {
                Ok(Ok(())) => continue,
                Ok(Err(e)) => e.to_string(),
                Err(panic) => format!("internal error (panic): {}", panic_message(&panic)),
            };
            errors.push(GroupError { group, message });
        }
        snap.errors = errors;
        snap.backend = b.kind();
        snap.unavailable = b
            .gaps()
            .iter()
            .flat_map(|list| list.iter())
            .filter(|gap| self.settings.groups.contains(&gap.group))
            .map(|gap| gap.field.to_string())
            .collect();
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
        let shared = Shared::new(Settings::from_options(&Default::default()).unwrap()).unwrap();
        let scan = shared.lock();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| tx.send(shared.groups()).unwrap());
            // A deadlock detector, not a time measurement: the answer needs no lock.
            let groups = rx.recv_timeout(std::time::Duration::from_secs(30));
            drop(scan);
            assert_eq!(groups.unwrap().len(), Group::ALL.len());
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
        assert_eq!(settings.groups, vec![Group::Process, Group::Memory]);
    }
}
