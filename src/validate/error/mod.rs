//! What the validate stage refuses or warns about ([`RequestError`]): each variant's code,
//! message and help. Names quoted in messages are given as the caller shows them.

mod help;
mod message;

use crate::diagnostic::{Code, Explain};

/// The suffix Istio adds to a credential name to find its CA bundle.
pub(crate) const CACERT_SUFFIX: &str = "-cacert";
/// The longest Secret name (a DNS-1123 subdomain).
pub(crate) const SECRET_NAME_MAX: usize = 253;

#[derive(Debug, Clone)]
pub enum RequestError {
    // --- settings
    NoSelector {
        gateway: String,
    },
    NoNamespace {
        gateway: String,
    },
    GatewayOfExcludedTenant {
        gateway: String,
        tenant: String,
    },
    GatewayOutsideTenant {
        gateway: String,
        tenant: String,
        namespace: String,
        namespaces: String,
    },
    GatewayOfUnknownTenant {
        gateway: String,
        tenant: String,
    },
    DefaultIngressUndeclared {
        gateway: String,
        declared: String,
    },
    EgressGatewayNamedNone {
        gateway: String,
    },
    DefaultSlaClassUndeclared {
        class: String,
        declared: String,
    },
    DefaultEgressUndeclared {
        gateway: String,
        declared: String,
    },
    // --- tenants
    NotANamespace {
        namespace: String,
    },
    NamespaceOwnedTwice {
        namespace: String,
        first: String,
        second: String,
    },
    NamespaceNotOwned {
        request: String,
        tenant: String,
        namespace: String,
        owned: String,
    },
    // --- ingress
    HostClaimedTwice {
        host: String,
        first: String,
        first_tenant: String,
        second: String,
        second_tenant: String,
    },
    NoIngressGateway {
        host: String,
    },
    UnknownIngressGateway {
        gateway: String,
        declared: String,
    },
    AnotherTenantsGateway {
        gateway: String,
        owner: String,
        tenant: String,
    },
    ShortHostWithoutDomain {
        host: String,
        gateway: String,
    },
    NotAHost {
        host: String,
    },
    HostNotAllowed {
        host: String,
        gateway: String,
    },
    NoRoutes {
        host: String,
    },
    PassthroughByPath {
        host: String,
    },
    PathTwice {
        host: String,
        path: String,
    },
    RouteLeavesNamespace {
        service: String,
        namespace: String,
    },
    MutualWithoutClientCa {
        host: String,
    },
    NoCertificate {
        host: String,
        gateway: String,
        namespace: String,
    },
    UnknownSlaClass {
        class: String,
        declared: String,
    },
    LoginWithoutOidc {
        host: String,
        gateway: String,
    },
    CredentialNameTooLong {
        credential: String,
    },
    // --- egress
    ExternalHostDisagrees {
        host: String,
        differences: String,
        first: String,
        second: String,
    },
    EgressWithoutSettings {
        request: String,
    },
    ExternalHostNotAllowed {
        host: String,
    },
    UnknownEgressGateway {
        gateway: String,
        declared: String,
    },
    MutualWithoutCredential {
        host: String,
    },
    MutualWithoutGateway {
        host: String,
    },
    SlaClassesWithoutGateway {
        host: String,
    },
    DirectEgressUnderEnforcement {
        host: String,
        /// The enforcement settings that keep tenant pods inside the cluster.
        enforced_by: String,
    },
    // --- placement warnings
    LoadBalancerUnmanaged {
        gateway: String,
        service: String,
        hosts: String,
    },
    NodeSelectorUnused {
        gateway: String,
    },
    LoginNeedsProvider {
        gateway: String,
        provider: String,
    },
    // --- tenancy
    ReservedNamespace {
        tenant: String,
        namespace: String,
        why: String,
    },
    NamespaceNotAllowed {
        tenant: String,
        namespace: String,
    },
    TenantDirectoryName {
        dir: String,
    },
    SecretOfThePlatform {
        request: String,
        tenant: String,
        secret: String,
        namespace: String,
        role: String,
        /// Whose it is: `the OIDC clientSecretRef of gateway `internal``, `a Secret declared in …`.
        owner: String,
    },
    SecretOfTwoTenants {
        secret: String,
        namespace: String,
        first: String,
        second: String,
    },
    StarHost,
    WildcardNotAllowed {
        host: String,
        gateway: String,
    },
    InvalidPattern {
        pattern: String,
        field: String,
        reason: String,
    },
    WildcardHostsOnRoutes {
        gateway: String,
    },
    WildcardCovers {
        wildcard: String,
        host: String,
        first: String,
        second: String,
    },
    HostNamesCollide {
        host: String,
        other: String,
        name: String,
    },
    /// A namespace named like another tenant (`<other>` or `<other>-…`).
    NamespaceOfAnotherTenant {
        tenant: String,
        namespace: String,
        owner: String,
    },
    /// An ingress host under a host of another tenant: the parent's cookies reach it.
    HostUnderAnotherTenantsHost {
        host: String,
        tenant: String,
        parent: String,
        owner: String,
    },
    /// A request asks for an SLA class that `slaClasses[].tenants` does not grant its tenant.
    SlaClassNotGranted {
        class: String,
        tenant: String,
        granted: String,
    },
    /// `tenants` on the default SLA class: every caller without the header is in it.
    DefaultSlaClassRestricted {
        class: String,
    },
    /// `slaClasses[].tenants` names a tenant the repository does not have.
    SlaClassOfUnknownTenant {
        class: String,
        tenant: String,
    },
    /// `rateLimit.requests: 0` at the setting `at`.
    RateLimitNoRequests {
        at: String,
    },
    /// `rateLimit` on a TLS passthrough ingress host.
    RateLimitOnPassthrough {
        host: String,
    },
    /// A TLS passthrough external host called in an SLA class with a `rateLimit`.
    RateLimitOnPassthroughEgress {
        host: String,
        class: String,
    },
    /// `rateLimit.per` shorter than a second at the setting `at`.
    RateLimitPeriodTooShort {
        at: String,
        per: String,
    },
}

