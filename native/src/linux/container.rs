//! Container detection: the runtime, the container id (cgroup v1 and v2 paths,
//! mountinfo), and the cgroup's CPU quota and memory limit.
//!
//! Whose view: with the default root (`/`) the agent describes its own process, so
//! it reads `<proc>/self/cgroup` and `<proc>/self/mountinfo`. With another root
//! (e.g. `rootPath: /hostfs`, a containerised agent watching its host) it reports
//! the host's view instead, through `<proc>/1/cgroup` and `<proc>/1/mountinfo`
//! (the host's init), and the marker files under that root.
//!
//! Evidence, strongest first: a container id in a cgroup path (cgroup v1, or v2
//! without a private cgroup namespace); the `/etc/hostname`, `/etc/hosts` and
//! `/etc/resolv.conf` bind mounts, whose sources name the container's directory
//! (how a cgroup-v2 container with its own cgroup namespace is recognised); and the
//! marker files `/.dockerenv`, `/run/.containerenv` (podman) and
//! `/run/systemd/container`. No environment variable is read.
//!
//! `container_name` and `container_image` stay "": the kernel does not know them;
//! only the runtime's API (or the orchestrator's downward API) does.
//!
//! Limits are the tightest along the agent's cgroup path, from its own cgroup up
//! to the root of the mount, so a limit set on a parent (a Kubernetes pod) counts.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::linux::procfs::{read_string, read_trimmed, Roots};
pub use crate::snapshot::container::ContainerInfo;

/// A container id and the runtime its path names ("" when the path does not say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub id: String,
    pub runtime: &'static str,
}

/// One line of `/proc/<pid>/cgroup`: `hierarchy:controllers:path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupLine<'a> {
    pub hierarchy: &'a str,
    pub controllers: &'a str,
    pub path: &'a str,
}

/// v1 limits at or above this are the kernel's "unlimited" (`PAGE_COUNTER_MAX`).
const V1_UNLIMITED: u64 = 1 << 62;

pub fn collect(roots: &Roots) -> Result<ContainerInfo> {
    let pid = if roots.rootfs == Path::new("/") {
        "self"
    } else {
        "1"
    };
    let cgroup_text = match read_string(&roots.proc(&format!("{pid}/cgroup"))) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => String::new(), // a kernel without cgroups
        Err(e) => return Err(e),
    };
    let lines = parse_cgroup(&cgroup_text);
    let from_cgroup = lines.iter().find_map(|l| id_from_cgroup_path(l.path));
    let kubernetes = lines.iter().any(|l| l.path.contains("kubepods"));
    let lxc = lines
        .iter()
        .any(|l| l.path.starts_with("/lxc/") || l.path.contains("lxc.payload"));
    let from_mounts = if from_cgroup.is_none() {
        read_string(&roots.proc(&format!("{pid}/mountinfo")))
            .ok()
            .and_then(|t| id_from_mountinfo(&t))
    } else {
        None
    };
    let podman_marker = roots.host("/run/.containerenv").exists();
    let docker_marker = roots.host("/.dockerenv").exists();
    let systemd_marker = read_trimmed(&roots.host("/run/systemd/container"));

    let found = from_cgroup.or(from_mounts);
    let runtime = if kubernetes {
        "kubernetes"
    } else if podman_marker {
        "podman"
    } else if let Some(rt) = found.as_ref().map(|f| f.runtime).filter(|r| !r.is_empty()) {
        rt
    } else if lxc {
        "lxc"
    } else if docker_marker {
        "docker"
    } else {
        systemd_marker
            .as_deref()
            .map(runtime_from_systemd)
            .unwrap_or("")
    };
    let is_container =
        found.is_some() || !runtime.is_empty() || systemd_marker.is_some_and(|m| !m.is_empty());

    let (cgroup_version, cpu_quota_cores, memory_limit_bytes) = limits(roots, &lines);
    Ok(ContainerInfo {
        is_container,
        runtime: runtime.to_string(),
        container_id: found.map(|f| f.id).unwrap_or_default(),
        container_name: String::new(),
        container_image: String::new(),
        cgroup_version,
        cpu_quota_cores,
        memory_limit_bytes,
    })
}

