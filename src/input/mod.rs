//! Typed input documents (`apiVersion: meshedge.io/v1alpha1`).
//!
//! Every struct denies unknown fields: a typo is an error at its line, never silently dropped.
//! Every field has a type that holds only valid values ([`crate::values`]): a wrong value is an
//! error at its line when the document is read, never copied into the output. Settings and
//! request fields are optional here because a later layer may overlay a part of an earlier
//! one; what is required after merging is checked by the validate stage.
//!
//! The doc comments of these types and fields are also the descriptions of the JSON Schema that
//! editors use ([`crate::input_schema`]): they say what a field holds, its default and where the
//! rule comes from, for the user who writes the document.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod check;
mod patch;
pub(crate) mod schema_parts;
mod settings;

pub use check::{CheckSettings, SuppressSetting};
#[cfg(test)]
pub(crate) use patch::parse_operations;
pub use patch::{LayerPatch, PatchSpec, PatchTarget};
pub use settings::{AdmissionMode, EgressFirewallMode, Settings};

use crate::values::{
    AnnotationKey, ControlPlaneName, Count, DomainName, Duration, EgressIp, ExternalHost, GatewayName, HeaderName,
    HostPattern, HttpsUrl, IssuerUrl, LabelKey, LabelValue, Namespace, ObjectName, PathPrefix, Percent, Port,
    RequestHost, SecretKey, SecretName, ServiceName, ServiceRef, SlaClassName, TenantName, Text, Uint32,
};

pub(crate) const API_VERSION: &str = "meshedge.io/v1alpha1";

/// Labels: Kubernetes label keys and values.
pub type LabelMap = BTreeMap<LabelKey, LabelValue>;

/// `metadata` of a layer (`N` = [`ObjectName`]) or a Tenant (`N` = [`TenantName`]).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Metadata_of_{N}")]
#[schemars(description = "The document's metadata: its name, and labels and annotations for your own tooling.")]
pub struct Metadata<N> {
    /// The document's name: a layer's names it in messages and reports; a Tenant's must equal
    /// its directory name under `tenants/`.
    pub name: N,
    /// Labels for your own tooling, in Kubernetes label syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<crate::input::schema_parts::Labels>")]
    pub labels: Option<LabelMap>,
    /// Annotations for your own tooling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<crate::input::schema_parts::Annotations>")]
    pub annotations: Option<BTreeMap<AnnotationKey, String>>,
}

/// `metadata` of an EdgeRequest: its name (used in messages only; a Kubernetes object name)
/// and the namespace of its services.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestMetadata {
    /// The request's name, unique per tenant. The same name in a later layer (same tenant
    /// directory) overlays this request with the merge rule.
    pub name: ObjectName,
    /// The namespace of the request's services; one of the tenant's namespaces. Default: the
    /// tenant's first namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Namespace>,
    /// Labels for your own tooling, in Kubernetes label syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<crate::input::schema_parts::Labels>")]
    pub labels: Option<LabelMap>,
    /// Annotations for your own tooling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<crate::input::schema_parts::Annotations>")]
    pub annotations: Option<BTreeMap<AnnotationKey, String>>,
}

/// The kind of a layer manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum LayerKind {
    /// A building block (`base/`, a region, a shared profile), used only as a base.
    Layer,
    /// A buildable environment.
    Environment,
}

/// `meshedge.yaml`: a layer, or a buildable environment.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LayerDoc {
    /// `meshedge.io/v1alpha1`.
    #[schemars(extend("const" = API_VERSION))]
    pub api_version: String,
    /// `Environment` is buildable; `Layer` is only used as a base.
    pub kind: LayerKind,
    /// `name` names the layer or environment in messages and reports.
    pub metadata: Metadata<ObjectName>,
    /// Other layers, as paths relative to this layer's directory, applied before this layer, in
    /// order, depth first. A layer reached twice is applied once, at its first position; a cycle
    /// is an error. No path may leave the repository root.
    #[serde(default)]
    pub bases: Vec<String>,
    /// Settings, deep-merged over the bases' settings: maps merge key by key, lists of items
    /// with `name` merge item by item, other lists are replaced, `null` removes a key.
    #[serde(default)]
    #[schemars(extend("default" = {}))]
    pub settings: Option<Settings>,
    /// Patches applied to the environment's built objects (generated and plain), after all
    /// bases' patches, in order.
    #[serde(default)]
    pub patches: Vec<PatchSpec>,
}

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

