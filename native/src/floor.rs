//! The benchmark's floor: read the same kernel files a full collect reads, with no
//! parsing at all (TCP states come from netlink, so `/proc/net/tcp*` is not read). `npm run bench` reports a collect's time as a ratio of this.

use std::fs::{self, File};
use std::io::Read;

use crate::procfs::Roots;

const SYSTEM_FILES: &[&str] = &[
    "stat",
    "cpuinfo",
    "loadavg",
    "meminfo",
    "vmstat",
    "swaps",
    "diskstats",
    "self/mountinfo",
    "net/dev",
    "net/snmp",
    "sys/fs/file-nr",
    "sys/kernel/random/entropy_avail",
    "uptime",
    "self/cgroup",
];

fn read_into(path: &std::path::Path, buf: &mut Vec<u8>) -> usize {
    buf.clear();
    match File::open(path) {
        Ok(mut f) => f.read_to_end(buf).unwrap_or(0),
        Err(_) => 0,
    }
}

/// Reads the system-wide files and every `/proc/<pid>/stat`; returns bytes read.
pub fn read_all(roots: &Roots) -> u64 {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut total = 0u64;
    for rel in SYSTEM_FILES {
        total += read_into(&roots.proc(rel), &mut buf) as u64;
    }
    if let Ok(ifaces) = fs::read_dir(roots.sys("class/net")) {
        for iface in ifaces.flatten() {
            for attr in ["address", "mtu", "speed", "operstate", "flags", "type"] {
                total += read_into(&iface.path().join(attr), &mut buf) as u64;
            }
        }
    }
    if let Ok(entries) = fs::read_dir(&roots.proc) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.as_encoded_bytes().iter().all(u8::is_ascii_digit) {
                total += read_into(&entry.path().join("stat"), &mut buf) as u64;
            }
        }
    }
    total
}

/// The calling thread's CPU time in milliseconds; 0 where the clock is missing.
pub fn thread_cpu_ms() -> f64 {
    #[cfg(unix)]
    {
        // SAFETY: timespec is plain integers (and, on some targets, padding): all zeroes is valid.
        let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
        // SAFETY: clock_gettime writes one timespec that we own.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6;
        }
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
