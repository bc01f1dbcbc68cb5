//! mountinfo parsing and the filesystem scan on fixture trees.

use std::fs;
use std::path::PathBuf;

use crate::linux::filesystem::{
    collect, is_remote, is_virtual, parse_block_types, parse_mountinfo, stat_with_timeout,
    visible_mounts, Options, STUCK,
};
use crate::linux::procfs::{decode_octal_escapes, Roots};
use crate::linux::testutil::{fixture_text, tree};

fn mountinfo() -> String {
    fixture_text("filesystem", "mountinfo")
}

/// A host root holding the fixture's mount points as directories (all but
/// `/nowhere`), with the table as init's `mountinfo`.
fn host_tree() -> (tempfile::TempDir, Roots) {
    let (dir, roots) = tree(&[("proc/1/mountinfo", &mountinfo())]);
    let p = dir.path();
    for m in [
        "sys",
        "dev/shm",
        "mnt/my disk",
        "mnt/tab\tnew\nline\\back",
        "var/lib/docker/overlay2/abc/merged",
        "media/cd",
        "sys/fs/cgroup",
        "srv/app/rootfs",
        "srv/data",
        "srv/root-again",
        "home",
        "srv/vol",
        "snap/core/123",
        "net",
        "var/lib/kubelet/pods/p1/volumes/kubernetes.io~projected/token",
    ] {
        fs::create_dir_all(p.join(m)).unwrap();
    }
    (dir, roots)
}

