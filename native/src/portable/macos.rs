//! What the portable backend asks macOS directly, where sysinfo has nothing: the
//! per-mode CPU ticks (`host_processor_info`), the hardware UUID (`gethostuuid`, the
//! IOPlatformUUID), the timezone (`/etc/localtime`'s link), VM statistics
//! (`host_statistics64`), TCP states (`net.inet.tcp.pcblist_n`) and whether this is a
//! virtual machine (`kern.hv_vmm_present`). Compile-checked here; run on the macOS
//! runners only.

use sysinfo::Process;

use super::map::{TickReading, VmStats};
use crate::error::{Error, Result};
use crate::snapshot::availability::{self, Gap};
use crate::snapshot::container::ContainerInfo;
use crate::snapshot::cpu::Ticks;
use crate::snapshot::filesystem::Stats;
use crate::snapshot::host::zone_from_link;
use crate::snapshot::tcp::TcpStateCounts;
use crate::snapshot::virt::VirtualizationInfo;
use crate::unix::statvfs;

pub use crate::unix::{clock_ticks_per_second, load_average, page_size, user_name};

/// `statvfs` on a mount point (used = total − free, as on Linux), on a helper thread
/// with a timeout for network filesystems; `None` when it fails or times out (the mount
/// is then left out).
pub fn fs_stats(mount: &std::path::Path, fs_type: &str) -> Option<Stats> {
    if statvfs::is_remote(fs_type) {
        statvfs::stat_with_timeout(mount.to_path_buf(), statvfs::REMOTE_TIMEOUT)
    } else {
        statvfs::stat(mount).ok()
    }
}

pub const OS: &str = "darwin";
pub const GAPS: &[&[Gap]] = availability::MACOS;
pub const TCP_SOURCE: &str = "pcblist_n";

pub fn uid(p: &Process) -> Option<u32> {
    p.user_id().map(|u| **u)
}

/// The zone `/etc/localtime` links into (`/var/db/timezone/zoneinfo/Europe/Berlin`).
pub fn timezone() -> String {
    std::fs::read_link("/etc/localtime")
        .ok()
        .and_then(|t| zone_from_link(&t.to_string_lossy()))
        .unwrap_or_else(|| "UTC".to_string())
}

