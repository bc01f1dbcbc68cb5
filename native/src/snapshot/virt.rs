//! Virtualisation: the shape, and the CPUID hypervisor leaf every x86 backend can ask.

use napi_derive::napi;

/// Whether the host is a virtual machine, of what kind, and which cloud the DMI
/// data names (so metadata services are asked only where they can exist).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct VirtualizationInfo {
    /// True when running as a guest of a hypervisor (not on a Xen dom0 or a bare-metal cloud instance).
    pub is_virtualized: bool,
    /// `kvm`, `qemu`, `vmware`, `xen`, `hyperv`, `virtualbox`, `parallels`,
    /// `bhyve`, `amazon` (Nitro), `google`, or "" (bare metal or unknown).
    pub virtualization_type: String,
    /// `guest` when virtualized, else "".
    pub role: String,
    /// `aws`, `gcp`, `azure`, `alibaba` when DMI names that cloud, else "".
    pub cloud_hint: String,
    /// DMI `sys_vendor`; "" where unreadable.
    pub sys_vendor: String,
    /// DMI `product_name`; "" where unreadable.
    pub product_name: String,
    /// DMI `bios_vendor`; "" where unreadable.
    pub bios_vendor: String,
    /// DMI `board_vendor`; "" where unreadable.
    pub board_vendor: String,
    /// DMI `chassis_asset_tag`; "" where unreadable.
    pub chassis_asset_tag: String,
}

/// The CPUID leaf 0x40000000 vendor signature → type.
pub fn cpuid_type(vendor: &str) -> Option<&'static str> {
    let v = vendor.trim_matches(char::from(0)).trim();
    Some(match v {
        "KVMKVMKVM" => "kvm",
        "Microsoft Hv" => "hyperv",
        "VMwareVMware" => "vmware",
        "XenVMMXenVMM" => "xen",
        "TCGTCGTCGTCG" => "qemu",
        "bhyve bhyve" => "bhyve",
        "VBoxVBoxVBox" => "virtualbox",
        "lrpepyh  vr" | "prl hyperv" => "parallels",
        "ACRNACRNACRN" => "acrn",
        _ => return None,
    })
}

/// The hypervisor vendor signature of CPUID leaf 0x40000000. Only meaningful
/// when the `hypervisor` flag is set (on bare metal the leaf returns junk).
#[cfg(target_arch = "x86_64")]
pub fn cpuid_hypervisor_vendor() -> Option<String> {
    let r = std::arch::x86_64::__cpuid(0x4000_0000);
    let mut bytes = Vec::with_capacity(12);
    for word in [r.ebx, r.ecx, r.edx] {
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(not(target_arch = "x86_64"))]
pub fn cpuid_hypervisor_vendor() -> Option<String> {
    None
}
