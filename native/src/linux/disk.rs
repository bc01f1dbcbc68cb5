//! Block devices from `/proc/diskstats` (all kernels' field counts: 14, 18, 20),
//! classified with sysfs into whole disks, partitions and virtual devices.
//!
//! Classification (`kind`):
//! - `virtual`: `loop*`, `ram*`, `zram*`; device-mapper (`dm-*`) and md RAID (`md*`)
//!   devices; and any whole device without a `/sys/block/<name>/device` link (nbd,
//!   drbd…). dm and md sit on top of real disks, so summing them would count the same
//!   I/O twice; they are still reported one by one, with their `label`.
//! - `partition`: `/sys/class/block/<name>/partition` exists.
//! - `disk`: everything else in `/sys/block`.
//!
//! Where sysfs says nothing about a name (no sysfs in a container, a fixture tree),
//! the name decides: a name whose prefix is another listed device (`sda1` → `sda`,
//! `nvme0n1p2` → `nvme0n1`) is a partition, the rest are disks.
//!
//! `totals` sum `kind == "disk"` only (DESIGN.md: whole disks, never partitions on
//! top of their disk, never loop/ram).

mod classify;

use std::time::Instant;

use crate::error::Result;
use crate::linux::procfs::{read_string, Roots};
pub use crate::snapshot::disk::{
    build, BlockDevice, Counters, DiskCounters, DiskLine, DiskSnapshot, DiskTotals,
};
use crate::snapshot::rates::Previous;

use classify::label;
pub use classify::{classify, SysfsFacts};

/// Parses `/proc/diskstats`. Lines carry 14 (before 4.18), 18 (discards, 4.18+) or
/// 20 (flushes, 5.5+) fields; the 7-field partition lines of 2.6.x kernels give
/// only reads, read sectors, writes and write sectors. Fields a line lacks are
/// zero; a line that is not numbers where numbers belong is skipped.
pub fn parse_diskstats(text: &str) -> Vec<DiskLine> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<DiskLine> {
    let mut it = line.split_ascii_whitespace();
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    let name = it.next()?.to_string();
    let v = it
        .map(|t| t.parse::<u64>().ok())
        .collect::<Option<Vec<u64>>>()?;
    let f = |i: usize| v.get(i).copied().unwrap_or(0);
    let counters = if v.len() == 4 {
        DiskCounters {
            reads: f(0),
            read_sectors: f(1),
            writes: f(2),
            write_sectors: f(3),
            ..Default::default()
        }
    } else if v.len() >= 11 {
        DiskCounters {
            reads: f(0),
            reads_merged: f(1),
            read_sectors: f(2),
            read_ms: f(3),
            writes: f(4),
            writes_merged: f(5),
            write_sectors: f(6),
            write_ms: f(7),
            in_progress: f(8),
            io_ms: f(9),
            weighted_io_ms: f(10),
            discards: f(11),
            discards_merged: f(12),
            discard_sectors: f(13),
            discard_ms: f(14),
            flushes: f(15),
            flush_ms: f(16),
        }
    } else {
        return None;
    };
    Some(DiskLine {
        major,
        minor,
        name,
        counters,
    })
}

/// Counters per device at the previous successful read, and when that was.
#[derive(Debug, Default)]
pub struct State {
    prev: Previous<Counters>,
}

/// Reads `/proc/diskstats` and sysfs at `now`; rates are over the time since the
/// previous successful call with the same `state` (see [`Previous`]: zero on the first
/// call, within 0.1 s of the previous one, and for new devices).
pub fn collect(roots: &Roots, state: &mut State, now: Instant) -> Result<DiskSnapshot> {
    let path = roots.proc("diskstats");
    let lines = match read_string(&path) {
        Ok(text) => parse_diskstats(&text),
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return Err(e),
    };
    let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
    let kinds: Vec<&'static str> = lines
        .iter()
        .map(|l| classify(&l.name, SysfsFacts::read(&roots.sys, &l.name), &names))
        .collect();
    let labels: Vec<String> = lines.iter().map(|l| label(roots, &l.name)).collect();
    let (snap, next) = build(&lines, &kinds, labels, state.prev.since(now));
    state.prev.store(now, next);
    Ok(snap)
}

#[cfg(test)]
mod tests;
