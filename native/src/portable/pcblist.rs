//! macOS's TCP socket list (`sysctl net.inet.tcp.pcblist_n`) counted by state. Pure
//! code over the bytes, compiled everywhere so `cargo test` covers it; only macOS
//! hands it real input.
//!
//! The buffer is an `xinpgen` header, then per socket a run of items, each starting
//! with its length and kind (`xgen_n`) and padded to 8 bytes: `xinpcb_n` (kind 0x10,
//! `inp_vflag` at byte 48: 1 IPv4, 2 IPv6), `xsocket_n`, socket buffers and stats,
//! `xtcpcb_n` (kind 0x20, `t_state` at byte 36); and an `xinpgen` trailer. (Layouts of
//! XNU's `in_pcb.h` and `tcp_var.h`.) Every read is bounds-checked against the item's
//! own length, so a shorter item, the trailer, or a layout that moved yields no count
//! rather than a wrong one.

use crate::snapshot::tcp::TcpStateCounts;

const XSO_INPCB: u32 = 0x10;
const XSO_TCPCB: u32 = 0x20;
const VFLAG_AT: usize = 48;
const STATE_AT: usize = 36;
const INP_IPV4: u8 = 0x1;
const INP_IPV6: u8 = 0x2;

/// macOS `TCPS_*` (0 CLOSED … 10 TIME_WAIT) as the Linux state numbers
/// [`TcpStateCounts::add`] takes.
fn linux_state(darwin: u32) -> Option<usize> {
    Some(match darwin {
        0 => 7,
        1 => 10,
        2 => 2,
        3 => 3,
        4 => 1,
        5 => 8,
        6 => 4,
        7 => 11,
        8 => 9,
        9 => 5,
        10 => 6,
        _ => return None,
    })
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let bytes: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_ne_bytes(bytes))
}

/// IPv4 and IPv6 sockets by state.
pub fn count(buf: &[u8]) -> (TcpStateCounts, TcpStateCounts) {
    let (mut v4, mut v6) = (TcpStateCounts::default(), TcpStateCounts::default());
    let Some(header) = u32_at(buf, 0) else {
        return (v4, v6);
    };
    let mut at = header as usize;
    let mut vflag = 0u8;
    while let (Some(len), Some(kind)) = (u32_at(buf, at), u32_at(buf, at + 4)) {
        let len = len as usize;
        if len < 8 {
            break;
        }
        let item = buf.get(at..at.saturating_add(len)).unwrap_or_default();
        match kind {
            XSO_INPCB => vflag = item.get(VFLAG_AT).copied().unwrap_or(0),
            XSO_TCPCB => {
                if let Some(state) = u32_at(item, STATE_AT).and_then(linux_state) {
                    if vflag & INP_IPV6 != 0 {
                        v6.add(state, 1);
                    } else if vflag & INP_IPV4 != 0 {
                        v4.add(state, 1);
                    }
                }
                vflag = 0;
            }
            _ => {}
        }
        at = at.saturating_add(len.next_multiple_of(8));
    }
    (v4, v6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: u32, len: usize, fill: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
        let mut b = vec![0u8; len];
        b[0..4].copy_from_slice(&(len as u32).to_ne_bytes());
        b[4..8].copy_from_slice(&kind.to_ne_bytes());
        fill(&mut b);
        b.resize(len.next_multiple_of(8), 0);
        b
    }

    fn socket(vflag: u8, state: u32) -> Vec<u8> {
        let mut out = item(XSO_INPCB, 404, |b| b[VFLAG_AT] = vflag);
        out.extend(item(0x1, 100, |_| {}));
        out.extend(item(XSO_TCPCB, 204, |b| {
            b[STATE_AT..STATE_AT + 4].copy_from_slice(&state.to_ne_bytes())
        }));
        out
    }

    #[test]
    fn counts_sockets_by_state_and_family_and_ignores_the_trailer() {
        let mut buf = item(0, 24, |_| {});
        buf.extend(socket(INP_IPV4, 1)); // LISTEN
        buf.extend(socket(INP_IPV4, 4)); // ESTABLISHED
        buf.extend(socket(INP_IPV6, 4));
        buf.extend(socket(INP_IPV4 | INP_IPV6, 10)); // a v4-mapped v6 socket: TIME_WAIT
        buf.extend(socket(INP_IPV4, 99)); // no such state: not counted
                                          // The trailer is an xinpgen whose "kind" is a count, here one that looks like XSO_TCPCB.
        buf.extend(item(XSO_TCPCB, 24, |_| {}));
        let (v4, v6) = count(&buf);
        assert_eq!((v4.listen, v4.established, v4.total), (1, 1, 2));
        assert_eq!((v6.established, v6.time_wait, v6.total), (1, 1, 2));
    }

    #[test]
    fn garbage_and_truncation_count_nothing_and_never_panic() {
        assert_eq!(count(&[]).0.total, 0);
        assert_eq!(count(&[1, 2, 3]).0.total, 0);
        let mut buf = item(0, 24, |_| {});
        buf.extend(socket(INP_IPV4, 4));
        for cut in 0..buf.len() {
            let (v4, v6) = count(&buf[..cut]);
            assert!(v4.total + v6.total <= 1);
        }
        assert_eq!(count(&buf).0.established, 1);
    }
}
