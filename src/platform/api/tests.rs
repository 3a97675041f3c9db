use super::super::tests::{istio, ossm};
use super::*;

fn api(target: &Target, kind: Kind) -> &'static str {
    target.api_version(kind).map(ApiVersion::as_str).unwrap_or("not served")
}

#[test]
fn networking_v1_istio_crd_all_gen_1_22_0() {
    // istio/istio crd-all.gen.yaml: networking.istio.io/v1 absent at 1.21.6, served at 1.22.0.
    assert_eq!(api(&istio("v1.21.6", "1.29"), Kind::VirtualService), "networking.istio.io/v1beta1");
    assert_eq!(api(&istio("v1.22.0", "1.29"), Kind::VirtualService), "networking.istio.io/v1");
    assert_eq!(api(&ossm("v2.6", "4.18"), Kind::Gateway), "networking.istio.io/v1beta1");
}

#[test]
fn security_v1_istio_crd_all_gen_peer_authentication_1_22_0() {
    // PeerAuthentication v1 first in 1.22.0; one security version per target.
    assert_eq!(api(&istio("v1.20", "1.29"), Kind::AuthorizationPolicy), "security.istio.io/v1beta1");
    assert_eq!(api(&istio("v1.20", "1.29"), Kind::PeerAuthentication), "security.istio.io/v1beta1");
    assert_eq!(api(&istio("v1.24.3", "1.31"), Kind::PeerAuthentication), "security.istio.io/v1");
    assert_eq!(api(&ossm("v2.5", "4.16"), Kind::RequestAuthentication), "security.istio.io/v1beta1");
}

#[test]
fn envoy_filter_and_wasm_plugin_istio_crd_all_gen_1_16_to_1_24() {
    for t in [ossm("v2.4", "4.14"), istio("v1.24", "1.32")] {
        assert_eq!(api(&t, Kind::EnvoyFilter), "networking.istio.io/v1alpha3");
        assert_eq!(api(&t, Kind::WasmPlugin), "extensions.istio.io/v1alpha1");
    }
    assert_eq!(api(&istio("v1.21", "1.29"), Kind::Telemetry), "telemetry.istio.io/v1alpha1");
    assert_eq!(api(&istio("v1.22", "1.29"), Kind::Telemetry), "telemetry.istio.io/v1");
}

#[test]
fn validating_admission_policy_kubernetes_apiserver_kube_features_and_openshift_api_features() {
    // kubernetes/apiserver kube_features.go: GA (default on) from 1.30; openshift/api release-4.17
    // features.go enables it in the Default feature set.
    let not_served = ossm("v2.5", "4.16").api_version(Kind::ValidatingAdmissionPolicy).expect_err("4.16");
    assert!(not_served.reason.contains("kubernetes 1.30 (openshift 4.17)"), "{not_served}");
    assert!(not_served.reason.contains("tech preview"), "{not_served}");
    assert_eq!(api(&ossm("v2.6", "4.17"), Kind::ValidatingAdmissionPolicyBinding), "admissionregistration.k8s.io/v1");
    assert!(!istio("v1.24", "1.29").serves(Kind::ValidatingAdmissionPolicy));
    assert!(istio("v1.24", "1.30").serves(Kind::ValidatingAdmissionPolicy));
    assert_eq!(istio("v1.24", "1.31").admission_engine_auto(), Ok(AdmissionEngine::ValidatingAdmissionPolicy));
    assert!(ossm("v2.5", "4.16").admission_engine_auto().is_err());
}

#[test]
fn egress_network_policy_openshift_api_release_4_17_network_v1_types_go() {
    // openshift/api release-4.17 network/v1/types.go: OpenShift SDN is no longer supported.
    assert_eq!(api(&ossm("v2.5", "4.16"), Kind::EgressNetworkPolicy), "network.openshift.io/v1");
    let e = ossm("v2.6", "4.17").api_version(Kind::EgressNetworkPolicy).expect_err("4.17");
    assert!(e.reason.contains("no longer supports"), "{e}");
    assert!(!istio("v1.24", "1.31").serves(Kind::EgressNetworkPolicy));
    assert_eq!(ossm("v2.5", "4.16").prerequisite(Kind::EgressNetworkPolicy), Some(Prerequisite::OpenShiftSdn));
}

