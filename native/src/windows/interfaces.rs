//! Network interfaces: the adapters and their addresses from `GetAdaptersAddresses`,
//! each one's counters from `GetIfEntry2` (64-bit, per interface LUID).

use std::io;
use std::net::IpAddr;

use windows_sys::Win32::Foundation::{ERROR_BUFFER_OVERFLOW, ERROR_SUCCESS};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    GetAdaptersAddresses, GetIfEntry2, GAA_FLAG_SKIP_ANYCAST, GAA_FLAG_SKIP_DNS_SERVER,
    GAA_FLAG_SKIP_MULTICAST, IP_ADAPTER_ADDRESSES_LH, MIB_IF_ROW2,
};
use windows_sys::Win32::Networking::WinSock::{AF_UNSPEC, SOCKADDR};

use super::decode::{sockaddr, IfCounters, RawInterface};
use super::win::{aligned, from_wide_ptr, win32_error};

/// The address in a `SOCKADDR` of family AF_INET or AF_INET6.
///
/// # Safety
/// `sa` is null or points at a socket address of at least `len` bytes.
unsafe fn ip_of(sa: *const SOCKADDR, len: i32) -> Option<IpAddr> {
    if sa.is_null() || len < 2 {
        return None;
    }
    // SAFETY: the caller promises `len` readable bytes.
    let bytes = unsafe { std::slice::from_raw_parts(sa.cast::<u8>(), len as usize) };
    sockaddr(bytes)
}

fn adapters() -> io::Result<Vec<u64>> {
    let flags = GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER;
    let mut len = 16 * 1024u32;
    for _ in 0..4 {
        let mut buf = aligned(len as usize);
        // SAFETY: `buf` holds `len` bytes.
        let status = unsafe {
            GetAdaptersAddresses(
                u32::from(AF_UNSPEC),
                flags,
                std::ptr::null(),
                buf.as_mut_ptr().cast(),
                &mut len,
            )
        };
        match status {
            ERROR_SUCCESS => return Ok(buf),
            ERROR_BUFFER_OVERFLOW => continue, // `len` now says how much
            // ERROR_NO_DATA: no adapter at all.
            232 => return Ok(Vec::new()),
            other => return Err(win32_error("GetAdaptersAddresses", other)),
        }
    }
    Err(win32_error("GetAdaptersAddresses", ERROR_BUFFER_OVERFLOW))
}

fn counters(adapter: &IP_ADAPTER_ADDRESSES_LH) -> Option<IfCounters> {
    // SAFETY: MIB_IF_ROW2 is plain data; zero is a valid value for every field.
    let mut row: MIB_IF_ROW2 = unsafe { std::mem::zeroed() };
    row.InterfaceLuid = adapter.Luid;
    // SAFETY: the row names the interface by LUID, as the call requires.
    if unsafe { GetIfEntry2(&mut row) } != ERROR_SUCCESS {
        return None;
    }
    Some(IfCounters {
        bytes_recv: row.InOctets,
        bytes_sent: row.OutOctets,
        packets_recv: row.InUcastPkts.saturating_add(row.InNUcastPkts),
        packets_sent: row.OutUcastPkts.saturating_add(row.OutNUcastPkts),
        errors_in: row.InErrors,
        errors_out: row.OutErrors,
        drops_in: row.InDiscards,
        drops_out: row.OutDiscards,
    })
}

/// Every adapter, in the order Windows lists them.
pub fn read() -> io::Result<Vec<RawInterface>> {
    let buf = adapters()?;
    let mut out = Vec::new();
    if buf.is_empty() {
        return Ok(out);
    }
    let mut p = buf.as_ptr().cast::<IP_ADAPTER_ADDRESSES_LH>();
    while !p.is_null() {
        // SAFETY: `p` walks the list the call wrote into `buf`, which outlives the loop.
        let a = unsafe { &*p };
        let mut addresses = Vec::new();
        let mut u = a.FirstUnicastAddress;
        while !u.is_null() {
            // SAFETY: a node of the same list.
            let node = unsafe { &*u };
            // SAFETY: the OS gives the address with its length.
            if let Some(ip) =
                unsafe { ip_of(node.Address.lpSockaddr, node.Address.iSockaddrLength) }
            {
                addresses.push((ip, node.OnLinkPrefixLength));
            }
            u = node.Next;
        }
        let mac_len = (a.PhysicalAddressLength as usize).min(a.PhysicalAddress.len());
        out.push(RawInterface {
            // SAFETY: FriendlyName is a NUL-terminated string in the same buffer.
            name: unsafe { from_wide_ptr(a.FriendlyName) },
            mac: a.PhysicalAddress[..mac_len].to_vec(),
            mtu: a.Mtu,
            if_type: a.IfType,
            up: a.OperStatus == 1,
            speed_bps: if a.ReceiveLinkSpeed == u64::MAX {
                0
            } else {
                a.ReceiveLinkSpeed
            },
            addresses,
            counters: counters(a),
        });
        p = a.Next;
    }
    Ok(out)
}