impl Explain for RequestError {
    fn code(&self) -> Code {
        use RequestError::*;
        match self {
            NoSelector { .. } => Code::E405,
            NoNamespace { .. } => Code::E406,
            GatewayOfExcludedTenant { .. } => Code::E303,
            GatewayOutsideTenant { .. } => Code::E407,
            GatewayOfUnknownTenant { .. } => Code::E408,
            DefaultIngressUndeclared { .. } | DefaultEgressUndeclared { .. } => Code::E409,
            EgressGatewayNamedNone { .. } | NotANamespace { .. } => Code::E402,
            DefaultSlaClassUndeclared { .. } => Code::E410,
            RateLimitNoRequests { .. } => Code::E448,
            RateLimitOnPassthrough { .. } | RateLimitOnPassthroughEgress { .. } => Code::E429,
            RateLimitPeriodTooShort { .. } => Code::E449,
            NamespaceOwnedTwice { .. } => Code::E403,
            NamespaceNotOwned { .. } => Code::E404,
            HostClaimedTwice { .. } | WildcardCovers { .. } => Code::E401,
            NoIngressGateway { .. } | UnknownIngressGateway { .. } | UnknownEgressGateway { .. } => Code::E411,
            AnotherTenantsGateway { .. } => Code::E412,
            ShortHostWithoutDomain { .. } => Code::E413,
            NotAHost { .. } => Code::E414,
            HostNotAllowed { .. } => Code::E415,
            NoRoutes { .. } | PassthroughByPath { .. } => Code::E416,
            PathTwice { .. } => Code::E417,
            RouteLeavesNamespace { .. } => Code::E418,
            ExternalHostDisagrees { .. } => Code::E420,
            MutualWithoutClientCa { .. } | MutualWithoutCredential { .. } => Code::E421,
            NoCertificate { .. } => Code::E422,
            UnknownSlaClass { .. } => Code::E423,
            LoginWithoutOidc { .. } => Code::E424,
            EgressWithoutSettings { .. } => Code::E425,
            ExternalHostNotAllowed { .. } => Code::E426,
            MutualWithoutGateway { .. } | SlaClassesWithoutGateway { .. } => Code::E427,
            DirectEgressUnderEnforcement { .. } => Code::E428,
            CredentialNameTooLong { .. } => Code::E439,
            ReservedNamespace { .. } => Code::E440,
            NamespaceNotAllowed { .. } => Code::E441,
            TenantDirectoryName { .. } => Code::E442,
            SecretOfThePlatform { .. } | SecretOfTwoTenants { .. } => Code::E443,
            StarHost | WildcardNotAllowed { .. } => Code::E444,
            InvalidPattern { .. } => Code::E445,
            WildcardHostsOnRoutes { .. } => Code::E446,
            HostNamesCollide { .. } => Code::E447,
            NamespaceOfAnotherTenant { .. } => Code::E436,
            HostUnderAnotherTenantsHost { .. } => Code::E437,
            SlaClassNotGranted { .. } => Code::E438,
            DefaultSlaClassRestricted { .. } => Code::E482,
            SlaClassOfUnknownTenant { .. } => Code::E483,
            LoadBalancerUnmanaged { .. } => Code::W432,
            NodeSelectorUnused { .. } => Code::W434,
            LoginNeedsProvider { .. } => Code::W435,
        }
    }

    fn message(&self) -> String {
        message::message(self)
    }

    fn help(&self) -> Option<String> {
        help::help(self)
    }
}

/// `request `web` of tenant `shop``, as messages name a request.
pub(crate) fn request_of(request: &str, tenant: &str) -> String {
    format!("request `{request}` of tenant `{tenant}`")
}
