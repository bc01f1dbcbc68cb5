//! Virtualisation detection from DMI (`/sys/class/dmi/id`), the cpuinfo
//! `hypervisor` flag and `/sys/hypervisor` (xen), and the cloud it points to.
//!
//! Nothing here is an error: DMI files are absent in many guests (Firecracker,
//! some ARM boards) and unreadable to non-root users for some attributes. The
//! type is taken from DMI first, then xen's own files, then (x86 only, and only
//! when the CPU says it runs under a hypervisor) the CPUID hypervisor vendor leaf,
//! which needs no file at all.

use std::fs::File;
use std::io::Read;

use crate::error::Result;
use crate::linux::procfs::{read_trimmed, Roots};
pub use crate::snapshot::virt::{cpuid_hypervisor_vendor, cpuid_type, VirtualizationInfo};

/// The DMI strings detection looks at ("" where unreadable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dmi {
    pub sys_vendor: String,
    pub product_name: String,
    pub product_version: String,
    pub bios_vendor: String,
    pub board_vendor: String,
    pub chassis_asset_tag: String,
}

/// What the host's files say, gathered before any decision is made.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub dmi: Dmi,
    /// The `hypervisor` flag of `/proc/cpuinfo` (x86 sets it in every guest).
    pub hypervisor_flag: bool,
    /// `/sys/hypervisor/type` says `xen`, or `/proc/xen` exists.
    pub xen: bool,
    /// `/proc/xen/capabilities` says `control_d`: this is dom0, the Xen host itself.
    pub xen_dom0: bool,
    /// The CPUID hypervisor vendor string (e.g. `KVMKVMKVM`), where read.
    pub cpuid_vendor: Option<String>,
}

/// Azure's fixed chassis asset tag.
const AZURE_ASSET_TAG: &str = "7783-7084-3265-9085-8269-3286-77";

pub fn collect(roots: &Roots) -> Result<VirtualizationInfo> {
    let dmi_read =
        |name: &str| read_trimmed(&roots.sys(&format!("class/dmi/id/{name}"))).unwrap_or_default();
    let dmi = Dmi {
        sys_vendor: dmi_read("sys_vendor"),
        product_name: dmi_read("product_name"),
        product_version: dmi_read("product_version"),
        bios_vendor: dmi_read("bios_vendor"),
        board_vendor: dmi_read("board_vendor"),
        chassis_asset_tag: dmi_read("chassis_asset_tag"),
    };
    let hypervisor_flag = read_prefix(&roots.proc("cpuinfo"), 64 * 1024)
        .map(|t| has_hypervisor_flag(&t))
        .unwrap_or(false);
    let xen = read_trimmed(&roots.sys("hypervisor/type")).as_deref() == Some("xen")
        || roots.proc("xen").exists();
    let xen_dom0 =
        read_trimmed(&roots.proc("xen/capabilities")).is_some_and(|c| c.contains("control_d"));
    let cpuid_vendor = if hypervisor_flag {
        cpuid_hypervisor_vendor()
    } else {
        None
    };
    Ok(detect(&Evidence {
        dmi,
        hypervisor_flag,
        xen,
        xen_dom0,
        cpuid_vendor,
    }))
}

/// Decides type, role and cloud from the evidence.
pub fn detect(e: &Evidence) -> VirtualizationInfo {
    let d = &e.dmi;
    let from_dmi = dmi_type(d);
    let from_cpuid = e.cpuid_vendor.as_deref().and_then(cpuid_type);
    let kind = match (from_dmi, from_cpuid) {
        // QEMU's DMI is the same with and without KVM acceleration; CPUID tells.
        (Some("qemu"), Some("kvm")) => Some("kvm"),
        (Some(t), _) => Some(t),
        (None, _) if e.xen && !e.xen_dom0 => Some("xen"),
        (None, c) => c,
    };
    // Bare-metal cloud instances (e.g. `m5.metal`) carry the cloud's DMI strings
    // without running under a hypervisor.
    let metal = d.product_name.to_ascii_lowercase().contains("metal");
    let is_virtualized = !e.xen_dom0
        && (e.hypervisor_flag || (e.xen && kind == Some("xen")) || (kind.is_some() && !metal));
    VirtualizationInfo {
        is_virtualized,
        virtualization_type: if is_virtualized {
            kind.unwrap_or("")
        } else {
            ""
        }
        .to_string(),
        role: if is_virtualized { "guest" } else { "" }.to_string(),
        cloud_hint: cloud_hint(d).to_string(),
        sys_vendor: d.sys_vendor.clone(),
        product_name: d.product_name.clone(),
        bios_vendor: d.bios_vendor.clone(),
        board_vendor: d.board_vendor.clone(),
        chassis_asset_tag: d.chassis_asset_tag.clone(),
    }
}

