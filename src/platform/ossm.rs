//! The OpenShift Service Mesh 2 control plane resource: what the operator refuses, defaults and
//! creates on its own from a ServiceMeshControlPlane and its member roll.

use super::Target;
use crate::input::Flavor;

/// The label of the namespaces the OpenShift router's traffic comes from: the router's own
/// namespace always, and `openshift-host-network` when the router uses the host network; the
/// OSSM `istio-expose-route-*` policy admits the same label.
/// Source: openshift/cluster-ingress-operator `pkg/manifests/assets/router/namespace.yaml`
/// @acca9642; openshift/cluster-network-operator `bindata/network/ovn-kubernetes/common/
/// openshift-host-network-ns.yaml`, `pkg/controller/ingressconfig/ingressconfig_controller.go`;
/// maistra/istio-operator tag maistra-2.5.0 `resources/helm/v2.5/mesh-config/templates/networkpolicy.yaml`.
pub const ROUTER_NAMESPACE_LABEL: (&str, &str) = ("network.openshift.io/policy-group", "ingress");

/// A NetworkPolicy the OpenShift Service Mesh operator creates itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedNetworkPolicy {
    pub name: String,
    /// What it admits.
    pub admits: &'static str,
    /// Copied from the control-plane namespace into every member namespace.
    pub copied_to_members: bool,
}

/// The DestinationRule an OSSM control plane adds when `security.dataPlane.mtls: true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeshMtlsDestinationRule {
    /// In the control-plane (root) namespace.
    pub name: &'static str,
    pub host: &'static str,
    pub tls_mode: &'static str,
}

/// Whether a namespace name is accepted in an SMMR's `spec.members`: a DNS-1123 label, or `*`
/// alone. Source: maistra/istio-operator maistra-2.5 (8143614c)
/// `pkg/controller/servicemesh/webhooks/validation/memberroll.go:36,96-105` (same at 0b6000b3).
pub fn smmr_member_name_valid(name: &str) -> bool {
    let bytes = name.as_bytes();
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    name == "*"
        || (edge(bytes.first())
            && edge(bytes.last())
            && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-'))
}

/// Namespaces the OSSM member roll silently leaves out of the mesh even when listed: the
/// member roll's own namespace, `kube`, `openshift`, and `kube-*`, `openshift-*`, `ibm-*`.
/// Source: maistra/istio-operator maistra-2.5 `pkg/apis/maistra/v1/servicemeshmemberroll_types.go:100-107`
/// (`isExcluded`).
pub fn smmr_silently_excluded(namespace: &str, member_roll_namespace: &str) -> bool {
    namespace == member_roll_namespace
        || namespace == "kube"
        || namespace == "openshift"
        || ["kube-", "openshift-", "ibm-"].iter().any(|p| namespace.starts_with(p))
}

/// Whether a ServiceMeshControlPlane (and its member roll) among the objects is reconciled into
/// cluster objects the objects do not hold: the operator's NetworkPolicies, its gateways'
/// Services and pods, and the member namespaces' labels ([`OssmRendered`]). True for `ossm2`,
/// whose operator watches both kinds; for `istio` no such operator runs (the Sail operator acts on
/// its own `Istio` resource, which declares no gateways: [`Target::control_plane_declares_gateways`]).
///
/// Source: maistra/istio-operator tag maistra-2.5.0 `pkg/controller/servicemesh/controlplane/controller.go:98`
/// (watches `ServiceMeshControlPlane`), `pkg/controller/servicemesh/memberroll/controller.go:120`
/// and `pkg/controller/servicemesh/member/controller.go:141`.
pub fn smcp_reconciled_by_operator(flavor: Flavor) -> bool {
    flavor == Flavor::Ossm2
}

/// An object the OpenShift Service Mesh 2 operator renders from a ServiceMeshControlPlane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OssmRendered {
    /// `istio-mesh-<smcp>`, `istio-expose-route-<smcp>` and each SMCP ingress gateway's policy.
    NetworkPolicy,
    /// The Service of each gateway the SMCP declares.
    GatewayService,
}