/// The lines of `/proc/<pid>/cgroup`; malformed ones are skipped.
pub fn parse_cgroup(text: &str) -> Vec<CgroupLine<'_>> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.trim_end_matches('\r').splitn(3, ':');
            Some(CgroupLine {
                hierarchy: f.next()?,
                controllers: f.next()?,
                path: f.next()?,
            })
        })
        .collect()
}

/// A full container id: 64 hex digits.
pub fn is_container_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The container id in a cgroup path, from the innermost segment out:
/// `/docker/<id>`, `/kubepods/…/pod<uid>/<id>`, `/system.slice/docker-<id>.scope`,
/// `crio-<id>.scope`, `cri-containerd-<id>.scope`, `libpod-<id>.scope`.
pub fn id_from_cgroup_path(path: &str) -> Option<Found> {
    const PREFIXES: [(&str, &str); 5] = [
        ("docker-", "docker"),
        ("cri-containerd-", "containerd"),
        ("crio-", "cri-o"),
        ("libpod-", "podman"),
        ("containerd-", "containerd"),
    ];
    // containerd's systemd driver on v1 joins `slice:runtime:id` with colons.
    let segments: Vec<&str> = path.split(['/', ':']).filter(|s| !s.is_empty()).collect();
    for (i, seg) in segments.iter().enumerate().rev() {
        let seg = seg.strip_suffix(".scope").unwrap_or(seg);
        for (prefix, runtime) in PREFIXES {
            if let Some(id) = seg.strip_prefix(prefix).filter(|id| is_container_id(id)) {
                return Some(Found {
                    id: id.to_ascii_lowercase(),
                    runtime,
                });
            }
        }
        if is_container_id(seg) {
            let before = i.checked_sub(1).and_then(|j| segments.get(j)).copied();
            let runtime = if let Some(rt) = before.and_then(runtime_from_segment) {
                rt
            } else if segments.contains(&"docker") {
                "docker"
            } else if segments.contains(&"libpod_parent") {
                "podman"
            } else {
                ""
            };
            return Some(Found {
                id: seg.to_ascii_lowercase(),
                runtime,
            });
        }
    }
    None
}

/// The container id from the sources of the `/etc/hostname`, `/etc/hosts` and
/// `/etc/resolv.conf` bind mounts, e.g. `/var/lib/docker/containers/<id>/hostname`
/// or `…/overlay-containers/<id>/userdata/hostname` (containers/storage: cri-o or
/// podman; the `.containerenv` marker tells podman apart).
pub fn id_from_mountinfo(text: &str) -> Option<Found> {
    text.lines().find_map(|line| {
        let mut f = line.split_whitespace();
        let root = f.nth(3)?;
        let mount_point = f.next()?;
        if !matches!(
            mount_point,
            "/etc/hostname" | "/etc/hosts" | "/etc/resolv.conf"
        ) {
            return None;
        }
        let segments: Vec<&str> = root.split('/').collect();
        let id = segments.windows(2).find_map(|w| match w {
            [dir, id]
                if (*dir == "containers" || *dir == "overlay-containers")
                    && is_container_id(id) =>
            {
                Some(id.to_ascii_lowercase())
            }
            _ => None,
        })?;
        let runtime = if root.contains("/docker/containers/") {
            "docker"
        } else if root.contains("/containerd/") {
            "containerd"
        } else if root.contains("overlay-containers/") {
            "cri-o"
        } else {
            ""
        };
        Some(Found { id, runtime })
    })
}

/// The runtime a `slice:runtime:id` middle piece names.
fn runtime_from_segment(seg: &str) -> Option<&'static str> {
    match seg {
        "cri-containerd" => Some("containerd"),
        "crio" => Some("cri-o"),
        "docker" => Some("docker"),
        _ => None,
    }
}

/// The runtime named in `/run/systemd/container`.
fn runtime_from_systemd(name: &str) -> &'static str {
    match name {
        "docker" => "docker",
        "podman" => "podman",
        "lxc" | "lxc-libvirt" => "lxc",
        _ => "",
    }
}

