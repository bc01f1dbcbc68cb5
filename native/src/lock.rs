//! One owner per buffer store, tied to the store itself rather than to a path beside it.
//!
//! - Unix: an exclusive advisory `flock` on the store directory's own descriptor. Deleting or
//!   renaming any file cannot hand the store to a second agent: the lock lives on the
//!   directory's inode, and a taker checks that the directory it locked is still the one at
//!   the path (so a store moved aside and replaced is locked afresh).
//! - Windows: `LockFileEx` on one byte of the store's data file far beyond any data it can
//!   hold. Windows locks are mandatory, so a range LMDB reads or writes would block its I/O;
//!   this one is never touched.
//!
//! The kernel drops either lock when the holder's handle closes, including when the process is
//! killed, so a crash never leaves a stale lock. A note inside the store (`owner`) names the
//! holder, for the error the next taker prints; the note is informational only.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// The holder's note, inside the store directory.
pub const OWNER_NOTE: &str = "owner";

/// What `try_lock_store` found.
pub enum Outcome {
    /// The store is ours while this handle stays open.
    Held(File),
    /// Another holder has it; `holder` is its note (empty when the note is gone).
    Busy { holder: String },
}

/// Takes the store at `dir` (an existing directory) without waiting, and writes `holder` into
/// its owner note.
pub fn try_lock_store(dir: &Path, holder: &str) -> io::Result<Outcome> {
    let note = dir.join(OWNER_NOTE);
    let Some(handle) = platform::lock(dir)? else {
        let text = std::fs::read_to_string(&note).unwrap_or_default();
        return Ok(Outcome::Busy {
            holder: text.trim().to_string(),
        });
    };
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    writeln!(options.open(&note)?, "{holder}")?;
    Ok(Outcome::Held(handle))
}

#[cfg(unix)]
mod platform {
    use std::fs::File;
    use std::io;
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::io::AsRawFd;
    use std::path::Path;

    /// A few rounds are plenty: each lost one means another taker moved the store meanwhile.
    const ATTEMPTS: usize = 8;

    pub fn lock(dir: &Path) -> io::Result<Option<File>> {
        for _ in 0..ATTEMPTS {
            let file = File::open(dir)?;
            if !file.metadata()?.is_dir() {
                return Err(io::Error::other(format!(
                    "{} is not a directory",
                    dir.display()
                )));
            }
            // SAFETY: flock on a descriptor this function owns.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
                let err = io::Error::last_os_error();
                if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
                    return Ok(None);
                }
                return Err(err);
            }
            let held = file.metadata()?;
            match std::fs::metadata(dir) {
                Ok(now) if now.dev() == held.dev() && now.ino() == held.ino() => {
                    return Ok(Some(file))
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other(format!(
            "{} kept being replaced while it was being locked",
            dir.display()
        )))
    }
}

#[cfg(windows)]
mod platform {
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::os::windows::fs::OpenOptionsExt;
    use std::os::windows::io::AsRawHandle;
    use std::path::Path;
    use windows_sys::Win32::Foundation::{ERROR_IO_PENDING, ERROR_LOCK_VIOLATION};
    use windows_sys::Win32::Storage::FileSystem::{
        LockFileEx, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE, LOCKFILE_EXCLUSIVE_LOCK,
        LOCKFILE_FAIL_IMMEDIATELY,
    };
    use windows_sys::Win32::System::IO::OVERLAPPED;

    /// The data file LMDB maps; created empty when missing (LMDB treats that as a new store).
    const DATA_FILE: &str = "data.mdb";
    /// 2^62: no LMDB map, and no NTFS file, reaches this offset.
    const LOCK_OFFSET: u64 = 1 << 62;

