//! The mapping from sysinfo's values to the snapshot, on made-up values.

use sysinfo::ProcessStatus;

use super::map::{self, CpuFacts, DiskIo, InterfaceFacts, MemoryFacts, VmStats};
use super::process::ProcessFacts;

#[test]
fn memory_used_is_total_minus_available_and_unknown_fields_stay_zero() {
    let m = map::memory(
        MemoryFacts {
            total: 8 << 30,
            free: 1 << 30,
            available: 6 << 30,
            swap_total: 2 << 30,
            swap_free: 3 << 30,
        },
        None,
    );
    assert_eq!(m.used_bytes, (2u64 << 30) as f64);
    assert_eq!(m.used_percent, 25.0);
    // More free swap than swap is a torn read: clamped, never a negative "used".
    assert_eq!(m.swap_used_bytes, 0.0);
    assert_eq!(m.swap_free_bytes, (2u64 << 30) as f64);
    assert_eq!((m.buffers_bytes, m.cached_bytes), (0.0, 0.0));
}

#[test]
fn cpu_shares_come_from_ticks_when_the_os_gives_them() {
    let facts = CpuFacts {
        model: "M".into(),
        logical: 2,
        physical: None,
        usage: vec![10.0, 30.0],
        global_usage: 20.0,
        ..Default::default()
    };
    let t0 = (
        [100, 0, 100, 800, 0, 0, 0, 0, 0, 0],
        vec![(0, [50, 0, 50, 400, 0, 0, 0, 0, 0, 0])],
    );
    let t1 = (
        [130, 0, 110, 860, 0, 0, 0, 0, 0, 0],
        vec![(0, [80, 0, 60, 410, 0, 0, 0, 0, 0, 0])],
    );
    let first = map::cpu(&facts, Some(&t0), None, 100.0, true);
    assert_eq!(first.utilization.usage_percent, 0.0, "no interval yet");
    assert_eq!(first.total.user_seconds, 1.0);
    let s = map::cpu(&facts, Some(&t1), Some(&t0), 100.0, true);
    assert_eq!(s.utilization.user_percent, 30.0);
    assert_eq!(s.utilization.system_percent, 10.0);
    assert_eq!(s.utilization.usage_percent, 40.0);
    assert_eq!(s.per_core.len(), 1);
    assert_eq!(s.per_core[0].utilization.usage_percent, 80.0);
    assert_eq!(
        s.physical_cores, 2,
        "logical stands in for unknown physical"
    );
}

#[test]
fn without_ticks_only_the_busy_share_is_known() {
    let facts = CpuFacts {
        logical: 2,
        physical: Some(1),
        usage: vec![10.0, 30.0],
        global_usage: 20.0,
        ..Default::default()
    };
    let s = map::cpu(&facts, None, None, 100.0, true);
    assert_eq!(s.utilization.usage_percent, 20.0);
    assert_eq!(s.utilization.idle_percent, 80.0);
    assert_eq!(s.utilization.user_percent, 0.0);
    let cores: Vec<f64> = s
        .per_core
        .iter()
        .map(|c| c.utilization.usage_percent)
        .collect();
    assert_eq!(cores, [10.0, 30.0]);
    assert!(map::cpu(&facts, None, None, 100.0, false)
        .per_core
        .is_empty());
}

#[test]
fn a_volume_mounted_twice_counts_once_in_sectors() {
    let io = [
        DiskIo {
            name: "/dev/sda1".into(),
            read_bytes: 1024,
            written_bytes: 4096,
        },
        DiskIo {
            name: "/dev/sda1".into(),
            read_bytes: 1024,
            written_bytes: 4096,
        },
        DiskIo {
            name: "/dev/sdb".into(),
            read_bytes: 0,
            written_bytes: 0,
        },
    ];
    let lines = map::disk_lines(&io);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].counters.read_sectors, 2);
    assert_eq!(lines[0].counters.write_sectors, 8);
}

#[test]
fn interfaces_map_onto_the_shared_network_maths() {
    let lo = InterfaceFacts {
        name: "lo".into(),
        rx_bytes: 500,
        loopback: true,
        up: true,
        ..Default::default()
    };
    let eth = InterfaceFacts {
        name: "eth0".into(),
        rx_bytes: 1000,
        tx_bytes: 2000,
        rx_packets: 10,
        tx_packets: 20,
        rx_errors: 1,
        tx_errors: 2,
        mac: "AA:BB:CC:DD:EE:FF".into(),
        ips: vec!["192.0.2.1/24".into()],
        mtu: 1500,
        up: true,
        loopback: false,
    };
    let (lines, links): (Vec<_>, Vec<_>) = [lo, eth].iter().map(map::interface).unzip();
    let (snap, _) = crate::snapshot::network::build(&lines, links, None);
    let e = &snap.interfaces[1];
    assert_eq!(
        (e.rx_bytes, e.tx_bytes, e.rx_packets, e.tx_errors),
        (1000.0, 2000.0, 10.0, 2.0)
    );
    assert_eq!(
        (e.mac_address.as_str(), e.mtu, e.is_up),
        ("aa:bb:cc:dd:ee:ff", 1500, true)
    );
    assert!(snap.interfaces[0].is_loopback && !snap.interfaces[0].counted_in_totals);
    assert_eq!(
        snap.totals.rx_bytes, 1000.0,
        "loopback is left out of the totals"
    );
}

#[test]
fn process_states_map_to_the_letters_procfs_uses_and_count() {
    let letters: Vec<u8> = [
        ProcessStatus::Run,
        ProcessStatus::Sleep,
        ProcessStatus::UninterruptibleDiskSleep,
        ProcessStatus::Stop,
        ProcessStatus::Zombie,
        ProcessStatus::Idle,
        ProcessStatus::Unknown(7),
    ]
    .into_iter()
    .map(map::state_letter)
    .collect();
    assert_eq!(letters, b"RSDTZI?");
    let facts: Vec<ProcessFacts> = letters
        .iter()
        .map(|&state| ProcessFacts { state })
        .collect();
    let s = map::counts(&facts);
    assert_eq!(
        (s.total, s.running, s.sleeping, s.blocked, s.stopped, s.zombie, s.idle),
        (7, 1, 1, 1, 1, 1, 1)
    );
}

#[test]
fn vm_statistics_give_memory_classes_and_paging_rates_in_procfs_units() {
    let vm = VmStats {
        active_bytes: 3 << 20,
        inactive_bytes: 2 << 20,
        wired_bytes: 1 << 20,
        pageins: 100,
        pageouts: 10,
        swapins: 4,
        swapouts: 8,
    };
    let m = map::memory(
        MemoryFacts {
            total: 8 << 20,
            ..Default::default()
        },
        Some(&vm),
    );
    assert_eq!(
        (m.active_bytes, m.inactive_bytes, m.wired_bytes),
        (3145728.0, 2097152.0, 1048576.0)
    );
    let first = map::paging(&vm, None, 4096);
    assert_eq!(first.page_in_count, 400.0, "KiB, as pgpgin counts");
    assert_eq!((first.swap_in_pages, first.swap_out_bytes), (4.0, 32768.0));
    assert_eq!(first.swap_in_per_second, 0.0);
    let later = VmStats { swapins: 24, ..vm };
    let p = map::paging(&later, Some((&vm, 2.0)), 4096);
    assert_eq!(
        (
            p.swap_in_per_second,
            p.swap_out_per_second,
            p.interval_seconds
        ),
        (10.0, 0.0, 2.0)
    );
}
