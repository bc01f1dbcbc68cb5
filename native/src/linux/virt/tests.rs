use std::fs;

use proptest::prelude::*;

use crate::linux::procfs::Roots;
use crate::linux::testutil::{fixture_roots, tree};
use crate::linux::virt::{
    self, cloud_hint, cpuid_type, detect, dmi_type, has_hypervisor_flag, Dmi, Evidence,
};

fn dmi(sys_vendor: &str, product_name: &str, bios_vendor: &str) -> Dmi {
    Dmi {
        sys_vendor: sys_vendor.into(),
        product_name: product_name.into(),
        bios_vendor: bios_vendor.into(),
        ..Default::default()
    }
}

fn guest(d: Dmi) -> Evidence {
    Evidence {
        dmi: d,
        hypervisor_flag: true,
        ..Default::default()
    }
}

#[test]
fn recognises_an_azure_vm_from_its_dmi_files() {
    let v = virt::collect(&fixture_roots("virt", "azure")).unwrap();
    assert!(v.is_virtualized);
    assert_eq!(v.virtualization_type, "hyperv");
    assert_eq!(v.role, "guest");
    assert_eq!(v.cloud_hint, "azure");
    assert_eq!(v.sys_vendor, "Microsoft Corporation");
    assert_eq!(v.chassis_asset_tag, "7783-7084-3265-9085-8269-3286-77");
}

#[test]
fn hyper_v_without_the_azure_asset_tag_is_not_azure() {
    let v = detect(&guest(dmi(
        "Microsoft Corporation",
        "Virtual Machine",
        "Microsoft Corporation",
    )));
    assert_eq!(v.virtualization_type, "hyperv");
    assert_eq!(v.cloud_hint, "");
}

#[test]
fn names_the_clouds_from_dmi() {
    let nitro = detect(&guest(dmi("Amazon EC2", "m6i.large", "Amazon EC2")));
    assert_eq!(
        (
            nitro.virtualization_type.as_str(),
            nitro.cloud_hint.as_str()
        ),
        ("amazon", "aws")
    );
    let old_ec2 = Dmi {
        product_version: "4.11.amazon".into(),
        ..dmi("Xen", "HVM domU", "Xen")
    };
    let v = detect(&Evidence {
        xen: true,
        ..guest(old_ec2)
    });
    assert_eq!(
        (v.virtualization_type.as_str(), v.cloud_hint.as_str()),
        ("xen", "aws")
    );
    let gce = detect(&guest(dmi("Google", "Google Compute Engine", "Google")));
    assert_eq!(
        (gce.virtualization_type.as_str(), gce.cloud_hint.as_str()),
        ("google", "gcp")
    );
    let ali = detect(&guest(dmi("Alibaba Cloud", "Alibaba Cloud ECS", "SeaBIOS")));
    assert_eq!(
        (ali.virtualization_type.as_str(), ali.cloud_hint.as_str()),
        ("kvm", "alibaba")
    );
}

#[test]
fn a_bare_metal_cloud_instance_is_in_the_cloud_but_not_virtualized() {
    let v = detect(&Evidence {
        dmi: dmi("Amazon EC2", "m5.metal", "Amazon EC2"),
        ..Default::default()
    });
    assert!(!v.is_virtualized);
    assert_eq!(v.virtualization_type, "");
    assert_eq!(v.role, "");
    assert_eq!(v.cloud_hint, "aws");
}

#[test]
fn an_arm_guest_without_the_cpu_flag_is_found_through_dmi() {
    let v = detect(&Evidence {
        dmi: dmi("Amazon EC2", "t4g.micro", "Amazon EC2"),
        ..Default::default()
    });
    assert!(v.is_virtualized);
    assert_eq!(v.virtualization_type, "amazon");
}