    pub fn lock(dir: &Path) -> io::Result<Option<File>> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
            .open(dir.join(DATA_FILE))?;
        // SAFETY: OVERLAPPED is plain data; all-zero is its documented initial state.
        let mut at: OVERLAPPED = unsafe { std::mem::zeroed() };
        at.Anonymous.Anonymous.Offset = LOCK_OFFSET as u32;
        at.Anonymous.Anonymous.OffsetHigh = (LOCK_OFFSET >> 32) as u32;
        let flags = LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY;
        // SAFETY: a handle this function owns and an OVERLAPPED that outlives the call (the
        // handle is synchronous, so the call completes before returning).
        if unsafe { LockFileEx(file.as_raw_handle() as _, flags, 0, 1, 0, &mut at) } == 0 {
            let err = io::Error::last_os_error();
            return match err.raw_os_error().map(|c| c as u32) {
                Some(ERROR_LOCK_VIOLATION) | Some(ERROR_IO_PENDING) => Ok(None),
                _ => Err(err),
            };
        }
        Ok(Some(file))
    }
}

#[cfg(not(any(unix, windows)))]
mod platform {
    use std::fs::File;
    use std::io;
    use std::path::Path;

    /// No lock primitive known here: every caller gets the store.
    pub fn lock(dir: &Path) -> io::Result<Option<File>> {
        File::open(dir).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(o: Outcome) -> File {
        match o {
            Outcome::Held(f) => f,
            Outcome::Busy { holder } => panic!("busy, held by {holder}"),
        }
    }

    fn busy(o: Outcome) -> String {
        match o {
            Outcome::Busy { holder } => holder,
            Outcome::Held(_) => panic!("two holders"),
        }
    }

    #[test]
    fn a_second_taker_is_refused_and_told_who_holds_it_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = held(try_lock_store(dir.path(), "agent A").unwrap());
        assert_eq!(
            busy(try_lock_store(dir.path(), "agent B").unwrap()),
            "agent A"
        );
        drop(first);
        held(try_lock_store(dir.path(), "agent B").unwrap());
        let note = std::fs::read_to_string(dir.path().join(OWNER_NOTE)).unwrap();
        assert_eq!(note, "agent B\n");
    }

    #[test]
    fn the_data_file_stays_readable_and_writable_by_others_while_the_store_is_held() {
        use std::io::{Read, Seek, SeekFrom};
        let dir = tempfile::tempdir().unwrap();
        let _held = held(try_lock_store(dir.path(), "agent A").unwrap());
        let mut other = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.path().join("data.mdb"))
            .unwrap();
        let page = vec![0xabu8; 8192];
        other.write_all(&page).unwrap();
        other.seek(SeekFrom::Start(0)).unwrap();
        let mut back = Vec::new();
        other.read_to_end(&mut back).unwrap();
        assert_eq!(back, page);
    }

    #[cfg(unix)]
    #[test]
    fn deleting_every_file_in_the_store_does_not_hand_it_to_a_second_taker() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lock.mdb"), b"x").unwrap();
        let _first = held(try_lock_store(dir.path(), "agent A").unwrap());
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        assert_eq!(busy(try_lock_store(dir.path(), "agent B").unwrap()), "");
    }

    #[cfg(unix)]
    #[test]
    fn a_store_moved_aside_and_replaced_is_locked_afresh_while_the_old_one_stays_held() {
        let parent = tempfile::tempdir().unwrap();
        let path = parent.path().join("buffer");
        std::fs::create_dir(&path).unwrap();
        let _old = held(try_lock_store(&path, "agent A").unwrap());
        let aside = parent.path().join("buffer.corrupt");
        std::fs::rename(&path, &aside).unwrap();
        std::fs::create_dir(&path).unwrap();
        let _fresh = held(try_lock_store(&path, "agent A again").unwrap());
        assert_eq!(busy(try_lock_store(&aside, "agent B").unwrap()), "agent A");
    }

    #[test]
    fn a_longer_holder_note_is_replaced_not_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        drop(held(
            try_lock_store(dir.path(), "a much longer holder line").unwrap(),
        ));
        let _again = held(try_lock_store(dir.path(), "short").unwrap());
        let note = std::fs::read_to_string(dir.path().join(OWNER_NOTE)).unwrap();
        assert_eq!(note, "short\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_missing_directory_or_a_file_is_an_error_not_a_lock() {
        let dir = tempfile::tempdir().unwrap();
        let err = try_lock_store(&dir.path().join("no/such"), "x")
            .err()
            .unwrap();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        std::fs::write(dir.path().join("f"), b"").unwrap();
        assert!(try_lock_store(&dir.path().join("f"), "x").is_err());
    }
}
