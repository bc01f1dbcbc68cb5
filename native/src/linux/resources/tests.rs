use std::path::Path;

use proptest::prelude::*;

use crate::linux::procfs::Roots;
use crate::linux::resources::{self, parse_file_nr, parse_psi};
use crate::linux::testutil::tree;

fn fixture_roots() -> Roots {
    crate::linux::testutil::fixture_roots("resources", "")
}

#[test]
fn reads_file_handles_entropy_and_pressure() {
    let r = resources::collect(&fixture_roots()).unwrap();
    assert_eq!(r.open_file_descriptors, 5472.0);
    assert_eq!(r.max_file_descriptors, 9223372036854775807.0);
    assert!(r.file_descriptors_used_percent > 0.0 && r.file_descriptors_used_percent < 1e-9);
    assert_eq!(r.entropy_available_bits, 256.0);
    // cpu, memory and io are present; irq is not (kernels before 6.1).
    assert_eq!(r.psi.len(), 6);
    let cpu_some = &r.psi[0];
    assert_eq!(
        (cpu_some.resource.as_str(), cpu_some.kind.as_str()),
        ("cpu", "some")
    );
    assert_eq!(
        (cpu_some.avg10, cpu_some.avg60, cpu_some.avg300),
        (83.07, 58.95, 22.45)
    );
    assert!((cpu_some.total_seconds - 119.756249).abs() < 1e-9);
    assert_eq!(r.psi[3].kind, "full");
    assert_eq!(r.psi[3].total_seconds, 2.5);
    assert!(
        r.psi[4].total_seconds > 1.8e13,
        "a counter near 2^64 µs stays a number"
    );
}

#[test]
fn a_kernel_without_psi_or_entropy_file_is_data_not_an_error() {
    let (_d, roots) = tree(&[("proc/sys/fs/file-nr", "100 0 1000\n")]);
    let r = resources::collect(&roots).unwrap();
    assert!(r.psi.is_empty());
    assert_eq!(r.entropy_available_bits, 0.0);
    assert_eq!(r.file_descriptors_used_percent, 10.0);
}

#[test]
fn subtracts_free_handles_that_old_kernels_report() {
    assert_eq!(parse_file_nr("1000 200 50000"), Some((800, 50000)));
    assert_eq!(parse_file_nr("10 200 50000"), Some((0, 50000)));
    assert_eq!(parse_file_nr("10 20"), None);
    assert_eq!(parse_file_nr(""), None);
    assert_eq!(parse_file_nr("a b c"), None);
}

#[test]
fn fails_the_group_without_file_nr() {
    let (_d, roots) = tree(&[("proc/sys/kernel/random/entropy_avail", "256\n")]);
    assert!(resources::collect(&roots).is_err());
    let (_d, roots) = tree(&[("proc/sys/fs/file-nr", "garbage\n")]);
    assert!(resources::collect(&roots).is_err());
}

#[test]
fn skips_malformed_pressure_lines() {
    let psi = parse_psi(
        "io",
        "some avg10=1.00 avg60=2.00 avg300=3.00 total=4\r\nfull avg10=x avg60=0 avg300=0 total=0\nother avg10=0 avg60=0 avg300=0 total=0\nsome avg10=1\n\n",
    );
    assert_eq!(psi.len(), 1);
    assert_eq!(psi[0].avg300, 3.0);
    assert_eq!(psi[0].total_seconds, 4e-6);
}

#[test]
fn matches_the_live_host() {
    let r = resources::collect(&Roots::default()).unwrap();
    assert!(r.max_file_descriptors > 0.0);
    assert!(r.open_file_descriptors > 0.0);
    assert!(r.open_file_descriptors <= r.max_file_descriptors);
    let psi_present = Path::new("/proc/pressure/cpu").exists();
    assert_eq!(r.psi.iter().any(|p| p.resource == "cpu"), psi_present);
}

proptest! {
    #[test]
    fn resource_parsers_never_panic(s in "\\PC*", bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let lossy = String::from_utf8_lossy(&bytes);
        for text in [s.as_str(), lossy.as_ref()] {
            let _ = parse_file_nr(text);
            let _ = parse_psi("cpu", text);
        }
    }
}
