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
    GetLogicalProcessorInformationEx, RelationAll,
};
use windows_sys::Win32::System::Threading::GetSystemTimes;
use windows_sys::Win32::System::WindowsProgramming::SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION;

use super::decode::{parse_topology, RawTimes};
use super::win::{aligned, hklm_dword, last_error};

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
