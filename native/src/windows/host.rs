//! Who the host is: name, Windows version and edition, uptime, the machine GUID, and
//! whether it runs under a hypervisor (CPUID).

use windows_sys::Wdk::System::SystemServices::RtlGetVersion;
use windows_sys::Win32::System::SystemInformation::{
    ComputerNamePhysicalDnsHostname, GetComputerNameExW, GetTickCount64, OSVERSIONINFOW,
};

use super::win::{from_wide, hklm_string};

const CURRENT_VERSION: &str = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion";

/// What Windows says about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawHost {
    pub hostname: String,
    /// `major.minor.build`, e.g. `10.0.22631`.
    pub version: String,
    /// The build number alone, e.g. `22631`.
    pub build: u32,
    /// `ProductName`, e.g. `Windows 10 Pro` (Windows 11 still says 10 there).
    pub product_name: String,
    /// `DisplayVersion`, e.g. `23H2` ("" before 20H2).
    pub display_version: String,
    pub uptime_seconds: f64,
    /// `MachineGuid` of `HKLM\SOFTWARE\Microsoft\Cryptography`.
    pub machine_guid: String,
}

fn hostname() -> String {
    let mut buf = vec![0u16; 256];
    let mut len = buf.len() as u32;
    // SAFETY: `buf` holds `len` units.
    if unsafe { GetComputerNameExW(ComputerNamePhysicalDnsHostname, buf.as_mut_ptr(), &mut len) }
        == 0
    {
        return String::new();
    }
    from_wide(&buf[..(len as usize).min(buf.len())])
}

fn version() -> (String, u32) {
    // SAFETY: plain data; the size field is set as the call requires.
    let mut v: OSVERSIONINFOW = unsafe { std::mem::zeroed() };
    v.dwOSVersionInfoSize = std::mem::size_of::<OSVERSIONINFOW>() as u32;
    // SAFETY: as above. RtlGetVersion, unlike GetVersionEx, is not shimmed by the
    // application's manifest, so Windows 10 and 11 say 10.0.
    if unsafe { RtlGetVersion(&mut v) } != 0 {
        return (String::new(), 0);
    }
    (
        format!(
            "{}.{}.{}",
            v.dwMajorVersion, v.dwMinorVersion, v.dwBuildNumber
        ),
        v.dwBuildNumber,
    )
}

pub fn read() -> RawHost {
    let (version, build) = version();
    RawHost {
        hostname: hostname(),
        version,
        build,
        product_name: hklm_string(CURRENT_VERSION, "ProductName").unwrap_or_default(),
        display_version: hklm_string(CURRENT_VERSION, "DisplayVersion").unwrap_or_default(),
        // SAFETY: no arguments.
        uptime_seconds: unsafe { GetTickCount64() } as f64 / 1000.0,
        machine_guid: hklm_string(r"SOFTWARE\Microsoft\Cryptography", "MachineGuid")
            .unwrap_or_default()
            .to_lowercase(),
    }
}

/// CPUID leaf 1, ECX bit 31: set by every hypervisor for its guests.
#[cfg(target_arch = "x86_64")]
pub fn hypervisor_present() -> bool {
    std::arch::x86_64::__cpuid(1).ecx & (1 << 31) != 0
}

#[cfg(not(target_arch = "x86_64"))]
pub fn hypervisor_present() -> bool {
    false
}
