//! `/proc/net/dev` and `/sys/class/net` on fixture trees, and the live host's `lo`.

use std::fs;
use std::path::Path;

use crate::linux::net::interfaces::{collect, parse_net_dev, State};
use crate::linux::procfs::Roots;
use crate::linux::testutil;

fn dev_fixture() -> String {
    testutil::fixture_text("network", "dev")
}

fn write_attrs(sys: &Path, name: &str, attrs: &[(&str, &str)]) {
    let dir = sys.join("class/net").join(name);
    fs::create_dir_all(&dir).unwrap();
    for (k, v) in attrs {
        fs::write(dir.join(k), format!("{v}\n")).unwrap();
    }
}

/// A host tree (root path ≠ `/`, so init's `/proc/1/net/dev` is read) with sysfs
/// attributes for `lo` and `eth0`.
fn tree(dev: &str) -> (tempfile::TempDir, Roots) {
    let (dir, roots) = testutil::tree(&[("proc/1/net/dev", dev)]);
    let sys = dir.path().join("sys");
    write_attrs(
        &sys,
        "lo",
        &[
            ("address", "00:00:00:00:00:00"),
            ("mtu", "65536"),
            ("flags", "0x9"),
            ("type", "772"),
            ("operstate", "unknown"),
        ],
    );
    write_attrs(
        &sys,
        "eth0",
        &[
            ("address", "52:54:00:12:34:56"),
            ("mtu", "1500"),
            ("flags", "0x1003"),
            ("type", "1"),
            ("operstate", "up"),
            ("speed", "10000"),
        ],
    );
    write_attrs(
        &sys,
        "veth1234567abcd",
        &[
            ("speed", "-1"),
            ("operstate", "down"),
            ("flags", "0x1002"),
            ("mtu", "1500"),
        ],
    );
    (dir, roots)
}

#[test]
fn proc_net_dev_names_with_colons_long_names_and_no_space_after_the_colon_parse() {
    let lines = parse_net_dev(&dev_fixture());
    let names: Vec<_> = lines.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["lo", "eth0", "veth1234567abcd", "eth0:1", "old0"]);
    let eth0 = &lines[1].1;
    assert_eq!(eth0[0], 465849988);
    assert_eq!(eth0[15], 12);
    assert_eq!(lines[2].1[0], u64::MAX);
    // Short lines are padded with zeros.
    assert_eq!(lines[4].1[8], 9);
    assert_eq!(lines[4].1[9], 0);
}