/// `settings.ingress`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressSettings {
    /// The gateway of requests that name none.
    pub default_gateway: Option<GatewayName>,
    /// The ingress gateways, merged across layers by `name`.
    pub gateways: Option<Vec<IngressGatewaySettings>>,
}

/// How clients reach an ingress gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Exposure {
    /// An OpenShift Route per host to the gateway's Service (passthrough for TLS hosts).
    Route,
    /// The gateway's Service is of type LoadBalancer, its external-dns annotation lists the
    /// gateway's hosts.
    LoadBalancer,
    /// Nothing in front of the gateway.
    None,
}

/// The kinds of cert-manager issuers (group `cert-manager.io`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum IssuerKind {
    /// A namespaced issuer: it must be in the gateway's namespace.
    Issuer,
    /// A cluster-wide issuer.
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

/// A cert-manager issuer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuerRef {
    /// `ClusterIssuer` or `Issuer`.
    pub kind: IssuerKind,
    /// The issuer's name.
    pub name: ObjectName,
}

/// A key of a Secret in the gateway's namespace.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretKeyRef {
    /// The Secret's name.
    pub name: SecretName,
    /// The key in the Secret's data.
    pub key: SecretKey,
}

/// A login flow in front of an ingress gateway (an OAuth proxy), for requests with
/// `login: true`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OidcSettings {
    /// The OpenID Connect issuer.
    pub issuer: IssuerUrl,
    /// The OAuth client id.
    pub client_id: Text,
    /// The Secret and key holding the client secret.
    pub client_secret_ref: SecretKeyRef,
    /// The Secret and key holding the session cookie secret.
    pub cookie_secret_ref: SecretKeyRef,
}

/// An ingress gateway. In a later layer, an item with the same `name` merges into this one.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressGatewaySettings {
    /// The name requests use in `gateway:`.
    pub name: GatewayName,
    /// Where the gateway pods run; the Gateway, Certificate and Route objects go here, and the
    /// secrets requests name live here. Required after merging.
    pub namespace: Option<Namespace>,
    /// The labels of the gateway pods: the Gateway's selector. Required after merging.
    #[schemars(with = "Option<crate::input::schema_parts::Labels>")]
    pub selector: Option<LabelMap>,
    /// The gateway's Service, which Routes and DNS point at. Default: the gateway's `name`.
    pub service: Option<ServiceName>,
    /// A request host without a dot, e.g. `shop`, becomes `shop.<domain>`.
    pub domain: Option<DomainName>,
    /// The hosts requests may claim on this gateway; without a list, none.
    pub allowed_hosts: Option<Vec<HostPattern>>,
    /// `route` (an OpenShift Route per host), `loadBalancer` (a LoadBalancer Service with
    /// external-dns) or `none`.
    #[schemars(extend("default" = "none"))]
    pub exposure: Option<Exposure>,
    /// The cert-manager issuer of host certificates: a Certificate per host, unless the
    /// request names a `credentialName` or uses `passthrough`.
    pub certificate_issuer: Option<IssuerRef>,
    /// A login flow (an OAuth proxy in front of this gateway) for requests with `login: true`.
    pub oidc: Option<OidcSettings>,
    /// A gateway owned by one tenant: it runs in one of the tenant's namespaces and only the
    /// tenant's requests may use it.
    pub tenant: Option<TenantName>,
    /// `true`: meshedge emits the gateway's Deployment and Service (gateway injection).
    #[schemars(extend("default" = false))]
    pub deploy: Option<bool>,
    /// Requests may claim wildcard hosts (`*.team.apps.example.com`) on this gateway.
    #[schemars(extend("default" = false))]
    pub allow_wildcard_hosts: Option<bool>,
}

/// `settings.egress`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressSettings {
    /// A gateway, or `none`.
    pub default_gateway: Option<GatewayName>,
    /// The egress gateways, merged across layers by `name`.
    pub gateways: Option<Vec<EgressGatewaySettings>>,
    /// The external hosts requests may call; `[]` or absent: none.
    pub allowed_hosts: Option<Vec<HostPattern>>,
    /// The HTTP header that carries the SLA class.
    #[schemars(extend("default" = "x-sla-class"))]
    pub sla_header: Option<HeaderName>,
    /// Connection limits per SLA class, applied at the egress gateway; merged across layers by
    /// `name`.
    pub sla_classes: Option<Vec<SlaClassSettings>>,
    /// The class of requests without the SLA header; one of `slaClasses`.
    pub default_sla_class: Option<SlaClassName>,
}

