//! The crate's one error type. Converted to a JavaScript error once, in `lib.rs`;
//! inside a snapshot a failed group becomes a [`crate::snapshot::GroupError`] instead.

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{0} is not supported on this platform")]
    Unsupported(&'static str),
    #[error("netlink: {0}")]
    Netlink(String),
    #[error("invalid option {name}: {message}")]
    InvalidOption { name: &'static str, message: String },
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn io(path: &Path, source: io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub fn parse(path: &Path, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// True when the file simply is not there (an old kernel, a missing module):
    /// callers treat that as "not present", which is data, not an error.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }
}
