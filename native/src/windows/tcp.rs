//! TCP connections by state (`GetExtendedTcpTable`, IPv4 and IPv6) and the protocol's
//! counters (`GetTcpStatisticsEx`).

use std::io;

use windows_sys::Win32::Foundation::{ERROR_INSUFFICIENT_BUFFER, ERROR_SUCCESS};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    GetExtendedTcpTable, GetTcpStatisticsEx, MIB_TCPSTATS_LH, TCP_TABLE_OWNER_PID_ALL,
};
use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6};

use super::decode::{tcp_table, TCP4_ROW, TCP6_ROW};
use super::win::{aligned, win32_error};
use crate::snapshot::tcp::TcpStateCounts;

/// Every TCP socket of one family, counted by state.
pub fn states(v6: bool) -> io::Result<TcpStateCounts> {
    let family = u32::from(if v6 { AF_INET6 } else { AF_INET });
    let mut len = 64 * 1024u32;
    for _ in 0..8 {
        let mut buf = aligned(len as usize);
        // SAFETY: `buf` holds `len` bytes.
        let status = unsafe {
            GetExtendedTcpTable(
                buf.as_mut_ptr().cast(),
                &mut len,
                0,
                family,
                TCP_TABLE_OWNER_PID_ALL,
                0,
            )
        };
        match status {
            ERROR_SUCCESS => {
                // SAFETY: the call wrote at most `len` bytes into `buf`.
                let bytes = unsafe {
                    std::slice::from_raw_parts(
                        buf.as_ptr().cast::<u8>(),
                        (len as usize).min(buf.len() * 8),
                    )
                };
                return Ok(tcp_table(bytes, if v6 { TCP6_ROW } else { TCP4_ROW }));
            }
            // Sockets opened meanwhile: `len` says how much is needed now.
            ERROR_INSUFFICIENT_BUFFER => len = len.saturating_add(len / 4),
            other => return Err(win32_error("GetExtendedTcpTable", other)),
        }
    }
    Err(win32_error(
        "GetExtendedTcpTable",
        ERROR_INSUFFICIENT_BUFFER,
    ))
}

/// The TCP counters of one family (32-bit counters: they wrap).
pub fn statistics(v6: bool) -> io::Result<MIB_TCPSTATS_LH> {
    // SAFETY: plain data, zero is valid.
    let mut stats: MIB_TCPSTATS_LH = unsafe { std::mem::zeroed() };
    let family = u32::from(if v6 { AF_INET6 } else { AF_INET });
    // SAFETY: a MIB_TCPSTATS_LH to fill.
    let status = unsafe { GetTcpStatisticsEx(&mut stats, family) };
    if status != ERROR_SUCCESS {
        return Err(win32_error("GetTcpStatisticsEx", status));
    }
    Ok(stats)
}
