//! The buffer's single-owner lock: what taking it finds. Each platform's `sys` module
//! provides `try_lock(path, holder) -> io::Result<Outcome>` (`flock` on Unix).

use std::fs::File;

/// What `try_lock` found.
pub enum Outcome {
    /// The lock is ours while this file stays open.
    Held(File),
    /// Another open file description holds it; `holder` is what that one wrote.
    Busy { holder: String },
}
