//! `settings`: the environment's settings document, with the enforcement and target-cluster
//! sections. The mesh, ingress, egress and tenant sections are declared beside the request types
//! they share values with ([`super`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{CheckSettings, EgressSettings, IngressSettings, MeshSettings, TenantSettings};
use crate::values::{KubernetesRelease, OpenShiftRelease};

/// The environment's settings. Every field is optional in each layer (a later layer may supply
/// it); what the environment's requests need is required after merging.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Settings {
    /// The mesh: flavor, control plane, outbound policy, mutual TLS.
    pub mesh: Option<MeshSettings>,
    /// The ingress gateways requests may use.
    pub ingress: Option<IngressSettings>,
    /// The egress gateways, the external hosts requests may call and the SLA classes.
    pub egress: Option<EgressSettings>,
    /// What keeps tenants on the paths the edge defines.
    pub enforcement: Option<EnforcementSettings>,
    /// The target cluster's release, which decides which APIs exist there. Without it the oldest
    /// cluster meshedge knows is assumed (OpenShift 4.14 for `ossm2`, Kubernetes 1.27 for
    /// `istio`), with a warning.
    pub cluster: Option<ClusterSettings>,
    /// Which tenants are deployed and which namespaces they may own.
    pub tenants: Option<TenantSettings>,
    /// What `meshedge check` reports: suppressed findings.
    pub check: Option<CheckSettings>,
}

/// `settings.cluster`: the release of the cluster the output is applied to. Set one of the two.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterSettings {
    /// An OpenShift cluster: its release, quoted, `"4.14"` to `"4.19"` (4.14 runs Kubernetes
    /// 1.27, … 4.19 runs 1.32).
    pub openshift_version: Option<OpenShiftRelease>,
    /// Another Kubernetes cluster (`mesh.flavor: istio` only): its release, quoted, `"1.27"` to
    /// `"1.32"`.
    pub kubernetes_version: Option<KubernetesRelease>,
}

/// How tenant namespaces are kept from reaching outside the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EgressFirewallMode {
    /// A `k8s.ovn.org` EgressFirewall per tenant namespace (OVN-Kubernetes).
    Ovn,
    /// An EgressNetworkPolicy per tenant namespace (OpenShift SDN).
    Sdn,
    /// No egress firewall.
    #[default]
    None,
}

/// Which admission engine enforces `denyRoutes` and `requireSidecar`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AdmissionMode {
    /// ValidatingAdmissionPolicy where the cluster serves it (Kubernetes 1.30, OpenShift 4.17
    /// and later); on an older cluster the build fails and names this setting.
    #[default]
    Auto,
    /// `admissionregistration.k8s.io/v1` ValidatingAdmissionPolicy and binding (Kubernetes 1.30,
    /// OpenShift 4.17 and later).
    ValidatingAdmissionPolicy,
    /// OPA Gatekeeper: a ConstraintTemplate (`templates.gatekeeper.sh/v1`) and its constraint
    /// per rule. Gatekeeper must be installed on the cluster.
    Gatekeeper,
    /// Kyverno: a ClusterPolicy (`kyverno.io/v1`) per rule, enforced. Kyverno must be installed
    /// on the cluster.
    Kyverno,
}

/// `settings.enforcement`: what keeps tenants on the paths the edge defines.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnforcementSettings {
    /// Per tenant namespace, NetworkPolicies: ingress only from the mesh, egress only to the
    /// mesh and cluster DNS.
    #[schemars(extend("default" = false))]
    pub network_policies: Option<bool>,
    /// Tenants cannot create OpenShift Routes: a tenant Role without `routes`, and an
    /// admission rule refusing Routes in tenant namespaces.
    #[schemars(extend("default" = false))]
    pub deny_routes: Option<bool>,
    /// An admission rule refusing tenant pods that run without the `istio-proxy` sidecar.
    #[schemars(extend("default" = false))]
    pub require_sidecar: Option<bool>,
    /// `ovn`, `sdn` or `none`: deny every tenant namespace traffic leaving the cluster, so that
    /// egress goes through the egress gateway only.
    #[schemars(extend("default" = "none"))]
    pub egress_firewall: Option<EgressFirewallMode>,
    /// `auto`, `validatingAdmissionPolicy`, `gatekeeper` or `kyverno`: the engine of the
    /// admission rules (`denyRoutes`, `requireSidecar`). `auto` is ValidatingAdmissionPolicy
    /// where the cluster serves it, and an error elsewhere.
    #[schemars(extend("default" = "auto"))]
    pub admission: Option<AdmissionMode>,
}
