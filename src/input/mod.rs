//! Typed input documents (`apiVersion: meshedge.io/v1alpha1`).
//!
//! Every struct denies unknown fields: a typo is an error at its line, never silently dropped.
//! Every field has a type that holds only valid values ([`crate::values`]): a wrong value is an
//! error at its line when the document is read, never copied into the output. Settings and
//! request fields are optional here because a later layer may overlay a part of an earlier
//! one; what is required after merging is checked by the validate stage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

mod patch;

#[cfg(test)]
pub(crate) use patch::parse_operations;
pub use patch::{LayerPatch, PatchSpec, PatchTarget};

use crate::values::{
    AnnotationKey, ControlPlaneName, Count, DomainName, Duration, EgressIp, ExternalHost, GatewayName, HeaderName,
    HostPattern, HttpsUrl, IssuerUrl, LabelKey, LabelValue, Namespace, ObjectName, PathPrefix, Percent, Port,
    RequestHost, SecretKey, SecretName, ServiceName, ServiceRef, SlaClassName, TenantName, Text, Uint32,
};

pub(crate) const API_VERSION: &str = "meshedge.io/v1alpha1";

/// Labels: Kubernetes label keys and values.
pub type LabelMap = BTreeMap<LabelKey, LabelValue>;

/// `metadata` of a layer (`N` = [`ObjectName`]) or a Tenant (`N` = [`TenantName`]).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata<N> {
    pub name: N,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<LabelMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<AnnotationKey, String>>,
}

/// `metadata` of an EdgeRequest: its name (used in messages only; a Kubernetes object name)
/// and the namespace of its services.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestMetadata {
    pub name: ObjectName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Namespace>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<LabelMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<AnnotationKey, String>>,
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
    pub metadata: Metadata<ObjectName>,
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
    pub namespace: Option<Namespace>,
    pub name: Option<ControlPlaneName>,
    /// `v2.5` (OSSM) or `v1.24.3` (Istio): which versions exist is the operator's to say.
    pub version: Option<Text>,
    pub manage: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressSettings {
    pub default_gateway: Option<GatewayName>,
    pub gateways: Option<Vec<IngressGatewaySettings>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Exposure {
    Route,
    LoadBalancer,
    None,
}

/// The kinds of cert-manager issuers (group `cert-manager.io`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum IssuerKind {
    Issuer,
    ClusterIssuer,
}

