//! The process group on fixture trees (`tests/fixtures/process/t0`, `t1`: the same
//! host ten seconds apart). The live host's tests are in `tests_live.rs`.

use super::scan::Kernel;
use super::stat;
use super::{collect, validate_patterns, Options, ProcessRecord, ProcessSnapshot, State};
use crate::error::Error;
use crate::linux::procfs::Roots;
use crate::linux::testutil;

fn fixture(snap: &str) -> Roots {
    testutil::fixture_roots("process", snap)
}

pub(super) fn all() -> Options {
    Options {
        top_n: 100,
        ..Default::default()
    }
}

fn scan(snap: &str, state: &mut State, opts: &Options, seconds: f64) -> ProcessSnapshot {
    match collect(&fixture(snap), state, opts, testutil::at(seconds)) {
        Ok(s) => s,
        Err(e) => panic!("collect {snap}: {e}"),
    }
}

pub(super) fn find(s: &ProcessSnapshot, pid: u32) -> &ProcessRecord {
    match s.top.iter().find(|r| r.pid == pid) {
        Some(r) => r,
        None => panic!(
            "pid {pid} not in {:?}",
            s.top.iter().map(|r| r.pid).collect::<Vec<_>>()
        ),
    }
}

fn pids(s: &ProcessSnapshot) -> Vec<u32> {
    s.top.iter().map(|r| r.pid).collect()
}

#[test]
fn after_a_failed_scan_rates_cover_the_time_since_the_last_good_scan() {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &str| {
        let to = dir.path();
        let _ = std::fs::remove_dir_all(to.join("proc"));
        copy_tree(&testutil::fixture_roots("process", from).rootfs, to);
    };
    let roots = Roots::at(dir.path());
    let mut state = State::default();
    copy("t0");
    let first = collect(&roots, &mut state, &all(), testutil::at(0.0)).unwrap();
    std::fs::remove_file(dir.path().join("proc/stat")).unwrap();
    assert!(collect(&roots, &mut state, &all(), testutil::at(5.0)).is_err());
    copy("t1");
    let second = collect(&roots, &mut state, &all(), testutil::at(10.0)).unwrap();
    // The same two scans ten seconds apart, with no failure between them.
    let mut unbroken = State::default();
    scan("t0", &mut unbroken, &all(), 0.0);
    let reference = scan("t1", &mut unbroken, &all(), 10.0);
    assert_eq!(second.interval_seconds, 10.0);
    assert!(second.context_switches_per_second > 0.0);
    assert_eq!(
        second.context_switches_per_second,
        (second.context_switches - first.context_switches) / 10.0
    );
    assert_eq!(
        find(&second, 4242).cpu_percent,
        find(&reference, 4242).cpu_percent
    );
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            let link = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(link, &target).unwrap();
        } else if kind.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn counts_processes_by_state_and_their_threads() {
    let s = scan("t0", &mut State::default(), &all(), 0.0);
    assert_eq!(s.total, 8);
    assert_eq!(
        (s.running, s.sleeping, s.blocked, s.stopped, s.zombie, s.idle),
        (1, 3, 1, 1, 1, 1)
    );
    assert_eq!(s.threads, 16);
    // The kernel's own counts of runnable and I/O-blocked tasks (threads included).
    assert_eq!((s.procs_running, s.procs_blocked), (2, 1));
    assert_eq!(s.forks_total, 5000.0);
    assert_eq!(s.context_switches, 100_000.0);
    assert_eq!(s.interrupts, 20_000.0);
    assert_eq!(s.soft_interrupts, 3000.0);
    assert_eq!(s.system_calls, 0.0);
}

#[test]
fn skips_a_pid_whose_stat_vanished_and_names_that_are_not_pids() {
    let s = scan("t0", &mut State::default(), &all(), 0.0);
    assert!(!pids(&s).contains(&555));
    assert!(!s.top.iter().any(|r| r.name == "notapid"));
    assert_eq!(s.top.len(), 8);
}

#[test]
fn reports_a_process_whose_name_holds_spaces_and_parentheses_in_full() {
    let k = Kernel::host();
    let s = scan("t0", &mut State::default(), &all(), 0.0);
    let r = find(&s, 4242);
    assert_eq!(r.name, "my (weird) proc");
    assert_eq!(r.parent_pid, 1);
    assert_eq!(r.state, "S");
    assert_eq!(r.command_line, "/opt/weird/bin/weird --flag with space");
    assert_eq!(r.executable, "/opt/weird/bin/weird proc");
    assert_eq!((r.uid, r.owner.as_str()), (1000, "alice"));
    assert_eq!(r.threads, 3);
    assert_eq!(r.open_fds, Some(3));
    assert_eq!((r.read_bytes, r.write_bytes), (Some(4096.0), Some(8192.0)));
    assert_eq!(
        (r.chars_read_bytes, r.chars_written_bytes),
        (Some(100.0), Some(200.0))
    );
    assert_eq!(r.command, "/opt/weird/bin/weird");
    assert_eq!(r.user_seconds, 250.0 / k.clk_tck);
    assert_eq!(r.system_seconds, 50.0 / k.clk_tck);
    assert_eq!(r.rss_bytes, (2560 * k.page_size) as f64);
    assert_eq!(r.virtual_bytes, 104_857_600.0);
    let mem_total = 16_384_000.0 * 1024.0;
    assert!((r.memory_percent - r.rss_bytes / mem_total * 100.0).abs() < 1e-9);
    assert_eq!(r.start_time_unix, 1_700_000_000.0 + 12345.0 / k.clk_tck);
    assert_eq!(r.cpu_percent, 0.0);
    assert!(!r.matched);
}

