//! Whether and how the agent runs in a container.

use napi_derive::napi;

/// Whether the agent itself runs in a container, and which.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ContainerInfo {
    /// True when this process runs in a container (cgroup path, mountinfo or a runtime marker file says so).
    pub is_container: bool,
    /// `docker`, `containerd`, `cri-o`, `podman`, `kubernetes`, `lxc`, or "".
    pub runtime: String,
    /// Full 64-hex container id where one is found, else "".
    pub container_id: String,
    /// Name where the environment gives one (e.g. Kubernetes pod name), else "".
    pub container_name: String,
    /// Image where the environment gives one, else "" (the kernel does not know it).
    pub container_image: String,
    /// 1 or 2; 0 when no cgroup filesystem is found.
    pub cgroup_version: u32,
    /// CPU quota in cores (`cpu.max` or `cfs_quota_us / cfs_period_us`); 0 = unlimited.
    pub cpu_quota_cores: f64,
    /// Memory limit, bytes (`memory.max` or `memory.limit_in_bytes`); 0 = unlimited.
    pub memory_limit_bytes: f64,
}
