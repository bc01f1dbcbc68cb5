//! An exclusive advisory lock on a file (`flock`), so two agents never share one buffer.
//!
//! The kernel drops the lock when the holder's descriptor closes, including when the
//! process is killed, so a crash never leaves a stale lock behind. The file holds a line
//! naming the holder, for the error the next one prints.

use std::fs::OpenOptions;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

pub use crate::lock::Outcome;

/// Takes the lock on `path` (created, mode 0600, if missing) without waiting, and writes
/// `holder` into it.
pub fn try_lock(path: &Path, holder: &str) -> io::Result<Outcome> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;

    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    // SAFETY: flock on a descriptor this function owns.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let err = io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
            let mut text = String::new();
            file.read_to_string(&mut text).ok();
            return Ok(Outcome::Busy {
                holder: text.trim().to_string(),
            });
        }
        return Err(err);
    }
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    writeln!(file, "{holder}")?;
    Ok(Outcome::Held(file))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;

    fn held(o: Outcome) -> File {
        match o {
            Outcome::Held(f) => f,
            Outcome::Busy { holder } => panic!("busy, held by {holder}"),
        }
    }

    #[test]
    fn a_second_taker_is_refused_and_told_who_holds_it_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("buffer.lock");
        let first = held(try_lock(&path, "agent A").unwrap());
        match try_lock(&path, "agent B").unwrap() {
            Outcome::Busy { holder } => assert_eq!(holder, "agent A"),
            Outcome::Held(_) => panic!("two holders"),
        }
        drop(first);
        held(try_lock(&path, "agent B").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "agent B\n");
    }

    #[test]
    fn a_longer_holder_line_is_replaced_not_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l");
        drop(held(try_lock(&path, "a much longer holder line").unwrap()));
        let _again = held(try_lock(&path, "short").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "short\n");
    }

    #[test]
    fn a_missing_directory_is_an_error_not_a_lock() {
        let dir = tempfile::tempdir().unwrap();
        let err = try_lock(&dir.path().join("no/such/dir/l"), "x")
            .err()
            .unwrap();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
