//! The mesh settings: flavor, control plane, outbound policy, mutual TLS.

use super::*;

/// The service mesh product, which fixes the control plane resources and the Istio API
/// versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Flavor {
    /// OpenShift Service Mesh 2.x: a `maistra.io/v2` ServiceMeshControlPlane, Istio `v1beta1`
    /// APIs.
    #[default]
    Ossm2,
    /// Upstream Istio: the `Istio` resource, Istio `v1` APIs.
    Istio,
}

/// Mesh-wide outbound traffic policy (Istio `meshConfig.outboundTrafficPolicy.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, JsonSchema)]
pub enum OutboundPolicy {
    /// A workload reaches only hosts in the mesh's registry: for external hosts, only those
    /// its tenant requested.
    #[default]
    #[serde(rename = "REGISTRY_ONLY")]
    RegistryOnly,
    /// Unknown hosts are passed through.
    #[serde(rename = "ALLOW_ANY")]
    AllowAny,
}

/// Mesh-wide mutual TLS mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, JsonSchema)]
pub enum MtlsMode {
    /// Workloads accept mutual TLS only.
    #[default]
    #[serde(rename = "STRICT")]
    Strict,
    /// Workloads accept mutual TLS and plain text.
    #[serde(rename = "PERMISSIVE")]
    Permissive,
}

/// `settings.mesh`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MeshSettings {
    /// `ossm2` (OpenShift Service Mesh 2.x) or `istio` (upstream Istio).
    #[schemars(extend("default" = "ossm2"))]
    pub flavor: Option<Flavor>,
    /// The control plane: where it runs, its name and version, and whether meshedge emits it.
    pub control_plane: Option<ControlPlaneSettings>,
    /// `REGISTRY_ONLY` or `ALLOW_ANY`. With `REGISTRY_ONLY` a workload reaches only the
    /// external hosts its tenant requested.
    #[schemars(extend("default" = "REGISTRY_ONLY"))]
    pub outbound_traffic_policy: Option<OutboundPolicy>,
    /// `STRICT` or `PERMISSIVE` (`security.dataPlane.mtls` for `ossm2`).
    #[schemars(extend("default" = "STRICT"))]
    pub mtls: Option<MtlsMode>,
    /// The meshes this one is federated with, and this mesh's trust domain (see
    /// docs/federation.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub federation: Option<FederationSettings>,
}

/// `settings.mesh.controlPlane`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ControlPlaneSettings {
    /// The control plane's namespace.
    #[schemars(extend("default" = "istio-system"))]
    pub namespace: Option<Namespace>,
    /// The ServiceMeshControlPlane (`ossm2`) or Istio resource (`istio`) name.
    #[schemars(extend("default" = "basic"))]
    pub name: Option<ControlPlaneName>,
    /// `v2.5` (OSSM) or `v1.24.3` (Istio): which versions exist is the operator's to say.
    #[schemars(extend("default" = "v2.5"))]
    pub version: Option<Text>,
    /// Emit the control-plane objects: ServiceMeshControlPlane and ServiceMeshMemberRoll
    /// (`ossm2`), or the Istio resource (`istio`). `false`: they are managed elsewhere.
    #[schemars(extend("default" = false))]
    pub manage: Option<bool>,
}