#[test]
fn escaped_mount_points_and_sources_are_decoded() {
    assert_eq!(decode_octal_escapes(r"/mnt/my\040disk"), "/mnt/my disk");
    assert_eq!(decode_octal_escapes(r"a\011b\012c\134d"), "a\tb\nc\\d");
    assert_eq!(
        decode_octal_escapes(r"keep\x and \9 and trailing\"),
        r"keep\x and \9 and trailing\"
    );
    assert_eq!(decode_octal_escapes(r"short\04"), r"short\04");
    let entries = parse_mountinfo(&mountinfo());
    let tab = entries.iter().find(|e| e.mount_id == 32).unwrap();
    assert_eq!(tab.mountpoint, "/mnt/tab\tnew\nline\\back");
    assert_eq!(tab.source, "/dev/disk/by-label/a b");
    assert_eq!(tab.root, "/sub");
    assert!(tab.read_only());
}

#[test]
fn optional_fields_of_any_number_are_skipped_and_bad_lines_dropped() {
    let entries = parse_mountinfo(&mountinfo());
    assert_eq!(entries.len(), 19);
    let sub_bind = entries.iter().find(|e| e.mount_id == 40).unwrap();
    assert_eq!((sub_bind.major, sub_bind.minor), (254, 0));
    assert_eq!(sub_bind.root, "/var/lib/data");
    let disk = entries.iter().find(|e| e.mount_id == 31).unwrap();
    assert_eq!(
        (disk.fs_type.as_str(), disk.source.as_str()),
        ("ext4", "/dev/sdb1")
    );
    assert_eq!(disk.parent_id, 27);
    assert!(!disk.read_only());
}

#[test]
fn pseudo_filesystems_are_left_out_but_tmpfs_and_overlay_stay() {
    let kept = visible_mounts(parse_mountinfo(&mountinfo()), false);
    let types: Vec<_> = kept.iter().map(|e| e.fs_type.as_str()).collect();
    assert!(!types.contains(&"proc") && !types.contains(&"sysfs") && !types.contains(&"cgroup2"));
    assert!(types.contains(&"tmpfs") && types.contains(&"overlay"));
    let all = visible_mounts(parse_mountinfo(&mountinfo()), true);
    assert!(all.iter().any(|e| e.fs_type == "proc"));
}

#[test]
fn images_automounts_and_container_runtime_mounts_are_left_out_by_default() {
    let kept = visible_mounts(parse_mountinfo(&mountinfo()), false);
    let points: Vec<_> = kept.iter().map(|e| e.mountpoint.as_str()).collect();
    for gone in ["/snap/core/123", "/media/cd", "/net"] {
        assert!(!points.contains(&gone), "{gone} in {points:?}");
    }
    assert!(!points.iter().any(|p| p.starts_with("/var/lib/docker/")));
    assert!(!points.iter().any(|p| p.starts_with("/var/lib/kubelet/")));
    assert!(points.contains(&"/srv/app/rootfs"));
    let all = visible_mounts(parse_mountinfo(&mountinfo()), true);
    let points: Vec<_> = all.iter().map(|e| e.mountpoint.as_str()).collect();
    assert!(points.contains(&"/snap/core/123") && points.contains(&"/net"));
    assert!(points.iter().any(|p| p.starts_with("/var/lib/kubelet/")));
}

#[test]
fn a_filesystem_mounted_in_several_places_is_reported_once_at_its_shortest_mount_point() {
    let kept = visible_mounts(parse_mountinfo(&mountinfo()), false);
    let points: Vec<_> = kept.iter().map(|e| e.mountpoint.as_str()).collect();
    // /dev/vda1 is at `/`: its sub-directory bind and its second mount go.
    assert!(points.contains(&"/"));
    assert!(!points.contains(&"/srv/data") && !points.contains(&"/srv/root-again"));
    // btrfs subvolumes: the device is never mounted whole, so both stay.
    assert!(points.contains(&"/home") && points.contains(&"/srv/vol"));
    // A sub-directory mount of a device mounted nowhere else stays.
    assert!(points.contains(&"/mnt/tab\tnew\nline\\back"));
}

#[test]
fn autofs_is_never_stat_ed_and_is_listed_with_zero_sizes_only_on_request() {
    let (_dir, roots) = host_tree();
    let all = Options {
        include_pseudo: true,
    };
    let fss = collect(&roots, &all).unwrap();
    let net = fss.iter().find(|f| f.mountpoint == "/net").unwrap();
    assert_eq!((net.total_bytes, net.inodes_total), (0.0, 0.0));
    let fss = collect(&roots, &Options::default()).unwrap();
    assert!(!fss.iter().any(|f| f.fs_type == "autofs"));
}

#[test]
fn cluster_virtual_machine_and_fuse_block_filesystems_are_stat_ed_with_a_timeout() {
    for t in [
        "fuseblk", "virtiofs", "gpfs", "beegfs", "ocfs2", "gfs2", "vboxsf", "9p",
    ] {
        assert!(is_remote(t), "{t}");
    }
    assert!(!is_remote("ext4") && !is_remote("squashfs"));
}

#[test]
fn a_mount_point_mounted_twice_reports_the_top_mount() {
    let kept = visible_mounts(parse_mountinfo(&mountinfo()), false);
    let mine: Vec<_> = kept
        .iter()
        .filter(|e| e.mountpoint == "/mnt/my disk")
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].source, "/dev/sdc1");
}

#[test]
fn the_scan_reads_inits_table_under_a_root_path_and_skips_vanished_mount_points() {
    let (_dir, roots) = host_tree();
    let fss = collect(&roots, &Options::default()).unwrap();
    let points: Vec<_> = fss.iter().map(|f| f.mountpoint.as_str()).collect();
    assert!(points.contains(&"/"));
    assert!(points.contains(&"/mnt/my disk"));
    assert!(points.contains(&"/mnt/tab\tnew\nline\\back"));
    assert!(!points.contains(&"/nowhere"));
    assert!(!points.contains(&"/proc"));
    let root = fss.iter().find(|f| f.mountpoint == "/").unwrap();
    assert_eq!(
        (
            root.device.as_str(),
            root.fs_type.as_str(),
            root.mode.as_str()
        ),
        ("/dev/vda1", "ext4", "rw")
    );
    assert!(root.total_bytes > 0.0);
    assert!(!points.contains(&"/media/cd"));
    let tab = fss
        .iter()
        .find(|f| f.mountpoint == "/mnt/tab\tnew\nline\\back")
        .unwrap();
    assert_eq!(tab.mode, "ro");
}

