use std::path::Path;

use proptest::prelude::*;

use crate::linux::container::{
    self, id_from_cgroup_path, id_from_mountinfo, is_container_id, parse_cfs_quota, parse_cgroup,
    parse_cpu_max, parse_memory_limit, Found,
};
use crate::linux::procfs::Roots;
use crate::linux::testutil::{fixture_roots, tree};

const A: &str = "4f8c2e1d9b7a6c5e3f2d1c0b9a8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e";
const B: &str = "9d0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5";
const C: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
const D: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A fixture seen from outside, as with `rootPath`: pid 1's files are read.
fn host_view(name: &str) -> Roots {
    fixture_roots("container", name)
}

fn found(id: &str, runtime: &'static str) -> Option<Found> {
    Some(Found {
        id: id.to_string(),
        runtime,
    })
}

#[test]
fn finds_a_docker_container_on_cgroup_v1_with_its_limits() {
    let c = container::collect(&host_view("docker-v1")).unwrap();
    assert!(c.is_container);
    assert_eq!(c.runtime, "docker");
    assert_eq!(c.container_id, A);
    assert_eq!(c.cgroup_version, 1);
    assert_eq!(c.cpu_quota_cores, 1.5);
    assert_eq!(c.memory_limit_bytes, 536870912.0);
    assert_eq!(c.container_name, "");
    assert_eq!(c.container_image, "");
}

#[test]
fn finds_a_kubernetes_containerd_container_and_the_pod_level_limit() {
    let c = container::collect(&host_view("k8s-containerd-v1")).unwrap();
    assert_eq!(c.runtime, "kubernetes");
    assert_eq!(c.container_id, B);
    assert_eq!(c.cgroup_version, 1);
    assert_eq!(c.cpu_quota_cores, 2.5);
    assert_eq!(
        c.memory_limit_bytes, 268435456.0,
        "the pod's limit is the tightest"
    );
}

#[test]
fn finds_a_cri_o_container_on_cgroup_v2() {
    let c = container::collect(&host_view("crio-v2")).unwrap();
    assert_eq!(c.runtime, "kubernetes");
    assert_eq!(c.container_id, C);
    assert_eq!(c.cgroup_version, 2);
    assert_eq!(c.cpu_quota_cores, 0.5);
    assert_eq!(c.memory_limit_bytes, 1073741824.0);
}

#[test]
fn finds_a_namespaced_podman_container_through_mountinfo() {
    let c = container::collect(&host_view("podman-v2")).unwrap();
    assert!(c.is_container);
    assert_eq!(c.runtime, "podman");
    assert_eq!(c.container_id, D);
    assert_eq!(c.cgroup_version, 2);
    assert_eq!(c.cpu_quota_cores, 0.0, "max = unlimited");
    assert_eq!(c.memory_limit_bytes, 0.0);
}

#[test]
fn finds_a_namespaced_docker_container_through_mountinfo() {
    let c = container::collect(&host_view("docker-v2")).unwrap();
    assert_eq!(c.runtime, "docker");
    assert_eq!(c.container_id, A);
    assert_eq!(c.cpu_quota_cores, 2.0);
    assert_eq!(c.memory_limit_bytes, 2147483648.0);
}

#[test]
fn a_host_watched_through_a_root_path_is_judged_by_its_init_not_by_the_agent() {
    let c = container::collect(&host_view("host-v2")).unwrap();
    assert!(!c.is_container, "{c:?}");
    assert_eq!(c.runtime, "");
    assert_eq!(c.container_id, "");
    assert_eq!(c.cgroup_version, 2);
    assert_eq!(c.memory_limit_bytes, 0.0);
}

#[test]
fn reads_its_own_cgroup_when_the_root_is_slash() {
    let cgroup = format!("0::/kubepods/besteffort/pod1/{B}\n");
    let (_dir, mut roots) = tree(&[("proc/self/cgroup", &cgroup)]);
    roots.rootfs = "/".into();
    let c = container::collect(&roots).unwrap();
    assert_eq!(c.runtime, "kubernetes");
    assert_eq!(c.container_id, B);
    assert_eq!(c.cgroup_version, 0, "no cgroup filesystem in this tree");
}

#[test]
fn a_tree_without_any_cgroup_file_is_not_a_container() {
    let (_dir, roots) = tree(&[]);
    let c = container::collect(&roots).unwrap();
    assert!(!c.is_container);
    assert_eq!(c.cgroup_version, 0);
}

