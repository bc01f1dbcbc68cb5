use std::fs;

use proptest::prelude::*;

use crate::linux::host::{
    self, go_arch, parse_btime, parse_os_release, parse_uptime, zone_from_link,
};
use crate::linux::procfs::Roots;
use crate::linux::testutil;

fn fixture_roots(name: &str) -> Roots {
    testutil::fixture_roots("host", name)
}

/// A temporary host tree with the core /proc files and whatever else is given.
fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, Roots) {
    let base = [
        ("proc/sys/kernel/hostname", "box\n"),
        ("proc/sys/kernel/osrelease", "5.10.0\n"),
        ("proc/uptime", "100.5 50.0\n"),
        ("proc/stat", "cpu 1 2 3 4\nbtime 1600000000\n"),
    ];
    let all: Vec<(&str, &str)> = base.iter().chain(files).copied().collect();
    testutil::tree(&all)
}

#[test]
fn describes_an_ubuntu_host_from_its_files() {
    let h = host::collect(&fixture_roots("ubuntu"), &mut host::State::default()).unwrap();
    assert_eq!(h.hostname, "web-01");
    assert_eq!(h.os, "linux");
    assert_eq!(h.platform, "ubuntu");
    assert_eq!(h.platform_family, "debian");
    assert_eq!(h.os_version, "22.04");
    assert_eq!(h.platform_name, "Ubuntu 22.04.4 LTS");
    assert_eq!(h.kernel_version, "6.8.0-45-generic");
    assert_eq!(h.uptime_seconds, 350735.47);
    assert_eq!(h.boot_time_unix, 1718000000.0);
    assert_eq!(h.timezone, "Europe/Berlin");
    assert_eq!(h.host_id, "5f2b1c3d4e5f60718293a4b5c6d7e8f9");
    assert_eq!(h.architecture, go_arch(std::env::consts::ARCH));
}

#[test]
fn spells_architectures_the_way_go_does() {
    assert_eq!(go_arch("x86_64"), "amd64");
    assert_eq!(go_arch("aarch64"), "arm64");
    assert_eq!(go_arch("x86"), "386");
    assert_eq!(go_arch("arm"), "arm");
    assert_eq!(go_arch("riscv64"), "riscv64");
    assert_eq!(go_arch("s390x"), "s390x");
}

#[test]
fn falls_back_to_usr_lib_os_release_and_uses_id_as_family_without_id_like() {
    let (_d, roots) = tree(&[("usr/lib/os-release", "ID='alpine'\nVERSION_ID=3.19.1\n")]);
    let h = host::collect(&roots, &mut host::State::default()).unwrap();
    assert_eq!(h.platform, "alpine");
    assert_eq!(h.platform_family, "alpine");
    assert_eq!(h.os_version, "3.19.1");
}

#[test]
fn takes_the_first_of_several_id_like_values() {
    let r = parse_os_release("ID=rocky\nID_LIKE=\"rhel centos fedora\"\r\nVERSION_ID=\"9.3\"\r\n");
    assert_eq!(r.id, "rocky");
    assert_eq!(r.id_like, "rhel centos fedora");
    assert_eq!(r.version_id, "9.3");
    let (_d, roots) = tree(&[(
        "etc/os-release",
        "ID=rocky\nID_LIKE=\"rhel centos fedora\"\n",
    )]);
    assert_eq!(
        host::collect(&roots, &mut host::State::default())
            .unwrap()
            .platform_family,
        "rhel"
    );
}

#[test]
fn removes_quotes_and_escapes_from_os_release_values() {
    let r = parse_os_release("PRETTY_NAME=\"Say \\\"hi\\\" \\$HOME\"\n# comment\ngarbage\nID=\n");
    assert_eq!(r.pretty_name, "Say \"hi\" $HOME");
    assert_eq!(r.id, "");
}

#[test]
fn a_host_without_os_release_machine_id_or_timezone_is_still_described() {
    let (_d, roots) = tree(&[]);
    let h = host::collect(&roots, &mut host::State::default()).unwrap();
    assert_eq!(h.platform, "");
    assert_eq!(h.host_id, "");
    assert_eq!(h.timezone, "UTC");
    assert_eq!(h.hostname, "box");
}

#[test]
fn resolves_the_timezone_from_the_localtime_link() {
    let (d, roots) = tree(&[]);
    fs::create_dir_all(d.path().join("etc")).unwrap();
    std::os::unix::fs::symlink(
        "/usr/share/zoneinfo/America/Argentina/Buenos_Aires",
        d.path().join("etc/localtime"),
    )
    .unwrap();
    assert_eq!(
        host::collect(&roots, &mut host::State::default())
            .unwrap()
            .timezone,
        "America/Argentina/Buenos_Aires"
    );
}

