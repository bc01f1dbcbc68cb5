//! Host identity: names, OS release, kernel, uptime, timezone, host id.
//!
//! Core files (`/proc/sys/kernel/hostname`, `/proc/sys/kernel/osrelease`,
//! `/proc/uptime`, `/proc/stat`) that cannot be read fail the group; os-release,
//! timezone and machine-id files are optional and default to "" (or `UTC`).
//! The `TZ` environment variable is deliberately not consulted: it describes this
//! process, not the host.

use std::fs;

use crate::error::{Error, Result};
use crate::linux::procfs::{read_string, read_trimmed, Roots};
pub use crate::snapshot::host::{go_arch, zone_from_link, HostInfo};

/// The os-release keys the snapshot uses, quotes removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OsRelease {
    pub id: String,
    pub version_id: String,
    pub id_like: String,
    pub pretty_name: String,
}

/// What the host group keeps between collects.
#[derive(Debug, Default)]
pub struct State {
    /// `btime` of `/proc/stat`, read once: the boot time does not change while the
    /// host runs, and `/proc/stat` is long on hosts with many CPUs.
    boot_time: Option<u64>,
}

pub fn collect(roots: &Roots, state: &mut State) -> Result<HostInfo> {
    let hostname =
        host_hostname(roots).map_or_else(|| read_required(roots, "sys/kernel/hostname"), Ok)?;
    let kernel_version = read_required(roots, "sys/kernel/osrelease")?;
    let uptime_path = roots.proc("uptime");
    let uptime_seconds = parse_uptime(&read_string(&uptime_path)?)
        .ok_or_else(|| Error::parse(&uptime_path, "no uptime in seconds"))?;
    let boot_time_unix = match state.boot_time {
        Some(t) => t,
        None => {
            let stat_path = roots.proc("stat");
            let t = parse_btime(&roots.proc_text("stat")?)
                .ok_or_else(|| Error::parse(&stat_path, "no btime line"))?;
            *state.boot_time.insert(t)
        }
    } as f64;

    let release = ["/etc/os-release", "/usr/lib/os-release"]
        .iter()
        .find_map(|p| read_string(&roots.host(p)).ok())
        .map(|text| parse_os_release(&text))
        .unwrap_or_default();
    let platform_family = release
        .id_like
        .split_whitespace()
        .next()
        .unwrap_or(&release.id)
        .to_string();

    Ok(HostInfo {
        hostname,
        os: "linux".to_string(),
        os_version: release.version_id,
        platform: release.id,
        platform_family,
        platform_name: release.pretty_name,
        kernel_version,
        architecture: go_arch(std::env::consts::ARCH).to_string(),
        uptime_seconds,
        boot_time_unix,
        timezone: timezone(roots),
        host_id: host_id(roots),
    })
}

/// With a root path (a containerised agent watching its host), the kernel's hostname
/// is the container's own UTS name unless it runs with `--uts=host`; the host's
/// `/etc/hostname` under the root path names the host.
fn host_hostname(roots: &Roots) -> Option<String> {
    if roots.rootfs == std::path::Path::new("/") {
        return None;
    }
    read_trimmed(&roots.host("/etc/hostname")).filter(|h| !h.is_empty())
}

fn read_required(roots: &Roots, rel: &str) -> Result<String> {
    Ok(read_string(&roots.proc(rel))?.trim().to_string())
}

/// `ID`, `VERSION_ID`, `ID_LIKE` and `PRETTY_NAME` of an os-release file.
pub fn parse_os_release(text: &str) -> OsRelease {
    let mut out = OsRelease::default();
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        let slot = match key.trim() {
            "ID" => &mut out.id,
            "VERSION_ID" => &mut out.version_id,
            "ID_LIKE" => &mut out.id_like,
            "PRETTY_NAME" => &mut out.pretty_name,
            _ => continue,
        };
        *slot = unquote(value.trim());
    }
    out
}

/// Removes one pair of shell quotes and the backslash escapes os-release(5) allows.
fn unquote(value: &str) -> String {
    let inner = ['"', '\'']
        .iter()
        .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
        .unwrap_or(value);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The first field of `/proc/uptime`.
pub fn parse_uptime(text: &str) -> Option<f64> {
    let v: f64 = text.split_whitespace().next()?.parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// `btime` of `/proc/stat`.
pub fn parse_btime(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

/// `/etc/timezone`, else the zone the `/etc/localtime` link points into, else `UTC`.
pub fn timezone(roots: &Roots) -> String {
    if let Some(tz) = read_trimmed(&roots.host("/etc/timezone"))
        .and_then(|t| t.lines().next().map(|l| l.trim().to_string()))
        .filter(|t| !t.is_empty() && !t.starts_with('#'))
    {
        return tz;
    }
    // Follow at most a few links by hand: each target is a path on the host, so
    // it must be re-rooted under `roots.rootfs` rather than followed by the kernel.
    let mut link = roots.host("/etc/localtime");
    for _ in 0..4 {
        let Ok(target) = fs::read_link(&link) else {
            break;
        };
        let target = target.to_string_lossy().into_owned();
        if let Some(zone) = zone_from_link(&target) {
            return zone;
        }
        link = if target.starts_with('/') {
            roots.host(&target)
        } else {
            match link.parent() {
                Some(dir) => dir.join(&target),
                None => break,
            }
        };
    }
    "UTC".to_string()
}

/// `/etc/machine-id`, else the D-Bus one, else the DMI product UUID, else "".
pub fn host_id(roots: &Roots) -> String {
    ["/etc/machine-id", "/var/lib/dbus/machine-id"]
        .iter()
        .find_map(|p| read_trimmed(&roots.host(p)).filter(|s| !s.is_empty()))
        .or_else(|| {
            read_trimmed(&roots.sys("class/dmi/id/product_uuid"))
                .filter(|s| !s.is_empty())
                .map(|s| s.to_ascii_lowercase())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