#[test]
fn reports_zombies_and_kernel_threads_with_empty_command_lines() {
    let s = scan("t0", &mut State::default(), &all(), 0.0);
    let zombie = find(&s, 77);
    assert_eq!(
        (zombie.state.as_str(), zombie.command_line.as_str()),
        ("Z", "")
    );
    let kthread = find(&s, 2);
    assert_eq!(kthread.command_line, "");
    assert_eq!(kthread.executable, "");
    assert_eq!(kthread.owner, "root");
    assert_eq!(kthread.open_fds, None);
    assert_eq!(kthread.read_bytes, None);
    assert_eq!(find(&s, 13).state, "I");
}

#[test]
fn a_process_in_state_d_has_its_cmdline_and_exe_left_unread() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("t0").rootfs, dir.path());
    let pid = dir.path().join("proc/900");
    std::fs::write(pid.join("cmdline"), "/usr/bin/stuck-on-nfs\0--data\0").unwrap();
    std::os::unix::fs::symlink("/usr/bin/stuck-on-nfs", pid.join("exe")).unwrap();
    let roots = Roots::at(dir.path());
    let opts = Options {
        top_n: 100,
        patterns: vec!["stuck-on-nfs".into()],
        ..Default::default()
    };
    let s = collect(&roots, &mut State::default(), &opts, testutil::at(0.0)).unwrap();
    let r = find(&s, 900);
    assert_eq!(r.state, "D");
    assert!(!r.matched);
    assert_eq!((r.command_line.as_str(), r.executable.as_str()), ("", ""));
    assert_eq!(r.name, "huge");
    // Its name still matches.
    let by_name = Options {
        patterns: vec!["^huge$".into()],
        ..Default::default()
    };
    let s = collect(&roots, &mut State::default(), &by_name, testutil::at(0.0)).unwrap();
    assert!(find(&s, 900).matched);
}

#[test]
fn counters_near_two_to_the_64_and_a_missing_status_still_give_a_record() {
    let s = scan("t0", &mut State::default(), &all(), 0.0);
    let r = find(&s, 900);
    assert_eq!(r.state, "D");
    assert_eq!(r.rss_bytes, u64::MAX as f64);
    assert_eq!(r.virtual_bytes, u64::MAX as f64);
    assert!(r.user_seconds.is_finite() && r.user_seconds > 0.0);
    assert!(r.memory_percent <= 100.0);
    // Without status the owner falls back to the owner of the pid directory.
    // SAFETY: getuid has no preconditions.
    let me = unsafe { libc::getuid() };
    assert_eq!(r.uid, me);
    assert!(!r.owner.is_empty());
}

#[test]
fn cpu_percent_is_over_the_interval_and_a_reused_pid_starts_from_zero() {
    let k = Kernel::host();
    let mut state = State::default();
    let first = scan("t0", &mut state, &all(), 0.0);
    assert!(first.top.iter().all(|r| r.cpu_percent == 0.0));
    let second = scan("t1", &mut state, &all(), 10.0);
    // 1000 more ticks in 10 s.
    let weird = find(&second, 4242).cpu_percent;
    assert!((weird - 1000.0 / k.clk_tck / 10.0 * 100.0).abs() < 1e-9);
    assert!((find(&second, 1).cpu_percent - 10.0 / k.clk_tck / 10.0 * 100.0).abs() < 1e-9);
    // pid 300 is a new process (another start time): no interval yet.
    let reused = find(&second, 300);
    assert_eq!(
        (reused.name.as_str(), reused.cpu_percent),
        ("newworker", 0.0)
    );
    // Huge counters that did not move give 0, not garbage.
    assert_eq!(find(&second, 900).cpu_percent, 0.0);
    // The vanished zombie's entry is pruned.
    let kept = &state.prev.value().expect("kept counters").cpu;
    assert!(!kept.contains_key(&77));
    assert_eq!(kept.len(), 7);
    // Busiest first.
    assert_eq!(second.top.first().map(|r| r.pid), Some(4242));
}

