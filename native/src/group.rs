//! The groups a collect reads: a closed set, so JavaScript sees a string union and
//! every backend answers each one (a `match` without a fallback arm).

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
