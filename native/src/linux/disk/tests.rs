//! `/proc/diskstats` on fixture trees: every kernel's line length, classification
//! against sysfs, and the interval maths.

use std::fs;
use std::path::Path;

use crate::linux::disk::{self, classify, parse_diskstats, State, SysfsFacts};
use crate::linux::procfs::Roots;
use crate::linux::testutil;

fn fixture(name: &str) -> String {
    testutil::fixture_text("disk", name)
}

/// A tree with `proc/diskstats` and a sysfs that knows `sda` (with `sda1`),
/// `sdb`, `loop0`, `ram0`, `dm-0` (named `vg0-root`), `md0` and `zram0`.
fn tree(diskstats: &str) -> (tempfile::TempDir, Roots) {
    let mut empty = vec![
        "sys/block/sda/sda1/partition".to_string(),
        "sys/class/block/sda1/partition".to_string(),
    ];
    for disk in ["sda", "sdb"] {
        empty.push(format!("sys/block/{disk}/device/vendor"));
        empty.push(format!("sys/class/block/{disk}/dev"));
    }
    for v in ["loop0", "ram0", "dm-0", "md0", "zram0"] {
        empty.push(format!("sys/block/{v}/dev"));
        empty.push(format!("sys/class/block/{v}/dev"));
    }
    let mut files = vec![
        ("proc/diskstats", diskstats),
        ("sys/block/dm-0/dm/name", "vg0-root\n"),
    ];
    files.extend(empty.iter().map(|rel| (rel.as_str(), "")));
    let (dir, roots) = testutil::tree(&files);
    fs::create_dir_all(dir.path().join("dev/md")).unwrap();
    std::os::unix::fs::symlink("../md0", dir.path().join("dev/md/data")).unwrap();
    (dir, roots)
}

fn device<'a>(snap: &'a disk::DiskSnapshot, name: &str) -> &'a disk::BlockDevice {
    snap.devices.iter().find(|d| d.name == name).unwrap()
}

#[test]
fn a_14_field_line_reads_all_classic_fields_and_zero_discards_and_flushes() {
    let lines = parse_diskstats(&fixture("diskstats-14"));
    assert_eq!(lines.len(), 3);
    let c = lines[0].counters;
    assert_eq!(
        (lines[0].major, lines[0].minor, lines[0].name.as_str()),
        (8, 0, "sda")
    );
    assert_eq!(
        (c.reads, c.reads_merged, c.read_sectors, c.read_ms),
        (1000, 10, 20000, 500)
    );
    assert_eq!(
        (c.writes, c.writes_merged, c.write_sectors, c.write_ms),
        (2000, 20, 40000, 1500)
    );
    assert_eq!((c.in_progress, c.io_ms, c.weighted_io_ms), (0, 1800, 2000));
    assert_eq!(
        (c.discards, c.discard_sectors, c.flushes, c.flush_ms),
        (0, 0, 0, 0)
    );
}

#[test]
fn an_18_field_line_adds_discards() {
    let lines = parse_diskstats(&fixture("diskstats-18"));
    let c = lines[0].counters;
    assert_eq!(c.in_progress, 2);
    assert_eq!(
        (
            c.discards,
            c.discards_merged,
            c.discard_sectors,
            c.discard_ms
        ),
        (30, 1, 600, 12)
    );
    assert_eq!((c.flushes, c.flush_ms), (0, 0));
}

#[test]
fn a_20_field_line_adds_flushes_and_converts_units() {
    let (_dir, roots) = tree(&fixture("diskstats-20"));
    let snap = disk::collect(
        &roots,
        &mut State::default(),
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    let sda = device(&snap, "sda");
    assert_eq!(sda.flushes_completed, 77.0);
    assert_eq!(sda.flush_time_seconds, 0.088);
    assert_eq!(sda.read_bytes, 20000.0 * 512.0);
    assert_eq!(sda.write_bytes, 40000.0 * 512.0);
    assert_eq!(sda.discard_bytes, 600.0 * 512.0);
    assert_eq!(sda.read_time_seconds, 0.5);
    assert_eq!(sda.io_time_seconds, 1.8);
    assert_eq!(sda.weighted_io_time_seconds, 2.0);
}

#[test]
fn old_seven_field_partition_lines_are_read_and_garbage_lines_skipped() {
    let lines = parse_diskstats(&fixture("diskstats-old-partitions"));
    let names: Vec<_> = lines.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["hda", "hda1"]);
    let c = lines[1].counters;
    assert_eq!(
        (c.reads, c.read_sectors, c.writes, c.write_sectors),
        (35486, 38030, 38030, 38030)
    );
    assert_eq!(c.read_ms, 0);
}

