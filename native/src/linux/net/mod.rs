//! Network: interfaces (`/proc/net/dev`, `/sys/class/net`, addresses) and TCP state
//! counts (netlink `SOCK_DIAG`, `/proc/net/snmp` for retransmits).
//!
//! Which network namespace: with a `rootPath` other than `/` the agent looks at a
//! host from a container, so the `/proc` files are init's (`<proc>/1/net/…`), the
//! host's namespace. What the agent asks the kernel directly (addresses, netlink)
//! is its own namespace, used only when that is provably the host's too.

mod addrs;
pub mod interfaces;
pub mod netlink;
pub mod tcp;

use std::path::{Path, PathBuf};

use crate::linux::procfs::Roots;

/// A file of `/proc/net`, in the namespace the snapshot describes.
pub(crate) fn proc_net(roots: &Roots, rel: &str) -> PathBuf {
    if roots.rootfs == Path::new("/") {
        roots.proc("net").join(rel)
    } else {
        roots.proc("1/net").join(rel)
    }
}

/// True when the agent's own network namespace is the one the snapshot describes,
/// so `getifaddrs` and netlink answers belong in it.
pub(crate) fn agent_sees_described_netns(roots: &Roots) -> bool {
    let on_host_root = roots.rootfs == Path::new("/");
    if on_host_root && roots.proc == Path::new("/proc") {
        return true;
    }
    // A procfs elsewhere (a root path, or a `procRoot` alone) describes the agent's
    // namespace only if its namespace link is the agent's own; a fixture tree has none.
    let pid = if on_host_root {
        "self/ns/net"
    } else {
        "1/ns/net"
    };
    let described = std::fs::read_link(roots.proc(pid));
    let own = std::fs::read_link("/proc/self/ns/net");
    matches!((described, own), (Ok(a), Ok(b)) if a == b)
}
