//! The Windows backend: Win32 calls through `windows-sys`, no child processes, no PDH.

pub mod cpu;
pub mod host;
pub mod interfaces;
pub mod memory;
pub mod tcp;
pub mod volumes;
pub mod win;
