//! TCP connections by state.

use napi_derive::napi;

/// Sockets per TCP state (the kernel's `TCP_*` states).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct TcpStateCounts {
    /// `ESTABLISHED` sockets.
    pub established: u32,
    /// `SYN_SENT` sockets.
    pub syn_sent: u32,
    /// `SYN_RECV` sockets.
    pub syn_recv: u32,
    /// `FIN_WAIT1` sockets.
    pub fin_wait1: u32,
    /// `FIN_WAIT2` sockets.
    pub fin_wait2: u32,
    /// `TIME_WAIT` sockets.
    pub time_wait: u32,
    /// `CLOSE` sockets.
    pub close: u32,
    /// `CLOSE_WAIT` sockets.
    pub close_wait: u32,
    /// `LAST_ACK` sockets.
    pub last_ack: u32,
    /// `LISTEN` sockets.
    pub listen: u32,
    /// `CLOSING` sockets.
    pub closing: u32,
    /// All sockets counted.
    pub total: u32,
}

/// The TCP group.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct TcpSnapshot {
    /// IPv4 sockets by state.
    pub ipv4: TcpStateCounts,
    /// IPv6 sockets by state.
    pub ipv6: TcpStateCounts,
    /// IPv4 and IPv6 together.
    pub all: TcpStateCounts,
    /// `netlink` or `procfs` (the fallback, e.g. where netlink is refused).
    pub source: String,
    /// Cumulative `RetransSegs` of `/proc/net/snmp`.
    pub retransmitted_segments: f64,
    /// Cumulative `OutSegs` (segments sent, retransmissions excluded).
    pub out_segments: f64,
    /// Cumulative `InSegs` (segments received, errors included).
    pub in_segments: f64,
    /// Cumulative `ActiveOpens` (connections this host opened).
    pub active_opens: f64,
    /// Cumulative `PassiveOpens` (connections accepted).
    pub passive_opens: f64,
    /// Cumulative `AttemptFails`.
    pub attempt_fails: f64,
    /// Cumulative `EstabResets`.
    pub estab_resets: f64,
    /// Cumulative `InErrs` (segments received in error).
    pub in_errors: f64,
    /// Cumulative `OutRsts` (resets sent).
    pub out_resets: f64,
}

impl TcpStateCounts {
    /// Adds `n` sockets in kernel state `state` (`TCP_*`; 12, `NEW_SYN_RECV`, a
    /// request socket, counts as `syn_recv`). Unknown states count in `total` only.
    pub fn add(&mut self, state: usize, n: u32) {
        let slot = match state {
            1 => Some(&mut self.established),
            2 => Some(&mut self.syn_sent),
            3 | 12 => Some(&mut self.syn_recv),
            4 => Some(&mut self.fin_wait1),
            5 => Some(&mut self.fin_wait2),
            6 => Some(&mut self.time_wait),
            7 => Some(&mut self.close),
            8 => Some(&mut self.close_wait),
            9 => Some(&mut self.last_ack),
            10 => Some(&mut self.listen),
            11 => Some(&mut self.closing),
            _ => None,
        };
        if let Some(slot) = slot {
            *slot = slot.saturating_add(n);
        }
        self.total = self.total.saturating_add(n);
    }

    /// The two counts together (IPv4 and IPv6).
    pub fn plus(&self, o: &Self) -> Self {
        let s = |a: u32, b: u32| a.saturating_add(b);
        TcpStateCounts {
            established: s(self.established, o.established),
            syn_sent: s(self.syn_sent, o.syn_sent),
            syn_recv: s(self.syn_recv, o.syn_recv),
            fin_wait1: s(self.fin_wait1, o.fin_wait1),
            fin_wait2: s(self.fin_wait2, o.fin_wait2),
            time_wait: s(self.time_wait, o.time_wait),
            close: s(self.close, o.close),
            close_wait: s(self.close_wait, o.close_wait),
            last_ack: s(self.last_ack, o.last_ack),
            listen: s(self.listen, o.listen),
            closing: s(self.closing, o.closing),
            total: s(self.total, o.total),
        }
    }
}
