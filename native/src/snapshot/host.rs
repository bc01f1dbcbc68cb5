//! Who and what the host is.

use napi_derive::napi;

/// Who and what the host is.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct HostInfo {
    /// The kernel's hostname (`/proc/sys/kernel/hostname`); with a root path, the
    /// host's `/etc/hostname` under it when present.
    pub hostname: String,
    /// Operating system family, lower case: `linux`, `darwin`, `windows`.
    pub os: String,
    /// Distribution version, `VERSION_ID` of os-release (e.g. `22.04`).
    pub os_version: String,
    /// Distribution id, `ID` of os-release (e.g. `ubuntu`, `debian`, `alpine`).
    pub platform: String,
    /// Distribution family, the first `ID_LIKE` of os-release, else `ID`.
    pub platform_family: String,
    /// Human-readable distribution name, `PRETTY_NAME` of os-release.
    pub platform_name: String,
    /// Kernel release (`uname -r`), from `/proc/sys/kernel/osrelease`.
    pub kernel_version: String,
    /// CPU architecture in Go's spelling, as the TelemetryFlow API expects: `amd64`, `arm64`.
    pub architecture: String,
    /// Seconds since boot.
    pub uptime_seconds: f64,
    /// Boot time, unix seconds (`btime` of `/proc/stat`).
    pub boot_time_unix: f64,
    /// IANA timezone name (e.g. `Europe/Berlin`), from `/etc/timezone` or the
    /// `/etc/localtime` link; `UTC` when neither says.
    pub timezone: String,
    /// Stable host id: `/etc/machine-id`, else the DMI product UUID, else "".
    pub host_id: String,
}

/// Rust's architecture names in Go's spelling (`GOARCH`).
pub fn go_arch(rust_arch: &str) -> &str {
    match rust_arch {
        "x86_64" => "amd64",
        "x86" => "386",
        "aarch64" => "arm64",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "powerpc" => "ppc",
        "loongarch64" => "loong64",
        "mips64" if cfg!(target_endian = "little") => "mips64le",
        "mips" if cfg!(target_endian = "little") => "mipsle",
        other => other,
    }
}

/// `…/zoneinfo/Europe/Berlin` → `Europe/Berlin` (the `posix/` and `right/`
/// variants name the same zone).
pub fn zone_from_link(target: &str) -> Option<String> {
    let (_, zone) = target.rsplit_once("zoneinfo/")?;
    let zone = zone
        .strip_prefix("posix/")
        .or_else(|| zone.strip_prefix("right/"))
        .unwrap_or(zone)
        .trim_matches('/');
    (!zone.is_empty()).then(|| zone.to_string())
}
