//! The Windows backend over the Win32 readers: each group read afresh, with the CPU's
//! and the interfaces' previous counters kept for utilisation and rates.

use std::io;
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::decode::{self, RawTimes, UNITS_PER_SECOND};
use super::{cpu, disks, host, interfaces, memory, process, tcp, volumes};
use crate::backend::{not_here, Backend};
use crate::collector::Settings;
use crate::error::{Error, Result};
use crate::group::BackendKind;
use crate::snapshot::availability::{self, Gap};
use crate::snapshot::container::ContainerInfo;
use crate::snapshot::cpu::{times, utilization, CoreStat, CpuSnapshot, LoadAverage, Ticks};
use crate::snapshot::disk::{self, DiskSnapshot};
use crate::snapshot::filesystem::Filesystem;
use crate::snapshot::host::{go_arch, HostInfo};
use crate::snapshot::memory::MemorySnapshot;
use crate::snapshot::network::{self, NetworkSnapshot};
use crate::snapshot::paging::PagingSnapshot;
use crate::snapshot::process::ProcessSnapshot;
use crate::snapshot::rates::Previous;
use crate::snapshot::resources::ResourcesSnapshot;
use crate::snapshot::tcp::TcpSnapshot;
use crate::snapshot::virt::{cpuid_hypervisor_vendor, cpuid_type, VirtualizationInfo};

/// The Win32 backend and what it carries between collects.
pub struct Win32 {
    per_core: bool,
    /// The processor's facts, read once (CPUID, the registry, the topology).
    facts: Option<cpu::Facts>,
    /// The previous CPU counters: all processors, then each.
    cpu: Option<(Ticks, Vec<Ticks>)>,
    disk: Previous<disk::Counters>,
    network: Previous<network::Counters>,
    process_options: crate::snapshot::process::Options,
    process: Previous<process::Counters>,
}

/// The backend `kind` names; Win32, the only one here, by default.
pub fn open(kind: Option<BackendKind>, s: &Settings) -> Result<Box<dyn Backend>> {
    match kind.unwrap_or(BackendKind::Windows) {
        BackendKind::Windows => Ok(Box::new(Win32::new(s))),
        other @ (BackendKind::Procfs | BackendKind::Portable) => Err(not_here(other)),
    }
}

impl Win32 {
    fn new(s: &Settings) -> Self {
        Win32 {
            per_core: s.per_core,
            facts: None,
            cpu: None,
            disk: Previous::default(),
            network: Previous::default(),
            process_options: s.process.clone(),
            process: Previous::default(),
        }
    }
}

/// A failed Win32 call as the crate's error (the message names the call).
fn win32(e: io::Error) -> Error {
    Error::io(Path::new("win32"), e)
}

impl Backend for Win32 {
    fn kind(&self) -> BackendKind {
        BackendKind::Windows
    }

