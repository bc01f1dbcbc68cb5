//! Replacing the running process with another program image (`execv`).
//!
//! Node 20 has no `process.execve`; the CLI uses this to restart itself under the
//! V8 flags the agent is tuned for, keeping its pid, environment and open stdio,
//! before any other module is loaded.

use std::ffi::CString;
use std::io;

/// Replaces this process with `file` run with `args` (`args[0]` included). Returns only
/// when the kernel refuses, with the reason.
pub fn replace_process(file: &str, args: &[String]) -> io::Result<std::convert::Infallible> {
    let nul = |s: &str| {
        CString::new(s).map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("a NUL byte in {s:?}"))
        })
    };
    let file = nul(file)?;
    let args = args
        .iter()
        .map(|a| nul(a))
        .collect::<io::Result<Vec<_>>>()?;
    if args.is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "no argv[0]"));
    }
    let mut argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    let marked = keep_stdio_open();
    // SAFETY: `file` and every `argv` entry are NUL-terminated strings that outlive the
    // call, and `argv` ends with a null pointer. `execv` returns only on failure.
    unsafe { libc::execv(file.as_ptr(), argv.as_ptr()) };
    let err = io::Error::last_os_error();
    // This process carries on: its streams get back the flag they had.
    for fd in marked {
        // SAFETY: fcntl on a descriptor number.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    Err(err)
}

/// Node (libuv) may have marked the standard streams close-on-exec; the new image must
/// get them, or its output would go to the /dev/null node puts in their place.
/// Returns the descriptors whose flag it cleared.
fn keep_stdio_open() -> Vec<libc::c_int> {
    let mut cleared = Vec::new();
    for fd in 0..=2 {
        // SAFETY: fcntl on a descriptor number; a closed one just fails with EBADF.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags >= 0 && flags & libc::FD_CLOEXEC != 0 {
                libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC);
                cleared.push(fd);
            }
        }
    }
    cleared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_missing_program_with_its_os_error() {
        let err = replace_process("/nonexistent/tfo-agent-test", &["x".into()]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn refuses_a_nul_byte_before_calling_the_kernel() {
        let err = replace_process("/bin/true", &["a\0b".into()]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("NUL"), "{err}");
    }

    #[test]
    fn refuses_an_empty_argv() {
        let err = replace_process("/bin/true", &[]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
