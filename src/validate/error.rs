//! What the validate stage refuses or warns about ([`RequestError`]): each variant's code,
//! message and help. Names quoted in messages are given as the caller shows them.

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
            CredentialNameTooLong { .. } => Code::E439,
            ReservedNamespace { .. } => Code::E440,
            NamespaceNotAllowed { .. } => Code::E441,
            TenantDirectoryName { .. } => Code::E442,
            SecretOfThePlatform { .. } | SecretOfTwoTenants { .. } => Code::E443,
            StarHost | WildcardNotAllowed { .. } => Code::E444,
            InvalidPattern { .. } => Code::E445,
            WildcardHostsOnRoutes { .. } => Code::E446,
            HostNamesCollide { .. } => Code::E447,
            LoadBalancerUnmanaged { .. } => Code::W432,
            NodeSelectorUnused { .. } => Code::W434,
            LoginNeedsProvider { .. } => Code::W435,
        }
    }

    fn message(&self) -> String {
        use RequestError::*;
        match self {
            NoSelector { gateway } => format!("gateway `{gateway}` has no selector"),
            NoNamespace { gateway } => format!("gateway `{gateway}` has no namespace"),
            GatewayOfExcludedTenant { gateway, tenant } => {
                format!("gateway `{gateway}` belongs to tenant `{tenant}`, which is excluded here")
            }
            GatewayOutsideTenant { gateway, tenant, namespace, .. } => {
                format!(
                    "gateway `{gateway}` of tenant `{tenant}` runs in `{namespace}`, not a namespace of that tenant"
                )
            }
            GatewayOfUnknownTenant { gateway, tenant } => {
                format!("gateway `{gateway}` names unknown tenant `{tenant}`")
            }
            DefaultIngressUndeclared { gateway, .. } => {
                format!("the default ingress gateway `{gateway}` is not declared")
            }
            EgressGatewayNamedNone { gateway } => format!("egress gateway name `{gateway}` is not usable"),
            DefaultSlaClassUndeclared { class, .. } => format!("the default SLA class `{class}` is not declared"),
            DefaultEgressUndeclared { gateway, .. } => {
                format!("the default egress gateway `{gateway}` is not declared")
            }
            NotANamespace { namespace } => format!("`{namespace}` is not a valid namespace name"),
            NamespaceOwnedTwice { namespace, first, second } if first == second => {
                format!("tenant `{first}` lists namespace `{namespace}` twice")
            }
            NamespaceOwnedTwice { namespace, first, second } => {
                format!("namespace `{namespace}` belongs to both tenant `{first}` and tenant `{second}`")
            }
            NamespaceNotOwned { request, tenant, namespace, .. } => {
                format!("request `{request}` names namespace `{namespace}`, which tenant `{tenant}` does not own")
            }
            HostClaimedTwice { host, first, first_tenant, second, second_tenant } => format!(
                "host `{host}` is claimed twice: by request `{first}` of tenant `{first_tenant}` and by request `{second}` of tenant `{second_tenant}`"
            ),
            NoIngressGateway { host } => format!("ingress host `{host}` names no gateway and there is no default"),
            UnknownIngressGateway { gateway, .. } => format!("unknown ingress gateway `{gateway}`"),
            AnotherTenantsGateway { gateway, owner, tenant } => {
                format!("gateway `{gateway}` belongs to tenant `{owner}`, not `{tenant}`")
            }
            ShortHostWithoutDomain { host, gateway } => {
                format!("short host `{host}` cannot be expanded: gateway `{gateway}` has no `domain`")
            }
            NotAHost { host } => format!("`{host}` is not a valid host name"),
            HostNotAllowed { host, gateway } => format!("host `{host}` is not allowed on gateway `{gateway}`"),
            NoRoutes { host } => format!("host `{host}` has no routes"),
            PassthroughByPath { host } => format!("passthrough host `{host}` routes by path"),
            PathTwice { host, path } => format!("host `{host}` routes path `{path}` twice"),
            RouteLeavesNamespace { service, namespace } => {
                format!("route to `{service}` leaves the request's namespace `{namespace}`")
            }
            MutualWithoutClientCa { host } => format!("mutual TLS host `{host}` has no `clientCASecret`"),
            NoCertificate { host, .. } => format!("TLS host `{host}` has no certificate"),
            UnknownSlaClass { class, .. } => format!("unknown SLA class `{class}`"),
            LoginWithoutOidc { host, gateway } => {
                format!("host `{host}` asks for login but gateway `{gateway}` has no `oidc`")
            }
            CredentialNameTooLong { credential } => format!(
                "credential name {} is too long for the CA secret the gateway derives from it",
                crate::values::shown(credential)
            ),
            ExternalHostDisagrees { host, differences, first, second } => {
                format!("requests for external host `{host}` disagree on {differences}: {first} and {second}")
            }
            EgressWithoutSettings { request } => {
                format!("request `{request}` asks for egress but this environment has no `egress` settings")
            }
            ExternalHostNotAllowed { host } => format!("external host `{host}` is not in `egress.allowedHosts`"),
            UnknownEgressGateway { gateway, .. } => format!("unknown egress gateway `{gateway}`"),
            MutualWithoutCredential { host } => format!("mutual TLS to `{host}` has no `credentialName`"),
            MutualWithoutGateway { host } => format!("mutual TLS to `{host}` needs an egress gateway"),
            SlaClassesWithoutGateway { host } => format!("SLA classes for `{host}` need an egress gateway"),
            LoadBalancerUnmanaged { gateway, .. } => {
                format!("gateway `{gateway}` is exposed by a LoadBalancer that meshedge does not manage")
            }
            NodeSelectorUnused { gateway } => {
                format!("egress gateway `{gateway}` has a nodeSelector that no emitted object carries")
            }
            LoginNeedsProvider { gateway, .. } => {
                format!("the login flow of gateway `{gateway}` needs an extension provider in the mesh config")
            }
            ReservedNamespace { tenant, namespace, why } => {
                format!("tenant `{tenant}` claims namespace `{namespace}`, which is reserved: {why}")
            }
            NamespaceNotAllowed { tenant, namespace } => {
                format!("tenant `{tenant}` claims namespace `{namespace}`, outside `tenants.allowedNamespaces`")
            }
            TenantDirectoryName { dir } => format!("tenant directory `{dir}` is not a DNS-1123 label"),
            SecretOfThePlatform { request, tenant, secret, namespace, role, owner } => format!(
                "request `{request}` of tenant `{tenant}` names secret `{secret}` in namespace `{namespace}` ({role}), which belongs to the platform: {owner}"
            ),
            SecretOfTwoTenants { secret, namespace, first, second } => {
                format!("secret `{secret}` in namespace `{namespace}` is named by {first} and by {second}")
            }
            StarHost => "`*` is not a host".into(),
            WildcardNotAllowed { host, gateway } => {
                format!("wildcard host `{host}` on gateway `{gateway}`, which does not allow wildcard hosts")
            }
            InvalidPattern { pattern, field, reason } => {
                format!("`{pattern}` in `tenants.{field}` is not a valid pattern: {reason}")
            }
            WildcardHostsOnRoutes { gateway } => {
                format!("gateway `{gateway}` allows wildcard hosts but is exposed through OpenShift Routes")
            }
            WildcardCovers { wildcard, host, first, second } => {
                format!("wildcard host `{wildcard}` covers host `{host}`: claimed by {first} and by {second}")
            }
            HostNamesCollide { host, other, name } => {
                format!("hosts `{other}` and `{host}` would give their objects one name, `{name}`")
            }
        }
    }

    fn help(&self) -> Option<String> {
        use RequestError::*;
        Some(match self {
            NoSelector { .. } => "set `selector` to the labels of the gateway's pods, e.g. {istio: ingressgateway}".into(),
            NoNamespace { .. } => "set `namespace`: where the gateway's pods run and its Gateway objects go".into(),
            GatewayOfExcludedTenant { .. } => {
                "remove the gateway in this environment (`null`), or stop excluding the tenant".into()
            }
            GatewayOutsideTenant { namespaces, .. } => {
                format!("a tenant's gateway runs in one of its namespaces: {namespaces}")
            }
            GatewayOfUnknownTenant { .. } => "name a tenant that has a directory under tenants/".into(),
            DefaultIngressUndeclared { declared, .. } => {
                format!("declare it in `ingress.gateways`, or pick one of: {declared}")
            }
            EgressGatewayNamedNone { .. } => "use a DNS label other than `none` (which means: no gateway)".into(),
            DefaultSlaClassUndeclared { declared, .. } => {
                format!("declare it in `egress.slaClasses`, or pick one of: {declared}")
            }
            DefaultEgressUndeclared { declared, .. } => {
                format!("declare it in `egress.gateways`, use `none`, or pick one of: {declared}")
            }
            NotANamespace { .. } => {
                "namespaces are DNS labels: lowercase letters, digits and `-`, at most 63 characters".into()
            }
            NamespaceOwnedTwice { first, second, .. } if first == second => "list each namespace once".into(),
            NamespaceOwnedTwice { .. } => "a namespace belongs to one tenant: remove it from one tenant's `spec.namespaces`, or ask the platform team which tenant owns it".into(),
            NamespaceNotOwned { owned, .. } => format!("use one of the tenant's namespaces: {owned}"),
            HostClaimedTwice { .. } => "a host belongs to one request; remove one claim or pick another host".into(),
            NoIngressGateway { .. } => "set `gateway:` on the request, or `settings.ingress.defaultGateway`".into(),
            UnknownIngressGateway { declared, .. } => {
                format!("use one of the environment's ingress gateways: {declared}")
            }
            AnotherTenantsGateway { .. } => "use a shared gateway, or one of your tenant's own".into(),
            ShortHostWithoutDomain { .. } => "write the full host name, or set `domain` on the gateway".into(),
            NotAHost { .. } => {
                "a host name has at most 253 characters: write a shorter name, or the full host name".into()
            }
            HostNotAllowed { .. } => {
                "pick a host under the gateway's `allowedHosts`, or ask the platform team to allow it".into()
            }
            NoRoutes { .. } => "add `routes: [{path: /, service: <service>, port: <port>}]`".into(),
            PassthroughByPath { .. } => "TLS passthrough cannot see paths: give exactly one route without `path`".into(),
            PathTwice { .. } => "each host+path goes to one service; remove one of the routes".into(),
            RouteLeavesNamespace { .. } => "a request routes only to services in its own namespace; the other namespace's owner must expose it".into(),
            MutualWithoutClientCa { .. } => {
                "name the secret holding the CA bundle that client certificates must chain to".into()
            }
            NoCertificate { gateway, namespace, .. } => format!(
                "set `credentialName` to an existing secret in `{namespace}`, or give gateway `{gateway}` a `certificateIssuer`"
            ),
            UnknownSlaClass { declared, .. } => format!("use one of: {declared}"),
            LoginWithoutOidc { .. } => "use a gateway with an OIDC login flow, or remove `login`".into(),
            CredentialNameTooLong { .. } => format!(
                "the client CA is read from `<credentialName>{CACERT_SUFFIX}`, at most {SECRET_NAME_MAX} characters: use a credential name of at most {} characters",
                SECRET_NAME_MAX - CACERT_SUFFIX.len()
            ),
            ExternalHostDisagrees { .. } => "one external host has one port, TLS mode, credentials and gateway for everyone: align the requests".into(),
            EgressWithoutSettings { .. } => {
                "the platform team declares `settings.egress` (gateways, allowedHosts) first".into()
            }
            ExternalHostNotAllowed { .. } => "ask the platform team to allow the host, or call an allowed one".into(),
            UnknownEgressGateway { declared, .. } => format!("use one of: {declared}, or `none`"),
            MutualWithoutCredential { .. } => "name the client certificate secret (in the egress gateway's namespace) for the external trust domain".into(),
            MutualWithoutGateway { .. } => {
                "the client certificate lives at the egress gateway: set `gateway` (not `none`)".into()
            }
            SlaClassesWithoutGateway { .. } => {
                "limits are enforced at the egress gateway: set `gateway` (not `none`)".into()
            }
            LoadBalancerUnmanaged { service, hosts, .. } => format!(
                "annotate Service `{service}` with `{}: {hosts}`, or set `deploy: true`",
                crate::objects::EXTERNAL_DNS_HOSTNAME
            ),
            NodeSelectorUnused { .. } => {
                "set `deploy: true` on the gateway, or let meshedge manage the ossm2 control plane".into()
            }
            LoginNeedsProvider { provider, .. } => format!(
                "add `{provider}` to `meshConfig.extensionProviders`, or set `mesh.controlPlane.manage: true`"
            ),
            ReservedNamespace { .. } => "a tenant owns only namespaces of its own: list others in `spec.namespaces` of the tenant's `tenant.yaml` (without that list, the namespace is the tenant directory's name: rename the directory)".into(),
            NamespaceNotAllowed { .. } => "pick a namespace that matches `settings.tenants.allowedNamespaces` (in `spec.namespaces` of `tenant.yaml`, or by the tenant directory's name when there is no list), or ask the platform team to allow it".into(),
            TenantDirectoryName { .. } => "name the directory with lowercase letters, digits and `-` (at most 63, starting and ending alphanumeric): it becomes a namespace, a label and an RBAC group".into(),
            SecretOfThePlatform { .. } => "name a secret of your own".into(),
            SecretOfTwoTenants { .. } => "a secret belongs to one tenant (whoever names it gets its certificate presented or trusted): give each tenant its own secret; an external host whose requests name a secret cannot be shared".into(),
            StarHost => "claim a concrete host name (or, where the gateway allows them, a wildcard such as `*.team.<domain>`)".into(),
            WildcardNotAllowed { .. } => "claim a concrete host name; a wildcard would take every unclaimed host under it (the platform team may set `allowWildcardHosts: true` on a gateway)".into(),
            InvalidPattern { .. } => {
                "patterns are shell globs over namespace names: `*` any text, `?` one character, `[a-z]` a class".into()
            }
            WildcardHostsOnRoutes { .. } => "a Route's host cannot be a wildcard: expose the gateway with `loadBalancer` (or `none`), or remove `allowWildcardHosts`".into(),
            WildcardCovers { .. } => "a wildcard host takes every host under it: claim concrete hosts, or a wildcard no other claim falls under".into(),
            HostNamesCollide { .. } => "object names spell a host's dots as dashes (`*.` as `wildcard-`): claim a host whose spelling differs from the other's by more than `.` against `-`".into(),
        })
    }
}

/// `request `web` of tenant `shop``, as messages name a request.
pub(crate) fn request_of(request: &str, tenant: &str) -> String {
    format!("request `{request}` of tenant `{tenant}`")
}
