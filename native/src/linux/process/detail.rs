//! The full record of a selected process: the files the scan skipped (`status`,
//! `cmdline`, `exe`, `fd`, `io`) and the owner's user name.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::scan::{read_into, Kernel};
use super::stat::{self, CMDLINE_CAP};
use super::ProcessRecord;
use crate::linux::procfs::Roots;
use crate::snapshot::process::select::Candidate;
use crate::snapshot::rates::percent;

/// What every record of one collect shares.
pub struct Context<'a> {
    pub roots: &'a Roots,
    pub kernel: Kernel,
    /// Boot time, unix seconds.
    pub btime: u64,
    /// MemTotal, bytes (0 when unknown).
    pub mem_total: u64,
}

pub fn record(
    ctx: &Context<'_>,
    c: &Candidate,
    name: &[u8],
    buf: &mut Vec<u8>,
    owners: &mut Owners,
) -> ProcessRecord {
    let dir = ctx.roots.proc.join(c.pid.to_string());
    let tck = ctx.kernel.clk_tck;
    let rss_bytes = c.rss_pages.saturating_mul(ctx.kernel.page_size) as f64;
    let uid = read_into(&dir.join("status"), buf, usize::MAX)
        .ok()
        .and_then(|()| stat::parse_status_uid(buf))
        // Without `status` (a race, or a trimmed tree), the owner of the pid
        // directory is the process's effective uid: the best estimate left.
        .or_else(|| fs::metadata(&dir).ok().map(|m| m.uid()));
    let owner = uid.map_or_else(String::new, |u| owners.name(ctx.roots, u));
    // `cmdline` and `exe` take the process's mm lock, which a process in state D may
    // hold while its I/O hangs: reading them would hang the collect too.
    let blocked = c.state == b'D';
    let (command, command_line, full_name) = if blocked {
        Default::default()
    } else {
        read_into(&dir.join("cmdline"), buf, CMDLINE_CAP)
            .map(|()| {
                (
                    stat::argv0(buf),
                    stat::join_cmdline(buf),
                    stat::full_name(name, buf),
                )
            })
            .unwrap_or_default()
    };
    let executable = if blocked {
        String::new()
    } else {
        fs::read_link(dir.join("exe"))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let io = read_into(&dir.join("io"), buf, usize::MAX)
        .map(|()| stat::parse_io(buf))
        .unwrap_or_default();
    let bytes = |v: Option<u64>| v.map(|b| b as f64);
    ProcessRecord {
        pid: c.pid,
        parent_pid: c.ppid,
        name: if full_name.is_empty() {
            stat::lossy(name)
        } else {
            full_name
        },
        executable,
        command,
        command_line,
        owner,
        uid: uid.unwrap_or(0),
        state: char::from(c.state).to_string(),
        user_seconds: c.utime as f64 / tck,
        system_seconds: c.stime as f64 / tck,
        iowait_seconds: c.blkio_ticks as f64 / tck,
        cpu_percent: c.cpu_percent,
        rss_bytes,
        virtual_bytes: c.vsize as f64,
        memory_percent: percent(rss_bytes, ctx.mem_total as f64),
        threads: c.threads,
        open_fds: count_fds(&dir.join("fd")).ok(),
        read_bytes: bytes(io.read_bytes),
        write_bytes: bytes(io.write_bytes),
        chars_read_bytes: bytes(io.rchar),
        chars_written_bytes: bytes(io.wchar),
        start_time_unix: ctx.btime as f64 + c.starttime as f64 / tck,
        matched: c.matched,
    }
}

/// Entries of `/proc/<pid>/fd`; an error (EACCES for another user's process) means
/// "unknown", which the record shows as an absent field.
fn count_fds(dir: &Path) -> io::Result<u32> {
    let n = fs::read_dir(dir)?.filter(|e| e.is_ok()).count();
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Collects between clearing the name cache, so users added or renamed while the
/// agent runs (and uids first seen as unknown) are picked up within minutes.
const OWNER_CACHE_COLLECTS: u32 = 40;

/// uid → user name, cached across collects.
#[derive(Debug, Default)]
pub struct Owners {
    names: HashMap<u32, String>,
    collects: u32,
    /// The host's `/etc/passwd` under a non-`/` rootfs, read at most once per collect.
    passwd: Option<Vec<u8>>,
}

impl Owners {
    pub fn begin_collect(&mut self) {
        self.collects = self.collects.wrapping_add(1);
        if self.collects.is_multiple_of(OWNER_CACHE_COLLECTS) {
            self.names.clear();
        }
        self.passwd = None;
    }

    /// The user name of `uid`, or the uid as text when no name is known. Under a
    /// non-`/` rootfs (a containerised agent) names come from the host's
    /// `/etc/passwd`, since this process's NSS would answer for the container.
    pub fn name(&mut self, roots: &Roots, uid: u32) -> String {
        if let Some(n) = self.names.get(&uid) {
            return n.clone();
        }
        let found = if roots.rootfs == Path::new("/") {
            crate::unix::user_name(uid)
        } else {
            let passwd = self
                .passwd
                .get_or_insert_with(|| fs::read(roots.host("/etc/passwd")).unwrap_or_default());
            stat::passwd_name(passwd, uid)
        };
        let name = found.unwrap_or_else(|| uid.to_string());
        self.names.insert(uid, name.clone());
        name
    }
}
