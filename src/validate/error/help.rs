//! The `help:` line of each [`RequestError`]: what to change.

use super::{CACERT_SUFFIX, RequestError, SECRET_NAME_MAX};

pub(super) fn help(error: &RequestError) -> Option<String> {
    use RequestError::*;
    Some(match error {
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
        RateLimitOnPassthrough { .. } => {
            "the gateway cannot see the requests of a TLS passthrough host: terminate TLS at the gateway (`tls: simple`), or remove `rateLimit`".into()
        }
        RateLimitOnPassthroughEgress { .. } => {
            "the egress gateway routes a TLS passthrough host by SNI and never sees its HTTP requests: let the mesh originate TLS (`tls: originate`), or call the host without the rate-limited classes".into()
        }
        RateLimitNoRequests { .. } => {
            "set `requests` to 1 or more (e.g. `rateLimit: {requests: 100, per: 1s}`), or remove `rateLimit`".into()
        }
        RateLimitPeriodTooShort { .. } => {
            "write `per` as a duration of at least `1s` (e.g. `1s`, `1m`); scale `requests` with it".into()
        }
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
        DirectEgressUnderEnforcement { .. } => {
            "tenant pods leave the cluster only through the egress gateway: set `gateway` (not `none`)".into()
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
        NamespaceOfAnotherTenant { owner, .. } => format!(
            "namespaces `{owner}` and `{owner}-*` are tenant `{owner}`'s: pick a namespace named for your own tenant (e.g. `<tenant>-<purpose>`)"
        ),
        HostUnderAnotherTenantsHost { parent, .. } => format!(
            "claim a host outside `{parent}` (e.g. beside it under the gateway's domain); if the owner of `{parent}` agrees, the platform team lists it in `settings.tenants.allowHostsUnder`"
        ),
        SlaClassNotGranted { granted, .. } => format!(
            "ask the platform team to add the tenant to the class's `tenants` in `settings.egress.slaClasses`, or use a class the tenant may use: {granted}"
        ),
        DefaultSlaClassRestricted { .. } => "every request without the SLA header is in the default class: remove `tenants` from it, or pick another default class".into(),
        SlaClassOfUnknownTenant { .. } => "name tenants that have a directory under tenants/".into(),
    })
}
