//! The rate maths every backend shares: counter deltas that survive resets, per-second
//! rates, percentages, and the previous reading each stateful group keeps, so rates
//! are over the interval since that group's last good read (never since boot).

use std::time::{Duration, Instant};

/// The difference between two readings of a cumulative counter. A counter that went
/// backwards was reset (a driver reload, a container restart) or wrapped: the new
/// reading then counts from zero, so it is the best estimate of the change.
pub fn counter_delta(prev: u64, cur: u64) -> u64 {
    if cur >= prev {
        cur - prev
    } else {
        cur
    }
}

/// A per-second rate over `seconds`; zero when there is no interval yet.
pub fn rate(delta: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        delta as f64 / seconds
    } else {
        0.0
    }
}

/// Below this time since a group's previous read, its rates are reported as zero:
/// a collect that close to the previous one is a double call, and a few clock ticks
/// over it swing wildly (a process at 100 % shown as 0 % or 300 %). A dashboard that
/// samples every few hundred milliseconds still gets rates.
pub const MIN_RATE_INTERVAL: Duration = Duration::from_millis(100);

/// A stateful group's counters from its previous successful read, with the moment
/// they were read, so each group measures its rates over its own interval.
///
/// A failed read never touches it: the next successful read then measures from the
/// last good one, over the real elapsed time (the rate is the true average over the
/// gap, never two intervals' worth of counts divided by one). A read less than
/// [`MIN_RATE_INTERVAL`] after the kept one reports zero rates and does not replace
/// it, so the following read again spans a measurable interval.
#[derive(Debug)]
pub struct Previous<T> {
    read: Option<(Instant, T)>,
}

impl<T> Default for Previous<T> {
    fn default() -> Self {
        Previous { read: None }
    }
}

impl<T> Previous<T> {
    /// The kept counters and the seconds from their read to `now`; `None` on the
    /// first read and when that interval is below [`MIN_RATE_INTERVAL`].
    pub fn since(&self, now: Instant) -> Option<(&T, f64)> {
        let (at, value) = self.read.as_ref()?;
        let elapsed = now.checked_duration_since(*at)?;
        (elapsed >= MIN_RATE_INTERVAL).then_some((value, elapsed.as_secs_f64()))
    }

    /// The kept counters, whenever they were read.
    #[cfg(test)]
    pub fn value(&self) -> Option<&T> {
        self.read.as_ref().map(|(_, v)| v)
    }

    /// Keeps `value`, read at `now`, unless the kept read is too recent to measure
    /// from (see [`MIN_RATE_INTERVAL`]); returns the counters that were not kept
    /// (the replaced ones, or `value` itself), so callers can reuse their allocation.
    pub fn store(&mut self, now: Instant, value: T) -> Option<T> {
        let keep_old = self.read.is_some() && self.since(now).is_none();
        if keep_old {
            return Some(value);
        }
        self.read.replace((now, value)).map(|(_, old)| old)
    }
}

/// `part / whole` as a percentage, zero when `whole` is zero.
pub fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        (part / whole * 100.0).clamp(0.0, 100.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_that_goes_backwards_counts_from_zero() {
        assert_eq!(counter_delta(10, 15), 5);
        assert_eq!(counter_delta(u64::MAX - 1, 3), 3);
        assert_eq!(counter_delta(u64::MAX - 5, u64::MAX), 5);
    }
}
