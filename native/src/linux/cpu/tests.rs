//! The cpu and load groups on fixture trees and on the live host.

use std::fs;

use proptest::prelude::*;

use crate::linux::cpu::{self, parse_cpuinfo, parse_loadavg, parse_stat, utilization, State};
use crate::linux::procfs::Roots;
use crate::linux::testutil::{self, tree};

fn fixture_roots(name: &str) -> Roots {
    testutil::fixture_roots("cpu", name)
}

/// A temporary tree holding a `/proc/stat` (and nothing else).
fn stat_tree(stat: &str) -> (tempfile::TempDir, Roots) {
    tree(&[("proc/stat", stat)])
}

fn hz() -> f64 {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_CLK_TCK) as f64 }
}

#[test]
fn describes_a_two_socket_hyperthreaded_x86_host() {
    let snap = cpu::collect(&fixture_roots("x86"), &mut State::default(), true).unwrap();
    assert_eq!(snap.model, "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz");
    assert_eq!(snap.vendor, "GenuineIntel");
    assert_eq!(snap.family, "6");
    assert!((snap.mhz - 2499.998).abs() < 1e-9);
    assert_eq!(snap.cache_size_bytes, 36608.0 * 1024.0);
    assert_eq!(snap.logical_cores, 8);
    assert_eq!(snap.physical_cores, 4);
    assert_eq!(snap.sockets, 2);
    assert_eq!(snap.per_core.len(), 8);
    // Without cpufreq, each CPU's own `cpu MHz` line.
    let mhz: Vec<(u32, f64)> = snap.per_core.iter().map(|c| (c.core_id, c.mhz)).collect();
    assert_eq!(mhz.first(), Some(&(0, 2499.998)));
    assert_eq!(mhz.get(3), Some(&(3, 2502.998)));
    assert_eq!(snap.total.user_seconds, 1000.0 / hz());
    assert_eq!(snap.total.steal_seconds, 5.0 / hz());
}

#[test]
fn reports_zero_utilization_on_the_first_collect() {
    let snap = cpu::collect(&fixture_roots("x86"), &mut State::default(), true).unwrap();
    assert_eq!(snap.utilization.usage_percent, 0.0);
    assert_eq!(snap.utilization.idle_percent, 0.0);
    assert!(snap
        .per_core
        .iter()
        .all(|c| c.utilization.usage_percent == 0.0));
}

#[test]
fn computes_utilization_over_the_interval_between_collects() {
    let (dir, roots) =
        stat_tree("cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 100 0 100 800 0 0 0 0 0 0\n");
    let mut state = State::default();
    cpu::collect(&roots, &mut state, true).unwrap();
    fs::write(
        dir.path().join("proc/stat"),
        "cpu  160 0 120 900 10 5 5 0 0 0\ncpu0 160 0 120 900 10 5 5 0 0 0\n",
    )
    .unwrap();
    let snap = cpu::collect(&roots, &mut state, true).unwrap();
    // Deltas: user 60, system 20, idle 100, iowait 10, irq 5, softirq 5 = 200 ticks.
    let u = &snap.utilization;
    assert!((u.user_percent - 30.0).abs() < 1e-9);
    assert!((u.system_percent - 10.0).abs() < 1e-9);
    assert!((u.idle_percent - 50.0).abs() < 1e-9);
    assert!((u.iowait_percent - 5.0).abs() < 1e-9);
    assert!((u.usage_percent - 45.0).abs() < 1e-9);
    assert!((snap.per_core[0].utilization.usage_percent - 45.0).abs() < 1e-9);
}

#[test]
fn counts_guest_time_inside_user_time_not_on_top_of_it() {
    let prev = [0u64; 10];
    let cur = [50, 0, 0, 50, 0, 0, 0, 0, 40, 0];
    let u = utilization(Some(&prev), &cur);
    assert!((u.user_percent - 50.0).abs() < 1e-9);
    assert!((u.guest_percent - 40.0).abs() < 1e-9);
    assert!((u.usage_percent - 50.0).abs() < 1e-9);
}

#[test]
fn handles_counters_near_two_to_the_sixty_fourth() {
    let near = u64::MAX - 1_000;
    let prev = [near, 0, near, near, 0, 0, 0, 0, 0, 0];
    let cur = [near + 100, 0, near + 100, near + 200, 0, 0, 0, 0, 0, 0];
    let u = utilization(Some(&prev), &cur);
    assert!((u.user_percent - 25.0).abs() < 1e-9);
    assert!((u.idle_percent - 50.0).abs() < 1e-9);
    assert!((u.usage_percent - 50.0).abs() < 1e-9);
}

