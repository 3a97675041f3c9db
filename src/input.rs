//! Typed input documents (`apiVersion: meshedge.io/v1alpha1`).
//!
//! Every struct denies unknown fields: a typo is an error at its line, never silently dropped.
//! Settings and request fields are optional here because a later layer may overlay a part of
//! an earlier one; what is required after merging is checked by the validate stage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const API_VERSION: &str = "meshedge.io/v1alpha1";
pub const MANIFEST: &str = "meshedge.yaml";

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum LayerKind {
    Layer,
    Environment,
}

/// `meshedge.yaml`: a layer, or a buildable environment.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LayerDoc {
    pub api_version: String,
    pub kind: LayerKind,
    pub metadata: Metadata,
    #[serde(default)]
    pub bases: Vec<String>,
    #[serde(default)]
    pub settings: Option<Settings>,
    #[serde(default)]
    pub patches: Vec<PatchSpec>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Settings {
    pub mesh: Option<MeshSettings>,
    pub ingress: Option<IngressSettings>,
    pub egress: Option<EgressSettings>,
    pub enforcement: Option<EnforcementSettings>,
    pub tenants: Option<TenantSettings>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Flavor {
    #[default]
    Ossm2,
    Istio,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
pub enum OutboundPolicy {
    #[default]
    #[serde(rename = "REGISTRY_ONLY")]
    RegistryOnly,
    #[serde(rename = "ALLOW_ANY")]
    AllowAny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
pub enum MtlsMode {
    #[default]
    #[serde(rename = "STRICT")]
    Strict,
    #[serde(rename = "PERMISSIVE")]
    Permissive,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MeshSettings {
    pub flavor: Option<Flavor>,
    pub control_plane: Option<ControlPlaneSettings>,
    pub outbound_traffic_policy: Option<OutboundPolicy>,
    pub mtls: Option<MtlsMode>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ControlPlaneSettings {
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub manage: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressSettings {
    pub default_gateway: Option<String>,
    pub gateways: Option<Vec<IngressGatewaySettings>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Exposure {
    Route,
    LoadBalancer,
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerRef {
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SecretKeyRef {
    pub name: String,
    pub key: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret_ref: SecretKeyRef,
    pub cookie_secret_ref: SecretKeyRef,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressGatewaySettings {
    pub name: String,
    pub namespace: Option<String>,
    pub selector: Option<BTreeMap<String, String>>,
    pub service: Option<String>,
    pub domain: Option<String>,
    pub allowed_hosts: Option<Vec<String>>,
    pub exposure: Option<Exposure>,
    pub certificate_issuer: Option<IssuerRef>,
    pub oidc: Option<OidcSettings>,
    pub tenant: Option<String>,
    pub deploy: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressSettings {
    pub default_gateway: Option<String>,
    pub gateways: Option<Vec<EgressGatewaySettings>>,
    pub allowed_hosts: Option<Vec<String>>,
    pub sla_header: Option<String>,
    pub sla_classes: Option<Vec<SlaClassSettings>>,
    pub default_sla_class: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressGatewaySettings {
    pub name: String,
    pub namespace: Option<String>,
    pub selector: Option<BTreeMap<String, String>>,
    pub service: Option<String>,
    #[serde(rename = "egressIPs")]
    pub egress_ips: Option<Vec<String>>,
    pub node_selector: Option<BTreeMap<String, String>>,
    pub deploy: Option<bool>,
}

/// Connection limits of one SLA class; the values are Istio's `TrafficPolicy` fields.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SlaClassSettings {
    pub name: String,
    pub connection_pool: Option<Value>,
    pub outlier_detection: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EgressFirewallMode {
    Ovn,
    Sdn,
    #[default]
    None,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnforcementSettings {
    pub network_policies: Option<bool>,
    pub deny_routes: Option<bool>,
    pub require_sidecar: Option<bool>,
    pub egress_firewall: Option<EgressFirewallMode>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantSettings {
    pub exclude: Option<Vec<String>>,
    /// Emit a `Namespace` per tenant namespace (see `generate::namespaces`).
    pub create_namespaces: Option<bool>,
}

/// `tenants/<name>/tenant.yaml`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantDoc {
    pub api_version: String,
    pub kind: String,
    pub metadata: Metadata,
    #[serde(default)]
    pub spec: TenantSpec,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantSpec {
    pub namespaces: Option<Vec<String>>,
}

/// A tenant's edge request.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EdgeRequestDoc {
    pub api_version: String,
    pub kind: String,
    pub metadata: Metadata,
    #[serde(default)]
    pub spec: EdgeRequestSpec,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EdgeRequestSpec {
    pub ingress: Option<Vec<IngressRequest>>,
    pub egress: Option<Vec<EgressRequest>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum IngressTls {
    #[default]
    Simple,
    Mutual,
    Passthrough,
    None,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressRequest {
    pub host: String,
    pub gateway: Option<String>,
    pub tls: Option<IngressTls>,
    pub credential_name: Option<String>,
    #[serde(rename = "clientCASecret")]
    pub client_ca_secret: Option<String>,
    pub sla_class: Option<String>,
    pub login: Option<bool>,
    pub jwt: Option<JwtRequest>,
    #[serde(default)]
    pub routes: Vec<RouteRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JwtRequest {
    pub issuer: String,
    pub jwks_uri: Option<String>,
    pub audiences: Option<Vec<String>>,
    pub reverify: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteRequest {
    pub path: Option<String>,
    pub service: String,
    pub port: u32,
    pub timeout: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EgressTls {
    #[default]
    Originate,
    Mutual,
    Passthrough,
    None,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressRequest {
    pub host: String,
    pub port: Option<u32>,
    pub tls: Option<EgressTls>,
    pub credential_name: Option<String>,
    pub ca_secret: Option<String>,
    pub gateway: Option<String>,
    pub sla_classes: Option<Vec<String>>,
}

/// One patch of a layer (§2.5), inline or in a file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PatchSpec {
    pub target: Option<PatchTarget>,
    pub json: Option<Vec<Value>>,
    pub merge: Option<Value>,
    pub file: Option<String>,
    #[serde(default)]
    pub optional: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PatchTarget {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub annotation_selector: Option<String>,
}
