//! The message of each [`RequestError`]: one short lowercase sentence naming what is wrong.

use super::RequestError;

pub(super) fn message(error: &RequestError) -> String {
    use RequestError::*;
    match error {
        NoSelector { gateway } => format!("gateway `{gateway}` has no selector"),
        NoNamespace { gateway } => format!("gateway `{gateway}` has no namespace"),
        GatewayOfExcludedTenant { gateway, tenant } => {
            format!("gateway `{gateway}` belongs to tenant `{tenant}`, which is excluded here")
        }
        GatewayOutsideTenant { gateway, tenant, namespace, .. } => {
            format!("gateway `{gateway}` of tenant `{tenant}` runs in `{namespace}`, not a namespace of that tenant")
        }
        GatewayOfUnknownTenant { gateway, tenant } => {
            format!("gateway `{gateway}` names unknown tenant `{tenant}`")
        }
        DefaultIngressUndeclared { gateway, .. } => {
            format!("the default ingress gateway `{gateway}` is not declared")
        }
        EgressGatewayNamedNone { gateway } => format!("egress gateway name `{gateway}` is not usable"),
        RateLimitOnPassthrough { host } => format!("passthrough host `{host}` has a rate limit"),
        RateLimitOnPassthroughEgress { host, class } => {
            format!("passthrough host `{host}` is called in SLA class `{class}`, which has a rate limit")
        }
        RateLimitNoRequests { at } => format!("the rate limit at `{at}` allows no request"),
        RateLimitPeriodTooShort { at, per } => {
            format!("the rate limit at `{at}` counts per `{per}`, shorter than a second")
        }
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
        DirectEgressUnderEnforcement { host, enforced_by } => {
            format!("`{host}` with `gateway: none` cannot leave the cluster under `{enforced_by}`")
        }
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
        NamespaceOfAnotherTenant { tenant, namespace, owner } => {
            format!("tenant `{tenant}` claims namespace `{namespace}`, which is named for tenant `{owner}`")
        }
        HostUnderAnotherTenantsHost { host, tenant, parent, owner } => format!(
            "host `{host}` of tenant `{tenant}` is under host `{parent}` of tenant `{owner}`: cookies of `{parent}` reach it"
        ),
        SlaClassNotGranted { class, tenant, .. } => {
            format!("tenant `{tenant}` may not use SLA class `{class}`")
        }
        DefaultSlaClassRestricted { class } => {
            format!("the default SLA class `{class}` is limited to some tenants")
        }
        SlaClassOfUnknownTenant { class, tenant } => {
            format!("SLA class `{class}` names unknown tenant `{tenant}`")
        }
    }
}
