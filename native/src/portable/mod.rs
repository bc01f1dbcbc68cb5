//! The portable backend: the `sysinfo` crate, plus the OS's own APIs where sysinfo
//! has nothing (`extras`, one module per OS with the same functions: tick counters per
//! CPU mode, VM statistics, filesystem sizes, load averages, the host id, the
//! timezone, TCP states, container and virtualisation facts, user names). The default on macOS; on Linux it is
//! chosen with `backend: "portable"`, and tests hold it against the procfs backend.
//!
//! Another OS plugs in with an `extras` module of its own (declared below under its
//! `cfg`, and `portable` enabled for it in lib.rs) giving the same items: `OS`, `GAPS`,
//! `TCP_SOURCE`, `uid`, `user_name`, `timezone`, `host_id`, `cpu_ticks`, `vm_stats`,
//! `fs_stats`, `load_average`, `clock_ticks_per_second`, `page_size`, `tcp_states`,
//! `container`, `virtualization`, `is_loopback`, `is_pseudo`.
//!
//! sysinfo 0.40 has no side effects on this process to turn off: it keeps no files
//! open between refreshes and changes no resource limit (read in its source). Threads
//! are not listed as processes (`without_tasks`).

mod map;
// macOS reads it; the tests cover it on every host.
#[cfg(any(test, target_os = "macos"))]
mod pcblist;
mod process;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as extras;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as extras;

#[cfg(test)]
mod tests;

use std::time::Instant;

use sysinfo::{CpuRefreshKind, Disks, MemoryRefreshKind, Networks, System};

use crate::backend::Backend;
use crate::collector::Settings;
use crate::error::{Error, Result};
use crate::group::BackendKind;
use crate::snapshot::availability::Gap;
use crate::snapshot::container::ContainerInfo;
use crate::snapshot::cpu::{CpuSnapshot, LoadAverage};
use crate::snapshot::disk::{self, DiskSnapshot};
use crate::snapshot::filesystem::{self, Filesystem};
use crate::snapshot::host::{go_arch, HostInfo};
use crate::snapshot::memory::MemorySnapshot;
use crate::snapshot::network::{self, NetworkSnapshot};
use crate::snapshot::paging::PagingSnapshot;
use crate::snapshot::process::{Options as ProcessOptions, ProcessSnapshot};
use crate::snapshot::rates::Previous;
use crate::snapshot::resources::ResourcesSnapshot;
use crate::snapshot::tcp::TcpSnapshot;
use crate::snapshot::virt::VirtualizationInfo;
use map::TickReading;

/// sysinfo's handles and the counters kept between collects.
pub struct Portable {
    per_core: bool,
    filesystem: filesystem::Options,
    process_options: ProcessOptions,
    sys: System,
    disks: Disks,
    networks: Networks,
    processes: process::Processes,
    ticks: Option<TickReading>,
    /// The volume list was refreshed in this collect (disk and filesystem share it).
    disks_fresh: bool,
    disk: Previous<disk::Counters>,
    network: Previous<network::Counters>,
    vm: Previous<map::VmStats>,
}

pub fn open(s: &Settings) -> Result<Box<dyn Backend>> {
    let sysinfo = |e: sysinfo::Error| Error::Unsupported(sysinfo_error(e));
    Ok(Box::new(Portable {
        per_core: s.per_core,
        filesystem: s.filesystem.clone(),
        process_options: s.process.clone(),
        sys: System::new().map_err(sysinfo)?,
        disks: Disks::new().map_err(sysinfo)?,
        networks: Networks::new().map_err(sysinfo)?,
        processes: process::Processes::new(&s.process)?,
        ticks: None,
        disks_fresh: false,
        disk: Previous::default(),
        network: Previous::default(),
        vm: Previous::default(),
    }))
}

impl Portable {
    /// sysinfo's volume list and counters, read once per collect.
    fn refresh_disks(&mut self) {
        if !self.disks_fresh {
            self.disks.refresh(true);
            self.disks_fresh = true;
        }
    }
}

fn sysinfo_error(_: sysinfo::Error) -> &'static str {
    "sysinfo on this platform"
}

impl Backend for Portable {
    fn kind(&self) -> BackendKind {
        BackendKind::Portable
    }

