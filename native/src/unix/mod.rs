//! What every Unix shares, backends and the process alike: `statvfs`, the buffer lock
//! (`flock`), replacing the process (`execv`) and the thread CPU clock.

pub mod exec;
pub mod lock;
pub mod statvfs;

pub use exec::replace_process;
pub use lock::try_lock;

/// The calling thread's CPU time in milliseconds; 0 where the clock is missing.
pub fn thread_cpu_ms() -> f64 {
    // SAFETY: timespec is plain integers (and, on some targets, padding): all zeroes is valid.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: clock_gettime writes one timespec that we own.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
        return ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6;
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::thread_cpu_ms;
    use std::time::{Duration, Instant};

    #[test]
    fn thread_cpu_time_counts_work_and_not_sleep() {
        let start = thread_cpu_ms();
        assert!(start > 0.0);
        std::thread::sleep(Duration::from_millis(30));
        let slept = thread_cpu_ms() - start;
        assert!(slept < 10.0, "sleeping cost {slept} ms of CPU");
        // Spin until the clock has counted 20 ms of work (it must, however busy the machine).
        let from = thread_cpu_ms();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut x = 0u64;
        while thread_cpu_ms() - from < 20.0 && Instant::now() < deadline {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        assert!(
            thread_cpu_ms() - from >= 20.0,
            "spinning did not advance the thread clock"
        );
    }
}
