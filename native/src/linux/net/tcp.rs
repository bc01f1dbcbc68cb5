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

use crate::error::Result;
use crate::linux::net::{agent_sees_described_netns, netlink, proc_net};
use crate::linux::procfs::{read_string, Roots};
pub use crate::snapshot::tcp::{TcpSnapshot, TcpStateCounts};

/// Linux address families, as `inet_diag` wants them.
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

fn from_states(states: &netlink::StateCounts) -> TcpStateCounts {
    let mut c = TcpStateCounts::default();
    for (state, &n) in states.iter().enumerate() {
        if n > 0 {
            c.add(state, n);
        }
    }
    c
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
    Ok((from_states(&v4), from_states(&v6)))
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