/// An egress gateway. In a later layer, an item with the same `name` merges into this one.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressGatewaySettings {
    /// The name requests use in `gateway:` (not `none`).
    pub name: GatewayName,
    /// Where the gateway pods run; a host's egress objects go here, and the secrets requests
    /// name live here. Required after merging.
    pub namespace: Option<Namespace>,
    /// The labels of the gateway pods. Required after merging.
    #[schemars(with = "Option<crate::input::schema_parts::Labels>")]
    pub selector: Option<LabelMap>,
    /// The gateway's Service: in-mesh traffic is sent to
    /// `<service>.<namespace>.svc.cluster.local`. Default: the gateway's `name`.
    pub service: Option<ServiceName>,
    /// Known source addresses for external firewalls: an OVN EgressIP for the gateway's
    /// namespace.
    #[serde(rename = "egressIPs")]
    pub egress_ips: Option<Vec<EgressIp>>,
    /// The gateway's pods run only on nodes with these labels.
    #[schemars(with = "Option<crate::input::schema_parts::Labels>")]
    pub node_selector: Option<LabelMap>,
    /// `true`: meshedge emits the gateway's Deployment and Service.
    #[schemars(extend("default" = false))]
    pub deploy: Option<bool>,
}

/// Connection limits of one SLA class; the values are Istio's `TrafficPolicy` fields.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SlaClassSettings {
    /// The class name: used in requests, as the SLA header's value, as the DestinationRule
    /// subset name and as a label value.
    pub name: SlaClassName,
    /// Copied into the class's DestinationRule subset.
    pub connection_pool: Option<ConnectionPool>,
    /// Copied into the class's DestinationRule subset.
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

/// `connectionPool` of an SLA class: Istio's `ConnectionPoolSettings`, the fields that both
/// OpenShift Service Mesh 2.5 and Istio 1.24 know. At least one of `tcp` and `http`;
/// `useClientProtocol: true` contradicts `h2UpgradePolicy: UPGRADE` (istiod refuses the pair).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(try_from = "ConnectionPoolFields")]
#[schemars(transform = crate::input::schema_parts::connection_pool_rules)]
pub struct ConnectionPool {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<TcpSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpSettings>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ConnectionPoolFields {
    /// Limits of TCP connections (HTTP and TCP traffic).
    tcp: Option<TcpSettings>,
    /// Limits of HTTP requests.
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

/// `connectionPool.tcp`: limits of TCP connections to the external host, for all callers
/// through the egress gateway together.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpSettings {
    /// The most TCP connections to a host of the destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<Count>,
    /// How long opening a TCP connection may take.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<Duration>,
    /// TCP keepalive on the connections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_keepalive: Option<TcpKeepalive>,
    /// How long a connection may live at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connection_duration: Option<Duration>,
}

/// `connectionPool.tcp.tcpKeepalive`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpKeepalive {
    /// Unanswered probes after which the connection counts as dead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probes: Option<Uint32>,
    /// Idle time before the first probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Duration>,
    /// Time between probes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
}

/// Whether HTTP/1.1 connections to the destination are upgraded to HTTP/2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum H2UpgradePolicy {
    /// The mesh-wide default.
    Default,
    /// Never upgrade.
    DoNotUpgrade,
    /// Upgrade.
    Upgrade,
}

/// `connectionPool.http`: limits of HTTP requests to the external host, for all callers
/// through the egress gateway together.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpSettings {
    /// The most requests queued while waiting for a connection (HTTP/1.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http1_max_pending_requests: Option<Count>,
    /// The most active requests to the destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http2_max_requests: Option<Count>,
    /// The most requests per connection; 1 turns keep-alive off, 0 is no limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_requests_per_connection: Option<Count>,
    /// The most retries outstanding to the destination at a time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<Count>,
    /// How long a connection without active requests stays open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout: Option<Duration>,
    /// `DEFAULT`, `DO_NOT_UPGRADE` or `UPGRADE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub h2_upgrade_policy: Option<H2UpgradePolicy>,
    /// Speak to the destination in the HTTP version the client used; not with
    /// `h2UpgradePolicy: UPGRADE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_client_protocol: Option<bool>,
}

