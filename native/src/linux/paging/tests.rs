use std::fs;

use proptest::prelude::*;

use crate::linux::paging::{self, parse_swaps, parse_vmstat, State};
use crate::linux::procfs::{decode_octal_escapes, Roots};
use crate::linux::testutil::tree;

fn fixture_roots() -> Roots {
    crate::linux::testutil::fixture_roots("paging", "")
}

fn page_size() -> f64 {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_PAGESIZE) as f64 }
}

#[test]
fn lists_swap_devices_with_decoded_paths() {
    let p = paging::collect(
        &fixture_roots(),
        &mut State::default(),
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    assert_eq!(p.devices.len(), 2);
    let first = &p.devices[0];
    assert_eq!(first.device, "/dev/nvme0n1p3");
    assert_eq!(first.kind, "partition");
    assert_eq!(first.size_bytes, 8388604.0 * 1024.0);
    assert_eq!(first.used_bytes, 1024.0 * 1024.0);
    assert_eq!(first.priority, -2);
    assert_eq!(p.devices[1].device, "/mnt/swap files/swap\\one");
    assert_eq!(p.devices[1].kind, "file");
}

#[test]
fn reads_paging_counters_and_zero_rates_on_the_first_collect() {
    let p = paging::collect(
        &fixture_roots(),
        &mut State::default(),
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    assert_eq!(p.swap_in_pages, 100.0);
    assert_eq!(p.swap_out_pages, 200.0);
    assert_eq!(p.swap_in_bytes, 100.0 * page_size());
    assert_eq!(p.page_in_count, 2364121.0);
    assert_eq!(p.page_out_count, 3941288.0);
    assert_eq!(p.major_faults, 2509.0);
    assert_eq!(p.minor_faults, 17095030.0 - 2509.0);
    assert_eq!(p.page_size_bytes, page_size());
    assert_eq!(p.swap_in_per_second, 0.0);
    assert_eq!(p.major_faults_per_second, 0.0);
}

#[test]
fn computes_rates_over_the_interval() {
    let (d, roots) = tree(&[("proc/vmstat", "pswpin 10\npswpout 20\npgmajfault 30\n")]);
    let mut state = State::default();
    paging::collect(&roots, &mut state, crate::linux::testutil::at(0.0)).unwrap();
    fs::write(
        d.path().join("proc/vmstat"),
        "pswpin 30\npswpout 20\npgmajfault 130\n",
    )
    .unwrap();
    let p = paging::collect(&roots, &mut state, crate::linux::testutil::at(2.0)).unwrap();
    assert_eq!(p.swap_in_per_second, 10.0);
    assert_eq!(p.swap_out_per_second, 0.0);
    assert_eq!(p.major_faults_per_second, 50.0);
}

#[test]
fn after_a_failed_read_rates_cover_the_time_since_the_last_good_read() {
    let (d, roots) = tree(&[("proc/vmstat", "pswpin 10\npgmajfault 0\n")]);
    let path = d.path().join("proc/vmstat");
    let mut state = State::default();
    paging::collect(&roots, &mut state, crate::linux::testutil::at(0.0)).unwrap();
    fs::remove_file(&path).unwrap();
    assert!(paging::collect(&roots, &mut state, crate::linux::testutil::at(5.0)).is_err());
    fs::write(&path, "pswpin 110\npgmajfault 40\n").unwrap();
    let p = paging::collect(&roots, &mut state, crate::linux::testutil::at(10.0)).unwrap();
    assert_eq!(p.interval_seconds, 10.0);
    assert_eq!(p.swap_in_per_second, 10.0);
    assert_eq!(p.major_faults_per_second, 4.0);
}

#[test]
fn a_reset_counter_counts_from_zero_and_a_near_max_one_does_not_overflow() {
    let (d, roots) = tree(&[(
        "proc/vmstat",
        "pswpin 18446744073709551610\npgmajfault 1000\n",
    )]);
    let mut state = State::default();
    paging::collect(&roots, &mut state, crate::linux::testutil::at(0.0)).unwrap();
    fs::write(
        d.path().join("proc/vmstat"),
        "pswpin 18446744073709551615\npgmajfault 4\n",
    )
    .unwrap();
    let p = paging::collect(&roots, &mut state, crate::linux::testutil::at(1.0)).unwrap();
    assert_eq!(p.swap_in_per_second, 5.0);
    assert_eq!(p.major_faults_per_second, 4.0);
}

#[test]
fn a_kernel_without_swap_has_no_devices_and_zero_counters() {
    let (_d, roots) = tree(&[("proc/vmstat", "nr_free_pages 1\n")]);
    let p = paging::collect(
        &roots,
        &mut State::default(),
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    assert!(p.devices.is_empty());
    assert_eq!(p.swap_in_pages, 0.0);
}

#[test]
fn fails_the_group_without_vmstat() {
    let (_d, roots) = tree(&[("proc/swaps", "Filename Type Size Used Priority\n")]);
    assert!(paging::collect(
        &roots,
        &mut State::default(),
        crate::linux::testutil::at(0.0)
    )
    .is_err());
}

#[test]
fn skips_garbage_swap_lines() {
    let devices = parse_swaps(
        "Filename Type Size Used Priority\r\n/a file 1 2\n/b file x 1 1\n/c file 4 2 -1\r\n\n",
    );
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].device, "/c");
    assert_eq!(devices[0].priority, -1);
    assert_eq!(parse_vmstat("pswpin -1\npswpout\n\n").pswpin, 0);
}

#[test]
fn decodes_only_well_formed_octal_escapes() {
    assert_eq!(
        decode_octal_escapes("a\\040b\\011c\\012d\\134e"),
        "a b\tc\nd\\e"
    );
    assert_eq!(decode_octal_escapes("bad\\09x\\7"), "bad\\09x\\7");
    assert_eq!(decode_octal_escapes("\\777"), "\\777");
    assert_eq!(decode_octal_escapes("trailing\\"), "trailing\\");
    assert_eq!(decode_octal_escapes("caf\\303\\251"), "café");
}

#[test]
fn matches_the_live_host() {
    let mut state = State::default();
    let p = paging::collect(
        &Roots::default(),
        &mut state,
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    assert_eq!(p.page_size_bytes, page_size());
    let swaps = fs::read_to_string("/proc/swaps").unwrap_or_default();
    assert_eq!(
        p.devices.len(),
        swaps
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count()
    );
    let again = paging::collect(
        &Roots::default(),
        &mut state,
        crate::linux::testutil::at(1.0),
    )
    .unwrap();
    assert!(again.major_faults >= p.major_faults);
    assert!(again.major_faults_per_second >= 0.0);
}

proptest! {
    #[test]
    fn paging_parsers_never_panic(s in "\\PC*", bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let lossy = String::from_utf8_lossy(&bytes);
        for text in [s.as_str(), lossy.as_ref()] {
            let _ = parse_swaps(text);
            let _ = parse_vmstat(text);
            let _ = decode_octal_escapes(text);
        }
    }

    #[test]
    fn octal_decoding_never_panics_on_escape_heavy_text(s in "([\\\\0-9a]{0,4})*") {
        let _ = decode_octal_escapes(&s);
    }
}
