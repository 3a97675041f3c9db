//! The egress settings: gateways, allowed external hosts and SLA classes with their connection pools and outlier detection.

use super::*;

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
    /// At most `requests` per `per` for each external host in this class, counted and enforced
    /// by each egress gateway replica (Envoy local rate limiting); over it the gateway answers
    /// 429.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// The tenants whose requests may ask for this class; absent: every tenant. Not on the
    /// default class, which every request without the SLA header is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenants: Option<Vec<TenantName>>,
}

/// `rateLimit`: a token bucket of `requests` tokens, refilled with `requests` tokens every
/// `per`. `requests` at least 1, `per` at least `1s` (checked after reading, E448/E449).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests allowed per `per`, at least 1.
    pub requests: Uint32,
    /// The period, a duration of at least `1s` (e.g. `1s`, `1m`).
    pub per: Period,
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