#[test]
fn recognises_every_runtimes_cgroup_path() {
    assert_eq!(
        id_from_cgroup_path(&format!("/docker/{A}")),
        found(A, "docker")
    );
    assert_eq!(
        id_from_cgroup_path(&format!("/system.slice/docker-{A}.scope")),
        found(A, "docker")
    );
    assert_eq!(
        id_from_cgroup_path(&format!(
            "/system.slice/containerd.service/kubepods-besteffort-pod1.slice:cri-containerd:{B}"
        )),
        found(B, "containerd"),
        "containerd's systemd driver joins with colons; the trailing id is still found"
    );
    assert_eq!(
        id_from_cgroup_path(&format!(
            "/kubepods.slice/kubepods-pod1.slice/cri-containerd-{B}.scope"
        )),
        found(B, "containerd")
    );
    assert_eq!(
        id_from_cgroup_path(&format!("/machine.slice/libpod-{D}.scope/container")),
        found(D, "podman")
    );
    assert_eq!(
        id_from_cgroup_path(&format!("/libpod_parent/libpod-{D}")),
        found(D, "podman")
    );
    assert_eq!(
        id_from_cgroup_path(&format!("/crio-{C}.scope")),
        found(C, "cri-o")
    );
    assert_eq!(
        id_from_cgroup_path(&format!("/ecs/task1/{A}")),
        found(A, "")
    );
    assert_eq!(
        id_from_cgroup_path(&format!("/docker/{}", A.to_uppercase())),
        found(A, "docker")
    );
    assert_eq!(
        id_from_cgroup_path("/user.slice/user-1000.slice/session-2.scope"),
        None
    );
    assert_eq!(
        id_from_cgroup_path("/process_api/ffc3d3fea105684ff038d6e59517fe06"),
        None
    );
    assert_eq!(id_from_cgroup_path("/"), None);
}

#[test]
fn only_the_etc_bind_mounts_name_a_container_in_mountinfo() {
    let host_overlay = format!(
        "300 22 0:50 /var/lib/docker/containers/{A}/hostname /srv/copy rw - ext4 /dev/vda1 rw\n"
    );
    assert_eq!(id_from_mountinfo(&host_overlay), None);
    let relative = format!("1 2 3:4 /containers/{A}/hosts /etc/hosts rw - ext4 /dev/sdb1 rw\n");
    assert_eq!(id_from_mountinfo(&relative), found(A, ""));
    assert_eq!(id_from_mountinfo("garbage\n1 2\n\n"), None);
}

#[test]
fn parses_cgroup_lines_and_skips_malformed_ones() {
    let lines = parse_cgroup("12:cpu,cpuacct:/a:b\r\nnot a line\n0::/\n");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].controllers, "cpu,cpuacct");
    assert_eq!(lines[0].path, "/a:b");
    assert_eq!(lines[1].hierarchy, "0");
}

#[test]
fn reads_cpu_and_memory_limits_in_every_spelling() {
    assert_eq!(parse_cpu_max("max 100000"), None);
    assert_eq!(parse_cpu_max("150000 100000"), Some(1.5));
    assert_eq!(parse_cpu_max("50000"), Some(0.5));
    assert_eq!(parse_cpu_max("0 0"), None);
    assert_eq!(parse_cfs_quota("-1", "100000"), None);
    assert_eq!(parse_cfs_quota("50000\n", "100000\n"), Some(0.5));
    assert_eq!(parse_cfs_quota("50000", "0"), None);
    assert_eq!(parse_memory_limit("max"), None);
    assert_eq!(parse_memory_limit("9223372036854771712"), None);
    assert_eq!(
        parse_memory_limit("4611686018427387904"),
        None,
        "2^62 is unlimited"
    );
    assert_eq!(parse_memory_limit("18446744073709551615"), None);
    assert_eq!(parse_memory_limit("99999999999999999999999"), None);
    assert_eq!(parse_memory_limit("1048576\n"), Some(1048576.0));
}

#[test]
fn a_cgroup_path_that_climbs_out_is_not_followed() {
    let (_dir, roots) = tree(&[
        ("proc/1/cgroup", "0::/../../escape\n"),
        ("sys/fs/cgroup/cgroup.controllers", "memory\n"),
        ("sys/fs/cgroup/memory.max", "1000\n"),
        ("sys/memory.max", "1\n"),
    ]);
    let c = container::collect(&roots).unwrap();
    assert_eq!(c.memory_limit_bytes, 1000.0);
}

#[test]
fn matches_the_live_host() {
    let c = container::collect(&Roots::default()).unwrap();
    assert!(c.container_id.is_empty() || is_container_id(&c.container_id));
    let v2 = Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
    if v2 {
        assert_eq!(c.cgroup_version, 2);
    } else if Path::new("/sys/fs/cgroup/memory").is_dir() {
        assert_eq!(c.cgroup_version, 1);
    }
    if Path::new("/.dockerenv").exists() || Path::new("/run/.containerenv").exists() {
        assert!(c.is_container);
    }
    assert!(c.cpu_quota_cores >= 0.0 && c.memory_limit_bytes >= 0.0);
}

proptest! {
    #[test]
    fn container_parsers_never_panic(s in "\\PC*", bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let lossy = String::from_utf8_lossy(&bytes);
        for text in [s.as_str(), lossy.as_ref()] {
            let _ = parse_cgroup(text);
            let _ = id_from_cgroup_path(text);
            let _ = id_from_mountinfo(text);
            let _ = parse_cpu_max(text);
            let _ = parse_cfs_quota(text, text);
            let _ = parse_memory_limit(text);
        }
    }

    #[test]
    fn cgroup_paths_built_from_id_like_pieces_never_panic(s in "(/(docker-|crio-|libpod-|kubepods|[0-9a-f]{60,66})(\\.scope)?)*") {
        if let Some(f) = id_from_cgroup_path(&s) {
            prop_assert!(is_container_id(&f.id));
        }
    }
}