#[test]
fn routes_and_ovn_resources_only_on_openshift() {
    // route.openshift.io and k8s.ovn.org: OpenShift (OVN-Kubernetes is its only plugin from 4.17,
    // openshift/api release-4.17 operator/v1/types_network.go:371).
    let openshift = istio("v1.24", "1.31");
    assert!(
        !openshift.serves(Kind::Route) && !openshift.serves(Kind::EgressFirewall) && !openshift.serves(Kind::EgressIP)
    );
    let t = ossm("v2.5", "4.16");
    assert_eq!(
        (api(&t, Kind::Route), api(&t, Kind::EgressFirewall), api(&t, Kind::EgressIP)),
        ("route.openshift.io/v1", "k8s.ovn.org/v1", "k8s.ovn.org/v1")
    );
    assert_eq!(t.prerequisite(Kind::EgressIP), Some(Prerequisite::OvnKubernetes));
}

#[test]
fn control_plane_kinds_follow_the_flavor() {
    let o = ossm("v2.5", "4.16");
    assert_eq!(o.control_plane_kinds(), [Kind::ServiceMeshControlPlane, Kind::ServiceMeshMemberRoll]);
    assert_eq!(
        (api(&o, Kind::ServiceMeshControlPlane), api(&o, Kind::ServiceMeshMemberRoll)),
        ("maistra.io/v2", "maistra.io/v1")
    );
    assert!(!o.serves(Kind::IstioControlPlane));
    let i = istio("v1.24.3", "1.31");
    assert_eq!(i.control_plane_kinds(), [Kind::IstioControlPlane]);
    assert_eq!(api(&i, Kind::IstioControlPlane), "sailoperator.io/v1");
    assert!(!i.serves(Kind::ServiceMeshControlPlane));
    assert_eq!(Kind::IstioControlPlane.name(), "Istio");
}

#[test]
fn sail_operator_version_enum_sail_operator_1_30_3_istios_crd() {
    // istio-ecosystem/sail-operator 1.30.3 chart/crds/sailoperator.io_istios.yaml version enum.
    let accepts = |v: &str| istio(v, "1.31").sail_operator_accepts_version();
    assert_eq!(accepts("v1.24.3"), Some(true));
    assert_eq!(accepts("v1.24.0"), Some(true));
    assert_eq!(accepts("v1.24.7"), Some(false));
    assert_eq!(accepts("v1.24"), Some(false));
    assert_eq!(accepts("v1.22.4"), Some(false));
    assert_eq!(accepts("v1.22.5"), Some(true));
    assert_eq!(accepts("v1.21.6"), Some(true));
    assert_eq!(accepts("v1.20.8"), Some(false));
    assert_eq!(ossm("v2.5", "4.16").sail_operator_accepts_version(), None);
}

#[test]
fn api_versions_split_into_group_and_version() {
    let v = ApiVersion("networking.istio.io/v1beta1");
    assert_eq!((v.group(), v.version()), ("networking.istio.io", "v1beta1"));
    assert_eq!((ApiVersion("v1").group(), ApiVersion("v1").version()), ("", "v1"));
    assert_eq!(Kind::ALL.len(), Kind::ALL.iter().collect::<std::collections::BTreeSet<_>>().len());
}

#[test]
fn admission_rules_match_pods_at_core_v1_and_routes_at_route_openshift_io_v1() {
    // kubernetes/api core/v1; openshift/api release-4.14 route/v1/route.crd.yaml (v1 only).
    assert_eq!(Kind::Pod.admission_match_api_version(), Some(ApiVersion("v1")));
    assert_eq!(Kind::Route.admission_match_api_version(), Some(ApiVersion("route.openshift.io/v1")));
    assert_eq!(Kind::Gateway.admission_match_api_version(), None);
    // Where the target serves them, the written version is the matched one.
    let t = ossm("v2.5", "4.16");
    for kind in [Kind::Pod, Kind::Route] {
        assert_eq!(t.api_version(kind).ok(), kind.admission_match_api_version(), "{kind}");
    }
}

fn served(target: &Target, group: &str, kind: &str) -> Vec<&'static str> {
    match target.served_versions(group, kind) {
        Some(Served::At(all)) => all.iter().map(|v| v.as_str()).collect(),
        Some(Served::Nowhere(reason)) => panic!("{kind} served nowhere: {reason}"),
        None => panic!("{group} {kind} unknown to the model"),
    }
}

