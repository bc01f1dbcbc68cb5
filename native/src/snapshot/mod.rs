//! The whole-host snapshot and the collector's options: the shapes that cross into
//! JavaScript (their `///` docs become the JSDoc of `native/index.d.ts`), and the
//! OS-neutral maths every backend shares (rates, utilisation, latency). Nothing in
//! here reads the host.

pub mod availability;
pub mod container;
pub mod cpu;
pub mod disk;
pub mod filesystem;
pub mod host;
pub mod memory;
pub mod network;
pub mod paging;
pub mod process;
pub mod rates;
pub mod resources;
pub mod tcp;
pub mod virt;

use napi_derive::napi;

use crate::group::{BackendKind, Group};
use container::ContainerInfo;
use cpu::{CpuSnapshot, LoadAverage};
use disk::DiskSnapshot;
use filesystem::Filesystem;
use host::HostInfo;
use memory::MemorySnapshot;
use network::NetworkSnapshot;
use paging::PagingSnapshot;
use process::ProcessSnapshot;
use resources::ResourcesSnapshot;
use tcp::TcpSnapshot;
use virt::VirtualizationInfo;

/// A group that could not be read this time; the rest of the snapshot is still there.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct GroupError {
    /// The group, as named in `HostCollectorOptions.groups`.
    pub group: Group,
    /// What went wrong, for people (the file and the OS error, or the panic message); not a stable format.
    pub message: String,
}

/// Everything one collect knows about the host. Rates, percentages, IOPS and
/// latencies are over the interval since the previous collect of the same
/// `HostCollector` (all zero on its first collect). Each stateful group gives its own
/// `intervalSeconds`: since that group's previous *successful* read, which is longer
/// than the snapshot's when the group failed in between; under 0.1 s its rates are 0.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct HostSnapshot {
    /// When the scan started, unix milliseconds.
    pub collected_at_unix_ms: f64,
    /// How long the scan took, nanoseconds.
    pub collection_duration_ns: f64,
    /// Seconds since the previous collect; 0 on the first. Groups with rates report
    /// the interval their rates cover in their own `intervalSeconds`.
    pub interval_seconds: f64,
    /// Host identity: names, OS, kernel, uptime.
    pub host: HostInfo,
    /// CPU description, times and utilisation.
    pub cpu: CpuSnapshot,
    /// Load averages.
    pub load: LoadAverage,
    /// RAM and swap totals (`/proc/meminfo`).
    pub memory: MemorySnapshot,
    /// Swap areas and paging counters.
    pub paging: PagingSnapshot,
    /// Block devices and whole-disk totals.
    pub disk: DiskSnapshot,
    /// Mounted filesystems with their sizes.
    pub filesystems: Vec<Filesystem>,
    /// Network interfaces and totals.
    pub network: NetworkSnapshot,
    /// TCP connections by state, and TCP counters.
    pub tcp: TcpSnapshot,
    /// Process counts, kernel activity counters and per-process records.
    pub processes: ProcessSnapshot,
    /// File handles, entropy and pressure stall information.
    pub resources: ResourcesSnapshot,
    /// Whether and how this process runs in a container.
    pub container: ContainerInfo,
    /// Hypervisor and DMI facts.
    pub virtualization: VirtualizationInfo,
    /// Groups that failed (or were unsupported) in this collect.
    pub errors: Vec<GroupError>,
    /// The backend that read this snapshot.
    pub backend: BackendKind,
    /// Fields (`group.field` paths, e.g. `memory.buffersBytes`) that this backend cannot
    /// give on this platform, among the groups read: they hold 0 or "" here, which
    /// means "unknown", not zero. `docs/platforms.md` lists them per platform.
    pub unavailable: Vec<String>,
}

/// How a `HostCollector` reads the host.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct HostCollectorOptions {
    /// Where to read the host from: `procfs` (Linux, its default) or `portable`
    /// (sysinfo and the OS's APIs; the default on macOS). A backend the platform does
    /// not have makes the constructor throw.
    pub backend: Option<BackendKind>,
    /// The host's root filesystem as this process sees it, e.g. `/hostfs` in a
    /// container with the host's `/` bind-mounted there. Default `/`.
    pub root_path: Option<String>,
    /// procfs location; default `<rootPath>/proc`.
    pub proc_root: Option<String>,
    /// sysfs location; default `<rootPath>/sys`.
    pub sys_root: Option<String>,
    /// Per-core CPU times and utilisation. Default true.
    pub per_core: Option<bool>,
    /// Top N processes by CPU and by memory to return records for. Default 10; 0 = none
    /// (only pattern matches get records).
    pub top_processes: Option<u32>,
    /// Regular expressions on the process name (the kernel's 15-byte `comm`, or the full
    /// file name of the executable or of `argv[0]`), the executable path or the command
    /// line; matching processes always get a record (up to `maxProcesses`). A process
    /// in state D is matched on its `comm` only: its command line and executable are
    /// not read, since that can block while its I/O hangs.
    pub process_patterns: Option<Vec<String>>,
    /// Regular expressions matched like `processPatterns`; a matching process never gets
    /// a record (it still counts in the totals) and never takes a place under the cap.
    pub process_exclude_patterns: Option<Vec<String>>,
    /// Hard cap on per-process records per collect. Default 200; 0 means no cap
    /// (every top-N and every matched process gets a record).
    pub max_processes: Option<u32>,
    /// Keep pseudo filesystems (proc, sysfs, cgroup, devtmpfs, autofs…), read-only images
    /// (squashfs, erofs, iso9660) and mounts under `/var/lib/docker/` and
    /// `/var/lib/kubelet/` (per-container roots and pod volumes). Default false. autofs
    /// is then listed with zero sizes: it is never `statvfs`-ed (that would mount it).
    pub include_pseudo_filesystems: Option<bool>,
    /// Groups to collect; default all: `host`, `cpu`, `load`, `memory`, `paging`,
    /// `disk`, `filesystem`, `network`, `tcp`, `process`, `resources`, `container`,
    /// `virtualization`. A name given twice counts once (its first place); an unknown
    /// name makes the constructor throw.
    #[napi(ts_type = "Array<Group>")]
    pub groups: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    /// `(file, struct, field)` of every `#[napi(object)]` field below `dir` that has
    /// no `///` doc (attributes between the doc and the field are allowed).
    fn undocumented(dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                undocumented(&path, out);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = fs::read_to_string(&path).unwrap();
            let lines: Vec<&str> = text.lines().map(str::trim).collect();
            let mut object: Option<&str> = None;
            let mut marked = false;
            for (i, line) in lines.iter().enumerate() {
                if *line == "#[napi(object)]" {
                    marked = true;
                } else if marked && line.starts_with("pub struct ") {
                    object = line.split_whitespace().nth(2);
                    marked = false;
                } else if object.is_some() && *line == "}" {
                    object = None;
                } else if let (Some(name), true) = (object, line.starts_with("pub ")) {
                    let doc = lines[..i]
                        .iter()
                        .rev()
                        .find(|l| !l.starts_with("#["))
                        .is_some_and(|l| l.starts_with("///"));
                    if !doc {
                        out.push(format!("{} {name} {line}", path.display()));
                    }
                }
            }
        }
    }

    #[test]
    fn every_field_javascript_sees_is_documented() {
        let mut missing = Vec::new();
        undocumented(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut missing,
        );
        assert!(missing.is_empty(), "undocumented:\n{}", missing.join("\n"));
    }
}
