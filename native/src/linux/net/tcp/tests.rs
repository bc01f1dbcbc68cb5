//! TCP counts: `/proc/net/tcp*` and `/proc/net/snmp` fixtures, netlink replies
//! built by hand, and the live host seeing sockets this test opens.

use std::net::{TcpListener, TcpStream};

use crate::linux::net::netlink::{parse_replies, request, Flow};
use crate::linux::net::tcp::{collect, count_procfs, parse_proc_net_tcp, parse_snmp_tcp};
use crate::linux::procfs::Roots;
use crate::linux::testutil;

fn fixture(name: &str) -> String {
    testutil::fixture_text("tcp", name)
}

/// A host tree (root path ≠ `/`) with init's `/proc/1/net/{tcp,tcp6,snmp}`.
fn tree(files: &[&str]) -> (tempfile::TempDir, Roots) {
    let files: Vec<(String, String)> = files
        .iter()
        .map(|f| (format!("proc/1/net/{f}"), fixture(f)))
        .collect();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(rel, text)| (rel.as_str(), text.as_str()))
        .collect();
    let (dir, roots) = testutil::tree(&files);
    // The folder is there even when none of its files are.
    std::fs::create_dir_all(dir.path().join("proc/1/net")).unwrap();
    (dir, roots)
}

#[test]
fn proc_net_tcp_counts_sockets_by_their_hex_state() {
    let c = parse_proc_net_tcp(&fixture("tcp"));
    assert_eq!((c.listen, c.established, c.time_wait), (1, 2, 1));
    assert_eq!((c.syn_recv, c.syn_sent, c.close_wait), (1, 1, 1));
    assert_eq!(c.total, 7);
}

#[test]
fn proc_net_tcp6_counts_the_same_way() {
    let c = parse_proc_net_tcp(&fixture("tcp6"));
    assert_eq!(
        (c.listen, c.established, c.fin_wait1, c.closing),
        (1, 1, 1, 1)
    );
    assert_eq!(c.total, 4);
}

#[test]
fn snmp_tcp_counters_are_matched_by_column_name() {
    let m = parse_snmp_tcp(&fixture("snmp"));
    assert_eq!(m["RetransSegs"], 18446744073709551.0);
    assert_eq!(m["MaxConn"], -1.0);
    assert_eq!(m["OutRsts"], 124.0);
    assert!(!m.contains_key("InDatagrams"));
    let r = parse_snmp_tcp(&fixture("snmp-reordered"));
    assert_eq!(
        (r["RetransSegs"], r["InSegs"], r["OutRsts"]),
        (77.0, 100.0, 5.0)
    );
}

#[test]
fn a_host_tree_is_read_from_procfs_with_snmp_counters() {
    let (_dir, roots) = tree(&["tcp", "tcp6", "snmp"]);
    let snap = collect(&roots).unwrap();
    assert_eq!(snap.source, "procfs");
    assert_eq!(snap.ipv4.total, 7);
    assert_eq!(snap.ipv6.total, 4);
    assert_eq!(snap.all.listen, 2);
    assert_eq!(snap.all.established, 3);
    assert_eq!(snap.all.total, 11);
    assert_eq!(snap.retransmitted_segments, 18446744073709551.0);
    assert_eq!(
        (snap.active_opens, snap.passive_opens, snap.attempt_fails),
        (118.0, 2.0, 3.0)
    );
    assert_eq!((snap.estab_resets, snap.in_errors), (10.0, 4.0));
    assert_eq!((snap.in_segments, snap.out_segments), (26844.0, 20141.0));
}

#[test]
fn missing_tcp6_and_snmp_are_zeros_but_a_missing_tcp_is_an_error() {
    let (_dir, roots) = tree(&["tcp"]);
    let snap = collect(&roots).unwrap();
    assert_eq!(snap.ipv6.total, 0);
    assert_eq!(snap.retransmitted_segments, 0.0);
    let (_dir, roots) = tree(&[]);
    assert!(collect(&roots).is_err());
}

/// One netlink message: header then payload, padded to 4 bytes.
fn message(kind: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(&((16 + payload.len()) as u32).to_ne_bytes());
    m.extend_from_slice(&kind.to_ne_bytes());
    m.extend_from_slice(&2u16.to_ne_bytes());
    m.extend_from_slice(&seq.to_ne_bytes());
    m.extend_from_slice(&0u32.to_ne_bytes());
    m.extend_from_slice(payload);
    while m.len() % 4 != 0 {
        m.push(0);
    }
    m
}

