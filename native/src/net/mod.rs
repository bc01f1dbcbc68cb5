//! Network: interfaces (`/proc/net/dev`, `/sys/class/net`, addresses) and TCP state
//! counts (netlink `SOCK_DIAG`, `/proc/net/snmp` for retransmits).

pub mod interfaces;
pub mod tcp;

pub use interfaces::{NetInterface, NetworkSnapshot, NetworkTotals};
pub use tcp::{TcpSnapshot, TcpStateCounts};
