//! Platforms without procfs: the group reports itself unsupported.

use super::{Options, ProcessSnapshot};
use crate::error::{Error, Result};
use std::time::Instant;

use crate::procfs::Roots;

#[derive(Debug, Default)]
pub struct State;

pub fn collect(_: &Roots, _: &mut State, _: &Options, _: Instant) -> Result<ProcessSnapshot> {
    Err(Error::Unsupported("process"))
}