#[test]
fn maps_the_desktop_and_server_hypervisors() {
    let cases = [
        (
            dmi(
                "VMware, Inc.",
                "VMware Virtual Platform",
                "Phoenix Technologies LTD",
            ),
            "vmware",
        ),
        (
            dmi("innotek GmbH", "VirtualBox", "innotek GmbH"),
            "virtualbox",
        ),
        (
            dmi(
                "Parallels Software International Inc.",
                "Parallels Virtual Platform",
                "",
            ),
            "parallels",
        ),
        (dmi("", "BHYVE", "BHYVE"), "bhyve"),
        (dmi("Red Hat", "KVM", "SeaBIOS"), "kvm"),
        (
            dmi("OpenStack Foundation", "OpenStack Nova", "SeaBIOS"),
            "kvm",
        ),
        (
            dmi("QEMU", "Standard PC (Q35 + ICH9, 2009)", "SeaBIOS"),
            "qemu",
        ),
    ];
    for (d, want) in cases {
        assert_eq!(dmi_type(&d), Some(want), "{d:?}");
    }
    assert_eq!(
        dmi_type(&dmi("Dell Inc.", "PowerEdge R740", "Dell Inc.")),
        None
    );
}

#[test]
fn qemu_accelerated_by_kvm_is_reported_as_kvm() {
    let v = detect(&Evidence {
        cpuid_vendor: Some("KVMKVMKVM\0\0\0".into()),
        ..guest(dmi("QEMU", "Standard PC (i440FX + PIIX, 1996)", "SeaBIOS"))
    });
    assert_eq!(v.virtualization_type, "kvm");
}

#[test]
fn falls_back_to_the_cpuid_vendor_when_there_is_no_dmi() {
    let v = detect(&Evidence {
        cpuid_vendor: Some("Microsoft Hv".into()),
        ..guest(Dmi::default())
    });
    assert_eq!(v.virtualization_type, "hyperv");
    assert_eq!(cpuid_type("TCGTCGTCGTCG"), Some("qemu"));
    assert_eq!(cpuid_type("garbage"), None);
    let unknown = detect(&guest(Dmi::default()));
    assert!(unknown.is_virtualized);
    assert_eq!(unknown.virtualization_type, "");
}

#[test]
fn xen_guests_are_found_through_sys_hypervisor_but_dom0_is_the_host() {
    let (_d, roots) = tree(&[("sys/hypervisor/type", "xen\n")]);
    let v = virt::collect(&roots).unwrap();
    assert!(v.is_virtualized);
    assert_eq!(v.virtualization_type, "xen");
    let (_d, roots) = tree(&[("proc/xen/capabilities", "control_d\n")]);
    let v = virt::collect(&roots).unwrap();
    assert!(!v.is_virtualized);
    assert_eq!(v.virtualization_type, "");
}

#[test]
fn a_host_without_dmi_or_cpuinfo_is_bare_metal_not_an_error() {
    let (_d, roots) = tree(&[]);
    let v = virt::collect(&roots).unwrap();
    assert!(!v.is_virtualized);
    assert_eq!(v.cloud_hint, "");
    assert_eq!(v.sys_vendor, "");
}

#[test]
fn reads_the_hypervisor_flag_of_the_first_processor_only() {
    assert!(has_hypervisor_flag("flags\t: fpu hypervisor\r\n"));
    assert!(!has_hypervisor_flag("flags\t: fpu\nflags\t: hypervisor\n"));
    assert!(!has_hypervisor_flag("flags\t: fpu hypervisorx\n"));
    assert!(!has_hypervisor_flag(""));
}

#[test]
fn cloud_hints_need_the_exact_vendor_strings() {
    assert_eq!(cloud_hint(&dmi("Googler Inc", "", "")), "");
    assert_eq!(cloud_hint(&dmi("", "", "Amazon EC2")), "aws");
}

#[test]
fn matches_the_live_host() {
    let v = virt::collect(&Roots::default()).unwrap();
    let flag = fs::read_to_string("/proc/cpuinfo")
        .map(|t| has_hypervisor_flag(&t))
        .unwrap_or(false);
    if flag {
        assert!(v.is_virtualized);
    }
    assert_eq!(v.role == "guest", v.is_virtualized);
}

proptest! {
    #[test]
    fn detection_never_panics(a in "\\PC*", b in "\\PC*", c in "\\PC*", flag in any::<bool>(), xen in any::<bool>()) {
        let _ = has_hypervisor_flag(&a);
        let _ = cpuid_type(&b);
        let v = detect(&Evidence { dmi: dmi(&a, &b, &c), hypervisor_flag: flag, xen, ..Default::default() });
        prop_assert_eq!(v.role == "guest", v.is_virtualized);
    }
}
