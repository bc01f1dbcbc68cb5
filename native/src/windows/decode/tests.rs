use super::*;

#[test]
fn kernel_time_splits_into_system_irq_softirq_and_idle_without_double_counting() {
    let t = RawTimes {
        idle: 600,
        kernel: 1000,
        user: 300,
        dpc: 50,
        interrupt: 30,
    };
    let ticks = t.ticks();
    assert_eq!(ticks, [300, 0, 320, 600, 0, 30, 50, 0, 0, 0]);
    assert_eq!(ticks.iter().sum::<u64>(), t.kernel + t.user);
}

#[test]
fn kernel_time_below_its_parts_never_underflows() {
    let t = RawTimes {
        idle: 900,
        kernel: 500,
        ..Default::default()
    };
    assert_eq!(t.ticks()[2], 0);
}

#[test]
fn topology_records_are_counted_and_a_truncated_or_malformed_list_ends_the_walk() {
    let mut bytes = Vec::new();
    let mut record = |relation: u32, size: u32, extra: &[u8]| {
        bytes.extend(relation.to_le_bytes());
        bytes.extend(size.to_le_bytes());
        bytes.extend(extra);
        bytes.resize(bytes.len() + size as usize - 8 - extra.len(), 0);
    };
    record(0, 48, &[]);
    record(0, 48, &[]);
    // level 3, 16-way, 64-byte lines, 32 MiB
    let cache = [&[3u8, 16, 64, 0][..], &(32u32 << 20).to_le_bytes()[..]].concat();
    record(2, 48, &cache);
    record(3, 48, &[]);
    bytes.extend([0u8; 3]);
    assert_eq!(parse_topology(&bytes), (2, 1, 32 << 20));
    assert_eq!(parse_topology(&[]), (0, 0, 0));
    // A record claiming a size below its own header stops the walk.
    let bad = [0u8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0];
    assert_eq!(parse_topology(&bad), (1, 0, 0));
}

#[test]
fn memory_counts_standby_as_available_and_the_paging_files_as_swap() {
    let gib = 1u64 << 30;
    let m = memory(&RawMemory {
        total: 16 * gib,
        available: 10 * gib,
        commit_limit: 20 * gib,
        commit_available: 12 * gib,
        committed: 8 * gib,
        system_cache: 3 * gib,
    });
    assert_eq!(m.total_bytes, (16 * gib) as f64);
    assert_eq!(m.used_bytes, (6 * gib) as f64);
    assert_eq!(m.available_bytes, m.free_bytes);
    assert_eq!(m.used_percent, 37.5);
    assert_eq!(m.swap_total_bytes, (4 * gib) as f64);
    // 8 GiB committed, 6 GiB of it in RAM: 2 GiB in the paging files.
    assert_eq!(m.swap_used_bytes, (2 * gib) as f64);
    assert_eq!(m.swap_free_bytes, (2 * gib) as f64);
    assert_eq!(m.committed_bytes, (8 * gib) as f64);
    assert_eq!(m.cached_bytes, (3 * gib) as f64);
}

#[test]
fn memory_without_paging_files_has_no_swap_and_never_goes_negative() {
    let m = memory(&RawMemory {
        total: 100,
        available: 150,
        commit_limit: 90,
        commit_available: 95,
        ..Default::default()
    });
    assert_eq!(m.used_bytes, 0.0);
    assert_eq!(
        (m.swap_total_bytes, m.swap_used_bytes, m.swap_free_bytes),
        (0.0, 0.0, 0.0)
    );
}

#[test]
fn a_drive_is_a_filesystem_with_used_as_total_minus_total_free() {
    let fs = filesystem(&RawVolume {
        root: "C:\\".into(),
        fs_type: "NTFS".into(),
        read_only: false,
        total: 1000,
        free: 400,
        available: 300, // a quota
    });
    assert_eq!((fs.device.as_str(), fs.mountpoint.as_str()), ("C:", "C:\\"));
    assert_eq!((fs.fs_type.as_str(), fs.mode.as_str()), ("NTFS", "rw"));
    assert_eq!(fs.used_bytes, 600.0);
    assert_eq!(fs.reserved_bytes, 100.0);
    assert_eq!(fs.inodes_total, 0.0);
    let ro = filesystem(&RawVolume {
        root: "E:\\".into(),
        read_only: true,
        ..Default::default()
    });
    assert_eq!((ro.mode.as_str(), ro.used_percent), ("ro", 0.0));
}