/// The hypervisor named by the DMI strings, if any.
pub fn dmi_type(d: &Dmi) -> Option<&'static str> {
    let sys = d.sys_vendor.to_ascii_lowercase();
    let product = d.product_name.to_ascii_lowercase();
    let bios = d.bios_vendor.to_ascii_lowercase();
    let board = d.board_vendor.to_ascii_lowercase();
    let version = d.product_version.to_ascii_lowercase();
    let any = |needle: &str| {
        [&sys, &product, &bios, &board]
            .iter()
            .any(|s| s.contains(needle))
    };
    if sys.contains("xen") || bios.contains("xen") {
        // Older EC2 and other Xen HVM guests: `Xen` vendor, maybe an `amazon` version.
        return Some("xen");
    }
    if sys.contains("amazon ec2") || bios.contains("amazon") || version.contains("amazon") {
        return Some("amazon");
    }
    if any("google") {
        return Some("google");
    }
    if sys.contains("microsoft corporation") && product.contains("virtual machine") {
        return Some("hyperv");
    }
    let table: [(&str, &'static str); 9] = [
        ("vmware", "vmware"),
        ("vmw", "vmware"),
        ("innotek", "virtualbox"),
        ("virtualbox", "virtualbox"),
        ("parallels", "parallels"),
        ("bhyve", "bhyve"),
        ("kvm", "kvm"),
        ("openstack", "kvm"),
        ("alibaba cloud", "kvm"),
    ];
    if let Some((_, t)) = table.iter().find(|(needle, _)| any(needle)) {
        return Some(t);
    }
    if any("qemu") || any("bochs") {
        return Some("qemu");
    }
    None
}

/// `aws`, `gcp`, `azure` or `alibaba` when the DMI strings name that cloud.
pub fn cloud_hint(d: &Dmi) -> &'static str {
    let sys = d.sys_vendor.to_ascii_lowercase();
    let product = d.product_name.to_ascii_lowercase();
    if sys == "amazon ec2"
        || d.bios_vendor.to_ascii_lowercase().contains("amazon")
        || d.product_version.to_ascii_lowercase().contains("amazon")
    {
        "aws"
    } else if sys == "google" || product == "google compute engine" {
        "gcp"
    } else if sys == "microsoft corporation" && d.chassis_asset_tag.trim() == AZURE_ASSET_TAG {
        "azure"
    } else if sys == "alibaba cloud" || product == "alibaba cloud ecs" {
        "alibaba"
    } else {
        ""
    }
}

/// Whether the first `flags` line of `/proc/cpuinfo` lists `hypervisor`.
pub fn has_hypervisor_flag(cpuinfo: &str) -> bool {
    cpuinfo
        .lines()
        .find_map(|l| {
            let (key, value) = l.split_once(':')?;
            (key.trim() == "flags").then_some(value)
        })
        .is_some_and(|flags| flags.split_whitespace().any(|f| f == "hypervisor"))
}

/// The first `limit` bytes of a file: the first processor's flags are near the top
/// of `/proc/cpuinfo`, which runs to megabytes on large hosts.
fn read_prefix(path: &std::path::Path, limit: u64) -> Option<String> {
    let mut buf = Vec::new();
    File::open(path)
        .ok()?
        .take(limit)
        .read_to_end(&mut buf)
        .ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

#[cfg(test)]
mod tests;