    fn gaps(&self) -> &'static [&'static [Gap]] {
        availability::WINDOWS
    }

    fn host(&mut self) -> Result<HostInfo> {
        let h = host::read();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let platform_name = match (h.product_name.as_str(), h.display_version.as_str()) {
            (name, "") => name.to_string(),
            (name, display) => format!("{name} {display}"),
        };
        Ok(HostInfo {
            hostname: h.hostname,
            os: "windows".into(),
            os_version: h.version.clone(),
            platform: "windows".into(),
            platform_family: "windows".into(),
            platform_name,
            kernel_version: h.version,
            architecture: go_arch(std::env::consts::ARCH).to_string(),
            uptime_seconds: h.uptime_seconds,
            boot_time_unix: (now - h.uptime_seconds).round(),
            // Windows names its zones its own way ("W. Europe Standard Time"); the
            // TypeScript side takes the IANA name from Node's ICU.
            timezone: String::new(),
            host_id: h.machine_guid,
        })
    }

    fn cpu(&mut self) -> Result<CpuSnapshot> {
        let cores = cpu::per_core().map_err(win32)?;
        let total = cpu::total(&cores).map_err(win32)?.ticks();
        let each: Vec<Ticks> = cores.iter().map(RawTimes::ticks).collect();
        let facts = self
            .facts
            .get_or_insert_with(|| cpu::facts(cores.len() as u32))
            .clone();
        let (prev_total, prev_each) = match &self.cpu {
            Some((t, e)) => (Some(t), Some(e)),
            None => (None, None),
        };
        let per_core = if self.per_core {
            each.iter()
                .enumerate()
                .map(|(i, t)| CoreStat {
                    core_id: i as u32,
                    times: times(t, UNITS_PER_SECOND),
                    utilization: utilization(prev_each.and_then(|p| p.get(i)), t),
                    mhz: facts.mhz,
                })
                .collect()
        } else {
            Vec::new()
        };
        let snap = CpuSnapshot {
            model: facts.model,
            vendor: facts.vendor,
            family: facts.family,
            mhz: facts.mhz,
            cache_size_bytes: facts.cache_size_bytes,
            logical_cores: each.len() as u32,
            physical_cores: facts.physical_cores,
            sockets: facts.sockets,
            total: times(&total, UNITS_PER_SECOND),
            utilization: utilization(prev_total, &total),
            per_core,
        };
        self.cpu = Some((total, each));
        Ok(snap)
    }

    fn load(&mut self) -> Result<LoadAverage> {
        Err(Error::Unsupported("the load average (Windows keeps none)"))
    }

    fn memory(&mut self) -> Result<MemorySnapshot> {
        Ok(decode::memory(&memory::read().map_err(win32)?))
    }

    fn paging(&mut self, _: Instant) -> Result<PagingSnapshot> {
        Err(Error::Unsupported("paging"))
    }

    /// Physical drives only: Windows keeps no per-partition counters here, so every
    /// device is a whole disk and counts in the totals.
    fn disk(&mut self, now: Instant) -> Result<DiskSnapshot> {
        let lines: Vec<_> = disks::read()
            .iter()
            .map(|(n, perf)| decode::disk_line(*n, perf))
            .collect();
        if lines.is_empty() {
            // Every Windows host has a drive: none answering means none can be read
            // (disk performance counters turned off, or Wine, which has none).
            return Err(win32(io::Error::other(
                "no physical drive answered IOCTL_DISK_PERFORMANCE",
            )));
        }
        let kinds = vec!["disk"; lines.len()];
        let labels = vec![String::new(); lines.len()];
        let (snap, next) = disk::build(&lines, &kinds, labels, self.disk.since(now));
        self.disk.store(now, next);
        Ok(snap)
    }

    fn filesystems(&mut self) -> Result<Vec<Filesystem>> {
        let drives = volumes::read().map_err(win32)?;
        Ok(drives.iter().map(decode::filesystem).collect())
    }

    fn network(&mut self, now: Instant) -> Result<NetworkSnapshot> {
        let adapters = interfaces::read().map_err(win32)?;
        let mut lines = Vec::with_capacity(adapters.len());
        let mut links = Vec::with_capacity(adapters.len());
        for a in &adapters {
            let (counters, link, ips) = decode::interface(a);
            lines.push((a.name.clone(), counters));
            links.push((link, ips));
        }
        let (snap, next) = network::build(&lines, links, self.network.since(now));
        self.network.store(now, next);
        Ok(snap)
    }

    fn tcp(&mut self) -> Result<TcpSnapshot> {
        let v4 = tcp::states(false).map_err(win32)?;
        let v6 = tcp::states(true).map_err(win32)?;
        let s4 = tcp::statistics(false).map_err(win32)?;
        // Without IPv6 there are no IPv6 counters, which is not a failure.
        let s6 = tcp::statistics(true).ok();
        let sum =
            |f: fn(&windows_sys::Win32::NetworkManagement::IpHelper::MIB_TCPSTATS_LH) -> u32| {
                f64::from(f(&s4)) + s6.as_ref().map_or(0.0, |s| f64::from(f(s)))
            };
        Ok(TcpSnapshot {
            all: v4.plus(&v6),
            ipv4: v4,
            ipv6: v6,
            source: "GetExtendedTcpTable".into(),
            retransmitted_segments: sum(|s| s.dwRetransSegs),
            out_segments: sum(|s| s.dwOutSegs),
            in_segments: sum(|s| s.dwInSegs),
            active_opens: sum(|s| s.dwActiveOpens),
            passive_opens: sum(|s| s.dwPassiveOpens),
            attempt_fails: sum(|s| s.dwAttemptFails),
            estab_resets: sum(|s| s.dwEstabResets),
            in_errors: sum(|s| s.dwInErrs),
            out_resets: sum(|s| s.dwOutRsts),
        })
    }

    fn processes(&mut self, now: Instant) -> Result<ProcessSnapshot> {
        let mem_total = memory::read().map_or(0, |m| m.total);
        let (snap, next) =
            process::collect(&self.process_options, self.process.since(now), mem_total)?;
        self.process.store(now, next);
        Ok(snap)
    }

    fn resources(&mut self) -> Result<ResourcesSnapshot> {
        Err(Error::Unsupported("file descriptors and entropy"))
    }

    fn container(&mut self) -> Result<ContainerInfo> {
        Err(Error::Unsupported("container detection"))
    }

    /// CPUID's hypervisor bit and vendor leaf. With virtualisation-based security on,
    /// Windows itself runs over Hyper-V and reports `hyperv` on bare metal too.
    fn virtualization(&mut self) -> Result<VirtualizationInfo> {
        let present = host::hypervisor_present();
        let kind = present
            .then(cpuid_hypervisor_vendor)
            .flatten()
            .and_then(|v| cpuid_type(&v))
            .unwrap_or("");
        Ok(VirtualizationInfo {
            is_virtualized: present,
            virtualization_type: kind.to_string(),
            role: if present { "guest" } else { "" }.to_string(),
            ..Default::default()
        })
    }
}

/// No kernel files to read on Windows.
pub fn bench_raw_read(_root_path: Option<&str>) -> u64 {
    0
}

pub fn bench_tcp_netlink() -> Result<u32> {
    Err(Error::Unsupported("netlink SOCK_DIAG"))
}

pub fn bench_tcp_procfs() -> Result<u32> {
    Err(Error::Unsupported("procfs"))
}
