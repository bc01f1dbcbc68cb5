//! The interfaces' IP addresses, from `getifaddrs(3)` (the agent's own network
//! namespace).

use std::collections::HashMap;

/// Addresses per interface name, as `192.0.2.1/24` and `2001:db8::1/64`.
pub type Addresses = HashMap<String, Vec<String>>;

pub use imp::addresses;

/// Files `addr` under its interface. getifaddrs names an IPv4 address that has a
/// label by that label (`eth0:1`, the ifconfig-style alias); the address belongs to
/// the interface before the `:`, the name `/proc/net/dev` lists.
pub fn add(out: &mut Addresses, label: &str, addr: String) {
    let name = label.split_once(':').map_or(label, |(name, _)| name);
    out.entry(name.to_string()).or_default().push(addr);
}

mod imp {
    use std::ffi::CStr;
    use std::net::{Ipv4Addr, Ipv6Addr};

    use super::Addresses;

    /// Empty when `getifaddrs` fails: addresses are an enrichment, not the group.
    pub fn addresses() -> Addresses {
        let mut out = Addresses::new();
        let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
        // SAFETY: `head` is a valid out-pointer; on success the list is freed below.
        if unsafe { libc::getifaddrs(&mut head) } != 0 {
            return out;
        }
        let mut cur = head;
        while !cur.is_null() {
            // SAFETY: `cur` is a node of the list getifaddrs returned, not yet freed.
            let ifa = unsafe { &*cur };
            if let Some((name, addr)) = describe(ifa) {
                super::add(&mut out, &name, addr);
            }
            cur = ifa.ifa_next;
        }
        // SAFETY: `head` came from a successful getifaddrs and is freed once.
        unsafe { libc::freeifaddrs(head) };
        out
    }

    fn describe(ifa: &libc::ifaddrs) -> Option<(String, String)> {
        if ifa.ifa_name.is_null() || ifa.ifa_addr.is_null() {
            return None;
        }
        // SAFETY: getifaddrs gives a NUL-terminated name and a sockaddr whose
        // `sa_family` says which larger struct it is; reads are unaligned-safe.
        let name = unsafe { CStr::from_ptr(ifa.ifa_name) }
            .to_string_lossy()
            .into_owned();
        let family = unsafe { std::ptr::read_unaligned(ifa.ifa_addr) }.sa_family;
        let text = match i32::from(family) {
            libc::AF_INET => {
                let sin = unsafe { read::<libc::sockaddr_in>(ifa.ifa_addr) };
                let ip = Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
                let prefix = if ifa.ifa_netmask.is_null() {
                    32
                } else {
                    let mask = unsafe { read::<libc::sockaddr_in>(ifa.ifa_netmask) };
                    mask.sin_addr.s_addr.count_ones()
                };
                format!("{ip}/{prefix}")
            }
            libc::AF_INET6 => {
                let sin6 = unsafe { read::<libc::sockaddr_in6>(ifa.ifa_addr) };
                let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                let prefix = if ifa.ifa_netmask.is_null() {
                    128
                } else {
                    let mask = unsafe { read::<libc::sockaddr_in6>(ifa.ifa_netmask) };
                    mask.sin6_addr.s6_addr.iter().map(|b| b.count_ones()).sum()
                };
                format!("{ip}/{prefix}")
            }
            _ => return None,
        };
        Some((name, text))
    }

    /// # Safety
    /// `p` must point at a sockaddr of the family that `T` is for.
    unsafe fn read<T>(p: *const libc::sockaddr) -> T {
        std::ptr::read_unaligned(p.cast::<T>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv4_address_with_a_label_belongs_to_the_interface_before_the_colon() {
        let mut out = Addresses::new();
        add(&mut out, "eth0", "192.0.2.1/24".into());
        add(&mut out, "eth0:1", "192.0.2.2/24".into());
        add(&mut out, "eth0:backup", "198.51.100.7/32".into());
        assert_eq!(
            out.get("eth0").map(Vec::as_slice),
            Some(&["192.0.2.1/24", "192.0.2.2/24", "198.51.100.7/32"].map(String::from)[..])
        );
        assert_eq!(out.len(), 1);
    }
}
