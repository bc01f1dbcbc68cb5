//! Load averages from `/proc/loadavg`.

use crate::error::{Error, Result};
use crate::linux::procfs::{read_string, Roots};
use crate::snapshot::cpu::LoadAverage;

pub fn collect_load(roots: &Roots) -> Result<LoadAverage> {
    let path = roots.proc("loadavg");
    parse_loadavg(&read_string(&path)?).ok_or_else(|| Error::parse(&path, "expected 3 numbers"))
}

/// The first three fields of `/proc/loadavg`.
pub fn parse_loadavg(text: &str) -> Option<LoadAverage> {
    let mut f = text
        .split_whitespace()
        .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0));
    Some(LoadAverage {
        one: f.next()??,
        five: f.next()??,
        fifteen: f.next()??,
    })
}