impl OssmRendered {
    /// The `apiVersion` the operator's chart templates write.
    ///
    /// Source: maistra/istio-operator tags maistra-2.4.6 and maistra-2.5.0
    /// `resources/helm/v2.{4,5}/mesh-config/templates/networkpolicy.yaml:1,20` and
    /// `resources/helm/v2.5/gateways/istio-ingress/templates/networkpolicy.yaml:2`
    /// (`networking.k8s.io/v1`); `resources/helm/v2.5/gateways/istio-{ingress,egress}/templates/service.yaml:3`
    /// (`v1`).
    pub fn api_version(self) -> &'static str {
        match self {
            OssmRendered::NetworkPolicy => "networking.k8s.io/v1",
            OssmRendered::GatewayService => "v1",
        }
    }

    /// The `kind` the operator's chart templates write.
    pub fn kind(self) -> &'static str {
        match self {
            OssmRendered::NetworkPolicy => "NetworkPolicy",
            OssmRendered::GatewayService => "Service",
        }
    }
}

impl Target {
    /// Whether the control plane resource meshedge manages declares the gateways itself: the
    /// ServiceMeshControlPlane has `spec.gateways` (`ingress`, `egress`, `additionalIngress`,
    /// `additionalEgress`: maistra/istio-operator 8143614c `pkg/apis/maistra/v2/gateways.go:10-19`);
    /// the Sail operator "does not deploy or manage Gateways", and `spec.values.gateways` on its
    /// `Istio` "will not work" (istio-ecosystem/sail-operator 1.0.0 `docs/README.md:311-315`).
    pub fn control_plane_declares_gateways(&self) -> bool {
        self.flavor == Flavor::Ossm2
    }
}