/// The hardware UUID (what `ioreg` shows as `IOPlatformUUID`), upper case as macOS
/// prints it.
pub fn host_id() -> String {
    let mut id = [0u8; 16];
    let wait = libc::timespec {
        tv_sec: 1,
        tv_nsec: 0,
    };
    // SAFETY: `id` is the 16-byte uuid_t gethostuuid fills; `wait` outlives the call.
    if unsafe { libc::gethostuuid(id.as_mut_ptr(), &wait) } != 0 {
        return String::new();
    }
    let hex: String = id.iter().map(|b| format!("{b:02X}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Ticks per CPU (user, system, idle, nice), placed in `/proc/stat` order.
#[allow(deprecated)] // libc points at the mach2 crate for these; the calls are the same
pub fn cpu_ticks() -> Option<TickReading> {
    let mut count: libc::natural_t = 0;
    let mut info: libc::processor_info_array_t = std::ptr::null_mut();
    let mut info_count: libc::mach_msg_type_number_t = 0;
    // SAFETY: out-pointers to locals; on success the kernel hands us `info_count`
    // integers, which are read below and then given back with vm_deallocate.
    let rc = unsafe {
        libc::host_processor_info(
            libc::mach_host_self(),
            libc::PROCESSOR_CPU_LOAD_INFO,
            &mut count,
            &mut info,
            &mut info_count,
        )
    };
    if rc != 0 || info.is_null() {
        return None;
    }
    // SAFETY: `info` points at `info_count` integers (CPU_STATE_MAX per CPU).
    let raw = unsafe { std::slice::from_raw_parts(info, info_count as usize) };
    let per_cpu = libc::CPU_STATE_MAX as usize;
    let cores: Vec<(u32, Ticks)> = raw
        .chunks_exact(per_cpu)
        .take(count as usize)
        .enumerate()
        .map(|(i, c)| {
            let t = |s: libc::c_int| u64::from(c.get(s as usize).copied().unwrap_or(0) as u32);
            let mut ticks = [0u64; 10];
            ticks[0] = t(libc::CPU_STATE_USER);
            ticks[1] = t(libc::CPU_STATE_NICE);
            ticks[2] = t(libc::CPU_STATE_SYSTEM);
            ticks[3] = t(libc::CPU_STATE_IDLE);
            (i as u32, ticks)
        })
        .collect();
    // SAFETY: gives back exactly the region host_processor_info allocated.
    unsafe {
        libc::vm_deallocate(
            libc::mach_task_self(),
            info as libc::vm_address_t,
            info_count as libc::vm_size_t * std::mem::size_of::<libc::integer_t>(),
        )
    };
    let mut total = [0u64; 10];
    for (_, t) in &cores {
        for (sum, v) in total.iter_mut().zip(t) {
            *sum = sum.saturating_add(*v);
        }
    }
    Some((total, cores))
}

/// `host_statistics64(HOST_VM_INFO64)`: memory classes and paging events.
#[allow(deprecated)] // libc points at the mach2 crate for mach_host_self; the call is the same
pub fn vm_stats() -> Option<VmStats> {
    // SAFETY: vm_statistics64 is plain integers; all zeroes is a valid value.
    let mut info: libc::vm_statistics64 = unsafe { std::mem::zeroed() };
    let mut count = libc::HOST_VM_INFO64_COUNT;
    // SAFETY: `info` is a vm_statistics64 and `count` says how many integers it holds.
    let rc = unsafe {
        libc::host_statistics64(
            libc::mach_host_self(),
            libc::HOST_VM_INFO64,
            (&mut info as *mut libc::vm_statistics64).cast(),
            &mut count,
        )
    };
    if rc != 0 {
        return None;
    }
    let page = crate::unix::page_size();
    let bytes = |pages: libc::natural_t| u64::from(pages).saturating_mul(page);
    Some(VmStats {
        active_bytes: bytes(info.active_count),
        inactive_bytes: bytes(info.inactive_count),
        wired_bytes: bytes(info.wire_count),
        pageins: info.pageins,
        pageouts: info.pageouts,
        swapins: info.swapins,
        swapouts: info.swapouts,
    })
}

/// Every TCP socket of the host by state, from `net.inet.tcp.pcblist_n` (the list
/// `netstat` reads; no child process, no per-process walk).
pub fn tcp_states() -> Result<(TcpStateCounts, TcpStateCounts)> {
    let name = c"net.inet.tcp.pcblist_n";
    let unsupported = || Error::Unsupported("net.inet.tcp.pcblist_n");
    let mut size = 0usize;
    // SAFETY: a size query (null buffer) with a NUL-terminated name.
    let rc = unsafe {
        libc::sysctlbyname(
            name.as_ptr(),
            std::ptr::null_mut(),
            &mut size,
            std::ptr::null_mut(),
            0,
        )
    };
    if rc != 0 {
        return Err(unsupported());
    }
    // Sockets come and go between the two calls: leave room for some more.
    let mut buf = vec![0u8; size + size / 4 + 4096];
    let mut len = buf.len();
    // SAFETY: `buf` holds `len` writable bytes; the kernel writes at most that many.
    let rc = unsafe {
        libc::sysctlbyname(
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            &mut len,
            std::ptr::null_mut(),
            0,
        )
    };
    if rc != 0 {
        return Err(unsupported());
    }
    buf.truncate(len);
    Ok(super::pcblist::count(&buf))
}

/// macOS is not run inside containers.
pub fn container() -> Result<ContainerInfo> {
    Ok(ContainerInfo::default())
}

/// `kern.hv_vmm_present`: 1 inside a virtual machine.
pub fn virtualization() -> Result<VirtualizationInfo> {
    let name = c"kern.hv_vmm_present";
    let mut value: libc::c_int = 0;
    let mut size = std::mem::size_of::<libc::c_int>();
    // SAFETY: a NUL-terminated name and an out-buffer of the size given.
    let rc = unsafe {
        libc::sysctlbyname(
            name.as_ptr(),
            (&mut value as *mut libc::c_int).cast(),
            &mut size,
            std::ptr::null_mut(),
            0,
        )
    };
    let guest = rc == 0 && value == 1;
    Ok(VirtualizationInfo {
        is_virtualized: guest,
        role: if guest { "guest" } else { "" }.to_string(),
        ..Default::default()
    })
}

pub fn is_loopback(name: &str) -> bool {
    name.starts_with("lo")
}

/// devfs, autofs and the system's own sealed and helper volumes.
pub fn is_pseudo(fs_type: &str, mount: &std::path::Path) -> bool {
    matches!(fs_type, "devfs" | "autofs" | "nullfs")
        || ["VM", "Preboot", "Update", "xarts", "iSCPreboot", "Hardware"]
            .iter()
            .any(|v| mount == std::path::Path::new("/System/Volumes").join(v))
}
