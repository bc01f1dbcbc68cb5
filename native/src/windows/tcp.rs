//! TCP connections by state (`GetExtendedTcpTable`, IPv4 and IPv6) and the protocol's
//! counters (`GetTcpStatisticsEx`).

use std::io;

use windows_sys::Win32::Foundation::{ERROR_INSUFFICIENT_BUFFER, ERROR_SUCCESS};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    GetExtendedTcpTable, GetTcpStatisticsEx, MIB_TCPSTATS_LH, TCP_TABLE_OWNER_PID_ALL,
};
use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6};

use super::win::{aligned, win32_error};

/// Bytes per row: MIB_TCPROW_OWNER_PID (six u32) and MIB_TCP6ROW_OWNER_PID.
const ROW_V4: usize = 24;
const ROW_V6: usize = 56;
/// Where the state sits in a row.
const STATE_V4: usize = 0;
const STATE_V6: usize = 48;

/// The `MIB_TCP_STATE` of every TCP socket of one family.
pub fn states(v6: bool) -> io::Result<Vec<u32>> {
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
                return Ok(if v6 {
                    table_states(bytes, ROW_V6, STATE_V6)
                } else {
                    table_states(bytes, ROW_V4, STATE_V4)
                });
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

/// The state of each row of a TCP table: a u32 count, then fixed-size rows (each
/// starting 4 bytes in, as the rows are 4-byte aligned); rows past the buffer are cut.
pub fn table_states(bytes: &[u8], row: usize, state_at: usize) -> Vec<u32> {
    let Some(count) = bytes
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    else {
        return Vec::new();
    };
    (0..count as usize)
        .map_while(|i| {
            let off = 4 + i * row + state_at;
            bytes
                .get(off..off + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        })
        .collect()
}

/// `MIB_TCP_STATE` (1 CLOSED … 12 DELETE_TCB) as the kernel's `TCP_*` number the
/// snapshot counts by (1 ESTABLISHED … 11 CLOSING); DELETE_TCB and unknown values
/// have none.
pub fn kernel_state(mib: u32) -> Option<usize> {
    Some(match mib {
        1 => 7,  // CLOSED → TCP_CLOSE
        2 => 10, // LISTEN
        3 => 2,  // SYN_SENT
        4 => 3,  // SYN_RCVD → TCP_SYN_RECV
        5 => 1,  // ESTABLISHED
        6 => 4,  // FIN_WAIT1
        7 => 5,  // FIN_WAIT2
        8 => 8,  // CLOSE_WAIT
        9 => 11, // CLOSING
        10 => 9, // LAST_ACK
        11 => 6, // TIME_WAIT
        _ => return None,
    })
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