fn diag_msg(state: u8) -> Vec<u8> {
    let mut p = vec![0u8; 72];
    p[0] = 2;
    p[1] = state;
    p
}

#[test]
fn netlink_replies_are_counted_by_state_until_done() {
    let mut chunk = Vec::new();
    for state in [10, 1, 1, 12, 6] {
        chunk.extend(message(20, 7, &diag_msg(state)));
    }
    chunk.extend(message(20, 99, &diag_msg(1))); // a stale reply: ignored
    let mut counts = [0u32; 16];
    assert_eq!(parse_replies(&chunk, 7, &mut counts).unwrap(), Flow::More);
    assert_eq!((counts[10], counts[1], counts[12], counts[6]), (1, 2, 1, 1));
    let done = message(3, 7, &0i32.to_ne_bytes());
    assert_eq!(parse_replies(&done, 7, &mut counts).unwrap(), Flow::Done);
}

#[test]
fn netlink_errors_and_bad_lengths_are_errors_not_panics() {
    let mut counts = [0u32; 16];
    let eperm = message(2, 1, &(-1i32).to_ne_bytes());
    assert!(parse_replies(&eperm, 1, &mut counts).is_err());
    let failed_dump = message(3, 1, &(-16i32).to_ne_bytes());
    assert!(parse_replies(&failed_dump, 1, &mut counts).is_err());
    let mut lying = message(20, 1, &diag_msg(1));
    lying[0] = 200;
    assert!(parse_replies(&lying, 1, &mut counts).is_err());
    let ack = message(2, 1, &0i32.to_ne_bytes());
    assert_eq!(parse_replies(&ack, 1, &mut counts).unwrap(), Flow::More);
}

#[test]
fn the_request_is_a_72_byte_tcp_dump_of_every_connection_state() {
    let r = request(10, 5);
    assert_eq!(r.len(), 72);
    assert_eq!(u32::from_ne_bytes(r[0..4].try_into().unwrap()), 72);
    assert_eq!(u16::from_ne_bytes(r[4..6].try_into().unwrap()), 20);
    assert_eq!((r[16], r[17]), (10, 6));
    assert_eq!(u32::from_ne_bytes(r[20..24].try_into().unwrap()), 0x1ffe);
}

#[test]
fn the_live_host_counts_the_sockets_this_test_opens() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let n = 3;
    let clients: Vec<_> = (0..n).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let accepted: Vec<_> = (0..n).map(|_| listener.accept().unwrap()).collect();
    let snap = collect(&Roots::default()).unwrap();
    let procfs = count_procfs(&Roots::default()).unwrap().0;
    assert!(snap.ipv4.listen >= 1, "{snap:?}");
    assert!(snap.ipv4.established >= 2 * n, "{snap:?}");
    assert!(procfs.established >= 2 * n);
    assert!(snap.all.total >= snap.ipv4.total);
    assert!(snap.source == "netlink" || snap.source == "procfs");
    drop((clients, accepted));
}

#[test]
fn netlink_works_on_this_linux_host() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (v4, _v6) = crate::linux::net::tcp::count_netlink().unwrap();
    assert!(v4.listen >= 1 && v4.established >= 2, "{v4:?}");
}

proptest::proptest! {
    #[test]
    fn proc_net_tcp_and_snmp_parsing_never_panic_on_arbitrary_input(text in "(\\PC|[ :\\n0-9A-F])*") {
        parse_proc_net_tcp(&text);
        parse_snmp_tcp(&text);
        parse_snmp_tcp(&format!("Tcp: {text}\nTcp: {text}"));
    }

    #[test]
    fn netlink_reply_parsing_never_panics_on_arbitrary_bytes(
        bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512),
        seq in 0u32..4,
    ) {
        let mut counts = [0u32; 16];
        let _ = parse_replies(&bytes, seq, &mut counts);
    }

    #[test]
    fn netlink_replies_with_plausible_headers_and_wrong_lengths_never_panic(
        parts in proptest::collection::vec(
            (proptest::sample::select(vec![2u16, 3, 20, 1]),
             proptest::collection::vec(proptest::num::u8::ANY, 0..80),
             -20i64..20),
            0..8,
        ),
    ) {
        let mut chunk = Vec::new();
        for (kind, payload, skew) in parts {
            let mut m = message(kind, 1, &payload);
            let len = (m.len() as i64 + skew).max(0) as u32;
            m[0..4].copy_from_slice(&len.to_ne_bytes());
            chunk.extend(m);
        }
        let mut counts = [0u32; 16];
        let _ = parse_replies(&chunk, 1, &mut counts);
    }
}