#[test]
fn an_iowait_counter_that_steps_back_counts_as_no_change() {
    let prev = [100, 0, 100, 1000, 500, 0, 0, 0, 0, 0];
    let cur = [150, 0, 150, 1100, 498, 0, 0, 0, 0, 0];
    let u = utilization(Some(&prev), &cur);
    assert_eq!(u.iowait_percent, 0.0);
    assert!((u.usage_percent - 50.0).abs() < 1e-9);
}

#[test]
fn counters_that_were_reset_start_a_new_baseline_instead_of_a_spike() {
    let prev = [10_000, 0, 10_000, 90_000, 0, 0, 0, 0, 0, 0];
    let cur = [10, 0, 10, 80, 0, 0, 0, 0, 0, 0];
    let u = utilization(Some(&prev), &cur);
    assert_eq!(u.usage_percent, 0.0);
    assert_eq!(u.idle_percent, 0.0);
}

#[test]
fn survives_cores_going_offline_and_coming_back() {
    let (dir, roots) = stat_tree(
        "cpu  30 0 30 300 0 0 0 0\ncpu0 10 0 10 100 0 0 0 0\ncpu1 10 0 10 100 0 0 0 0\ncpu2 10 0 10 100 0 0 0 0\n",
    );
    let mut state = State::default();
    cpu::collect(&roots, &mut state, true).unwrap();
    fs::write(
        dir.path().join("proc/stat"),
        "cpu  40 0 40 400 0 0 0 0\ncpu0 20 0 20 200 0 0 0 0\ncpu2 20 0 20 200 0 0 0 0\n",
    )
    .unwrap();
    let snap = cpu::collect(&roots, &mut state, true).unwrap();
    assert_eq!(snap.logical_cores, 2);
    let ids: Vec<u32> = snap.per_core.iter().map(|c| c.core_id).collect();
    assert_eq!(ids, vec![0, 2]);
    fs::write(
        dir.path().join("proc/stat"),
        "cpu  50 0 50 500 0 0 0 0\ncpu0 30 0 30 300 0 0 0 0\ncpu1 30 0 30 300 0 0 0 0\ncpu2 30 0 30 300 0 0 0 0\n",
    )
    .unwrap();
    let snap = cpu::collect(&roots, &mut state, true).unwrap();
    assert_eq!(snap.logical_cores, 3);
    let back = snap.per_core.iter().find(|c| c.core_id == 1).unwrap();
    assert_eq!(
        back.utilization.usage_percent, 0.0,
        "a returning core starts afresh"
    );
    let kept = snap.per_core.iter().find(|c| c.core_id == 0).unwrap();
    assert!(kept.utilization.usage_percent > 0.0);
}

#[test]
fn leaves_per_core_out_when_it_is_switched_off() {
    let snap = cpu::collect(&fixture_roots("x86"), &mut State::default(), false).unwrap();
    assert!(snap.per_core.is_empty());
    assert_eq!(snap.logical_cores, 8);
}

#[test]
fn reads_arm_topology_and_frequency_from_sysfs() {
    let snap = cpu::collect(&fixture_roots("arm"), &mut State::default(), true).unwrap();
    assert_eq!(snap.vendor, "ARM");
    assert_eq!(snap.family, "");
    assert_eq!(snap.logical_cores, 2);
    assert_eq!(snap.physical_cores, 2);
    assert_eq!(snap.sockets, 1);
    assert_eq!(snap.mhz, 2600.0);
    // cpu0 from cpufreq; cpu1 has neither cpufreq nor a `cpu MHz` line.
    let mhz: Vec<f64> = snap.per_core.iter().map(|c| c.mhz).collect();
    assert_eq!(mhz, vec![2600.0, 0.0]);
}

#[test]
fn accepts_old_kernels_with_only_four_cpu_fields() {
    let (total, cores) = parse_stat("cpu 1 2 3 4\ncpu0 1 2 3 4\n");
    assert_eq!(total.unwrap(), [1, 2, 3, 4, 0, 0, 0, 0, 0, 0]);
    assert_eq!(cores.len(), 1);
}

#[test]
fn skips_garbage_and_crlf_lines_in_proc_stat() {
    let (total, cores) =
        parse_stat("cpu  1 2 3 4 5\r\ncpuX 1 2 3 4\ncpu1 9 9\ncpu2 1 2 3 4 5 6 7 8 9 10 11\n\n");
    assert_eq!(total.unwrap(), [1, 2, 3, 4, 5, 0, 0, 0, 0, 0]);
    assert_eq!(cores, vec![(2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])]);
}

