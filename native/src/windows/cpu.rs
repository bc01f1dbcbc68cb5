//! CPU times and facts from Win32: all processors together from `GetSystemTimes`, each
//! logical processor from `NtQuerySystemInformation(SystemProcessorPerformanceInformation)`,
//! cores and packages from `GetLogicalProcessorInformationEx`, the model and vendor
//! from CPUID, the nominal frequency from the registry. Nothing here asks PDH (which
//! sysinfo's CPU usage does, and Wine 8 lacks).

use std::io;
use std::mem::size_of;

use windows_sys::Wdk::System::SystemInformation::{
    NtQuerySystemInformation, SystemProcessorPerformanceInformation,
};
use windows_sys::Win32::Foundation::FILETIME;
use windows_sys::Win32::System::SystemInformation::{
    GetLogicalProcessorInformationEx, RelationAll, RelationCache, RelationProcessorCore,
    RelationProcessorPackage,
};
use windows_sys::Win32::System::Threading::GetSystemTimes;
use windows_sys::Win32::System::WindowsProgramming::SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION;

use super::win::{aligned, hklm_dword, last_error};

/// Windows counts processor time in 100 ns units.
pub const UNITS_PER_SECOND: f64 = 10_000_000.0;

/// One logical processor's cumulative times, 100 ns units. `kernel` includes `idle`,
/// and also the time spent in DPCs and interrupts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RawTimes {
    pub idle: u64,
    pub kernel: u64,
    pub user: u64,
    pub dpc: u64,
    pub interrupt: u64,
}

impl RawTimes {
    /// In the ten-counter order the snapshot's maths uses (user, nice, system, idle,
    /// iowait, irq, softirq, steal, guest, guest_nice): system is kernel time without
    /// idle, interrupts and DPCs, which are counted on their own as irq and softirq
    /// (the nearest Linux modes), so no time is counted twice. Windows has no nice,
    /// iowait, steal or guest time: those stay 0.
    pub fn ticks(&self) -> [u64; 10] {
        let system = self
            .kernel
            .saturating_sub(self.idle)
            .saturating_sub(self.dpc)
            .saturating_sub(self.interrupt);
        [
            self.user,
            0,
            system,
            self.idle,
            0,
            self.interrupt,
            self.dpc,
            0,
            0,
            0,
        ]
    }

    fn plus(self, o: RawTimes) -> RawTimes {
        RawTimes {
            idle: self.idle.saturating_add(o.idle),
            kernel: self.kernel.saturating_add(o.kernel),
            user: self.user.saturating_add(o.user),
            dpc: self.dpc.saturating_add(o.dpc),
            interrupt: self.interrupt.saturating_add(o.interrupt),
        }
    }
}

fn filetime(t: &FILETIME) -> u64 {
    (u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime)
}

/// Every processor's times together (`GetSystemTimes`), with the DPC and interrupt
/// shares taken from the per-processor sums (`GetSystemTimes` has none).
pub fn total(per_core: &[RawTimes]) -> io::Result<RawTimes> {
    let zero = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    let (mut idle, mut kernel, mut user) = (zero, zero, zero);
    // SAFETY: three FILETIMEs to write into.
    if unsafe { GetSystemTimes(&mut idle, &mut kernel, &mut user) } == 0 {
        return Err(last_error("GetSystemTimes"));
    }
    let sums = per_core.iter().fold(RawTimes::default(), |a, c| a.plus(*c));
    Ok(RawTimes {
        idle: filetime(&idle),
        kernel: filetime(&kernel),
        user: filetime(&user),
        dpc: sums.dpc,
        interrupt: sums.interrupt,
    })
}

/// Each logical processor of this process's processor group, in processor order.
pub fn per_core() -> io::Result<Vec<RawTimes>> {
    let row = size_of::<SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION>();
    let mut count = 64usize;
    loop {
        let mut buf = vec![SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION::default(); count];
        let mut returned = 0u32;
        // SAFETY: `buf` holds `count` rows, and its size in bytes is passed.
        let status = unsafe {
            NtQuerySystemInformation(
                SystemProcessorPerformanceInformation,
                buf.as_mut_ptr().cast(),
                (count * row) as u32,
                &mut returned,
            )
        };
        // STATUS_INFO_LENGTH_MISMATCH: more processors than rows.
        if status == 0xC000_0004_u32 as i32 && count < 4096 {
            count *= 4;
            continue;
        }
        if status < 0 {
            return Err(io::Error::other(format!(
                "NtQuerySystemInformation(SystemProcessorPerformanceInformation): NTSTATUS {status:#010x}"
            )));
        }
        let n = (returned as usize / row).min(count);
        return Ok(buf[..n]
            .iter()
            .map(|p| RawTimes {
                idle: p.IdleTime.max(0) as u64,
                kernel: p.KernelTime.max(0) as u64,
                user: p.UserTime.max(0) as u64,
                // Reserved1 is DpcTime, InterruptTime in the documented layout.
                dpc: p.Reserved1[0].max(0) as u64,
                interrupt: p.Reserved1[1].max(0) as u64,
            })
            .collect());
    }
}

/// What the processor is, as far as Windows and CPUID tell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub model: String,
    pub vendor: String,
    pub family: String,
    pub mhz: f64,
    pub cache_size_bytes: f64,
    pub physical_cores: u32,
    pub sockets: u32,
}