    fn gaps(&self) -> &'static [&'static [Gap]] {
        extras::GAPS
    }

    fn begin_collect(&mut self) {
        self.disks_fresh = false;
    }

    fn host(&mut self) -> Result<HostInfo> {
        let or_empty = |r: std::result::Result<String, sysinfo::Error>| r.unwrap_or_default();
        let id = System::distribution_id();
        let family = System::distribution_id_like()
            .into_iter()
            .next()
            .unwrap_or_else(|| id.clone());
        Ok(HostInfo {
            hostname: or_empty(System::host_name()),
            os: extras::OS.to_string(),
            os_version: or_empty(System::os_version()),
            platform: id,
            platform_family: family,
            platform_name: or_empty(System::long_os_version()),
            kernel_version: or_empty(System::kernel_version()),
            architecture: go_arch(&System::cpu_arch()).to_string(),
            uptime_seconds: System::uptime().unwrap_or(0) as f64,
            boot_time_unix: System::boot_time().unwrap_or(0) as f64,
            timezone: extras::timezone(),
            host_id: extras::host_id(),
        })
    }

    fn cpu(&mut self) -> Result<CpuSnapshot> {
        self.sys
            .refresh_cpu_specifics(CpuRefreshKind::nothing().with_usage().with_frequency());
        let cpus = self.sys.cpus();
        let first = cpus.first();
        let facts = map::CpuFacts {
            model: first
                .map(|c| c.brand().trim().to_string())
                .unwrap_or_default(),
            vendor: first.map(|c| c.vendor_id().to_string()).unwrap_or_default(),
            mhz: first.map_or(0.0, |c| c.frequency() as f64),
            logical: cpus.len() as u32,
            physical: System::physical_core_count()
                .ok()
                .and_then(|n| u32::try_from(n).ok()),
            usage: cpus.iter().map(|c| c.usage()).collect(),
            global_usage: self.sys.global_cpu_usage(),
        };
        let ticks = extras::cpu_ticks();
        let hz = extras::clock_ticks_per_second();
        let snap = map::cpu(
            &facts,
            ticks.as_ref(),
            self.ticks.as_ref(),
            hz,
            self.per_core,
        );
        if ticks.is_some() {
            self.ticks = ticks;
        }
        Ok(snap)
    }

    fn load(&mut self) -> Result<LoadAverage> {
        let [one, five, fifteen] =
            extras::load_average().ok_or(Error::Unsupported("load averages"))?;
        Ok(LoadAverage { one, five, fifteen })
    }

    fn memory(&mut self) -> Result<MemorySnapshot> {
        self.sys
            .refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram().with_swap());
        let facts = map::MemoryFacts {
            total: self.sys.total_memory(),
            free: self.sys.free_memory(),
            available: self.sys.available_memory(),
            swap_total: self.sys.total_swap(),
            swap_free: self.sys.free_swap(),
        };
        Ok(map::memory(facts, extras::vm_stats().as_ref()))
    }

    fn paging(&mut self, now: Instant) -> Result<PagingSnapshot> {
        let page = extras::page_size();
        let Some(vm) = extras::vm_stats() else {
            return Ok(PagingSnapshot {
                page_size_bytes: page as f64,
                ..Default::default()
            });
        };
        let snap = map::paging(&vm, self.vm.since(now), page);
        self.vm.store(now, vm);
        Ok(snap)
    }

    fn disk(&mut self, now: Instant) -> Result<DiskSnapshot> {
        self.refresh_disks();
        let io: Vec<map::DiskIo> = self
            .disks
            .iter()
            .map(|d| {
                let u = d.usage();
                map::DiskIo {
                    name: d.name().to_string_lossy().into_owned(),
                    read_bytes: u.total_read_bytes,
                    written_bytes: u.total_written_bytes,
                }
            })
            .collect();
        let lines = map::disk_lines(&io);
        let kinds = vec!["disk"; lines.len()];
        let labels = vec![String::new(); lines.len()];
        let (snap, next) = disk::build(&lines, &kinds, labels, self.disk.since(now));
        self.disk.store(now, next);
        Ok(snap)
    }

    fn filesystems(&mut self) -> Result<Vec<Filesystem>> {
        self.refresh_disks();
        let include_pseudo = self.filesystem.include_pseudo;
        Ok(self
            .disks
            .iter()
            .filter_map(|d| {
                let fs_type = d.file_system().to_string_lossy().into_owned();
                let mount = d.mount_point();
                if !include_pseudo && extras::is_pseudo(&fs_type, mount) {
                    return None;
                }
                let stats = extras::fs_stats(mount, &fs_type)?;
                Some(Filesystem::from_stats(
                    &d.name().to_string_lossy(),
                    &mount.to_string_lossy(),
                    &fs_type,
                    d.is_read_only(),
                    stats,
                ))
            })
            .collect())
    }

    fn network(&mut self, now: Instant) -> Result<NetworkSnapshot> {
        self.networks.refresh(true);
        let mut facts: Vec<map::InterfaceFacts> = self
            .networks
            .iter()
            .map(|(name, d)| (name.to_string_lossy().into_owned(), d))
            .map(|(name, d)| map::InterfaceFacts {
                loopback: extras::is_loopback(&name),
                rx_bytes: d.total_received(),
                tx_bytes: d.total_transmitted(),
                rx_packets: d.total_packets_received(),
                tx_packets: d.total_packets_transmitted(),
                rx_errors: d.total_errors_on_received(),
                tx_errors: d.total_errors_on_transmitted(),
                mac: d.mac_address().to_string(),
                ips: d
                    .ip_networks()
                    .iter()
                    .map(|n| format!("{}/{}", n.addr, n.prefix))
                    .collect(),
                mtu: d.mtu(),
                up: matches!(
                    d.operational_state(),
                    sysinfo::InterfaceOperationalState::Up
                ) || extras::is_loopback(&name),
                name,
            })
            .collect();
        facts.sort_by(|a, b| a.name.cmp(&b.name));
        let (lines, links): (Vec<_>, Vec<_>) = facts.iter().map(map::interface).unzip();
        let (snap, next) = network::build(&lines, links, self.network.since(now));
        self.network.store(now, next);
        Ok(snap)
    }

    fn tcp(&mut self) -> Result<TcpSnapshot> {
        let (ipv4, ipv6) = extras::tcp_states()?;
        Ok(TcpSnapshot {
            all: ipv4.plus(&ipv6),
            ipv4,
            ipv6,
            source: extras::TCP_SOURCE.to_string(),
            ..Default::default()
        })
    }

    fn processes(&mut self, _now: Instant) -> Result<ProcessSnapshot> {
        self.sys
            .refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram());
        let mem_total = self.sys.total_memory();
        Ok(self
            .processes
            .collect(&mut self.sys, &self.process_options, mem_total))
    }

    fn resources(&mut self) -> Result<ResourcesSnapshot> {
        Err(Error::Unsupported("resources (portable backend)"))
    }

    fn container(&mut self) -> Result<ContainerInfo> {
        extras::container()
    }

    fn virtualization(&mut self) -> Result<VirtualizationInfo> {
        extras::virtualization()
    }
}
