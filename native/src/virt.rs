//! Virtualisation detection from DMI (`/sys/class/dmi/id`), the cpuinfo
//! `hypervisor` flag and `/sys/hypervisor` (xen), and the cloud it points to.

use napi_derive::napi;

use crate::error::{Error, Result};
use crate::procfs::Roots;

/// Whether the host is a virtual machine, of what kind, and which cloud the DMI
/// data names (so metadata services are asked only where they can exist).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct VirtualizationInfo {
    pub is_virtualized: bool,
    /// `kvm`, `qemu`, `vmware`, `xen`, `hyperv`, `virtualbox`, `parallels`,
    /// `bhyve`, `amazon` (Nitro), `google`, or "" (bare metal or unknown).
    pub virtualization_type: String,
    /// `guest` when virtualized, else "".
    pub role: String,
    /// `aws`, `gcp`, `azure`, `alibaba` when DMI names that cloud, else "".
    pub cloud_hint: String,
    pub sys_vendor: String,
    pub product_name: String,
    pub bios_vendor: String,
    pub board_vendor: String,
    pub chassis_asset_tag: String,
}

pub fn collect(_roots: &Roots) -> Result<VirtualizationInfo> {
    Err(Error::Unsupported("virtualization"))
}