/// (cgroup version, CPU quota in cores, memory limit in bytes); 0 = unlimited.
fn limits(roots: &Roots, lines: &[CgroupLine]) -> (u32, f64, f64) {
    let base = roots.sys("fs/cgroup");
    if base.join("cgroup.controllers").exists() {
        let path = lines
            .iter()
            .find(|l| l.hierarchy == "0" && l.controllers.is_empty())
            .map_or("/", |l| l.path);
        let dirs = ancestors(&base, path);
        let cpu = tightest(&dirs, |d| {
            read_trimmed(&d.join("cpu.max")).and_then(|t| parse_cpu_max(&t))
        });
        let mem = tightest(&dirs, |d| {
            read_trimmed(&d.join("memory.max")).and_then(|t| parse_memory_limit(&t))
        });
        return (2, cpu, mem);
    }
    let v1_path = |controller: &str| {
        lines
            .iter()
            .find(|l| l.controllers.split(',').any(|c| c == controller))
            .map_or("/", |l| l.path)
    };
    let cpu_mount = ["cpu", "cpu,cpuacct", "cpuacct,cpu"]
        .iter()
        .map(|d| base.join(d))
        .find(|d| d.is_dir());
    let mem_mount = Some(base.join("memory")).filter(|d| d.is_dir());
    if cpu_mount.is_none() && mem_mount.is_none() {
        return (0, 0.0, 0.0);
    }
    let cpu = cpu_mount.map_or(0.0, |m| {
        tightest(&ancestors(&m, v1_path("cpu")), |d| {
            parse_cfs_quota(
                &read_trimmed(&d.join("cpu.cfs_quota_us"))?,
                &read_trimmed(&d.join("cpu.cfs_period_us"))?,
            )
        })
    });
    let mem = mem_mount.map_or(0.0, |m| {
        tightest(&ancestors(&m, v1_path("memory")), |d| {
            read_trimmed(&d.join("memory.limit_in_bytes")).and_then(|t| parse_memory_limit(&t))
        })
    });
    (1, cpu, mem)
}

/// The cgroup's directory under `mount` and each parent up to `mount` itself.
/// A path that tries to climb out (`..`) is not followed: only the mount is read.
fn ancestors(mount: &Path, cgroup_path: &str) -> Vec<PathBuf> {
    let segments: Vec<&str> = cgroup_path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return vec![mount.to_path_buf()];
    }
    (0..=segments.len())
        .rev()
        .map(|n| {
            segments
                .iter()
                .take(n)
                .fold(mount.to_path_buf(), |p, s| p.join(s))
        })
        .collect()
}

/// The smallest limit any directory sets; 0 when none does.
fn tightest(dirs: &[PathBuf], read: impl Fn(&Path) -> Option<f64>) -> f64 {
    dirs.iter()
        .filter_map(|d| read(d))
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold(None, |min: Option<f64>, v| {
            Some(min.map_or(v, |m| m.min(v)))
        })
        .unwrap_or(0.0)
}

/// cgroup v2 `cpu.max`: `quota period` → cores; `max …` (unlimited) → `None`.
pub fn parse_cpu_max(text: &str) -> Option<f64> {
    let mut f = text.split_whitespace();
    let quota: u64 = f.next()?.parse().ok()?;
    let period: u64 = f.next().unwrap_or("100000").parse().ok()?;
    (quota > 0 && period > 0).then(|| quota as f64 / period as f64)
}

/// cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`; `-1` (unlimited) → `None`.
pub fn parse_cfs_quota(quota: &str, period: &str) -> Option<f64> {
    let quota: i64 = quota.trim().parse().ok()?;
    let period: i64 = period.trim().parse().ok()?;
    (quota > 0 && period > 0).then(|| quota as f64 / period as f64)
}

/// `memory.max` (v2) or `memory.limit_in_bytes` (v1); `max` and values of 2^62
/// or more (v1's unlimited) → `None`.
pub fn parse_memory_limit(text: &str) -> Option<f64> {
    let v: u64 = text.trim().parse().ok()?;
    (v > 0 && v < V1_UNLIMITED).then_some(v as f64)
}

#[cfg(test)]
mod tests;
