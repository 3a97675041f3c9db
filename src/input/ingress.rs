//! The ingress settings: gateways, their exposure, certificates and login flow.

use super::*;

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
    /// WASM extensions this gateway offers (a `WasmPlugin` each); hosts opt in with their
    /// request's `extensions`. Merged across layers by `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Vec<GatewayExtension>>,
}
