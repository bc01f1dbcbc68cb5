//! Host identity: names, OS release, kernel, uptime, timezone, host id.

use napi_derive::napi;

use crate::error::{Error, Result};
use crate::procfs::Roots;

/// Who and what the host is.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct HostInfo {
    /// The kernel's hostname (`/proc/sys/kernel/hostname`).
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

pub fn collect(_roots: &Roots) -> Result<HostInfo> {
    Err(Error::Unsupported("host"))
}
