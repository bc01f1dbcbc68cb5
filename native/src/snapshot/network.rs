//! Network interfaces: cumulative counters per interface, and the totals and rates
//! over the interval between two readings ([`build`]).

use std::collections::HashMap;

use napi_derive::napi;

use super::rates::{counter_delta, rate};

/// One network interface.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct NetInterface {
    /// Kernel name, e.g. `eth0`, `docker0`, `bond0.100`.
    pub name: String,
    /// `aa:bb:cc:dd:ee:ff`, "" when the interface has none.
    pub mac_address: String,
    /// Addresses as text (`192.0.2.1/24`, `2001:db8::1/64`).
    pub ip_addresses: Vec<String>,
    /// MTU, bytes; 0 when sysfs does not say.
    pub mtu: u32,
    /// Link speed, Mbit/s; 0 when the driver does not say (virtual devices, link down).
    pub speed_mbps: f64,
    /// Administratively up and running (`operstate` up or unknown with `IFF_UP`).
    pub is_up: bool,
    /// `IFF_LOOPBACK` (or link type loopback).
    pub is_loopback: bool,
    /// Bytes received since the interface appeared.
    pub rx_bytes: f64,
    /// Bytes sent since the interface appeared.
    pub tx_bytes: f64,
    /// Packets received.
    pub rx_packets: f64,
    /// Packets sent.
    pub tx_packets: f64,
    /// Receive errors.
    pub rx_errors: f64,
    /// Transmit errors.
    pub tx_errors: f64,
    /// Received packets dropped.
    pub rx_dropped: f64,
    /// Packets dropped on send.
    pub tx_dropped: f64,
    /// Receive FIFO (ring buffer) overruns.
    pub rx_fifo: f64,
    /// Transmit FIFO errors.
    pub tx_fifo: f64,
    /// Bytes received per second over the interval.
    pub rx_bytes_per_second: f64,
    /// Bytes sent per second over the interval.
    pub tx_bytes_per_second: f64,
    /// True when this interface's counters are summed into `totals` (see `NetworkTotals`).
    pub counted_in_totals: bool,
}

/// Sums over the interfaces that carry the host's own traffic, so a packet is
/// counted once on its way in or out:
/// - interfaces backed by a device (`/sys/class/net/<if>/device` exists: NICs,
///   virtio, Wi-Fi) that are not members of a bond, plus bond masters (whose
///   members' traffic they already carry);
/// - never loopback, and never purely virtual interfaces (veth pairs, bridges such as
///   `docker0` or `cni0`, VLANs over a parent, tunnels), whose traffic also crosses
///   a device-backed interface;
/// - when that leaves no interface at all (in a container, whose only `eth0` is a
///   veth), every interface except loopback, so the totals are never silently 0.
///
/// Each interface's `countedInTotals` says whether it is in the sums.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct NetworkTotals {
    /// Bytes received.
    pub rx_bytes: f64,
    /// Bytes sent.
    pub tx_bytes: f64,
    /// Packets received.
    pub rx_packets: f64,
    /// Packets sent.
    pub tx_packets: f64,
    /// Receive errors.
    pub rx_errors: f64,
    /// Transmit errors.
    pub tx_errors: f64,
    /// Received packets dropped.
    pub rx_dropped: f64,
    /// Packets dropped on send.
    pub tx_dropped: f64,
    /// Receive FIFO overruns.
    pub rx_fifo: f64,
    /// Transmit FIFO errors.
    pub tx_fifo: f64,
    /// Bytes received per second over the interval.
    pub rx_bytes_per_second: f64,
    /// Bytes sent per second over the interval.
    pub tx_bytes_per_second: f64,
}

/// The interfaces group.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct NetworkSnapshot {
    /// Every interface of `/proc/net/dev`, in its order.
    pub interfaces: Vec<NetInterface>,
    /// Sums over the interfaces that carry the host's traffic (see `NetworkTotals`).
    pub totals: NetworkTotals,
    /// Seconds the rates cover: since this group's previous successful read. 0 on the
    /// first read and when that was under 0.1 s ago (rates are then all zero).
    pub interval_seconds: f64,
}

/// The 16 counters of one `/proc/net/dev` line, in the kernel's order: receive
/// bytes, packets, errs, drop, fifo, frame, compressed, multicast; then transmit
/// bytes, packets, errs, drop, fifo, colls, carrier, compressed.
pub type DevCounters = [u64; 16];