#[test]
fn virtual_filesystems_that_proc_filesystems_marks_nodev_are_left_out_unless_asked_for() {
    let (dir, roots) = host_tree();
    let list =
        "nodev\tsysfs\nnodev\ttmpfs\nnodev\toverlay\nnodev\tcgroup2\n\text4\n\txfs\n\tbtrfs\n";
    fs::write(dir.path().join("proc/filesystems"), list).unwrap();
    let types = |fss: &[crate::snapshot::filesystem::Filesystem]| {
        let mut t: Vec<String> = fss.iter().map(|f| f.fs_type.clone()).collect();
        t.sort();
        t.dedup();
        t
    };
    let kept = collect(&roots, &Options::default()).unwrap();
    assert_eq!(types(&kept), ["btrfs", "ext4", "xfs"]);
    let all = collect(
        &roots,
        &Options {
            include_pseudo: true,
        },
    )
    .unwrap();
    assert!(types(&all).contains(&"tmpfs".to_string()));
    assert!(types(&all).contains(&"overlay".to_string()));
    let block = parse_block_types(list);
    assert!(!is_virtual(&block, "nfs4") && !is_virtual(&block, "zfs"));
    // Listed as nodev, or not listed at all.
    assert!(is_virtual(&block, "tmpfs") && is_virtual(&block, "devpts"));
}

#[test]
fn sizes_add_up_as_df_shows_them() {
    let (_dir, roots) = host_tree();
    for f in collect(&roots, &Options::default()).unwrap() {
        assert!(
            (f.used_bytes + f.free_bytes - f.total_bytes).abs() < 1.0,
            "{f:?}"
        );
        assert!((f.free_bytes - f.available_bytes - f.reserved_bytes).abs() < 1.0);
        assert!((0.0..=100.0).contains(&f.used_percent));
        assert!((0.0..=100.0).contains(&f.inodes_used_percent));
        let df = if f.used_bytes + f.available_bytes > 0.0 {
            f.used_bytes / (f.used_bytes + f.available_bytes) * 100.0
        } else {
            0.0
        };
        assert!((f.used_percent - df).abs() < 1e-9);
    }
}

#[test]
fn a_missing_mount_table_is_an_empty_list() {
    let (_dir, roots) = tree(&[]);
    assert!(collect(&roots, &Options::default()).unwrap().is_empty());
}

#[test]
fn network_filesystems_are_stat_ed_on_a_helper_thread_and_a_stuck_one_is_skipped() {
    assert!(is_remote("nfs4") && is_remote("fuse.sshfs") && is_remote("cifs"));
    assert!(!is_remote("ext4") && !is_remote("tmpfs"));
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().to_path_buf();
    assert!(stat_with_timeout(here.clone(), std::time::Duration::from_secs(5)).is_some());
    let stuck = PathBuf::from("/pretend/stuck/mount");
    STUCK
        .lock()
        .unwrap()
        .get_or_insert_with(Default::default)
        .insert(stuck.clone());
    assert!(stat_with_timeout(stuck, std::time::Duration::from_secs(5)).is_none());
}

#[test]
fn the_live_host_has_a_root_filesystem_with_a_size() {
    let fss = collect(&Roots::default(), &Options::default()).unwrap();
    let root = fss
        .iter()
        .find(|f| f.mountpoint == "/")
        .expect("/ is mounted");
    assert!(root.total_bytes > 0.0);
    assert!(!fss.iter().any(|f| f.fs_type == "proc"));
}

proptest::proptest! {
    #[test]
    fn mountinfo_parsing_never_panics_on_arbitrary_input(text in "(\\PC|[ \\\\0-7\\n-])*") {
        let entries = parse_mountinfo(&text);
        visible_mounts(entries, false);
        decode_octal_escapes(&text);
    }
}
