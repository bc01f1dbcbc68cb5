//! The benchmark's floor: read the same kernel files a full collect reads, with no
//! parsing at all (TCP states come from netlink, so `/proc/net/tcp*` is not read). `npm run bench` reports a collect's time as a ratio of this.

use std::fs::{self, File};
use std::io::Read;

use crate::linux::procfs::Roots;

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