const RX_BYTES: usize = 0;

const RX_PACKETS: usize = 1;

const RX_ERRS: usize = 2;

const RX_DROP: usize = 3;

const RX_FIFO: usize = 4;

const TX_BYTES: usize = 8;

const TX_PACKETS: usize = 9;

const TX_ERRS: usize = 10;

const TX_DROP: usize = 11;

const TX_FIFO: usize = 12;

/// What `/sys/class/net/<if>` says; absent attributes read as zero/empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkAttrs {
    pub mac_address: String,
    pub mtu: u32,
    pub speed_mbps: u64,
    pub is_up: bool,
    pub is_loopback: bool,
    /// `device` exists: a physical or paravirtual NIC rather than a software interface.
    pub has_device: bool,
    /// A member of a bond (`bonding_slave`, or a `master` that is a bond).
    pub bond_member: bool,
    /// A bond master (`bonding`).
    pub is_bond: bool,
}

impl LinkAttrs {
    /// Counted in the totals when some interface qualifies (see [`NetworkTotals`]).
    pub fn carries_host_traffic(&self) -> bool {
        !self.is_loopback && ((self.has_device && !self.bond_member) || self.is_bond)
    }
}

/// Counters per interface at this group's previous successful read.
pub type Counters = HashMap<String, DevCounters>;

/// The delta maths, separate from the file reading so tests can drive it: `prev` is
/// the previous counters and the seconds since them (`None`: no rates). Returns the
/// snapshot and this read's counters, to keep for the next.
pub fn build(
    lines: &[(String, DevCounters)],
    links: Vec<(LinkAttrs, Vec<String>)>,
    prev: Option<(&Counters, f64)>,
) -> (NetworkSnapshot, Counters) {
    let (before, seconds) = match prev {
        Some((c, s)) if s > 0.0 => (Some(c), s),
        _ => (None, 0.0),
    };
    let mut totals = NetworkTotals::default();
    let any_carrier = links.iter().any(|(l, _)| l.carries_host_traffic());
    let mut next = HashMap::with_capacity(lines.len());
    let mut interfaces = Vec::with_capacity(lines.len());
    for ((name, c), (link, ips)) in lines.iter().zip(links) {
        let prev = before.and_then(|b| b.get(name));
        let per_second = |i: usize| prev.map_or(0.0, |p| rate(counter_delta(p[i], c[i]), seconds));
        let f = |i: usize| c[i] as f64;
        let counted = if any_carrier {
            link.carries_host_traffic()
        } else {
            !link.is_loopback
        };
        let iface = NetInterface {
            name: name.clone(),
            mac_address: link.mac_address,
            ip_addresses: ips,
            mtu: link.mtu,
            speed_mbps: link.speed_mbps as f64,
            is_up: link.is_up,
            is_loopback: link.is_loopback,
            rx_bytes: f(RX_BYTES),
            tx_bytes: f(TX_BYTES),
            rx_packets: f(RX_PACKETS),
            tx_packets: f(TX_PACKETS),
            rx_errors: f(RX_ERRS),
            tx_errors: f(TX_ERRS),
            rx_dropped: f(RX_DROP),
            tx_dropped: f(TX_DROP),
            rx_fifo: f(RX_FIFO),
            tx_fifo: f(TX_FIFO),
            rx_bytes_per_second: per_second(RX_BYTES),
            tx_bytes_per_second: per_second(TX_BYTES),
            counted_in_totals: counted,
        };
        if counted {
            let t = &mut totals;
            t.rx_bytes += iface.rx_bytes;
            t.tx_bytes += iface.tx_bytes;
            t.rx_packets += iface.rx_packets;
            t.tx_packets += iface.tx_packets;
            t.rx_errors += iface.rx_errors;
            t.tx_errors += iface.tx_errors;
            t.rx_dropped += iface.rx_dropped;
            t.tx_dropped += iface.tx_dropped;
            t.rx_fifo += iface.rx_fifo;
            t.tx_fifo += iface.tx_fifo;
            t.rx_bytes_per_second += iface.rx_bytes_per_second;
            t.tx_bytes_per_second += iface.tx_bytes_per_second;
        }
        next.insert(name.clone(), *c);
        interfaces.push(iface);
    }
    let snap = NetworkSnapshot {
        interfaces,
        totals,
        interval_seconds: seconds,
    };
    (snap, next)
}
