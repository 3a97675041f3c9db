//! The EdgeRequest document: ingress hosts with their routes and tokens, egress hosts.

use super::*;

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
    /// Services to export to a peer mesh or import from one (`settings.mesh.federation`). An
    /// overlay in a later layer replaces the whole field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub federation: Option<FederationRequest>,
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
    /// At most `requests` per `per` for this host, counted and enforced by each ingress gateway
    /// replica (Envoy local rate limiting); over it the gateway answers 429. Not with
    /// `tls: passthrough`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Extensions of the host's gateway (`settings.ingress.gateways[].extensions`) this host
    /// opts into, by name (e.g. `[waf]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Vec<crate::values::ExtensionName>>,
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