#[test]
fn follows_a_relative_localtime_link_through_another_link_under_the_root() {
    let (d, roots) = tree(&[("etc/timezone", "\n")]);
    fs::create_dir_all(d.path().join("etc/alternatives")).unwrap();
    std::os::unix::fs::symlink("alternatives/tz", d.path().join("etc/localtime")).unwrap();
    std::os::unix::fs::symlink(
        "/usr/share/zoneinfo/posix/Asia/Tokyo",
        d.path().join("etc/alternatives/tz"),
    )
    .unwrap();
    assert_eq!(
        host::collect(&roots, &mut host::State::default())
            .unwrap()
            .timezone,
        "Asia/Tokyo"
    );
}

#[test]
fn reads_zone_names_out_of_link_targets() {
    assert_eq!(
        zone_from_link("../usr/share/zoneinfo/Etc/UTC").as_deref(),
        Some("Etc/UTC")
    );
    assert_eq!(
        zone_from_link("/usr/share/zoneinfo/right/UTC").as_deref(),
        Some("UTC")
    );
    assert_eq!(zone_from_link("/usr/share/zoneinfo/"), None);
    assert_eq!(zone_from_link("/etc/foo"), None);
}

#[test]
fn falls_back_to_dbus_machine_id_then_the_dmi_uuid() {
    let (_d, roots) = tree(&[("var/lib/dbus/machine-id", "abc123\n")]);
    assert_eq!(
        host::collect(&roots, &mut host::State::default())
            .unwrap()
            .host_id,
        "abc123"
    );
    let (_d, roots) = tree(&[
        ("etc/machine-id", "\n"),
        ("sys/class/dmi/id/product_uuid", "EC2A-BEEF\n"),
    ]);
    assert_eq!(
        host::collect(&roots, &mut host::State::default())
            .unwrap()
            .host_id,
        "ec2a-beef"
    );
}

#[test]
fn fails_the_group_when_core_proc_files_are_missing_or_garbage() {
    let (d, roots) = tree(&[]);
    fs::write(d.path().join("proc/uptime"), "garbage").unwrap();
    assert!(host::collect(&roots, &mut host::State::default()).is_err());
    fs::write(d.path().join("proc/uptime"), "1.0 1.0").unwrap();
    fs::write(d.path().join("proc/stat"), "cpu 1 2 3 4\n").unwrap();
    assert!(host::collect(&roots, &mut host::State::default()).is_err());
    fs::remove_file(d.path().join("proc/sys/kernel/hostname")).unwrap();
    assert!(host::collect(&roots, &mut host::State::default()).is_err());
}

#[test]
fn parses_uptime_and_btime_strictly() {
    assert_eq!(parse_uptime("12.5 3.0\n"), Some(12.5));
    assert_eq!(parse_uptime("-1 0"), None);
    assert_eq!(parse_uptime("inf 0"), None);
    assert_eq!(parse_uptime(""), None);
    assert_eq!(
        parse_btime("ctxt 5\nbtime 1700000000\r\n"),
        Some(1700000000)
    );
    assert_eq!(parse_btime("btime 99999999999999999999999\n"), None);
}

#[test]
fn matches_the_live_host() {
    let h = host::collect(&Roots::default(), &mut host::State::default()).unwrap();
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates on success.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    assert_eq!(rc, 0);
    let len = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    assert_eq!(h.hostname, String::from_utf8_lossy(&buf[..len]));
    // SAFETY: utsname is plain data; uname fills it.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::uname(&mut uts) }, 0);
    // SAFETY: uname NUL-terminates release.
    let release = unsafe { std::ffi::CStr::from_ptr(uts.release.as_ptr()) };
    assert_eq!(h.kernel_version, release.to_string_lossy());
    assert!(h.uptime_seconds > 0.0);
    assert!(h.boot_time_unix > 1_000_000_000.0);
    assert!(!h.timezone.is_empty());
    assert_eq!(h.os, "linux");
}

proptest! {
    #[test]
    fn host_parsers_never_panic_on_arbitrary_text(s in "\\PC*", bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let lossy = String::from_utf8_lossy(&bytes);
        for text in [s.as_str(), lossy.as_ref()] {
            let _ = parse_os_release(text);
            let _ = parse_uptime(text);
            let _ = parse_btime(text);
            let _ = zone_from_link(text);
        }
    }
}

#[test]
fn under_a_root_path_the_hosts_etc_hostname_names_the_host() {
    let (_dir, roots) = tree(&[("etc/hostname", "the-host\n")]);
    assert_eq!(
        host::collect(&roots, &mut host::State::default())
            .unwrap()
            .hostname,
        "the-host"
    );
}

#[test]
fn under_a_root_path_without_etc_hostname_the_kernels_name_is_used() {
    let (_dir, roots) = tree(&[]);
    assert_eq!(
        host::collect(&roots, &mut host::State::default())
            .unwrap()
            .hostname,
        "box"
    );
}

#[test]
fn the_boot_time_is_read_once_per_collector() {
    let (dir, roots) = tree(&[]);
    let mut state = host::State::default();
    let first = host::collect(&roots, &mut state).unwrap();
    fs::remove_file(dir.path().join("proc/stat")).unwrap();
    let again = host::collect(&roots, &mut state).unwrap();
    assert_eq!(again.boot_time_unix, first.boot_time_unix);
    assert!(host::collect(&roots, &mut host::State::default()).is_err());
}
