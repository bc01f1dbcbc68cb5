//! Network interfaces: counters from `/proc/net/dev`, attributes from
//! `/sys/class/net/<if>`, addresses from the kernel (`getifaddrs`).

use std::time::Instant;

use crate::error::Result;
use crate::linux::net::{addrs, agent_sees_described_netns, proc_net};
use crate::linux::procfs::{read_string, read_trimmed, Roots};
pub use crate::snapshot::network::{
    build, Counters, DevCounters, LinkAttrs, NetInterface, NetworkSnapshot, NetworkTotals,
};
use crate::snapshot::rates::Previous;

/// Parses `/proc/net/dev`. The two header lines have no `:`; a data line is
/// `name: counters…` where old kernels put no space after the colon, so the name
/// is everything before the last `:`. Missing trailing counters are zero; a line
/// with a non-number among them is skipped.
pub fn parse_net_dev(text: &str) -> Vec<(String, DevCounters)> {
    text.lines()
        .filter_map(|line| {
            let (name, rest) = line.rsplit_once(':')?;
            let name = name.trim();
            if name.is_empty() || name.contains('|') {
                return None;
            }
            let mut counters = [0u64; 16];
            for (slot, tok) in counters.iter_mut().zip(rest.split_ascii_whitespace()) {
                *slot = tok.parse().ok()?;
            }
            if rest.split_ascii_whitespace().count() == 0 {
                return None;
            }
            Some((name.to_string(), counters))
        })
        .collect()
}

/// `IFF_UP` and `IFF_LOOPBACK` of `<linux/if.h>`; `ARPHRD_LOOPBACK` of `if_arp.h`.
const IFF_UP: u32 = 0x1;
const IFF_LOOPBACK: u32 = 0x8;
const ARPHRD_LOOPBACK: u32 = 772;

/// What `/sys/class/net/<name>` says about an interface.
pub fn read_link_attrs(roots: &Roots, name: &str) -> LinkAttrs {
    let dir = roots.sys("class/net").join(name);
    let attr = |f: &str| read_trimmed(&dir.join(f));
    let flags = attr("flags")
        .and_then(|f| u32::from_str_radix(f.trim_start_matches("0x"), 16).ok())
        .unwrap_or(0);
    let link_type = attr("type").and_then(|t| t.parse::<u32>().ok());
    let operstate = attr("operstate").unwrap_or_default();
    let mac = attr("address").unwrap_or_default();
    LinkAttrs {
        // An all-zero address (loopback, tunnels) is no address.
        mac_address: if mac.chars().all(|c| c == '0' || c == ':') {
            String::new()
        } else {
            mac
        },
        mtu: attr("mtu").and_then(|m| m.parse().ok()).unwrap_or(0),
        // -1 (unknown) and unreadable (EINVAL on a down link) both mean "not said".
        speed_mbps: attr("speed")
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|s| u64::try_from(s).ok())
            .unwrap_or(0),
        // Virtual devices (lo, many tunnels) report `unknown`: trust IFF_UP there.
        is_up: operstate == "up" || (operstate == "unknown" && flags & IFF_UP != 0),
        is_loopback: flags & IFF_LOOPBACK != 0 || link_type == Some(ARPHRD_LOOPBACK),
        has_device: dir.join("device").exists(),
        bond_member: dir.join("bonding_slave").exists() || dir.join("master/bonding").exists(),
        is_bond: dir.join("bonding").exists(),
    }
}

/// Counters per interface at the previous successful read, and when that was.
#[derive(Debug, Default)]
pub struct State {
    prev: Previous<Counters>,
}

/// Reads `/proc/net/dev` and sysfs (and the addresses, when the agent shares the
/// described namespace) at `now`; rates are over the time since the previous
/// successful call (zero on the first, and within 0.1 s of it).
pub fn collect(roots: &Roots, state: &mut State, now: Instant) -> Result<NetworkSnapshot> {
    let lines = match read_string(&proc_net(roots, "dev")) {
        Ok(text) => parse_net_dev(&text),
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut addresses = if agent_sees_described_netns(roots) {
        addrs::addresses()
    } else {
        addrs::Addresses::new()
    };
    let links = lines
        .iter()
        .map(|(name, _)| {
            let mut attrs = read_link_attrs(roots, name);
            if name == "lo" && attrs == LinkAttrs::default() {
                // No sysfs for it (a bare procfs tree): `lo` is loopback by name.
                attrs.is_loopback = true;
            }
            (attrs, addresses.remove(name).unwrap_or_default())
        })
        .collect();
    let (snap, next) = build(&lines, links, state.prev.since(now));
    state.prev.store(now, next);
    Ok(snap)
}

#[cfg(test)]
mod tests;
