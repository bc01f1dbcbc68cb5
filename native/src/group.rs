//! Closed sets JavaScript names: the groups a collect reads (every backend answers
//! each one, a `match` without a fallback arm) and the backends.

use napi_derive::napi;

use crate::error::{Error, Result};

/// One group of the snapshot.
#[napi(string_enum = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Host,
    Cpu,
    Load,
    Memory,
    Paging,
    Disk,
    Filesystem,
    Network,
    Tcp,
    Process,
    Resources,
    Container,
    Virtualization,
}

impl Group {
    /// Every group, in the order a collect reads them by default.
    pub const ALL: [Group; 13] = [
        Group::Host,
        Group::Cpu,
        Group::Load,
        Group::Memory,
        Group::Paging,
        Group::Disk,
        Group::Filesystem,
        Group::Network,
        Group::Tcp,
        Group::Process,
        Group::Resources,
        Group::Container,
        Group::Virtualization,
    ];

    /// The name JavaScript uses (`HostCollectorOptions.groups`, `GroupError.group`).
    pub fn name(self) -> &'static str {
        match self {
            Group::Host => "host",
            Group::Cpu => "cpu",
            Group::Load => "load",
            Group::Memory => "memory",
            Group::Paging => "paging",
            Group::Disk => "disk",
            Group::Filesystem => "filesystem",
            Group::Network => "network",
            Group::Tcp => "tcp",
            Group::Process => "process",
            Group::Resources => "resources",
            Group::Container => "container",
            Group::Virtualization => "virtualization",
        }
    }

    /// The group JavaScript calls `name`; an unknown name is an invalid option that
    /// lists the known ones.
    pub fn from_name(name: &str) -> Result<Group> {
        Group::ALL
            .into_iter()
            .find(|g| g.name() == name)
            .ok_or_else(|| Error::InvalidOption {
                name: "groups",
                message: format!(
                    "unknown group {name:?}; known: {}",
                    Group::ALL.map(Group::name).join(", ")
                ),
            })
    }
}

/// Where a collector reads the host from.
#[napi(string_enum = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendKind {
    /// `/proc`, `/sys` and netlink: Linux only, the default there.
    #[default]
    Procfs,
    /// The `sysinfo` crate plus the OS's own APIs where it has nothing: the default on
    /// macOS, and available on Linux (where tests hold it against `procfs`).
    Portable,
    /// Win32 (`windows-sys`): Windows only, the default there.
    Windows,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Procfs => "procfs",
            BackendKind::Portable => "portable",
            BackendKind::Windows => "windows",
        }
    }
}
