//! System-wide resources: file handles, entropy, pressure stall information.
//!
//! `/proc/sys/fs/file-nr` is core (unreadable, it fails the group). Entropy is 0
//! where the file is missing. PSI appeared in 4.20 and can be switched off at boot
//! (`psi=0`, reads then fail with `EOPNOTSUPP`): a missing or unreadable pressure
//! file simply leaves that resource out of `psi`.

use crate::error::{Error, Result};
use crate::linux::procfs::{read_string, read_u64, Roots};
use crate::snapshot::rates::percent;
pub use crate::snapshot::resources::{PsiRecord, ResourcesSnapshot};

/// The resources PSI reports on, in the order they are returned.
const PSI_RESOURCES: [&str; 4] = ["cpu", "memory", "io", "irq"];

pub fn collect(roots: &Roots) -> Result<ResourcesSnapshot> {
    let path = roots.proc("sys/fs/file-nr");
    let (open, max) = parse_file_nr(&read_string(&path)?)
        .ok_or_else(|| Error::parse(&path, "expected 3 numbers"))?;
    let mut psi = Vec::new();
    for resource in PSI_RESOURCES {
        if let Ok(text) = read_string(&roots.proc(&format!("pressure/{resource}"))) {
            psi.extend(parse_psi(resource, &text));
        }
    }
    Ok(ResourcesSnapshot {
        open_file_descriptors: open as f64,
        max_file_descriptors: max as f64,
        file_descriptors_used_percent: percent(open as f64, max as f64),
        entropy_available_bits: read_u64(&roots.proc("sys/kernel/random/entropy_avail"))
            .unwrap_or(0) as f64,
        psi,
    })
}

/// `allocated free max` → (in use, max).
pub fn parse_file_nr(text: &str) -> Option<(u64, u64)> {
    let mut f = text.split_whitespace().map(|v| v.parse::<u64>().ok());
    let allocated = f.next()??;
    let free = f.next()??;
    let max = f.next()??;
    Some((allocated.saturating_sub(free), max))
}

/// `some avg10=0.00 avg60=0.00 avg300=0.00 total=0` lines (`total` in µs).
/// Lines that are not `some`/`full` or lack a value are skipped.
pub fn parse_psi(resource: &str, text: &str) -> Vec<PsiRecord> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let kind = f.next().filter(|k| *k == "some" || *k == "full")?;
            let mut rec = PsiRecord {
                resource: resource.to_string(),
                kind: kind.to_string(),
                ..Default::default()
            };
            let mut found = 0;
            for pair in f {
                let Some((key, value)) = pair.split_once('=') else {
                    continue;
                };
                let slot = match key {
                    "avg10" => &mut rec.avg10,
                    "avg60" => &mut rec.avg60,
                    "avg300" => &mut rec.avg300,
                    "total" => {
                        rec.total_seconds = value.parse::<u64>().ok()? as f64 / 1e6;
                        found += 1;
                        continue;
                    }
                    _ => continue,
                };
                *slot = value.parse::<f64>().ok().filter(|v| v.is_finite())?;
                found += 1;
            }
            (found == 4).then_some(rec)
        })
        .collect()
}

#[cfg(test)]
mod tests;