/// `outlierDetection` of an SLA class: Istio's `OutlierDetection`, the fields that both
/// OpenShift Service Mesh 2.5 and Istio 1.24 know. `consecutiveLocalOriginFailures` above 0
/// needs `splitExternalLocalOriginErrors: true` (istiod refuses it otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(try_from = "OutlierDetectionFields", rename_all = "camelCase")]
#[schemars(transform = crate::input::schema_parts::outlier_detection_rules)]
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

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OutlierDetectionFields {
    /// Server errors (5xx, and connection failures) in a row after which a host is ejected.
    #[serde(rename = "consecutive5xxErrors")]
    consecutive_5xx_errors: Option<Uint32>,
    /// Gateway errors (502, 503, 504) in a row after which a host is ejected.
    consecutive_gateway_errors: Option<Uint32>,
    /// Locally originated failures (timeouts, resets) in a row after which a host is ejected;
    /// above 0 only with `splitExternalLocalOriginErrors: true`.
    consecutive_local_origin_failures: Option<Uint32>,
    /// Count locally originated failures apart from the host's own errors.
    split_external_local_origin_errors: Option<bool>,
    /// Time between ejection sweeps.
    interval: Option<Duration>,
    /// The shortest ejection; a host ejected again stays out longer.
    base_ejection_time: Option<Duration>,
    /// The largest share of hosts that may be ejected, in percent.
    max_ejection_percent: Option<Percent>,
    /// Ejection stops while fewer than this percentage of hosts are healthy.
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

/// `settings.tenants`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantSettings {
    /// Tenants present in the bases but not deployed here; referencing one is an error.
    #[schemars(extend("default" = []))]
    pub exclude: Option<Vec<TenantName>>,
    /// Glob patterns every tenant namespace must match (default `["*"]`).
    #[schemars(extend("default" = ["*"]))]
    pub allowed_namespaces: Option<Vec<String>>,
    /// Glob patterns of namespaces no tenant may own, beside the built-in reserved set.
    #[schemars(extend("default" = []))]
    pub reserved_namespaces: Option<Vec<String>>,
    /// Emit a `Namespace` per tenant namespace (see `generate::namespaces`).
    pub create_namespaces: Option<bool>,
}

/// `tenants/<name>/tenant.yaml`: a Tenant, the namespaces it owns. Optional: a tenant
/// directory without one owns one namespace named like it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantDoc {
    /// `meshedge.io/v1alpha1`.
    #[schemars(extend("const" = API_VERSION))]
    pub api_version: String,
    /// `Tenant`.
    #[schemars(extend("const" = "Tenant"))]
    pub kind: String,
    /// `name` must equal the tenant's directory name under `tenants/`.
    pub metadata: Metadata<TenantName>,
    /// The tenant's namespaces.
    #[serde(default)]
    #[schemars(extend("default" = {}))]
    pub spec: TenantSpec,
}

/// `spec` of a Tenant.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantSpec {
    /// The namespaces the tenant owns; the first is the default namespace of its requests.
    /// Default: one namespace named like the tenant. None may be reserved (`default`,
    /// `kube-*`, `openshift-*`, the control plane's and the gateways' namespaces).
    pub namespaces: Option<Vec<Namespace>>,
}

/// A tenant's edge request: hosts to expose and external hosts to call. Every document under
/// `tenants/<tenant>/` other than the Tenant is one.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EdgeRequestDoc {
    /// `meshedge.io/v1alpha1`.
    #[schemars(extend("const" = API_VERSION))]
    pub api_version: String,
    /// `EdgeRequest`.
    #[schemars(extend("const" = "EdgeRequest"))]
    pub kind: String,
    /// The request's name and the namespace of its services.
    pub metadata: RequestMetadata,
    /// The hosts to expose and the external hosts to call.
    #[serde(default)]
    #[schemars(extend("default" = {}))]
    pub spec: EdgeRequestSpec,
}

/// `spec` of an EdgeRequest.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EdgeRequestSpec {
    /// Hosts to expose through an ingress gateway. An overlay in a later layer replaces the
    /// whole list.
    pub ingress: Option<Vec<IngressRequest>>,
    /// External hosts to call through an egress gateway. An overlay in a later layer replaces
    /// the whole list.
    pub egress: Option<Vec<EgressRequest>>,
}

