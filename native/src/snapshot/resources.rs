//! System-wide resources: file handles, entropy, pressure stall information.

use napi_derive::napi;

/// One line of `/proc/pressure/<resource>`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct PsiRecord {
    /// `cpu`, `memory`, `io` or `irq`.
    pub resource: String,
    /// `some` or `full`.
    pub kind: String,
    /// Percent of time stalled, averaged over 10 s.
    pub avg10: f64,
    /// Percent of time stalled, averaged over 60 s.
    pub avg60: f64,
    /// Percent of time stalled, averaged over 300 s.
    pub avg300: f64,
    /// Cumulative stall time, seconds.
    pub total_seconds: f64,
}

/// The resources group.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ResourcesSnapshot {
    /// Allocated file handles in use (`file-nr`: allocated − free).
    pub open_file_descriptors: f64,
    /// `file-max` (third field of `file-nr`).
    pub max_file_descriptors: f64,
    /// `open / max`, percent 0–100.
    pub file_descriptors_used_percent: f64,
    /// `entropy_avail`, bits.
    pub entropy_available_bits: f64,
    /// Empty where the kernel has no PSI.
    pub psi: Vec<PsiRecord>,
}
