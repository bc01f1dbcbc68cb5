//! Processes: counts by state and kernel activity counters (`/proc/stat`), and
//! per-process records for the top N by CPU and by memory, plus any matched by
//! name, executable or command line.

mod detail;
mod scan;
mod stat;

pub use crate::snapshot::process::{validate_patterns, Options, ProcessRecord, ProcessSnapshot};
pub use scan::{collect, State};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_live;
