//! Helpers the collectors' test modules share: temporary host trees and the
//! fixture trees under `native/tests/fixtures`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::linux::procfs::Roots;

fn fixture_path(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(group);
    if name.is_empty() {
        dir
    } else {
        dir.join(name)
    }
}

/// A temporary host tree holding `files` (path relative to the root, text), with
/// their parent directories; the tree lives as long as the returned `TempDir`.
pub(crate) fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, Roots) {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let roots = Roots::at(dir.path());
    (dir, roots)
}

/// The fixture tree `tests/fixtures/<group>/<name>` (or the group's own folder
/// when `name` is empty), seen as a host root.
pub(crate) fn fixture_roots(group: &str, name: &str) -> Roots {
    Roots::at(&fixture_path(group, name))
}

/// The text of the single fixture file `tests/fixtures/<group>/<name>`.
pub(crate) fn fixture_text(group: &str, name: &str) -> String {
    let path = fixture_path(group, name);
    match fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => panic!("fixture {}: {e}", path.display()),
    }
}

/// The moment `seconds` after a fixed instant shared by all tests: collects are
/// given the time they read at, so tests space their reads exactly.
pub(crate) fn at(seconds: f64) -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now) + Duration::from_secs_f64(seconds)
}