#[test]
fn system_rates_are_per_second_over_the_interval_and_survive_a_reset() {
    let mut state = State::default();
    let first = scan("t0", &mut state, &all(), 0.0);
    assert_eq!(first.forks_per_second, 0.0);
    assert_eq!(first.context_switches_per_second, 0.0);
    let s = scan("t1", &mut state, &all(), 10.0);
    assert_eq!(s.forks_per_second, 10.0);
    assert_eq!(s.context_switches_per_second, 5000.0);
    assert_eq!(s.soft_interrupts_per_second, 50.0);
    // intr went from 20000 to 10: a reset, counted from zero.
    assert_eq!(s.interrupts_per_second, 1.0);
}

#[test]
fn top_n_takes_the_busiest_and_the_largest_processes() {
    let mut state = State::default();
    let opts = Options {
        top_n: 1,
        ..Default::default()
    };
    scan("t0", &mut state, &opts, 0.0);
    let s = scan("t1", &mut state, &opts, 10.0);
    // 4242 by CPU; 900 by memory (its RSS is near 2^64 pages).
    assert_eq!(pids(&s), vec![4242, 900]);
    assert_eq!(s.left_out, 0);
}

#[test]
fn patterns_match_the_name_the_command_line_or_the_executable() {
    let by = |pattern: &str| {
        let opts = Options {
            patterns: vec![pattern.to_string()],
            ..Default::default()
        };
        let s = scan("t0", &mut State::default(), &opts, 0.0);
        assert!(s.top.iter().all(|r| r.matched));
        pids(&s)
    };
    assert_eq!(by(r"^my \(weird\) proc$"), vec![4242]);
    assert_eq!(by("--id=1"), vec![300]);
    assert_eq!(by("^/usr/lib/systemd/"), vec![1]);
    assert_eq!(by("with space$"), vec![4242]);
    assert_eq!(by("nothing-like-this"), Vec::<u32>::new());
}

#[test]
fn the_cap_keeps_the_first_records_in_order_and_counts_the_rest_as_left_out() {
    let opts = Options {
        top_n: 0,
        patterns: vec![".".into()],
        max_processes: 3,
        ..Default::default()
    };
    let s = scan("t0", &mut State::default(), &opts, 0.0);
    // First collect: no CPU %, so by RSS (900's is largest), then pid.
    assert_eq!(pids(&s), vec![900, 1, 4242]);
    assert_eq!(s.left_out, 5);
    let uncapped = scan(
        "t0",
        &mut State::default(),
        &Options {
            max_processes: 0,
            ..opts
        },
        0.0,
    );
    assert_eq!(uncapped.top.len(), 8);
    assert_eq!(uncapped.left_out, 0);
}

#[test]
fn a_pattern_that_does_not_compile_is_named_in_the_error() {
    let bad = vec!["^ok$".to_string(), "(unclosed".to_string()];
    match validate_patterns(&bad) {
        Err(Error::InvalidOption { message, .. }) => assert!(message.contains("(unclosed")),
        other => panic!("expected InvalidOption, got {other:?}"),
    }
    assert!(validate_patterns(&["^sleep$".to_string()]).is_ok());
    let opts = Options {
        patterns: bad,
        ..Default::default()
    };
    assert!(collect(
        &fixture("t0"),
        &mut State::default(),
        &opts,
        testutil::at(0.0)
    )
    .is_err());
}

#[test]
fn an_excluded_process_is_counted_but_never_returned() {
    let all = Options {
        top_n: 0,
        patterns: vec![".".into()],
        ..Default::default()
    };
    let every = scan("t0", &mut State::default(), &all, 0.0);
    let skip = Options {
        exclude: vec!["^worker$".into()],
        ..all.clone()
    };
    let some = scan("t0", &mut State::default(), &skip, 0.0);
    assert_eq!(some.total, every.total);
    assert!(some.top.iter().all(|p| p.name != "worker"));
    assert!(every.top.iter().any(|p| p.name == "worker"));
}

#[test]
fn reads_the_block_io_delay_of_field_42_and_zero_when_the_line_ends_before_it() {
    let filler = " 0".repeat(17);
    let line = format!("9 (x) D 1 9 9 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 10 11{filler} 7 0 0");
    assert_eq!(
        stat::parse_pid_stat(line.as_bytes()).unwrap().blkio_ticks,
        7
    );
    let short = b"9 (x) D 1 9 9 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 10 11";
    assert_eq!(stat::parse_pid_stat(short).unwrap().blkio_ticks, 0);
}

#[test]
fn argv0_is_the_first_argument_as_given() {
    assert_eq!(
        stat::argv0(b"/usr/bin/python3\x00-m\x00http.server\x00"),
        "/usr/bin/python3"
    );
    assert_eq!(
        stat::argv0(b"nginx: worker process\x00"),
        "nginx: worker process"
    );
    assert_eq!(stat::argv0(b""), "");
}
