use proptest::prelude::*;

use crate::linux::memory::{self, parse_meminfo, snapshot};
use crate::linux::procfs::Roots;
use crate::linux::testutil::{self, tree};

fn fixture_roots(name: &str) -> Roots {
    testutil::fixture_roots("memory", name)
}

fn meminfo_tree(text: &str) -> (tempfile::TempDir, Roots) {
    tree(&[("proc/meminfo", text)])
}

const KIB: f64 = 1024.0;

#[test]
fn reads_a_modern_meminfo_in_bytes() {
    let m = memory::collect(&fixture_roots("modern")).unwrap();
    assert_eq!(m.total_bytes, 24684084.0 * KIB);
    assert_eq!(m.available_bytes, 24001768.0 * KIB);
    assert_eq!(m.used_bytes, (24684084.0 - 24001768.0) * KIB);
    assert!((m.used_percent - 100.0 * (24684084.0 - 24001768.0) / 24684084.0).abs() < 1e-9);
    assert_eq!(m.cached_bytes, 2111120.0 * KIB);
    assert_eq!(m.slab_reclaimable_bytes, 249328.0 * KIB);
    assert_eq!(m.slab_unreclaimable_bytes, 32972.0 * KIB);
    assert_eq!(m.committed_bytes, 587716.0 * KIB);
    assert_eq!(m.shared_bytes, 8872.0 * KIB);
    assert_eq!(m.wired_bytes, 0.0);
    assert_eq!(m.swap_total_bytes, 0.0);
    assert_eq!(m.swap_used_percent, 0.0);
}

#[test]
fn estimates_available_memory_on_kernels_without_mem_available() {
    let m = memory::collect(&fixture_roots("old")).unwrap();
    let available = (100000.0 + 20000.0 + 300000.0) * KIB;
    assert_eq!(m.available_bytes, available);
    assert_eq!(m.used_bytes, 1024000.0 * KIB - available);
    assert_eq!(m.swap_used_bytes, 48000.0 * KIB);
    assert!((m.swap_used_percent - 100.0 * 48000.0 / 2048000.0).abs() < 1e-9);
    assert_eq!(m.slab_reclaimable_bytes, 0.0);
}

#[test]
fn never_reports_more_available_or_free_swap_than_exists() {
    let m = snapshot(&parse_meminfo(
        "MemTotal: 100 kB\nMemAvailable: 500 kB\nSwapTotal: 10 kB\nSwapFree: 20 kB\n",
    ))
    .unwrap();
    assert_eq!(m.used_bytes, 0.0);
    assert_eq!(m.swap_used_bytes, 0.0);
}

#[test]
fn keeps_unitless_counts_and_skips_garbage_and_crlf() {
    let f = parse_meminfo("HugePages_Total:   16\r\nMemTotal: 8 kB\r\njunk\nX: y kB\nY: 1 MB\n");
    assert_eq!(f.get("HugePages_Total"), Some(&16));
    assert_eq!(f.get("MemTotal"), Some(&8192));
    assert_eq!(f.get("X"), None);
    assert_eq!(f.get("Y"), None);
}

#[test]
fn saturates_rather_than_wraps_on_huge_values() {
    let f =
        parse_meminfo("MemTotal: 18446744073709551615 kB\nMemFree: 99999999999999999999999 kB\n");
    assert_eq!(f.get("MemTotal"), Some(&u64::MAX));
    assert_eq!(f.get("MemFree"), None);
    assert!(snapshot(&f).unwrap().total_bytes > 1e19);
}

#[test]
fn fails_the_group_on_an_empty_or_missing_meminfo() {
    let (_d, roots) = meminfo_tree("");
    assert!(memory::collect(&roots).is_err());
    let (_dir, roots) = tree(&[]);
    assert!(memory::collect(&roots).is_err());
}

#[test]
fn matches_the_live_host() {
    let m = memory::collect(&Roots::default()).unwrap();
    // SAFETY: sysinfo only fills the struct it is given.
    let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::sysinfo(&mut info) }, 0);
    let total = info.totalram as f64 * f64::from(info.mem_unit);
    assert!(m.total_bytes > 0.0);
    // sysinfo rounds to pages; meminfo counts kB of the same figure.
    assert!(
        (m.total_bytes - total).abs() <= 4096.0 * 4.0,
        "{} vs {}",
        m.total_bytes,
        total
    );
    assert!(m.used_bytes <= m.total_bytes);
    assert!((0.0..=100.0).contains(&m.used_percent));
}

proptest! {
    #[test]
    fn meminfo_parsing_never_panics(s in "\\PC*", bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let lossy = String::from_utf8_lossy(&bytes);
        for text in [s.as_str(), lossy.as_ref()] {
            let _ = snapshot(&parse_meminfo(text));
        }
    }

    #[test]
    fn used_memory_never_exceeds_total(total in any::<u64>(), avail in any::<u64>(), st in any::<u64>(), sf in any::<u64>()) {
        let text = format!("MemTotal: {total}\nMemAvailable: {avail}\nSwapTotal: {st}\nSwapFree: {sf}\n");
        let m = snapshot(&parse_meminfo(&text)).unwrap();
        prop_assert!(m.used_bytes <= m.total_bytes);
        prop_assert!(m.swap_used_bytes <= m.swap_total_bytes);
        prop_assert!((0.0..=100.0).contains(&m.used_percent));
    }
}
