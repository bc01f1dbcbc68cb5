//! Small helpers over Win32 every Windows reader uses: UTF-16 strings, the registry,
//! the last OS error, and the grow-and-retry buffer calls.

use std::io;

use windows_sys::Win32::Foundation::ERROR_SUCCESS;
use windows_sys::Win32::System::Registry::{
    RegGetValueW, HKEY, HKEY_LOCAL_MACHINE, RRF_RT_REG_DWORD, RRF_RT_REG_SZ,
};

/// `s` as a NUL-terminated UTF-16 string.
pub fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// A UTF-16 buffer up to its first NUL (the whole buffer when there is none).
pub fn from_wide(buf: &[u16]) -> String {
    let end = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
    String::from_utf16_lossy(&buf[..end])
}

/// A NUL-terminated UTF-16 string owned by the OS; "" for a null pointer.
///
/// # Safety
/// `p` is null or points at a NUL-terminated UTF-16 string.
pub unsafe fn from_wide_ptr(p: *const u16) -> String {
    if p.is_null() {
        return String::new();
    }
    let mut len = 0usize;
    // SAFETY: the caller promises a terminating NUL.
    while unsafe { *p.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: `len` units were just read.
    String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(p, len) })
}

/// The OS error a failed call left, named after the call.
pub fn last_error(call: &str) -> io::Error {
    let e = io::Error::last_os_error();
    io::Error::new(e.kind(), format!("{call}: {e}"))
}

/// A Win32 error code returned by a call, named after it.
pub fn win32_error(call: &str, code: u32) -> io::Error {
    let e = io::Error::from_raw_os_error(code as i32);
    io::Error::new(e.kind(), format!("{call}: {e}"))
}

fn reg_value(key: HKEY, subkey: &str, value: &str, flags: u32, buf: &mut [u8]) -> Option<usize> {
    let subkey = wide(subkey);
    let value = wide(value);
    let mut size = buf.len() as u32;
    // SAFETY: both names are NUL-terminated; `buf` holds `size` bytes.
    let status = unsafe {
        RegGetValueW(
            key,
            subkey.as_ptr(),
            value.as_ptr(),
            flags,
            std::ptr::null_mut(),
            buf.as_mut_ptr().cast(),
            &mut size,
        )
    };
    (status == ERROR_SUCCESS).then_some(size as usize)
}

/// A `REG_SZ` value under `HKEY_LOCAL_MACHINE`; None when absent or unreadable.
pub fn hklm_string(subkey: &str, value: &str) -> Option<String> {
    let mut buf = vec![0u8; 1024];
    let n = reg_value(HKEY_LOCAL_MACHINE, subkey, value, RRF_RT_REG_SZ, &mut buf)?;
    let units: Vec<u16> = buf[..n]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    Some(from_wide(&units).trim().to_string())
}

/// A `REG_DWORD` value under `HKEY_LOCAL_MACHINE`.
pub fn hklm_dword(subkey: &str, value: &str) -> Option<u32> {
    let mut buf = [0u8; 4];
    let n = reg_value(
        HKEY_LOCAL_MACHINE,
        subkey,
        value,
        RRF_RT_REG_DWORD,
        &mut buf,
    )?;
    (n == 4).then(|| u32::from_le_bytes(buf))
}

/// A buffer of 8-byte units (aligned for the tables the OS writes into it).
pub fn aligned(bytes: usize) -> Vec<u64> {
    vec![0u64; bytes.div_ceil(8).max(1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_round_trips_and_stops_at_nul() {
        let w = wide("C:\\ünï");
        assert_eq!(w.last(), Some(&0));
        assert_eq!(from_wide(&w), "C:\\ünï");
        assert_eq!(from_wide(&[0x41, 0, 0x42]), "A");
        assert_eq!(from_wide(&[0x41, 0x42]), "AB");
    }
}