impl Target {
    /// `additionalIngress` / `additionalEgress` names the OSSM operator's webhook refuses ("cannot
    /// define additional gateway named …"): the built-in gateways' names. Use `gateways.ingress` /
    /// `gateways.egress` for them. Empty for `istio`. Two additional gateways that resolve to the
    /// same `namespace/name` (namespace defaulting to the SMCP's) are refused too ("multiple
    /// gateways defined for …").
    ///
    /// Source: maistra/istio-operator maistra-2.5 (8143614c) `pkg/controller/versions/util.go:34-39`
    /// (`reservedGatewayNames`), `:227-248` (`validateGatewaysInternal`), called by the v2.4, v2.5
    /// and v2.6 strategies (`strategy_v2_4.go:135`, `strategy_v2_5.go:129`; 0b6000b3 `strategy_v2_6.go:129`).
    pub fn smcp_reserved_additional_gateway_names(&self) -> &'static [&'static str] {
        match self.flavor {
            Flavor::Ossm2 => &["istio-ingressgateway", "istio-egressgateway"],
            Flavor::Istio => &[],
        }
    }

    /// The name an SMMR must have (`default`), and that it may not list its own namespace.
    /// Source: maistra/istio-operator maistra-2.5 `pkg/controller/servicemesh/webhooks/validation/memberroll.go:76-79,129`.
    pub fn smmr_required_name(&self) -> Option<&'static str> {
        (self.flavor == Flavor::Ossm2).then_some("default")
    }

    /// OSSM `security.manageNetworkPolicy` when unset: true. `None` for `istio`.
    /// Source: maistra/istio-operator maistra-2.5 `pkg/apis/maistra/v2/security.go:20-25`
    /// ("defaults to `true`"), `resources/helm/v2.{4,5}/global.yaml:47` (0b6000b3 `v2.6/global.yaml:47`),
    /// `pkg/controller/common/helm/manifestprocessing.go:158`.
    pub fn manages_network_policy_by_default(&self) -> Option<bool> {
        (self.flavor == Flavor::Ossm2).then_some(true)
    }

    /// The NetworkPolicies OSSM creates while `manageNetworkPolicy` is on, for an SMCP named
    /// `smcp_name` (the revision). Their content is modelled by the flows analysis; here only
    /// their names and reach. Empty for `istio`.
    ///
    /// Source: maistra/istio-operator maistra-2.5 `resources/helm/v2.5/mesh-config/templates/networkpolicy.yaml`
    /// (`istio-mesh-<revision>`: all pods, ingress from namespaces labelled `maistra.io/member-of`;
    /// `istio-expose-route-<revision>`: pods labelled `maistra.io/expose-route: "true"`, ingress from
    /// `network.openshift.io/policy-group: ingress`), `gateways/istio-ingress/templates/networkpolicy.yaml`
    /// (each SMCP-managed gateway: all ingress), `pkg/controller/servicemesh/member/ovs_networkpolicy.go:41-124`
    /// (copies into every member namespace).
    pub fn ossm_managed_network_policies(&self, smcp_name: &str) -> Vec<ManagedNetworkPolicy> {
        if self.flavor != Flavor::Ossm2 {
            return Vec::new();
        }
        vec![
            ManagedNetworkPolicy {
                name: format!("istio-mesh-{smcp_name}"),
                admits: "ingress to every pod from namespaces labelled maistra.io/member-of=<control-plane namespace>",
                copied_to_members: true,
            },
            ManagedNetworkPolicy {
                name: format!("istio-expose-route-{smcp_name}"),
                admits: "ingress to pods labelled maistra.io/expose-route=true from the openshift router",
                copied_to_members: true,
            },
        ]
    }

    /// Whether a gateway's pods in a mesh namespace are closed, for ingress, to everything but
    /// member namespaces (and, with `maistra.io/expose-route: "true"`, the router) unless a policy
    /// opens them: true for `ossm2` with `manageNetworkPolicy` at its default, false for `istio`.
    /// The operator's `istio-mesh-<smcp>` has no `podSelector`, so it selects every pod of the
    /// control-plane namespace and of each member it is copied into; only the gateways the SMCP
    /// declares get an allow-all policy of their own, which is annotated `maistra.io/internal`
    /// and so not copied.
    ///
    /// Source: maistra/istio-operator tag maistra-2.5.0
    /// `resources/helm/v2.5/mesh-config/templates/networkpolicy.yaml` (`istio-mesh-*`: `spec.ingress`
    /// from `maistra.io/member-of`, no `podSelector`; `istio-expose-route-*`: pods labelled
    /// `maistra.io/expose-route: "true"`), `resources/helm/v2.5/gateways/istio-ingress/templates/networkpolicy.yaml`
    /// (the SMCP gateway's `ingress: [{}]`, annotated `maistra.io/internal`),
    /// `pkg/controller/servicemesh/member/ovs_networkpolicy.go` `init` (skips policies annotated
    /// `maistra.io/internal`) and `reconcileNamespaceInMesh` (copies the others into the member).
    pub fn mesh_namespaces_closed_to_non_members(&self) -> bool {
        self.manages_network_policy_by_default() == Some(true)
            && self.ossm_managed_network_policies("").iter().any(|p| p.copied_to_members)
    }

    /// Whether each gateway the SMCP manages gets its own allow-all NetworkPolicy (gateways meshedge
    /// deploys itself do not). `None` for `istio`. Source: as [`Target::ossm_managed_network_policies`].
    pub fn ossm_managed_gateways_admit_all(&self) -> Option<bool> {
        (self.flavor == Flavor::Ossm2).then_some(true)
    }

    /// With `security.dataPlane.mtls: true`, OSSM adds in the control-plane namespace a
    /// PeerAuthentication `default` (STRICT) and this DestinationRule, which applies to every
    /// in-cluster host without a more specific rule, including workloads without a sidecar (they
    /// then get mutual TLS they cannot speak). `None` for `istio`.
    /// Source: maistra/istio-operator maistra-2.5 `resources/helm/v2.5/mesh-config/templates/enable-mesh-mtls.yaml`.
    pub fn ossm_mesh_mtls_destination_rule(&self) -> Option<MeshMtlsDestinationRule> {
        (self.flavor == Flavor::Ossm2).then_some(MeshMtlsDestinationRule {
            name: "default",
            host: "*.cluster.local",
            tls_mode: "ISTIO_MUTUAL",
        })
    }

    /// IOR (`gateways.openshiftRoute.enabled`) when the SMCP leaves it unset: on for v2.4 (the
    /// `base` profile), off for v2.5 and v2.6 (the operator's mutating webhook sets `false` when an
    /// SMCP of v2.5 or later is created without it). `None` for `istio`. With IOR on, OSSM creates
    /// a Route for every host of every Gateway not selecting `istio: egressgateway`, unless the
    /// Gateway carries `maistra.io/manageRoute: "false"`.
    ///
    /// Source: maistra/istio-operator maistra-2.5 `resources/smcp-templates/v2.4/base:16-17`,
    /// `pkg/controller/servicemesh/webhooks/mutation/controlplane.go:77-94` (`ver.AtLeast(versions.V2_5…)`;
    /// 0b6000b3 `:84`); maistra/istio `maistra-2.5:pilot/pkg/config/kube/ior/controller.go`.
    pub fn ior_enabled_when_unset(&self) -> Option<bool> {
        self.ossm.map(|ossm| ossm.minor < 5)
    }

    /// Whether an SMCP ingress gateway also gets an OpenShift Route of its own (to port 8080)
    /// unless `routeConfig.enabled: false`: the chart default is true. `None` for `istio`.
    /// Source: maistra/istio-operator maistra-2.5 `resources/helm/v2.{4,5}/gateways/istio-ingress/values.yaml:109-110`
    /// (0b6000b3 `v2.6/…:113-114`), `templates/istio-ingressgateway-route.yaml`.
    pub fn ingress_route_config_enabled_by_default(&self) -> Option<bool> {
        (self.flavor == Flavor::Ossm2).then_some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{istio, ossm};
    use super::*;
    use crate::platform::Kind;

    #[test]
    fn gateways_in_the_smcp_maistra_v2_gateways_go_not_in_the_sail_istio_resource() {
        // maistra/istio-operator 8143614c pkg/apis/maistra/v2/gateways.go:10-19;
        // istio-ecosystem/sail-operator 1.0.0 docs/README.md:311-315.
        for v in ["v2.4", "v2.5", "v2.6"] {
            assert!(ossm(v, "4.16").control_plane_declares_gateways(), "{v}");
        }
        assert!(!istio("v1.24.3", "1.31").control_plane_declares_gateways());
        assert!(!istio("v1.20", "1.29").control_plane_declares_gateways());
    }

    #[test]
    fn reserved_gateway_names_maistra_operator_versions_util_go() {
        // maistra/istio-operator pkg/controller/versions/util.go:39 reservedGatewayNames.
        for v in ["v2.4", "v2.5", "v2.6"] {
            assert_eq!(
                ossm(v, "4.16").smcp_reserved_additional_gateway_names(),
                ["istio-ingressgateway", "istio-egressgateway"]
            );
        }
        assert!(istio("v1.24", "1.31").smcp_reserved_additional_gateway_names().is_empty());
    }

    #[test]
    fn member_roll_rules_maistra_operator_validation_memberroll_go() {
        assert_eq!(ossm("v2.5", "4.16").smmr_required_name(), Some("default"));
        assert_eq!(istio("v1.24", "1.31").smmr_required_name(), None);
        for ok in ["shop", "a", "team-1", "*", "0abc"] {
            assert!(smmr_member_name_valid(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "Shop", "a_b", "a.b", "**", "é"] {
            assert!(!smmr_member_name_valid(bad), "{bad}");
        }
        assert!(smmr_silently_excluded("istio-system", "istio-system"));
        assert!(smmr_silently_excluded("openshift-ingress", "istio-system"));
        assert!(smmr_silently_excluded("kube", "istio-system"));
        assert!(!smmr_silently_excluded("kubeflow", "istio-system"));
        assert!(!smmr_silently_excluded("shop", "istio-system"));
    }

    #[test]
    fn mesh_namespaces_closed_maistra_operator_2_5_0_istio_mesh_policy_selects_every_pod() {
        for v in ["v2.4", "v2.5", "v2.6"] {
            assert!(ossm(v, "4.16").mesh_namespaces_closed_to_non_members(), "{v}");
        }
        assert!(!istio("v1.24.3", "1.31").mesh_namespaces_closed_to_non_members());
    }

    #[test]
    fn manage_network_policy_maistra_operator_v2_security_go_and_networkpolicy_templates() {
        let t = ossm("v2.5", "4.16");
        assert_eq!(t.manages_network_policy_by_default(), Some(true));
        let names: Vec<String> = t.ossm_managed_network_policies("basic").into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["istio-mesh-basic", "istio-expose-route-basic"]);
        assert_eq!(t.ossm_managed_gateways_admit_all(), Some(true));
        let i = istio("v1.24", "1.31");
        assert_eq!(i.manages_network_policy_by_default(), None);
        assert!(i.ossm_managed_network_policies("basic").is_empty());
    }

    #[test]
    fn mesh_mtls_destination_rule_maistra_operator_enable_mesh_mtls_yaml() {
        let dr = ossm("v2.5", "4.16").ossm_mesh_mtls_destination_rule().expect("ossm2");
        assert_eq!((dr.name, dr.host, dr.tls_mode), ("default", "*.cluster.local", "ISTIO_MUTUAL"));
        assert_eq!(istio("v1.24", "1.31").ossm_mesh_mtls_destination_rule(), None);
    }

    #[test]
    fn ior_default_maistra_operator_mutation_webhook_and_v2_4_base_profile() {
        assert_eq!(ossm("v2.4", "4.14").ior_enabled_when_unset(), Some(true));
        assert_eq!(ossm("v2.5", "4.16").ior_enabled_when_unset(), Some(false));
        assert_eq!(ossm("v2.6", "4.18").ior_enabled_when_unset(), Some(false));
        assert_eq!(istio("v1.24", "1.31").ior_enabled_when_unset(), None);
    }

    #[test]
    fn route_config_maistra_operator_istio_ingress_values_yaml() {
        assert_eq!(ossm("v2.5", "4.16").ingress_route_config_enabled_by_default(), Some(true));
        assert_eq!(istio("v1.24", "1.31").ingress_route_config_enabled_by_default(), None);
    }

    #[test]
    fn smcp_reconciled_maistra_operator_2_5_0_controllers_watch_the_smcp() {
        // maistra/istio-operator maistra-2.5.0 pkg/controller/servicemesh/controlplane/controller.go:98.
        assert!(smcp_reconciled_by_operator(Flavor::Ossm2));
        assert!(!smcp_reconciled_by_operator(Flavor::Istio));
    }

    #[test]
    fn rendered_api_versions_maistra_operator_2_5_0_networkpolicy_and_service_templates() {
        // maistra/istio-operator maistra-2.5.0 resources/helm/v2.5/mesh-config/templates/networkpolicy.yaml:1,
        // gateways/istio-ingress/templates/service.yaml:3.
        let rendered = [OssmRendered::NetworkPolicy, OssmRendered::GatewayService];
        let pairs: Vec<(&str, &str)> = rendered.iter().map(|r| (r.api_version(), r.kind())).collect();
        assert_eq!(pairs, [("networking.k8s.io/v1", "NetworkPolicy"), ("v1", "Service")]);
        // Every OpenShift release an OSSM 2 control plane runs on serves them at that version.
        for t in Target::all_supported().into_iter().filter(|t| t.flavor() == Flavor::Ossm2) {
            assert_eq!(
                t.api_version(Kind::NetworkPolicy).map(|v| v.as_str()),
                Ok(OssmRendered::NetworkPolicy.api_version())
            );
            assert_eq!(
                t.api_version(Kind::Service).map(|v| v.as_str()),
                Ok(OssmRendered::GatewayService.api_version())
            );
        }
    }
}