/// Counts of processor cores and packages, and the largest cache's size, from
/// `GetLogicalProcessorInformationEx(RelationAll)`.
fn topology() -> io::Result<(u32, u32, u64)> {
    let mut len = 0u32;
    // SAFETY: a null buffer asks for the size needed.
    unsafe { GetLogicalProcessorInformationEx(RelationAll, std::ptr::null_mut(), &mut len) };
    if len == 0 {
        return Err(last_error("GetLogicalProcessorInformationEx"));
    }
    let mut buf = aligned(len as usize);
    // SAFETY: `buf` holds at least `len` bytes.
    if unsafe { GetLogicalProcessorInformationEx(RelationAll, buf.as_mut_ptr().cast(), &mut len) }
        == 0
    {
        return Err(last_error("GetLogicalProcessorInformationEx"));
    }
    // SAFETY: the OS wrote `len` bytes; reading them as bytes is always sound.
    let bytes = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), len as usize) };
    Ok(parse_topology(bytes))
}

/// The variable-size records of `SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX`: each starts
/// with its relationship and its size (two u32); a cache record's size in bytes is the
/// u32 at offset 12 (level u8, associativity u8, line size u16, then the size).
pub fn parse_topology(bytes: &[u8]) -> (u32, u32, u64) {
    let u32_at = |off: usize| -> Option<u32> {
        bytes
            .get(off..off + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (mut cores, mut packages, mut cache) = (0u32, 0u32, 0u64);
    let mut off = 0usize;
    while let (Some(relation), Some(size)) = (u32_at(off), u32_at(off + 4)) {
        match relation as i32 {
            r if r == RelationProcessorCore => cores += 1,
            r if r == RelationProcessorPackage => packages += 1,
            r if r == RelationCache => {
                if let Some(bytes) = u32_at(off + 12) {
                    cache = cache.max(u64::from(bytes));
                }
            }
            _ => {}
        }
        if size < 8 {
            break; // a malformed record: stop rather than loop
        }
        off += size as usize;
    }
    (cores, packages, cache)
}

#[cfg(target_arch = "x86_64")]
fn cpuid_facts() -> (String, String, String) {
    use std::arch::x86_64::__cpuid;
    let text = |words: &[u32]| {
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        String::from_utf8_lossy(&bytes)
            .trim_matches(char::from(0))
            .trim()
            .to_string()
    };
    let leaf0 = __cpuid(0);
    let vendor = text(&[leaf0.ebx, leaf0.edx, leaf0.ecx]);
    let leaf1 = __cpuid(1);
    let base = (leaf1.eax >> 8) & 0xf;
    let family = if base == 0xf {
        base + ((leaf1.eax >> 20) & 0xff)
    } else {
        base
    };
    let model = if __cpuid(0x8000_0000).eax >= 0x8000_0004 {
        let mut words = Vec::with_capacity(12);
        for leaf in 0x8000_0002u32..=0x8000_0004 {
            let r = __cpuid(leaf);
            words.extend([r.eax, r.ebx, r.ecx, r.edx]);
        }
        text(&words)
    } else {
        String::new()
    };
    (model, vendor, family.to_string())
}

#[cfg(not(target_arch = "x86_64"))]
fn cpuid_facts() -> (String, String, String) {
    let key = r"HARDWARE\DESCRIPTION\System\CentralProcessor\0";
    let s = |v: &str| super::win::hklm_string(key, v).unwrap_or_default();
    (
        s("ProcessorNameString"),
        s("VendorIdentifier"),
        String::new(),
    )
}

/// Model, vendor, family, frequency, cores, packages and cache.
pub fn facts(logical: u32) -> Facts {
    let (model, vendor, family) = cpuid_facts();
    let (cores, packages, cache) = topology().unwrap_or((0, 0, 0));
    Facts {
        model,
        vendor,
        family,
        mhz: hklm_dword(r"HARDWARE\DESCRIPTION\System\CentralProcessor\0", "~MHz")
            .map_or(0.0, f64::from),
        cache_size_bytes: cache as f64,
        physical_cores: if cores > 0 { cores } else { logical },
        sockets: packages.max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_time_is_split_into_system_irq_softirq_and_idle_without_double_counting() {
        let t = RawTimes {
            idle: 600,
            kernel: 1000,
            user: 300,
            dpc: 50,
            interrupt: 30,
        };
        let ticks = t.ticks();
        assert_eq!(ticks, [300, 0, 320, 600, 0, 30, 50, 0, 0, 0]);
        assert_eq!(ticks.iter().sum::<u64>(), t.kernel + t.user);
    }

    #[test]
    fn kernel_time_below_its_parts_never_underflows() {
        let t = RawTimes {
            idle: 900,
            kernel: 500,
            ..Default::default()
        };
        assert_eq!(t.ticks()[2], 0);
    }

    #[test]
    fn topology_records_are_counted_and_a_truncated_list_ends_the_walk() {
        let mut bytes = Vec::new();
        let mut record = |relation: i32, size: u32, extra: &[u8]| {
            bytes.extend((relation as u32).to_le_bytes());
            bytes.extend(size.to_le_bytes());
            bytes.extend(extra);
            bytes.resize(bytes.len() + size as usize - 8 - extra.len(), 0);
        };
        record(RelationProcessorCore, 48, &[]);
        record(RelationProcessorCore, 48, &[]);
        // level 3, 16-way, 64-byte lines, 32 MiB
        let cache = [&[3u8, 16, 64, 0][..], &(32u32 << 20).to_le_bytes()[..]].concat();
        record(RelationCache, 48, &cache);
        record(RelationProcessorPackage, 48, &[]);
        bytes.extend([0u8; 3]);
        assert_eq!(parse_topology(&bytes), (2, 1, 32 << 20));
        assert_eq!(parse_topology(&[]), (0, 0, 0));
    }
}
