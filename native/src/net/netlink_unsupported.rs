//! Netlink `SOCK_DIAG` exists on Linux only; elsewhere TCP counts are unsupported.

use crate::error::{Error, Result};

/// Socket counts per TCP state number.
pub type StateCounts = [u32; 16];

pub fn count(_family: u8) -> Result<StateCounts> {
    Err(Error::Unsupported("netlink SOCK_DIAG"))
}
