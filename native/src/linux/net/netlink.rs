//! TCP sockets counted by state through netlink `SOCK_DIAG` (Linux only; the
//! fallback module reports "unsupported"). The kernel walks its own tables and
//! sends one small `inet_diag_msg` per socket; nothing is formatted as text.
//!
//! Requests are built and replies parsed as byte slices with bounds checks: no
//! struct casts onto the receive buffer.

use std::io;

use crate::error::{Error, Result};

/// Socket counts per `idiag_state` (index = the kernel's `TCP_*` number).
pub type StateCounts = [u32; 16];

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLMSG_HDRLEN: usize = 16;
/// `inet_diag_req_v2`: family, protocol, ext, pad, states, then a 48-byte sockid.
const REQ_LEN: usize = 56;
/// States 1 (`ESTABLISHED`) to 12 (`NEW_SYN_RECV`). Not 13 (`BOUND_INACTIVE`,
/// 6.5+): bound-only sockets are no connections, and `/proc/net/tcp` omits them too.
const STATES: u32 = 0x1ffe;
/// A dump's reply chunks are at most 32 KiB when the reader's buffer allows it.
const RECV_BUF: usize = 64 * 1024;

/// Counts TCP sockets of `family` (`AF_INET` or `AF_INET6`) in the agent's
/// network namespace. Gives up after a second without a reply.
pub fn count(family: u8) -> Result<StateCounts> {
    let sock = Socket::open()?;
    let seq = 1;
    sock.send(&request(family, seq))?;
    let mut counts = [0u32; 16];
    let mut buf = vec![0u8; RECV_BUF];
    loop {
        let n = sock.recv(&mut buf)?;
        let chunk = buf
            .get(..n)
            .ok_or_else(|| Error::Netlink("reply truncated".into()))?;
        if parse_replies(chunk, seq, &mut counts)? == Flow::Done {
            return Ok(counts);
        }
    }
}

/// The request: an `nlmsghdr` then an `inet_diag_req_v2` asking for every TCP
/// socket of `family` in [`STATES`], as a dump.
pub fn request(family: u8, seq: u32) -> Vec<u8> {
    let len = (NLMSG_HDRLEN + REQ_LEN) as u32;
    let flags = (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16;
    let mut b = Vec::with_capacity(len as usize);
    b.extend_from_slice(&len.to_ne_bytes());
    b.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    b.extend_from_slice(&flags.to_ne_bytes());
    b.extend_from_slice(&seq.to_ne_bytes());
    b.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel fills it in
    b.extend_from_slice(&[family, libc::IPPROTO_TCP as u8, 0, 0]);
    b.extend_from_slice(&STATES.to_ne_bytes());
    b.resize(len as usize, 0); // the sockid: all wildcards
    b
}

/// Whether the dump goes on after a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    More,
    Done,
}

/// Counts the `inet_diag_msg`s of one received chunk into `counts`. Messages of
/// another sequence number (a stale reply) are ignored; `NLMSG_ERROR` with a
/// non-zero code and a failed `NLMSG_DONE` are errors; malformed lengths end the
/// chunk's parse with an error rather than reading past it.
pub fn parse_replies(chunk: &[u8], seq: u32, counts: &mut StateCounts) -> Result<Flow> {
    let mut rest = chunk;
    while rest.len() >= NLMSG_HDRLEN {
        let len = u32_at(rest, 0) as usize;
        let kind = u16_at(rest, 4);
        let msg_seq = u32_at(rest, 8);
        if len < NLMSG_HDRLEN || len > rest.len() {
            return Err(Error::Netlink(format!("bad message length {len}")));
        }
        let payload = rest.get(NLMSG_HDRLEN..len).unwrap_or_default();
        if msg_seq == seq {
            match i32::from(kind) {
                libc::NLMSG_DONE => {
                    let code = i32_at(payload, 0);
                    return if code < 0 {
                        Err(errno_error("dump", -code))
                    } else {
                        Ok(Flow::Done)
                    };
                }
                libc::NLMSG_ERROR => {
                    let code = i32_at(payload, 0);
                    if code < 0 {
                        return Err(errno_error("request", -code));
                    }
                }
                _ if kind == SOCK_DIAG_BY_FAMILY => {
                    if let Some(&state) = payload.get(1) {
                        if let Some(slot) = counts.get_mut(usize::from(state)) {
                            *slot = slot.saturating_add(1);
                        }
                    }
                }
                _ => {}
            }
        }
        // Messages are 4-byte aligned.
        let next = (len + 3) & !3;
        rest = rest.get(next..).unwrap_or_default();
    }
    Ok(Flow::More)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_ne_bytes)
        .unwrap_or(0)
}

