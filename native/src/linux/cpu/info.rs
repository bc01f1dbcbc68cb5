//! The static description of the CPUs: `/proc/cpuinfo` (model, vendor, family,
//! frequency, cache, topology ids) and, where cpuinfo has no topology, sysfs.

use std::collections::BTreeSet;

use super::Ticks;
use crate::linux::procfs::{read_u64, Roots};

/// The static part of `/proc/cpuinfo`, from its first processor block (and the
/// topology ids of all blocks).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CpuInfo {
    pub model: String,
    pub vendor: String,
    pub family: String,
    pub mhz: f64,
    pub cache_size_bytes: f64,
    /// Distinct (physical id, core id) pairs; 0 when the file has no topology.
    pub physical_cores: u32,
    /// Distinct physical ids; 0 when the file has no topology.
    pub sockets: u32,
    /// `cpu MHz` of every processor block that has one, by its `processor` number.
    pub processor_mhz: Vec<(u32, f64)>,
}

/// Model, vendor, family, MHz and cache of the first processor; core and socket
/// counts from the topology ids of all processors (x86). ARM and others name some
/// keys differently and have no topology here; those fields stay empty or zero.
pub fn parse_cpuinfo(text: &str) -> CpuInfo {
    let mut info = CpuInfo::default();
    let mut pairs = BTreeSet::new();
    let mut packages = BTreeSet::new();
    let mut physical_id: Option<&str> = None;
    let mut processor: Option<u32> = None;
    let mut first_block = true;
    let mut seen_content = false;
    let mut model_fallback = String::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            first_block = first_block && !seen_content;
            physical_id = None;
            processor = None;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        seen_content = true;
        match key {
            "physical id" => {
                physical_id = Some(value);
                packages.insert(value.to_string());
            }
            "core id" => {
                if let Some(p) = physical_id {
                    pairs.insert((p.to_string(), value.to_string()));
                }
            }
            "processor" => processor = value.parse().ok(),
            "cpu MHz" if !first_block => {
                if let (Some(id), Ok(mhz)) = (processor, value.parse::<f64>()) {
                    if mhz.is_finite() && mhz > 0.0 {
                        info.processor_mhz.push((id, mhz));
                    }
                }
            }
            _ if !first_block => {}
            "model name" if info.model.is_empty() => info.model = value.to_string(),
            "Processor" | "cpu model" | "cpu" if model_fallback.is_empty() => {
                model_fallback = value.to_string()
            }
            "vendor_id" if info.vendor.is_empty() => info.vendor = value.to_string(),
            "CPU implementer" if info.vendor.is_empty() => {
                info.vendor = arm_implementer(value).to_string()
            }
            "cpu family" => info.family = value.to_string(),
            "cpu MHz" => {
                info.mhz = value.parse().unwrap_or(0.0);
                if let (Some(id), true) = (processor, info.mhz.is_finite() && info.mhz > 0.0) {
                    info.processor_mhz.push((id, info.mhz));
                }
            }
            "cache size" => info.cache_size_bytes = parse_size(value).unwrap_or(0.0),
            _ => {}
        }
    }
    if info.model.is_empty() {
        info.model = model_fallback;
    }
    if !info.mhz.is_finite() || info.mhz < 0.0 {
        info.mhz = 0.0;
    }
    info.physical_cores = pairs.len() as u32;
    info.sockets = packages.len() as u32;
    info
}

/// The ARM `CPU implementer` code's owner (the codes are assigned by Arm).
fn arm_implementer(code: &str) -> &str {
    match code.to_ascii_lowercase().as_str() {
        "0x41" => "ARM",
        "0x42" => "Broadcom",
        "0x43" => "Cavium",
        "0x46" => "Fujitsu",
        "0x48" => "HiSilicon",
        "0x4e" => "NVIDIA",
        "0x50" => "APM",
        "0x51" => "Qualcomm",
        "0x53" => "Samsung",
        "0x61" => "Apple",
        "0xc0" => "Ampere",
        _ => code,
    }
}

/// `1024 KB`, `512K`, `8 MB` → bytes.
fn parse_size(value: &str) -> Option<f64> {
    let digits = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let n: f64 = value.get(..digits)?.parse().ok()?;
    let unit = value.get(digits..)?.trim().to_ascii_uppercase();
    let mult = match unit.as_str() {
        "" | "B" => 1.0,
        "K" | "KB" | "KIB" => 1024.0,
        "M" | "MB" | "MIB" => 1024.0 * 1024.0,
        "G" | "GB" | "GIB" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(n * mult)
}

/// Physical cores and sockets from `/sys/devices/system/cpu/cpuN/topology`, for
/// architectures whose cpuinfo has no topology ids.
pub(super) fn sysfs_topology(roots: &Roots, cores: &[(u32, Ticks)]) -> Option<(u32, u32)> {
    let mut pairs = BTreeSet::new();
    let mut packages = BTreeSet::new();
    for (id, _) in cores {
        let dir = format!("devices/system/cpu/cpu{id}/topology/");
        let package = read_u64(&roots.sys(&format!("{dir}physical_package_id")))?;
        let core = read_u64(&roots.sys(&format!("{dir}core_id")))?;
        pairs.insert((package, core));
        packages.insert(package);
    }
    (!pairs.is_empty()).then_some((pairs.len() as u32, packages.len() as u32))
}
