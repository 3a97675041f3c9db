//! The target model's construction, description and errors; helpers for the facts' tests.

use super::*;

pub(crate) fn target(flavor: Flavor, version: &str, cluster: ClusterSetting<'_>) -> Target {
    Target::new(flavor, version, cluster).expect("a supported target")
}

pub(crate) fn ossm(version: &str, openshift: &str) -> Target {
    target(Flavor::Ossm2, version, ClusterSetting::OpenShift(openshift))
}

pub(crate) fn istio(version: &str, kubernetes: &str) -> Target {
    target(Flavor::Istio, version, ClusterSetting::Kubernetes(kubernetes))
}

#[test]
fn targets_are_described() {
    assert_eq!(
        ossm("v2.5", "4.16").to_string(),
        "OpenShift Service Mesh 2.5 (Istio 1.18) on OpenShift 4.16 (Kubernetes 1.29)"
    );
    assert_eq!(istio("v1.24.3", "1.31").to_string(), "Istio 1.24.3 on Kubernetes 1.31");
    let assumed = target(Flavor::Istio, "v1.24", ClusterSetting::Unset);
    assert_eq!(assumed.to_string(), "Istio 1.24 on Kubernetes 1.27, assumed");
}

#[test]
fn the_newest_known_target_is_istio_1_24_on_openshift_4_19() {
    let newest = Target::newest_known();
    assert_eq!(newest, target(Flavor::Istio, "v1.24", ClusterSetting::OpenShift("4.19")));
    assert!(Target::all_supported().iter().all(|t| t.istio_version().minor() <= newest.istio_version().minor()
        && t.kubernetes_version().minor() <= newest.kubernetes_version().minor()));
}

#[test]
fn the_default_control_plane_version_is_a_supported_ossm_release() {
    let t = target(Flavor::default(), DEFAULT_CONTROL_PLANE_VERSION, ClusterSetting::OpenShift("4.16"));
    assert_eq!((t.flavor(), t.ossm_version().map(|o| o.minor())), (Flavor::Ossm2, Some(5)));
}

#[test]
fn the_schema_default_control_plane_version_is_the_platform_default() {
    use crate::input_schema::{InputKind, input_schema};
    let schema = input_schema(InputKind::All);
    let default = &schema["$defs"]["ControlPlaneSettings"]["properties"]["version"]["default"];
    assert_eq!(default.as_str(), Some(DEFAULT_CONTROL_PLANE_VERSION));
}

#[test]
fn the_assumed_cluster_is_the_oldest_known() {
    let t = target(Flavor::Ossm2, "v2.6", ClusterSetting::Unset);
    assert!(t.cluster_assumed() && t.is_openshift());
    assert_eq!(
        (t.openshift_version().map(|v| v.to_string()), t.kubernetes_version().to_string()),
        (Some("4.14".into()), "1.27".into())
    );
    let t = target(Flavor::Istio, "v1.20.1", ClusterSetting::Unset);
    assert!(t.cluster_assumed() && !t.is_openshift());
    assert_eq!(t.kubernetes_version().minor(), 27);
    assert!(!ossm("v2.6", "4.18").cluster_assumed());
}

#[test]
fn ossm_versions_map_to_istio() {
    let pairs: Vec<(Option<u32>, u32)> = ["v2.4", "v2.5", "v2.6"]
        .iter()
        .map(|v| ossm(v, "4.16"))
        .map(|t| (t.ossm_version().map(|o| o.minor()), t.istio_version().minor()))
        .collect();
    assert_eq!(pairs, [(Some(4), 16), (Some(5), 18), (Some(6), 20)]);
    let t = istio("v1.24.3", "1.31");
    assert_eq!((t.ossm_version(), t.istio_version().minor(), t.istio_version().patch()), (None, 24, Some(3)));
}

#[test]
fn unknown_and_malformed_versions_are_errors_naming_the_setting() {
    let err = |flavor, version: &str, cluster| Target::new(flavor, version, cluster).expect_err(version);
    let unset = ClusterSetting::Unset;
    for v in ["v2.3", "v2.7", "v3.0", "v1.18"] {
        let e = err(Flavor::Ossm2, v, unset);
        assert!(matches!(e, TargetError::UnsupportedControlPlaneVersion { .. }), "{v}: {e:?}");
        assert_eq!(e.setting(), "mesh.controlPlane.version");
    }
    for v in ["2.5", "v2.5.1", "v2", "V2.5", "v2.5 ", "", "latest"] {
        assert!(matches!(err(Flavor::Ossm2, v, unset), TargetError::MalformedControlPlaneVersion { .. }), "{v}");
    }
    for v in ["v1.15", "v1.15.2", "v1.25.0", "v2.5", "v0.24"] {
        assert!(matches!(err(Flavor::Istio, v, unset), TargetError::UnsupportedControlPlaneVersion { .. }), "{v}");
    }
    for v in ["1.24.3", "v1.24.3-rc.0", "v1.24.x", "v1"] {
        assert!(matches!(err(Flavor::Istio, v, unset), TargetError::MalformedControlPlaneVersion { .. }), "{v}");
    }
    for v in ["4.13", "4.20", "3.11", "5.0"] {
        let e = err(Flavor::Ossm2, "v2.5", ClusterSetting::OpenShift(v));
        assert!(matches!(e, TargetError::UnsupportedOpenShiftVersion { .. }), "{v}");
        assert_eq!(e.setting(), "cluster.openshiftVersion");
    }
    for v in ["v4.16", "4.16.3", "4", "four"] {
        let e = err(Flavor::Istio, "v1.24", ClusterSetting::OpenShift(v));
        assert!(matches!(e, TargetError::MalformedOpenShiftVersion { .. }), "{v}");
    }
    for v in ["1.26", "1.33", "2.0"] {
        let e = err(Flavor::Istio, "v1.24", ClusterSetting::Kubernetes(v));
        assert!(matches!(e, TargetError::UnsupportedKubernetesVersion { .. }), "{v}");
        assert_eq!(e.setting(), "cluster.kubernetesVersion");
    }
    assert!(matches!(
        err(Flavor::Istio, "v1.24", ClusterSetting::Kubernetes("1.31.0")),
        TargetError::MalformedKubernetesVersion { .. }
    ));
    let e = err(Flavor::Ossm2, "v2.5", ClusterSetting::Kubernetes("1.29"));
    assert!(matches!(e, TargetError::OssmNeedsOpenShift { .. }));
    assert!(e.help().contains("cluster.openshiftVersion"), "{}", e.help());
    // Every error says what to write.
    let e = err(Flavor::Ossm2, "v2.7", unset);
    assert_eq!(e.message(), "openshift service mesh control plane version \"v2.7\" is not supported");
    assert!(e.help().contains("v2.4, v2.5 or v2.6"));
    assert_eq!(e.to_string(), format!("mesh.controlPlane.version: {}", e.message()));
}

#[test]
fn all_supported_targets_are_listed_once() {
    let all = Target::all_supported();
    // ossm2: 3 releases × 6 OpenShift; istio: 9 minors × (6 Kubernetes + 6 OpenShift).
    assert_eq!(all.len(), 3 * 6 + 9 * 12);
    let unique: std::collections::BTreeSet<String> = all.iter().map(Target::to_string).collect();
    assert_eq!(unique.len(), all.len());
    assert!(all.iter().all(|t| !t.cluster_assumed()));
}