#[test]
fn served_networking_versions_istio_crd_all_gen_1_16_7_to_1_24_6() {
    // istio/istio crd-all.gen.yaml versions[].served: v1alpha3 and v1beta1 throughout, v1 from 1.22;
    // maistra/istio-operator v2.5 istio-init: as Istio 1.18.
    let older = ["networking.istio.io/v1alpha3", "networking.istio.io/v1beta1"];
    let newer = ["networking.istio.io/v1", "networking.istio.io/v1alpha3", "networking.istio.io/v1beta1"];
    for kind in
        ["Gateway", "VirtualService", "DestinationRule", "ServiceEntry", "Sidecar", "WorkloadEntry", "WorkloadGroup"]
    {
        assert_eq!(served(&ossm("v2.5", "4.16"), "networking.istio.io", kind), older, "{kind}");
        assert_eq!(served(&istio("v1.21.6", "1.29"), "networking.istio.io", kind), older, "{kind}");
        assert_eq!(served(&istio("v1.22", "1.29"), "networking.istio.io", kind), newer, "{kind}");
        assert_eq!(served(&istio("v1.24.3", "1.31"), "networking.istio.io", kind), newer, "{kind}");
    }
    let t = istio("v1.24", "1.31");
    assert_eq!(served(&t, "networking.istio.io", "EnvoyFilter"), ["networking.istio.io/v1alpha3"]);
    assert_eq!(served(&t, "networking.istio.io", "ProxyConfig"), ["networking.istio.io/v1beta1"]);
    assert_eq!(served(&t, "extensions.istio.io", "WasmPlugin"), ["extensions.istio.io/v1alpha1"]);
    assert_eq!(served(&t, "telemetry.istio.io", "Telemetry"), ["telemetry.istio.io/v1", "telemetry.istio.io/v1alpha1"]);
    assert_eq!(served(&ossm("v2.6", "4.18"), "telemetry.istio.io", "Telemetry"), ["telemetry.istio.io/v1alpha1"]);
}

#[test]
fn served_security_versions_istio_crd_all_gen_1_17_and_1_22() {
    // AuthorizationPolicy and RequestAuthentication v1 from 1.17 (OSSM 2.5, not 2.4); PeerAuthentication from 1.22.
    let both = ["security.istio.io/v1", "security.istio.io/v1beta1"];
    assert_eq!(
        served(&ossm("v2.4", "4.14"), "security.istio.io", "AuthorizationPolicy"),
        ["security.istio.io/v1beta1"]
    );
    assert_eq!(served(&ossm("v2.5", "4.16"), "security.istio.io", "AuthorizationPolicy"), both);
    assert_eq!(served(&ossm("v2.5", "4.16"), "security.istio.io", "RequestAuthentication"), both);
    assert_eq!(served(&ossm("v2.6", "4.18"), "security.istio.io", "PeerAuthentication"), ["security.istio.io/v1beta1"]);
    assert_eq!(served(&istio("v1.22.0", "1.29"), "security.istio.io", "PeerAuthentication"), both);
}