#[test]
fn interfaces_carry_sysfs_attributes_and_totals_leave_out_loopback() {
    let (_dir, roots) = tree(&dev_fixture());
    let snap = collect(
        &roots,
        &mut State::default(),
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    let get = |n: &str| snap.interfaces.iter().find(|i| i.name == n).unwrap();
    let lo = get("lo");
    assert!(lo.is_loopback && lo.is_up);
    assert_eq!((lo.mtu, lo.mac_address.as_str()), (65536, ""));
    let eth0 = get("eth0");
    assert!(!eth0.is_loopback && eth0.is_up);
    assert_eq!(eth0.mac_address, "52:54:00:12:34:56");
    assert_eq!(eth0.speed_mbps, 10000.0);
    assert_eq!(
        (eth0.rx_errors, eth0.rx_dropped, eth0.rx_fifo),
        (1.0, 2.0, 3.0)
    );
    assert_eq!(
        (eth0.tx_errors, eth0.tx_dropped, eth0.tx_fifo),
        (7.0, 8.0, 9.0)
    );
    let veth = get("veth1234567abcd");
    assert_eq!(veth.speed_mbps, 0.0);
    assert!(!veth.is_up);
    // Interfaces with no sysfs directory still come back, with empty attributes.
    assert_eq!(get("old0").mtu, 0);
    // No addresses: the tree is not the agent's own network namespace.
    assert!(snap.interfaces.iter().all(|i| i.ip_addresses.is_empty()));
    let tx_without_lo = 2286528.0 + 100.0 + 20.0 + 9.0;
    assert_eq!(snap.totals.tx_bytes, tx_without_lo);
    assert_eq!(snap.totals.rx_errors, 1.0);
}

#[test]
fn rates_follow_deltas_and_survive_counters_that_wrap_or_reset() {
    let (dir, roots) = tree("  eth0: 1000 1 0 0 0 0 0 0 18446744073709551000 1 0 0 0 0 0 0\n");
    let dev = dir.path().join("proc/1/net/dev");
    let mut state = State::default();
    let first = collect(&roots, &mut state, crate::linux::testutil::at(0.0)).unwrap();
    assert_eq!(first.interfaces[0].rx_bytes_per_second, 0.0);
    fs::write(
        &dev,
        "  eth0: 3000 1 0 0 0 0 0 0 18446744073709551100 1 0 0 0 0 0 0\n",
    )
    .unwrap();
    let snap = collect(&roots, &mut state, crate::linux::testutil::at(2.0)).unwrap();
    assert_eq!(snap.interfaces[0].rx_bytes_per_second, 1000.0);
    assert_eq!(snap.interfaces[0].tx_bytes_per_second, 50.0);
    assert_eq!(snap.totals.rx_bytes_per_second, 1000.0);
    fs::write(&dev, "  eth0: 500 1 0 0 0 0 0 0 40 1 0 0 0 0 0 0\n").unwrap();
    let snap = collect(&roots, &mut state, crate::linux::testutil::at(3.0)).unwrap();
    assert_eq!(snap.interfaces[0].rx_bytes_per_second, 500.0);
    assert_eq!(snap.interfaces[0].tx_bytes_per_second, 40.0);
}

#[test]
fn a_missing_proc_net_dev_is_an_empty_group() {
    let (_dir, roots) = testutil::tree(&[]);
    let snap = collect(
        &roots,
        &mut State::default(),
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    assert!(snap.interfaces.is_empty());
}

#[test]
fn the_live_host_has_a_loopback_lo_with_an_mtu_and_its_address() {
    let snap = collect(
        &Roots::default(),
        &mut State::default(),
        crate::linux::testutil::at(0.0),
    )
    .unwrap();
    let lo = snap.interfaces.iter().find(|i| i.name == "lo").expect("lo");
    assert!(lo.is_loopback);
    assert!(lo.mtu > 0);
    assert!(
        lo.ip_addresses.iter().any(|a| a == "127.0.0.1/8"),
        "{:?}",
        lo.ip_addresses
    );
}

proptest::proptest! {
    #[test]
    fn proc_net_dev_parsing_never_panics_on_arbitrary_input(text in "(\\PC|[ :|\\n0-9])*") {
        let lines = parse_net_dev(&text);
        let links = lines.iter().map(|_| Default::default()).collect();
        let prev = Default::default();
        crate::linux::net::interfaces::build(&lines, links, Some((&prev, 1.0)));
    }
}

/// A host tree whose `/proc/1/net/dev` lists `ifaces` (name, rx bytes, tx bytes)
/// and whose sysfs has, per interface, the entries named in `sysfs` (`device`,
/// `bonding`, `bonding_slave`; `master=<if>` links `master` to that interface).
fn host(ifaces: &[(&str, u64, u64)], sysfs: &[(&str, &[&str])]) -> (tempfile::TempDir, Roots) {
    let dev: String = ifaces
        .iter()
        .map(|(n, rx, tx)| format!("{n}: {rx} 1 0 0 0 0 0 0 {tx} 1 0 0 0 0 0 0\n"))
        .collect();
    let (dir, roots) = testutil::tree(&[("proc/1/net/dev", &dev)]);
    let net = dir.path().join("sys/class/net");
    for (name, _, _) in ifaces {
        let flags = if *name == "lo" { "0x9" } else { "0x1003" };
        write_attrs(&dir.path().join("sys"), name, &[("flags", flags)]);
    }
    for (name, entries) in sysfs {
        for e in *entries {
            match e.strip_prefix("master=") {
                Some(m) => {
                    std::os::unix::fs::symlink(net.join(m), net.join(name).join("master")).unwrap()
                }
                None => fs::create_dir_all(net.join(name).join(e)).unwrap(),
            }
        }
    }
    (dir, roots)
}

fn counted(snap: &crate::snapshot::network::NetworkSnapshot) -> Vec<&str> {
    snap.interfaces
        .iter()
        .filter(|i| i.counted_in_totals)
        .map(|i| i.name.as_str())
        .collect()
}

#[test]
fn totals_count_the_nic_and_not_the_docker_bridge_or_its_veths() {
    let (_dir, roots) = host(
        &[
            ("lo", 5000, 5000),
            ("eth0", 1000, 2000),
            ("docker0", 300, 400),
            ("vethab12cd3", 400, 300),
        ],
        &[("eth0", &["device"]), ("docker0", &["bridge"])],
    );
    let snap = collect(&roots, &mut State::default(), testutil::at(0.0)).unwrap();
    assert_eq!(counted(&snap), ["eth0"]);
    assert_eq!(
        (snap.totals.rx_bytes, snap.totals.tx_bytes),
        (1000.0, 2000.0)
    );
}

#[test]
fn totals_count_a_bond_once_and_not_its_members() {
    let (_dir, roots) = host(
        &[
            ("lo", 5000, 5000),
            ("eth0", 600, 700),
            ("eth1", 400, 300),
            ("bond0", 1000, 1000),
            ("bond0.100", 200, 200),
        ],
        &[
            ("bond0", &["bonding"]),
            ("eth0", &["device", "bonding_slave", "master=bond0"]),
            ("eth1", &["device", "master=bond0"]),
        ],
    );
    let snap = collect(&roots, &mut State::default(), testutil::at(0.0)).unwrap();
    assert_eq!(counted(&snap), ["bond0"]);
    assert_eq!(
        (snap.totals.rx_bytes, snap.totals.tx_bytes),
        (1000.0, 1000.0)
    );
}

#[test]
fn totals_in_a_container_with_only_a_veth_eth0_count_that_eth0() {
    let (_dir, roots) = host(&[("lo", 5000, 5000), ("eth0", 1234, 4321)], &[]);
    let snap = collect(&roots, &mut State::default(), testutil::at(0.0)).unwrap();
    assert_eq!(counted(&snap), ["eth0"]);
    assert_eq!(
        (snap.totals.rx_bytes, snap.totals.tx_bytes),
        (1234.0, 4321.0)
    );
}
