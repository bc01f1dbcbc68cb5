//! Load averages from `/proc/loadavg`.

use napi_derive::napi;

use crate::error::{Error, Result};
use crate::procfs::{read_string, Roots};

/// Load averages from `/proc/loadavg`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct LoadAverage {
    /// Runnable plus uninterruptible tasks, averaged over 1 minute (`/proc/loadavg`).
    pub one: f64,
    /// The same over 5 minutes.
    pub five: f64,
    /// The same over 15 minutes.
    pub fifteen: f64,
}

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
