//! TCP connection counts by state for IPv4 and IPv6 through netlink `SOCK_DIAG`
//! (the kernel filters and summarises; `/proc/net/tcp*` walks the whole hash table
//! as text and costs ~10x more, so it is only the fallback), plus the TCP counters
//! of `/proc/net/snmp`.

//!
//! Which sockets: the netlink answer is the agent's own network namespace, so it
//! is used only when that is the namespace the snapshot describes; under a
//! `rootPath` looking at another namespace, init's `/proc/1/net/tcp*` are read.
//! `/proc/net/snmp` is always read from the described namespace.

use std::collections::HashMap;

use napi_derive::napi;

use crate::error::Result;
use crate::net::{agent_sees_described_netns, netlink, proc_net};
use crate::procfs::{read_string, Roots};

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

/// Linux address families, as `inet_diag` wants them.
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

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

    fn from_states(states: &netlink::StateCounts) -> Self {
        let mut c = TcpStateCounts::default();
        for (state, &n) in states.iter().enumerate() {
            if n > 0 {
                c.add(state, n);
            }
        }
        c
    }

    fn plus(&self, o: &Self) -> Self {
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

/// Counts the sockets of a `/proc/net/tcp` or `/proc/net/tcp6` text by its `st`
/// column (hex state). The header and malformed lines are skipped.
pub fn parse_proc_net_tcp(text: &str) -> TcpStateCounts {
    let mut counts = TcpStateCounts::default();
    for line in text.lines() {
        let Some(st) = line.split_ascii_whitespace().nth(3) else {
            continue;
        };
        if let Ok(state) = usize::from_str_radix(st, 16) {
            counts.add(state, 1);
        }
    }
    counts
}

/// The `Tcp:` counters of `/proc/net/snmp`, by name (`RetransSegs` → value). The
/// file pairs a header line with a value line per protocol; columns are matched
/// by name, not position, since kernels add columns.
pub fn parse_snmp_tcp(text: &str) -> HashMap<String, f64> {
    let mut rows = text.lines().filter_map(|l| l.strip_prefix("Tcp:"));
    let (Some(names), Some(values)) = (rows.next(), rows.next()) else {
        return HashMap::new();
    };
    names
        .split_ascii_whitespace()
        .zip(values.split_ascii_whitespace())
        .filter_map(|(n, v)| {
            let value = match v.parse::<i64>() {
                Ok(x) => x as f64,
                Err(_) => v.parse::<u64>().ok()? as f64,
            };
            Some((n.to_string(), value))
        })
        .collect()
}

/// IPv4 and IPv6 counts from the agent's namespace through netlink.
pub fn count_netlink() -> Result<(TcpStateCounts, TcpStateCounts)> {
    let v4 = netlink::count(AF_INET)?;
    let v6 = netlink::count(AF_INET6)?;
    Ok((
        TcpStateCounts::from_states(&v4),
        TcpStateCounts::from_states(&v6),
    ))
}

/// IPv4 and IPv6 counts from `/proc/net/tcp` and `tcp6` of the described
/// namespace. A missing `tcp6` (IPv6 disabled) counts as none.
pub fn count_procfs(roots: &Roots) -> Result<(TcpStateCounts, TcpStateCounts)> {
    let v4 = parse_proc_net_tcp(&read_string(&proc_net(roots, "tcp"))?);
    let v6 = match read_string(&proc_net(roots, "tcp6")) {
        Ok(text) => parse_proc_net_tcp(&text),
        Err(e) if e.is_not_found() => TcpStateCounts::default(),
        Err(e) => return Err(e),
    };
    Ok((v4, v6))
}

/// Counts by state (netlink, else `/proc/net/tcp*`) and the `/proc/net/snmp`
/// counters. A missing `snmp` leaves its counters at zero.
pub fn collect(roots: &Roots) -> Result<TcpSnapshot> {
    let netlink = if agent_sees_described_netns(roots) {
        count_netlink().ok()
    } else {
        None
    };
    let (source, (ipv4, ipv6)) = match netlink {
        Some(counts) => ("netlink", counts),
        None => ("procfs", count_procfs(roots)?),
    };
    let snmp = match read_string(&proc_net(roots, "snmp")) {
        Ok(text) => parse_snmp_tcp(&text),
        Err(e) if e.is_not_found() => HashMap::new(),
        Err(e) => return Err(e),
    };
    let get = |k: &str| snmp.get(k).copied().unwrap_or(0.0);
    Ok(TcpSnapshot {
        all: ipv4.plus(&ipv6),
        ipv4,
        ipv6,
        source: source.to_string(),
        retransmitted_segments: get("RetransSegs"),
        out_segments: get("OutSegs"),
        in_segments: get("InSegs"),
        active_opens: get("ActiveOpens"),
        passive_opens: get("PassiveOpens"),
        attempt_fails: get("AttemptFails"),
        estab_resets: get("EstabResets"),
        in_errors: get("InErrs"),
        out_resets: get("OutRsts"),
    })
}

#[cfg(test)]
mod tests;