#[test]
fn adapters_map_to_counters_links_and_prefixed_addresses() {
    let eth = RawInterface {
        name: "Ethernet".into(),
        mac: vec![0x02, 0xab, 0, 0, 0, 1],
        mtu: 1500,
        if_type: 6,
        up: true,
        speed_bps: 1_000_000_000,
        addresses: vec![
            ("192.0.2.5".parse().unwrap(), 24),
            ("fe80::1".parse().unwrap(), 64),
        ],
        counters: Some(IfCounters {
            bytes_recv: 10,
            bytes_sent: 20,
            packets_recv: 3,
            packets_sent: 4,
            errors_in: 5,
            errors_out: 6,
            drops_in: 7,
            drops_out: 8,
        }),
    };
    let (c, link, ips) = interface(&eth);
    assert_eq!(c, [10, 3, 5, 7, 0, 0, 0, 0, 20, 4, 6, 8, 0, 0, 0, 0]);
    assert_eq!(link.mac_address, "02:ab:00:00:00:01");
    assert_eq!(link.speed_mbps, 1000);
    assert!(link.carries_host_traffic());
    assert_eq!(ips, ["192.0.2.5/24", "fe80::1/64"]);

    let lo = RawInterface {
        name: "Loopback Pseudo-Interface 1".into(),
        if_type: 24,
        mtu: u32::MAX,
        ..Default::default()
    };
    let (c, link, _) = interface(&lo);
    assert_eq!(c, [0; 16], "no counters read: zeros");
    assert!(link.is_loopback && !link.carries_host_traffic());
    assert_eq!((link.mtu, link.mac_address.as_str()), (0, ""));
    let tunnel = RawInterface {
        if_type: 131,
        ..Default::default()
    };
    assert!(!interface(&tunnel).1.carries_host_traffic());
}

#[test]
fn socket_addresses_of_both_families_decode_and_others_do_not() {
    let mut v4 = vec![2u8, 0, 0x1f, 0x90, 127, 0, 0, 1];
    v4.extend([0u8; 8]);
    assert_eq!(sockaddr(&v4), Some("127.0.0.1".parse().unwrap()));
    let mut v6 = vec![23u8, 0, 0, 0, 0, 0, 0, 0];
    v6.extend("2001:db8::7".parse::<Ipv6Addr>().unwrap().octets());
    v6.extend([0u8; 4]);
    assert_eq!(sockaddr(&v6), Some("2001:db8::7".parse().unwrap()));
    assert_eq!(sockaddr(&[2, 0, 1]), None, "truncated");
    assert_eq!(sockaddr(&[1, 0, 0, 0, 0, 0, 0, 0]), None, "AF_UNIX");
}

#[test]
fn tcp_tables_count_rows_by_state_and_stop_at_the_buffer_end() {
    let rows = [5u32, 5, 2, 11, 4, 12, 99];
    let mut v4 = (rows.len() as u32).to_le_bytes().to_vec();
    for s in rows {
        v4.extend(s.to_le_bytes());
        v4.extend([0u8; 20]);
    }
    let c = tcp_table(&v4, TCP4_ROW);
    assert_eq!(
        (c.established, c.listen, c.time_wait, c.syn_recv),
        (2, 1, 1, 1)
    );
    assert_eq!(
        c.total, 7,
        "DELETE_TCB and unknown states count in the total only"
    );

    let mut v6 = 3u32.to_le_bytes().to_vec();
    for s in [2u32, 8] {
        v6.extend([0u8; 48]);
        v6.extend(s.to_le_bytes());
        v6.extend([0u8; 4]);
    }
    let c = tcp_table(&v6, TCP6_ROW);
    assert_eq!(
        (c.listen, c.close_wait, c.total),
        (1, 1, 2),
        "the third row is cut off"
    );
    assert_eq!(tcp_table(&[1, 0], TCP4_ROW).total, 0);
}

#[test]
fn every_windows_tcp_state_has_its_kernel_counterpart() {
    let mapped: Vec<_> = (1..=11).map(|s| kernel_state(s).unwrap()).collect();
    let mut sorted = mapped.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=11).collect::<Vec<_>>(), "one to one");
    assert_eq!(kernel_state(12), None);
    assert_eq!(kernel_state(0), None);
}

#[test]
fn a_physical_drive_maps_to_sectors_milliseconds_and_operations() {
    let line = disk_line(
        1,
        &RawDiskPerf {
            bytes_read: 1_048_576,
            bytes_written: 4096,
            read_time: 25_000_000, // 2.5 s in 100 ns units
            write_time: 10_000,
            read_count: 256,
            write_count: 1,
            queue_depth: 3,
        },
    );
    assert_eq!((line.name.as_str(), line.minor), ("PhysicalDrive1", 1));
    let c = line.counters;
    assert_eq!((c.reads, c.read_sectors, c.read_ms), (256, 2048, 2500));
    assert_eq!((c.writes, c.write_sectors, c.write_ms), (1, 8, 1));
    assert_eq!(c.in_progress, 3);
    assert_eq!((c.reads_merged, c.io_ms), (0, 0));
}

#[test]
fn filetimes_become_unix_seconds_and_unset_ones_zero() {
    // 2024-01-01T00:00:00Z
    assert_eq!(filetime_unix(133_485_408_000_000_000), 1_704_067_200.0);
    assert_eq!(filetime_unix(0), 0.0);
}