#[test]
fn a_partition_its_disk_and_loop_ram_dm_md_zram_are_told_apart() {
    let (_dir, roots) = tree(&fixture("diskstats-20"));
    let snap = disk::collect(
        &roots,
        &mut State::default(),
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    let kinds: Vec<_> = snap
        .devices
        .iter()
        .map(|d| (d.name.as_str(), d.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("sda", "disk"),
            ("sda1", "partition"),
            ("sdb", "disk"),
            ("loop0", "virtual"),
            ("ram0", "virtual"),
            ("dm-0", "virtual"),
            ("md0", "virtual"),
            ("zram0", "virtual"),
        ]
    );
    assert_eq!(device(&snap, "dm-0").label, "vg0-root");
    assert_eq!(device(&snap, "md0").label, "data");
    assert_eq!(device(&snap, "sda").label, "");
}

#[test]
fn totals_sum_whole_disks_only() {
    let (_dir, roots) = tree(&fixture("diskstats-20"));
    let snap = disk::collect(
        &roots,
        &mut State::default(),
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    assert_eq!(snap.totals.read_ops, 1100.0);
    assert_eq!(snap.totals.write_bytes, (40000.0 + 1600.0) * 512.0);
    assert_eq!(snap.totals.io_in_progress, 1.0);
}

#[test]
fn without_sysfs_names_decide_partitions() {
    let names = [
        "sda",
        "sda1",
        "nvme0n1",
        "nvme0n1p2",
        "mmcblk0",
        "mmcblk0p1",
        "dm-1",
        "md127",
    ];
    let none = SysfsFacts::default();
    let kinds: Vec<_> = names.iter().map(|n| classify(n, none, &names)).collect();
    assert_eq!(
        kinds,
        [
            "disk",
            "partition",
            "disk",
            "partition",
            "disk",
            "partition",
            "virtual",
            "virtual"
        ]
    );
}

#[test]
fn rates_latency_and_busy_cover_the_interval() {
    let (dir, roots) = tree("   8 16 sdb 100 0 800 50 200 0 1600 150 0 180 200 0 0 0 0 0 0\n");
    let mut state = State::default();
    let first = disk::collect(&roots, &mut state, crate::linux::testutil::at(0.0)).unwrap();
    assert_eq!(first.devices[0].read_ops_per_second, 0.0);
    fs::write(
        dir.path().join("proc/diskstats"),
        "   8 16 sdb 120 0 1000 90 210 0 1700 160 3 1180 200 0 0 0 0 0 0\n",
    )
    .unwrap();
    let snap = disk::collect(&roots, &mut state, crate::linux::testutil::at(2.0)).unwrap();
    let sdb = &snap.devices[0];
    assert_eq!(sdb.read_ops_per_second, 10.0);
    assert_eq!(sdb.write_ops_per_second, 5.0);
    assert_eq!(sdb.read_bytes_per_second, 100.0 * 512.0);
    assert_eq!(sdb.read_latency_ms, 2.0);
    assert_eq!(sdb.write_latency_ms, 1.0);
    assert_eq!(sdb.busy_percent, 50.0);
    assert_eq!(snap.totals.iops, 15.0);
    assert_eq!(snap.totals.read_latency_ms, 2.0);
}

#[test]
fn counters_near_2_64_and_counters_that_go_backwards_stay_sane() {
    let max = u64::MAX;
    let (dir, roots) = tree(&format!(
        "8 16 sdb {} 0 {} 10 0 0 0 0 0 0 0\n",
        max - 9,
        max - 100
    ));
    let mut state = State::default();
    let first = disk::collect(&roots, &mut state, crate::linux::testutil::at(0.0)).unwrap();
    assert!(first.devices[0].read_bytes.is_finite());
    assert!(first.devices[0].read_bytes > 1e21);
    // Near the top: still a plain difference.
    fs::write(
        dir.path().join("proc/diskstats"),
        format!("8 16 sdb {} 0 {} 20 0 0 0 0 0 0 0\n", max, max),
    )
    .unwrap();
    let snap = disk::collect(&roots, &mut state, crate::linux::testutil::at(1.0)).unwrap();
    assert_eq!(snap.devices[0].read_ops_per_second, 9.0);
    assert_eq!(snap.devices[0].read_bytes_per_second, 100.0 * 512.0);
    // A reset (the counter went backwards): the new reading is the change.
    fs::write(
        dir.path().join("proc/diskstats"),
        "8 16 sdb 4 0 8 2 0 0 0 0 0 0 0\n",
    )
    .unwrap();
    let snap = disk::collect(&roots, &mut state, crate::linux::testutil::at(2.0)).unwrap();
    assert_eq!(snap.devices[0].read_ops_per_second, 4.0);
    assert_eq!(snap.devices[0].read_latency_ms, 0.5);
}

/// Replaces a file of the tree with a directory of that name, so reading it fails
/// with an error other than "not found".
fn break_file(path: &Path) {
    fs::remove_file(path).unwrap();
    fs::create_dir(path).unwrap();
}

#[test]
fn after_a_failed_read_rates_cover_the_time_since_the_last_good_read() {
    let (dir, roots) = tree("8 16 sdb 100 0 0 0 0 0 0 0 0 0 0\n");
    let path = dir.path().join("proc/diskstats");
    let mut state = State::default();
    disk::collect(&roots, &mut state, testutil::at(0.0)).unwrap();
    break_file(&path);
    assert!(disk::collect(&roots, &mut state, testutil::at(10.0)).is_err());
    fs::remove_dir(&path).unwrap();
    fs::write(&path, "8 16 sdb 300 0 0 0 0 0 0 0 0 0 0\n").unwrap();
    // 200 reads over the 20 s since the last good read, not over the last 10 s.
    let snap = disk::collect(&roots, &mut state, testutil::at(20.0)).unwrap();
    assert_eq!(snap.interval_seconds, 20.0);
    assert_eq!(snap.devices[0].read_ops_per_second, 10.0);
}

#[test]
fn a_read_within_a_tenth_of_a_second_reports_zero_rates_and_keeps_the_older_counters() {
    let (dir, roots) = tree("8 16 sdb 100 0 0 0 0 0 0 0 0 0 0\n");
    let path = dir.path().join("proc/diskstats");
    let mut state = State::default();
    disk::collect(&roots, &mut state, testutil::at(0.0)).unwrap();
    fs::write(&path, "8 16 sdb 103 0 0 0 0 0 0 0 0 0 0\n").unwrap();
    let quick = disk::collect(&roots, &mut state, testutil::at(0.05)).unwrap();
    assert_eq!(quick.interval_seconds, 0.0);
    assert_eq!(quick.devices[0].read_ops_per_second, 0.0);
    fs::write(&path, "8 16 sdb 120 0 0 0 0 0 0 0 0 0 0\n").unwrap();
    let snap = disk::collect(&roots, &mut state, testutil::at(2.0)).unwrap();
    assert_eq!(snap.interval_seconds, 2.0);
    assert_eq!(snap.devices[0].read_ops_per_second, 10.0);
}

#[test]
fn a_new_device_starts_with_zero_rates() {
    let (dir, roots) = tree("8 16 sdb 1 0 8 1 0 0 0 0 0 0 0\n");
    let mut state = State::default();
    disk::collect(&roots, &mut state, crate::linux::testutil::at(0.0)).unwrap();
    fs::write(
        dir.path().join("proc/diskstats"),
        "8 16 sdb 2 0 8 1 0 0 0 0 0 0 0\n8 0 sda 500 0 8000 1 0 0 0 0 0 0 0\n",
    )
    .unwrap();
    let snap = disk::collect(&roots, &mut state, crate::linux::testutil::at(1.0)).unwrap();
    assert_eq!(device(&snap, "sdb").read_ops_per_second, 1.0);
    assert_eq!(device(&snap, "sda").read_ops_per_second, 0.0);
}

#[test]
fn a_missing_diskstats_is_an_empty_group() {
    let (_dir, roots) = testutil::tree(&[]);
    let snap = disk::collect(
        &roots,
        &mut State::default(),
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    assert!(snap.devices.is_empty());
    assert_eq!(snap.totals.iops, 0.0);
}

#[test]
fn the_live_host_lists_its_block_devices_without_errors() {
    let snap = disk::collect(
        &Roots::default(),
        &mut State::default(),
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    if Path::new("/proc/diskstats").exists() {
        assert!(!snap.devices.is_empty());
        assert!(snap.devices.iter().all(|d| !d.kind.is_empty()));
    }
}

proptest::proptest! {
    #[test]
    fn diskstats_parsing_and_maths_never_panic_on_arbitrary_input(
        text in "(\\PC|[ \\t\\n0-9])*",
        seconds in proptest::num::f64::ANY,
    ) {
        let lines = parse_diskstats(&text);
        let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        let kinds: Vec<_> = names.iter().map(|n| classify(n, SysfsFacts::default(), &names)).collect();
        let (_, prev) = disk::build(&lines, &kinds, Vec::new(), None);
        disk::build(&lines, &kinds, Vec::new(), Some((&prev, seconds)));
    }

    #[test]
    fn diskstats_lines_of_numbers_of_any_length_never_panic(
        fields in proptest::collection::vec(proptest::num::u64::ANY, 0..25),
    ) {
        let nums: Vec<String> = fields.iter().map(u64::to_string).collect();
        let line = format!("8 0 sda {}\n", nums.join(" "));
        let lines = parse_diskstats(&line);
        let (_, prev) = disk::build(&lines, &["disk"], Vec::new(), None);
        disk::build(&lines, &["disk"], Vec::new(), Some((&prev, 1.0)));
    }
}