impl IssuerKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            IssuerKind::Issuer => "Issuer",
            IssuerKind::ClusterIssuer => "ClusterIssuer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerRef {
    pub kind: IssuerKind,
    pub name: ObjectName,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SecretKeyRef {
    pub name: SecretName,
    pub key: SecretKey,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OidcSettings {
    pub issuer: IssuerUrl,
    pub client_id: Text,
    pub client_secret_ref: SecretKeyRef,
    pub cookie_secret_ref: SecretKeyRef,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressGatewaySettings {
    pub name: GatewayName,
    pub namespace: Option<Namespace>,
    pub selector: Option<LabelMap>,
    pub service: Option<ServiceName>,
    pub domain: Option<DomainName>,
    pub allowed_hosts: Option<Vec<HostPattern>>,
    pub exposure: Option<Exposure>,
    pub certificate_issuer: Option<IssuerRef>,
    pub oidc: Option<OidcSettings>,
    pub tenant: Option<TenantName>,
    pub deploy: Option<bool>,
    /// Requests may claim wildcard hosts (`*.team.apps.example.com`) on this gateway.
    pub allow_wildcard_hosts: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressSettings {
    /// A gateway, or `none`.
    pub default_gateway: Option<GatewayName>,
    pub gateways: Option<Vec<EgressGatewaySettings>>,
    pub allowed_hosts: Option<Vec<HostPattern>>,
    pub sla_header: Option<HeaderName>,
    pub sla_classes: Option<Vec<SlaClassSettings>>,
    pub default_sla_class: Option<SlaClassName>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressGatewaySettings {
    pub name: GatewayName,
    pub namespace: Option<Namespace>,
    pub selector: Option<LabelMap>,
    pub service: Option<ServiceName>,
    #[serde(rename = "egressIPs")]
    pub egress_ips: Option<Vec<EgressIp>>,
    pub node_selector: Option<LabelMap>,
    pub deploy: Option<bool>,
}

/// Connection limits of one SLA class; the values are Istio's `TrafficPolicy` fields.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SlaClassSettings {
    pub name: SlaClassName,
    pub connection_pool: Option<ConnectionPool>,
    pub outlier_detection: Option<OutlierDetection>,
}

// Istio's `ConnectionPoolSettings` and `OutlierDetection` (networking.istio.io
// DestinationRule), restricted to the fields both target platforms know: the OpenShift Service
// Mesh 2.5 CRDs (maistra/istio-operator 8143614c `resources/helm/v2.5/istio-init/files/`) and
// the Istio 1.24.3 CRDs (istio/api 1.24.3 `kubernetes/customresourcedefinitions.gen.yaml`).
// Istio 1.24 adds `tcp.idleTimeout` and `http.maxConcurrentStreams`, which OSSM 2.5 does not
// know; `consecutiveErrors` is deprecated (istiod warns) in favour of `consecutive5xxErrors`
// and `consecutiveGatewayErrors`. The value rules are istiod's `validateConnectionPool` and
// `validateOutlierDetection` (istio/istio 1.24.3 and maistra/istio maistra-2.5
// `pkg/config/validation/validation.go`): non-negative limits, durations as
// [`crate::values::Duration`], percentages 0–100, and the combinations checked below.

/// `connectionPool` of an SLA class: at least one of `tcp` and `http`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "ConnectionPoolFields")]
pub struct ConnectionPool {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<TcpSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpSettings>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionPoolFields {
    tcp: Option<TcpSettings>,
    http: Option<HttpSettings>,
}

impl TryFrom<ConnectionPoolFields> for ConnectionPool {
    type Error = crate::values::Refusal;

    fn try_from(fields: ConnectionPoolFields) -> Result<Self, Self::Error> {
        if fields.tcp.is_none() && fields.http.is_none() {
            return Err(crate::values::Refusal {
                message: "a connection pool without `tcp` or `http` limits nothing".into(),
                help: "set `tcp` (e.g. `{maxConnections: 100}`) or `http` (e.g. `{http1MaxPendingRequests: 100}`), or remove `connectionPool`".into(),
            });
        }
        if let Some(http) = &fields.http {
            if http.h2_upgrade_policy == Some(H2UpgradePolicy::Upgrade) && http.use_client_protocol == Some(true) {
                return Err(crate::values::Refusal {
                    message: "`useClientProtocol: true` contradicts `h2UpgradePolicy: UPGRADE`".into(),
                    help: "istiod refuses the pair: keep one of the two".into(),
                });
            }
        }
        Ok(ConnectionPool { tcp: fields.tcp, http: fields.http })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_keepalive: Option<TcpKeepalive>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connection_duration: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpKeepalive {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probes: Option<Uint32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum H2UpgradePolicy {
    Default,
    DoNotUpgrade,
    Upgrade,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http1_max_pending_requests: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http2_max_requests: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_requests_per_connection: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub h2_upgrade_policy: Option<H2UpgradePolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_client_protocol: Option<bool>,
}

/// `outlierDetection` of an SLA class.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "OutlierDetectionFields", rename_all = "camelCase")]
pub struct OutlierDetection {
    #[serde(rename = "consecutive5xxErrors", skip_serializing_if = "Option::is_none")]
    pub consecutive_5xx_errors: Option<Uint32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consecutive_gateway_errors: Option<Uint32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consecutive_local_origin_failures: Option<Uint32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_external_local_origin_errors: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_ejection_time: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_ejection_percent: Option<Percent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_health_percent: Option<Percent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OutlierDetectionFields {
    #[serde(rename = "consecutive5xxErrors")]
    consecutive_5xx_errors: Option<Uint32>,
    consecutive_gateway_errors: Option<Uint32>,
    consecutive_local_origin_failures: Option<Uint32>,
    split_external_local_origin_errors: Option<bool>,
    interval: Option<Duration>,
    base_ejection_time: Option<Duration>,
    max_ejection_percent: Option<Percent>,
    min_health_percent: Option<Percent>,
}

impl TryFrom<OutlierDetectionFields> for OutlierDetection {
    type Error = crate::values::Refusal;

    fn try_from(f: OutlierDetectionFields) -> Result<Self, Self::Error> {
        if f.consecutive_local_origin_failures.is_some_and(|n| n.get() > 0)
            && f.split_external_local_origin_errors != Some(true)
        {
            return Err(crate::values::Refusal {
                message: "`consecutiveLocalOriginFailures` counts nothing without `splitExternalLocalOriginErrors: true`".into(),
                help: "set `splitExternalLocalOriginErrors: true`, or remove `consecutiveLocalOriginFailures` (istiod refuses the pair)".into(),
            });
        }
        Ok(OutlierDetection {
            consecutive_5xx_errors: f.consecutive_5xx_errors,
            consecutive_gateway_errors: f.consecutive_gateway_errors,
            consecutive_local_origin_failures: f.consecutive_local_origin_failures,
            split_external_local_origin_errors: f.split_external_local_origin_errors,
            interval: f.interval,
            base_ejection_time: f.base_ejection_time,
            max_ejection_percent: f.max_ejection_percent,
            min_health_percent: f.min_health_percent,
        })
    }
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
    pub exclude: Option<Vec<TenantName>>,
    /// Glob patterns every tenant namespace must match (default `["*"]`).
    pub allowed_namespaces: Option<Vec<String>>,
    /// Glob patterns of namespaces no tenant may own, beside the built-in reserved set.
    pub reserved_namespaces: Option<Vec<String>>,
    /// Emit a `Namespace` per tenant namespace (see `generate::namespaces`).
    pub create_namespaces: Option<bool>,
}

/// `tenants/<name>/tenant.yaml`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantDoc {
    pub api_version: String,
    pub kind: String,
    pub metadata: Metadata<TenantName>,
    #[serde(default)]
    pub spec: TenantSpec,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantSpec {
    pub namespaces: Option<Vec<Namespace>>,
}

/// A tenant's edge request.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EdgeRequestDoc {
    pub api_version: String,
    pub kind: String,
    pub metadata: RequestMetadata,
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
    pub host: RequestHost,
    pub gateway: Option<GatewayName>,
    pub tls: Option<IngressTls>,
    pub credential_name: Option<SecretName>,
    #[serde(rename = "clientCASecret")]
    pub client_ca_secret: Option<SecretName>,
    pub sla_class: Option<SlaClassName>,
    pub login: Option<bool>,
    pub jwt: Option<JwtRequest>,
    #[serde(default)]
    pub routes: Vec<RouteRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JwtRequest {
    pub issuer: IssuerUrl,
    pub jwks_uri: Option<HttpsUrl>,
    pub audiences: Option<Vec<Text>>,
    pub reverify: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteRequest {
    pub path: Option<PathPrefix>,
    pub service: ServiceRef,
    pub port: Port,
    pub timeout: Option<Duration>,
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
    pub host: ExternalHost,
    pub port: Option<Port>,
    pub tls: Option<EgressTls>,
    pub credential_name: Option<SecretName>,
    pub ca_secret: Option<SecretName>,
    /// A gateway, or `none`.
    pub gateway: Option<GatewayName>,
    pub sla_classes: Option<Vec<SlaClassName>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: serde::de::DeserializeOwned>(yaml: &str) -> Result<T, String> {
        let docs = crate::load::parse("t.yaml", yaml).map_err(|d| d.message)?;
        crate::load::typed_value(&docs[0].value).map_err(|(pointer, message)| format!("{pointer}: {message}"))
    }

    #[test]
    fn sla_limits_keep_istio_field_names() {
        // Every field, as docs/reference.md §12 shows it, reads and is written back unchanged.
        let yaml = "name: gold
connectionPool:
  tcp:
    maxConnections: 100
    connectTimeout: 2s
    maxConnectionDuration: 1h
    tcpKeepalive: {probes: 3, time: 2h, interval: 75s}
  http:
    http1MaxPendingRequests: 100
    http2MaxRequests: 1000
    maxRequestsPerConnection: 10
    maxRetries: 3
    idleTimeout: 1h
    h2UpgradePolicy: DO_NOT_UPGRADE
    useClientProtocol: false
outlierDetection:
  consecutive5xxErrors: 5
  consecutiveGatewayErrors: 5
  consecutiveLocalOriginFailures: 5
  splitExternalLocalOriginErrors: true
  interval: 10s
  baseEjectionTime: 30s
  maxEjectionPercent: 10
  minHealthPercent: 50
";
        let class: SlaClassSettings = read(yaml).unwrap();
        let written = serde_json::to_value(&class).unwrap();
        let docs = crate::load::parse("t.yaml", yaml).unwrap();
        assert_eq!(written, docs[0].value);
        for (text, expected) in [
            ("name: g\nconnectionPool: {}\n", "limits nothing"),
            ("name: g\nconnectionPool: {tcp: {idleTimeout: 1h}}\n", "unknown field `idleTimeout`"),
            ("name: g\nconnectionPool: {http: {maxConcurrentStreams: 1}}\n", "unknown field `maxConcurrentStreams`"),
            ("name: g\noutlierDetection: {consecutiveErrors: 5}\n", "unknown field `consecutiveErrors`"),
            ("name: g\noutlierDetection: {consecutiveLocalOriginFailures: 1}\n", "splitExternalLocalOriginErrors"),
            ("name: g\noutlierDetection: {minHealthPercent: 101}\n", "101 is out of range"),
            ("name: g\nconnectionPool: {tcp: {tcpKeepalive: {time: 1500us}}}\n", "not a whole number of milliseconds"),
            ("name: g\nconnectionPool: {http: {h2UpgradePolicy: upgrade}}\n", "unknown variant `upgrade`"),
        ] {
            let err = read::<SlaClassSettings>(text).unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
        }
        // Zero local-origin failures count nothing and need no split.
        assert!(read::<SlaClassSettings>("name: g\noutlierDetection: {consecutiveLocalOriginFailures: 0}\n").is_ok());
    }

    #[test]
    fn metadata_namespace_belongs_to_requests_only() {
        let tenant = "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata: {name: shop, namespace: shop}\n";
        assert!(read::<TenantDoc>(tenant).unwrap_err().contains("unknown field `namespace`"));
        let request = "apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\nmetadata: {name: web, namespace: shop}\n";
        let doc: EdgeRequestDoc = read(request).unwrap();
        assert_eq!(doc.metadata.namespace.unwrap().as_str(), "shop");
    }
}
