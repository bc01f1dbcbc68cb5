//! The process group on the live host: this test's own children and the whole
//! `/proc` (fixture-tree tests are in `tests.rs`).

use std::collections::BTreeSet;
use std::process::{Child, Command};

use super::tests::{all, find};
use super::{collect, Options, ProcessRecord, State};
use crate::linux::procfs::Roots;
use crate::linux::testutil;

/// Children killed and reaped however the test ends.
struct Sleepers(Vec<Child>);

impl Drop for Sleepers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn current_user_name() -> String {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    std::fs::read("/etc/passwd")
        .ok()
        .and_then(|pw| super::stat::passwd_name(&pw, uid))
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| uid.to_string())
}

#[test]
fn finds_exactly_the_sleep_processes_this_test_spawned_with_parent_and_owner() {
    let mut kids = Sleepers(Vec::new());
    for _ in 0..5 {
        match Command::new("sleep").arg("30").spawn() {
            Ok(c) => kids.0.push(c),
            Err(e) => panic!("spawn sleep: {e}"),
        }
    }
    let spawned: BTreeSet<u32> = kids.0.iter().map(|c| c.id()).collect();
    let opts = Options {
        top_n: 0,
        patterns: vec!["^sleep$".into()],
        max_processes: 0,
        ..Default::default()
    };
    let me = std::process::id();
    let user = current_user_name();
    // A child may still be exec'ing (named after this test binary) for an instant.
    let mut found = BTreeSet::new();
    for _ in 0..50 {
        let s = match collect(
            &Roots::default(),
            &mut State::default(),
            &opts,
            testutil::at(0.0),
        ) {
            Ok(s) => s,
            Err(e) => panic!("live collect: {e}"),
        };
        let mine: Vec<&ProcessRecord> = s.top.iter().filter(|r| r.parent_pid == me).collect();
        for r in &mine {
            assert_eq!(r.name, "sleep");
            assert!(r.matched);
            assert_eq!(r.owner, user);
            assert_eq!(r.command_line, "sleep 30");
        }
        found = mine.iter().map(|r| r.pid).collect();
        if found == spawned {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(found, spawned);
}

#[test]
fn the_live_total_covers_every_pid_directory() {
    let numeric = || {
        std::fs::read_dir("/proc")
            .map(|d| {
                d.flatten()
                    .filter(|e| super::stat::parse_pid(e.file_name().as_encoded_bytes()).is_some())
                    .count()
            })
            .unwrap_or(0)
    };
    let before = numeric();
    let s = match collect(
        &Roots::default(),
        &mut State::default(),
        &all(),
        testutil::at(0.0),
    ) {
        Ok(s) => s,
        Err(e) => panic!("live collect: {e}"),
    };
    let after = numeric();
    let tolerance = 20;
    assert!(
        s.total as usize + tolerance >= before.min(after),
        "{} vs {before}",
        s.total
    );
    assert!(s.threads >= s.total);
    assert!(s.context_switches > 0.0 && s.forks_total > 0.0);
    // SAFETY: getpid has no preconditions.
    let me = find(&s, unsafe { libc::getpid() } as u32);
    assert!(me.rss_bytes > 0.0 && me.open_fds.is_some_and(|n| n >= 3));
    assert!(!me.executable.is_empty());
}