fn i32_at(b: &[u8], at: usize) -> i32 {
    u32_at(b, at) as i32
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .map(u16::from_ne_bytes)
        .unwrap_or(0)
}

fn errno_error(what: &str, errno: i32) -> Error {
    Error::Netlink(format!("{what}: {}", io::Error::from_raw_os_error(errno)))
}

fn last_error(what: &str) -> Error {
    Error::Netlink(format!("{what}: {}", io::Error::last_os_error()))
}

/// A `NETLINK_SOCK_DIAG` socket, closed on drop.
struct Socket(libc::c_int);

impl Socket {
    fn open() -> Result<Self> {
        // SAFETY: plain syscalls on a descriptor this struct owns.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_SOCK_DIAG,
            )
        };
        if fd < 0 {
            return Err(last_error("socket"));
        }
        let sock = Socket(fd);
        let timeout = libc::timeval {
            tv_sec: 1,
            tv_usec: 0,
        };
        for opt in [libc::SO_RCVTIMEO, libc::SO_SNDTIMEO] {
            // SAFETY: `timeout` outlives the call and its size is passed along.
            let rc = unsafe {
                libc::setsockopt(
                    sock.0,
                    libc::SOL_SOCKET,
                    opt,
                    (&timeout as *const libc::timeval).cast(),
                    std::mem::size_of::<libc::timeval>() as libc::socklen_t,
                )
            };
            if rc != 0 {
                return Err(last_error("setsockopt"));
            }
        }
        Ok(sock)
    }

    fn send(&self, msg: &[u8]) -> Result<()> {
        // SAFETY: an all-zero sockaddr_nl is valid; it addresses the kernel (pid 0).
        let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        loop {
            // SAFETY: `msg` and `kernel` are valid for the lengths passed.
            let rc = unsafe {
                libc::sendto(
                    self.0,
                    msg.as_ptr().cast(),
                    msg.len(),
                    0,
                    (&kernel as *const libc::sockaddr_nl).cast(),
                    std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
                )
            };
            if rc >= 0 {
                return Ok(());
            }
            if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                return Err(last_error("send"));
            }
        }
    }

    /// One datagram; `MSG_TRUNC` makes the kernel report its real length, so a
    /// datagram larger than `buf` is an error instead of silently cut.
    fn recv(&self, buf: &mut [u8]) -> Result<usize> {
        loop {
            // SAFETY: `buf` is valid for writes of its length.
            let rc =
                unsafe { libc::recv(self.0, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_TRUNC) };
            if rc > 0 {
                let n = rc as usize;
                if n > buf.len() {
                    return Err(Error::Netlink(format!("reply of {n} bytes truncated")));
                }
                return Ok(n);
            }
            if rc == 0 {
                return Err(Error::Netlink("socket closed before the dump ended".into()));
            }
            let err = io::Error::last_os_error();
            match err.kind() {
                io::ErrorKind::Interrupted => continue,
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                    return Err(Error::Netlink("no reply within 1 s".into()))
                }
                _ => return Err(Error::Netlink(format!("recv: {err}"))),
            }
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // SAFETY: the descriptor is owned by this struct and closed once.
        unsafe { libc::close(self.0) };
    }
}