#[test]
fn a_huge_counter_that_does_not_fit_is_refused_not_wrapped() {
    let (total, _) = parse_stat("cpu 99999999999999999999999 1 1 1\n");
    assert!(total.is_none());
}

#[test]
fn fails_the_group_when_proc_stat_is_missing() {
    let (_dir, roots) = tree(&[]);
    assert!(cpu::collect(&roots, &mut State::default(), true).is_err());
    assert!(cpu::collect_load(&roots).is_err());
}

#[test]
fn fails_the_group_when_proc_stat_is_empty() {
    let (_dir, roots) = stat_tree("");
    assert!(cpu::collect(&roots, &mut State::default(), true).is_err());
}

#[test]
fn keeps_the_times_when_cpuinfo_is_hidden() {
    let (_dir, roots) = stat_tree("cpu  1 2 3 4\ncpu0 1 2 3 4\n");
    let snap = cpu::collect(&roots, &mut State::default(), true).unwrap();
    assert_eq!(snap.model, "");
    assert_eq!(snap.logical_cores, 1);
    assert_eq!(snap.physical_cores, 1);
    assert_eq!(snap.sockets, 1);
}

#[test]
fn reads_the_three_load_averages() {
    let load = cpu::collect_load(&fixture_roots("x86")).unwrap();
    assert_eq!((load.one, load.five, load.fifteen), (0.52, 0.58, 0.59));
    assert!(parse_loadavg("1.0 2.0\n").is_none());
    assert!(parse_loadavg("nan 1 1").is_none());
    assert!(parse_loadavg("").is_none());
}

#[test]
fn reads_the_cache_size_in_any_unit() {
    let info = parse_cpuinfo("model name : X\ncache size : 8 MB\ncpu MHz : garbage\n");
    assert_eq!(info.cache_size_bytes, 8.0 * 1024.0 * 1024.0);
    assert_eq!(info.mhz, 0.0);
    assert_eq!(info.physical_cores, 0);
}

#[test]
fn matches_the_live_host() {
    let mut state = State::default();
    let first = cpu::collect(&Roots::default(), &mut state, true).unwrap();
    let stat = fs::read_to_string("/proc/stat").unwrap();
    let cpu_lines = stat
        .lines()
        .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        .count();
    assert_eq!(first.logical_cores as usize, cpu_lines);
    assert!(first.physical_cores >= 1 && first.physical_cores <= first.logical_cores);
    assert!(first.sockets >= 1);
    assert!(first.total.user_seconds + first.total.idle_seconds > 0.0);
    let second = cpu::collect(&Roots::default(), &mut state, true).unwrap();
    let u = &second.utilization;
    for v in [
        u.usage_percent,
        u.user_percent,
        u.idle_percent,
        u.system_percent,
    ] {
        assert!((0.0..=100.0).contains(&v), "{v}");
    }
    let load = cpu::collect_load(&Roots::default()).unwrap();
    assert!(load.one >= 0.0);
}

proptest! {
    #[test]
    fn cpu_parsers_never_panic_on_arbitrary_text(s in "\\PC*", bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let lossy = String::from_utf8_lossy(&bytes);
        for text in [s.as_str(), lossy.as_ref()] {
            let _ = parse_stat(text);
            let _ = parse_cpuinfo(text);
            let _ = parse_loadavg(text);
        }
    }

    #[test]
    fn cpu_parsers_never_panic_on_proc_shaped_text(s in "(cpu[0-9]{0,2}( [0-9]{1,20}){0,12}\n|[a-z ]{1,12}: ?[0-9A-Za-z. ]{0,12}\n|\n)*") {
        let _ = parse_stat(&s);
        let _ = parse_cpuinfo(&s);
    }

    #[test]
    fn utilization_always_stays_between_zero_and_a_hundred(
        prev in proptest::array::uniform10(any::<u64>()),
        cur in proptest::array::uniform10(any::<u64>()),
    ) {
        let u = utilization(Some(&prev), &cur);
        for v in [u.usage_percent, u.user_percent, u.nice_percent, u.system_percent, u.idle_percent,
                  u.iowait_percent, u.irq_percent, u.softirq_percent, u.steal_percent, u.guest_percent] {
            prop_assert!(v.is_finite() && (0.0..=100.0).contains(&v));
        }
    }
}
