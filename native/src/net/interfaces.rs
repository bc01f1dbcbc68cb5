//! Network interfaces: counters from `/proc/net/dev`, attributes from
//! `/sys/class/net/<if>`, addresses from the kernel (`getifaddrs`).

use napi_derive::napi;

use crate::error::{Error, Result};
use crate::procfs::Roots;

/// One network interface.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct NetInterface {
    pub name: String,
    /// `aa:bb:cc:dd:ee:ff`, "" when the interface has none.
    pub mac_address: String,
    /// Addresses as text (`192.0.2.1/24`, `2001:db8::1/64`).
    pub ip_addresses: Vec<String>,
    pub mtu: u32,
    /// Link speed, Mbit/s; 0 when the driver does not say (virtual devices, link down).
    pub speed_mbps: f64,
    /// Administratively up and running (`operstate` up or unknown with `IFF_UP`).
    pub is_up: bool,
    pub is_loopback: bool,
    pub rx_bytes: f64,
    pub tx_bytes: f64,
    pub rx_packets: f64,
    pub tx_packets: f64,
    pub rx_errors: f64,
    pub tx_errors: f64,
    pub rx_dropped: f64,
    pub tx_dropped: f64,
    pub rx_fifo: f64,
    pub tx_fifo: f64,
    pub rx_bytes_per_second: f64,
    pub tx_bytes_per_second: f64,
}

/// Sums over all interfaces except loopback.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct NetworkTotals {
    pub rx_bytes: f64,
    pub tx_bytes: f64,
    pub rx_packets: f64,
    pub tx_packets: f64,
    pub rx_errors: f64,
    pub tx_errors: f64,
    pub rx_dropped: f64,
    pub tx_dropped: f64,
    pub rx_fifo: f64,
    pub tx_fifo: f64,
    pub rx_bytes_per_second: f64,
    pub tx_bytes_per_second: f64,
}

/// The interfaces group.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct NetworkSnapshot {
    pub interfaces: Vec<NetInterface>,
    pub totals: NetworkTotals,
}

/// Previous counters per interface.
#[derive(Debug, Default)]
pub struct State {}

pub fn collect(_roots: &Roots, _state: &mut State, _seconds: f64) -> Result<NetworkSnapshot> {
    Err(Error::Unsupported("network"))
}
