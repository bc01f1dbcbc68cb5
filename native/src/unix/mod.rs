//! What every Unix shares, backends and the process alike: `statvfs`, replacing the process (`execv`) and the thread CPU clock.

pub mod exec;
pub mod statvfs;

pub use exec::replace_process;

use std::ffi::CStr;
use std::sync::OnceLock;

/// `USER_HZ`, the unit of kernel tick counters; 100 where `sysconf` cannot say.
/// Asked once per process: it is a constant of the running kernel.
pub fn clock_ticks_per_second() -> f64 {
    static HZ: OnceLock<f64> = OnceLock::new();
    *HZ.get_or_init(|| {
        // SAFETY: sysconf has no preconditions and only reads a constant.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        if hz > 0 {
            hz as f64
        } else {
            100.0
        }
    })
}

/// The page size in bytes; 4096 where `sysconf` cannot say. Asked once per process.
pub fn page_size() -> u64 {
    static SIZE: OnceLock<u64> = OnceLock::new();
    *SIZE.get_or_init(|| {
        // SAFETY: sysconf has no preconditions and only reads a constant.
        let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        u64::try_from(size).ok().filter(|p| *p > 0).unwrap_or(4096)
    })
}

/// The three load averages of `getloadavg(3)`.
pub fn load_average() -> Option<[f64; 3]> {
    let mut avg = [0f64; 3];
    // SAFETY: `avg` holds the three doubles getloadavg may write.
    let n = unsafe { libc::getloadavg(avg.as_mut_ptr(), 3) };
    (n == 3).then_some(avg)
}

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

/// Largest buffer offered to `getpwuid_r` before giving up on a name.
const PW_BUF_MAX: usize = 1 << 20;

/// The user name of `uid` from the system's user database (`getpwuid_r`).
pub fn user_name(uid: u32) -> Option<String> {
    let mut buf: Vec<libc::c_char> = vec![0; 1024];
    loop {
        // SAFETY: `passwd` is plain old data; getpwuid_r fills it with pointers
        // into `buf`, which outlives every read of them below.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the length given.
        let rc =
            unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
        if rc == libc::ERANGE && buf.len() < PW_BUF_MAX {
            let grown = buf.len() * 2;
            buf.resize(grown, 0);
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: on success `pw_name` points at a NUL-terminated string in `buf`.
        let name = unsafe { CStr::from_ptr(pwd.pw_name) };
        return Some(name.to_string_lossy().into_owned()).filter(|n| !n.is_empty());
    }
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