/// How an ingress gateway handles TLS for a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IngressTls {
    /// The gateway terminates TLS on 443 and redirects HTTP on 80 to HTTPS.
    #[default]
    Simple,
    /// As `simple`, and clients present a certificate that chains to `clientCASecret`.
    Mutual,
    /// The gateway routes by SNI; the workload terminates TLS with its own certificate.
    Passthrough,
    /// Plain HTTP on 80 only.
    None,
}

/// A host to expose.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressRequest {
    /// A short name without a dot (`shop`, expanded to `shop.<gateway domain>`) or a full host
    /// name; it must match the gateway's `allowedHosts` and is claimed by one request only.
    pub host: RequestHost,
    /// The ingress gateway. Default: `settings.ingress.defaultGateway`.
    pub gateway: Option<GatewayName>,
    /// `simple`, `mutual`, `passthrough` or `none`.
    #[schemars(extend("default" = "simple"))]
    pub tls: Option<IngressTls>,
    /// An existing TLS Secret in the gateway's namespace, instead of a cert-manager
    /// Certificate; it belongs to this tenant alone.
    pub credential_name: Option<SecretName>,
    /// `mutual` only, and required there: the Secret (in the gateway's namespace) holding the
    /// CA bundle client certificates must chain to.
    #[serde(rename = "clientCASecret")]
    pub client_ca_secret: Option<SecretName>,
    /// Stamp the SLA header with this class on requests entering through this host; one of
    /// `settings.egress.slaClasses`.
    pub sla_class: Option<SlaClassName>,
    /// Users without a token go through the gateway's OIDC login flow (the gateway needs
    /// `oidc`); requests with a token go straight through.
    #[schemars(extend("default" = false))]
    pub login: Option<bool>,
    /// Require a valid token on this host.
    pub jwt: Option<JwtRequest>,
    /// Where the host's traffic goes, longest path prefix first (required after merging;
    /// `passthrough`: exactly one route, without `path`).
    #[serde(default)]
    pub routes: Vec<RouteRequest>,
}

/// Token checks on a host: a RequestAuthentication and an AuthorizationPolicy on the gateway.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JwtRequest {
    /// The token issuer (`iss`), exactly as tokens carry it.
    pub issuer: IssuerUrl,
    /// Where the issuer publishes its signing keys. Default: discovered from the issuer.
    pub jwks_uri: Option<HttpsUrl>,
    /// Accepted `aud` values. Default: any audience.
    pub audiences: Option<Vec<Text>>,
    /// Verify the token again at the tenant's workloads (the original token is forwarded).
    #[schemars(extend("default" = false))]
    pub reverify: Option<bool>,
}

/// A route of a host.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteRequest {
    /// A path prefix (`/api`). Default: every path. Not with `passthrough`.
    pub path: Option<PathPrefix>,
    /// A Service of the request's namespace.
    pub service: ServiceRef,
    /// The Service port.
    pub port: Port,
    /// The route's timeout (Istio `http[].timeout`).
    pub timeout: Option<Duration>,
}

/// How traffic to an external host is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EgressTls {
    /// The application speaks plain HTTP; the egress gateway opens TLS to the host.
    #[default]
    Originate,
    /// The egress gateway opens mutual TLS with `credentialName`.
    Mutual,
    /// The application keeps its own TLS; routing by SNI.
    Passthrough,
    /// Plain traffic.
    None,
}

/// An external host to call.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressRequest {
    /// The external host's full name; it must match `settings.egress.allowedHosts`.
    pub host: ExternalHost,
    /// The external port. Default: 443 (80 with `tls: none`).
    pub port: Option<Port>,
    /// `originate`, `mutual`, `passthrough` or `none`.
    #[schemars(extend("default" = "originate"))]
    pub tls: Option<EgressTls>,
    /// `mutual` only, and required there: the client certificate Secret, in the egress
    /// gateway's namespace; it belongs to this tenant alone.
    pub credential_name: Option<SecretName>,
    /// The CA of the external trust domain, to verify the server (a Secret in the egress
    /// gateway's namespace); it belongs to this tenant alone.
    pub ca_secret: Option<SecretName>,
    /// A gateway, or `none`.
    pub gateway: Option<GatewayName>,
    /// Route by the SLA header to per-class limits; each one of `settings.egress.slaClasses`.
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
