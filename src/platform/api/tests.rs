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