#[test]
fn served_kubernetes_and_openshift_versions() {
    let t = ossm("v2.5", "4.16");
    assert_eq!(served(&t, "", "ConfigMap"), ["v1"]);
    assert_eq!(served(&t, "", "PersistentVolumeClaim"), ["v1"]);
    assert_eq!(served(&t, "apps", "StatefulSet"), ["apps/v1"]);
    assert_eq!(served(&t, "rbac.authorization.k8s.io", "Role"), ["rbac.authorization.k8s.io/v1"]);
    assert_eq!(served(&t, "networking.k8s.io", "NetworkPolicy"), ["networking.k8s.io/v1"]);
    assert_eq!(served(&t, "route.openshift.io", "Route"), ["route.openshift.io/v1"]);
    assert_eq!(served(&t, "maistra.io", "ServiceMeshControlPlane"), ["maistra.io/v1", "maistra.io/v2"]);
    assert!(matches!(
        t.served_versions("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        Some(Served::Nowhere(_))
    ));
    let k = istio("v1.24", "1.31");
    assert!(
        matches!(k.served_versions("route.openshift.io", "Route"), Some(Served::Nowhere(r)) if r.contains("openshift"))
    );
    assert_eq!(
        served(&k, "admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ["admissionregistration.k8s.io/v1"]
    );
}

#[test]
fn groups_and_kinds_the_model_does_not_know_are_unknown() {
    let t = ossm("v2.5", "4.16");
    assert_eq!(t.served_versions("example.com", "Widget"), None);
    assert_eq!(t.served_versions("networking.k8s.io", "Gateway"), None);
    assert_eq!(t.served_versions("kyverno.io", "ClusterPolicy"), None);
    assert_eq!(t.served_versions("gateway.networking.k8s.io", "Gateway"), None);
}

#[test]
fn a_kind_istio_does_not_define_in_its_groups_is_served_nowhere() {
    let t = ossm("v2.5", "4.16");
    for (group, kind) in [("networking.istio.io", "Frobnicator"), ("security.istio.io", "Gateway")] {
        match t.served_versions(group, kind) {
            Some(Served::Nowhere(reason)) => assert!(reason.contains(kind) && reason.contains(group), "{reason}"),
            other => panic!("{group} {kind}: {other:?}"),
        }
    }
    assert_eq!(served(&t, "networking.istio.io", "ProxyConfig"), ["networking.istio.io/v1beta1"]);
}

#[test]
fn built_in_kinds_whose_beta_versions_were_removed_are_served_at_their_stable_versions() {
    for t in [ossm("v2.4", "4.14"), istio("v1.24", "1.31")] {
        assert_eq!(served(&t, "policy", "PodDisruptionBudget"), ["policy/v1"]);
        assert_eq!(served(&t, "batch", "CronJob"), ["batch/v1"]);
        assert_eq!(served(&t, "networking.k8s.io", "Ingress"), ["networking.k8s.io/v1"]);
        assert_eq!(served(&t, "autoscaling", "HorizontalPodAutoscaler"), ["autoscaling/v1", "autoscaling/v2"]);
        assert_eq!(served(&t, "apps", "StatefulSet"), ["apps/v1"]);
        assert!(!t.served_versions("policy", "PodDisruptionBudget").expect("known").includes("policy/v1beta1"));
        assert!(matches!(t.served_versions("extensions", "Deployment"), Some(Served::Nowhere(_))));
        assert!(matches!(t.served_versions("policy", "PodSecurityPolicy"), Some(Served::Nowhere(_))));
    }
}

#[test]
fn the_suggested_version_is_the_one_meshedge_writes_else_the_most_stable() {
    let t = ossm("v2.5", "4.16");
    let suggested = |group, kind| t.suggested_version(group, kind).map(ApiVersion::as_str);
    assert_eq!(suggested("networking.istio.io", "VirtualService"), Some("networking.istio.io/v1beta1"));
    assert_eq!(suggested("networking.istio.io", "WorkloadEntry"), Some("networking.istio.io/v1beta1"));
    assert_eq!(suggested("security.istio.io", "AuthorizationPolicy"), Some("security.istio.io/v1beta1"));
    assert_eq!(
        istio("v1.24", "1.31").suggested_version("networking.istio.io", "WorkloadGroup").map(ApiVersion::as_str),
        Some("networking.istio.io/v1")
    );
    assert_eq!(suggested("example.com", "Widget"), None);
}

#[test]
fn every_written_version_is_a_served_one() {
    for t in Target::all_supported() {
        for kind in Kind::ALL {
            let Ok(written) = t.api_version(kind) else { continue };
            let served = t.served_versions(written.group(), kind.name());
            assert!(served.as_ref().is_none_or(|s| s.includes(written.as_str())), "{t}: {kind} {written} {served:?}");
        }
    }
}

#[test]
fn the_vendored_crds_of_each_target_serve_no_version_the_model_does_not_list() {
    // data/platform and data/schemas (scripts/vendor-schemas keeps served versions only, and drops
    // an Istio CRD's v1alpha3 where it repeats v1beta1): each is among the versions the model lists.
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let mut read: std::collections::BTreeMap<std::path::PathBuf, Vec<(String, String, Vec<String>)>> =
        std::collections::BTreeMap::new();
    for t in Target::all_supported() {
        for file in t.schema_files(&data).expect("the vendored files") {
            if file.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let crds = read.entry(file.clone()).or_insert_with(|| {
                let text = std::fs::read_to_string(&file).expect("readable");
                let docs = crate::load::parse(&file.display().to_string(), &text).expect("YAML");
                docs.iter()
                    .filter_map(|doc| {
                        let spec = &doc.value["spec"];
                        let versions = spec["versions"].as_array().into_iter().flatten();
                        let names = versions.filter_map(|v| v["name"].as_str().map(str::to_string)).collect();
                        Some((spec["group"].as_str()?.to_string(), spec["names"]["kind"].as_str()?.to_string(), names))
                    })
                    .collect()
            });
            for (group, kind, versions) in crds.iter() {
                let Some(served) = t.served_versions(group, kind) else { continue };
                for name in versions {
                    assert!(
                        served.includes(&format!("{group}/{name}")),
                        "{t}: {group}/{name} {kind} ({})",
                        file.display()
                    );
                }
            }
        }
    }
}

/// `(group, kind, served versions)` of every CRD in a vendored file under `data/`.
fn crd_versions(relative: &str) -> Vec<(String, String, Vec<String>)> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(relative);
    let text = std::fs::read_to_string(&file).expect("vendored");
    let docs = crate::load::parse(relative, &text).expect("YAML");
    docs.iter()
        .filter_map(|doc| {
            let spec = &doc.value["spec"];
            let versions = spec["versions"].as_array().into_iter().flatten();
            let mut served: Vec<String> = versions
                .filter(|v| v["served"].as_bool() == Some(true))
                .filter_map(|v| Some(format!("{}/{}", spec["group"].as_str()?, v["name"].as_str()?)))
                .collect();
            served.sort();
            Some((spec["group"].as_str()?.to_string(), spec["names"]["kind"].as_str()?.to_string(), served))
        })
        .collect()
}

#[test]
fn ossm_2_5_and_2_6_serve_exactly_what_their_operators_crds_serve() {
    // data/schemas/ossm-2.{5,6}-istio-crds.yaml keep every served version of the operator's CRDs
    // (maistra/istio-operator 8143614c and 0b6000b3 `resources/helm/v2.{5,6}/istio-init/files/`,
    // data/schemas/SOURCES.md): the model lists those and no other, kind by kind.
    for (target, file) in [
        (ossm("v2.5", "4.16"), "schemas/ossm-2.5-istio-crds.yaml"),
        (ossm("v2.6", "4.18"), "schemas/ossm-2.6-istio-crds.yaml"),
    ] {
        let crds = crd_versions(file);
        assert_eq!(crds.len(), 13, "{file}");
        for (group, kind, in_file) in crds {
            assert_eq!(served(&target, &group, &kind), in_file, "{target}: {group} {kind} ({file})");
        }
    }
    // What 2.6 adds over 2.5, read from the 2.6 files: nothing at the level of served versions
    // (AuthorizationPolicy and RequestAuthentication v1 and v1beta1; networking v1alpha3 and v1beta1).
    assert_eq!(
        served(&ossm("v2.6", "4.18"), "networking.istio.io", "WorkloadGroup"),
        ["networking.istio.io/v1alpha3", "networking.istio.io/v1beta1"]
    );
}

#[test]
fn istio_kinds_meshedge_does_not_write_are_served_as_their_crds_say() {
    // data/platform/istio/<minor>/ (istio/istio crd-all.gen.yaml at 1.16.7, 1.22.8, 1.24.6; OSSM 2.4 = 1.16): the
    // files drop v1alpha3 where it repeats v1beta1, so the model may list v1alpha3 beyond them.
    for (target, dir) in [
        (istio("v1.16.7", "1.27"), "1.16"),
        (ossm("v2.4", "4.14"), "1.16"),
        (istio("v1.22.8", "1.29"), "1.22"),
        (istio("v1.24.6", "1.31"), "1.24"),
    ] {
        for file in [
            "proxyconfigs.networking.istio.io.yaml",
            "telemetries.telemetry.istio.io.yaml",
            "workloadentries.networking.istio.io.yaml",
            "workloadgroups.networking.istio.io.yaml",
        ] {
            for (group, kind, in_file) in crd_versions(&format!("platform/istio/{dir}/{file}")) {
                let model = served(&target, &group, &kind);
                assert!(in_file.iter().all(|v| model.contains(&v.as_str())), "{target}: {kind} {in_file:?} {model:?}");
                assert!(
                    model.iter().all(|v| in_file.contains(&v.to_string()) || v.ends_with("/v1alpha3")),
                    "{target}: {kind} {in_file:?} {model:?}"
                );
            }
        }
    }
    assert_eq!(
        served(&istio("v1.24.6", "1.31"), "networking.istio.io", "WorkloadEntry"),
        ["networking.istio.io/v1", "networking.istio.io/v1alpha3", "networking.istio.io/v1beta1"]
    );
    assert_eq!(served(&ossm("v2.4", "4.14"), "networking.istio.io", "ProxyConfig"), ["networking.istio.io/v1beta1"]);
}
