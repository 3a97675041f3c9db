//! Ingress: one host a request exposes → its plan (gateway, host, TLS, routes), checked.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::hosts::allowed_by;
use crate::input::{Flavor, IngressRequest, IngressTls};
use crate::plan::{IngressHost, RoutePlan};
use crate::validate::scope::{Checker, Claims, Edge, RequestScope, names};
use crate::validate::tenancy::check_ingress_host;

/// The suffix Istio adds to a credential name to find its CA bundle.
const CACERT_SUFFIX: &str = "-cacert";
/// The longest Secret name (a DNS-1123 subdomain).
const SECRET_NAME_MAX: usize = 253;

/// Claims the host of a valid item: a host claimed twice is E401.
pub(crate) fn claim<'r>(
    c: &mut Checker,
    edge: &Edge,
    scope: &RequestScope<'r, '_>,
    host: IngressHost,
    claims: &mut Claims<'r>,
) {
    let request = scope.request;
    let at = (request, format!("{}/host", scope.base));
    if let Some((first, (first_request, first_pointer))) = claims.ingress.get(&host.host) {
        let message = format!(
            "host `{}` is claimed twice: by request `{}` of tenant `{}` and by request `{}` of tenant `{}`",
            host.host, first.request, first.tenant, host.request, host.tenant
        );
        c.diagnostics.push(
            Diagnostic::error("E401", message)
                .at(request.location(&at.1))
                .note(first_request.location(first_pointer), "first claimed here")
                .help("a host belongs to one request; remove one claim or pick another host"),
        );
    } else {
        if let Some(gateway) = edge.ingress_gateways.get(&host.gateway) {
            claims.secrets.ingress(request, &scope.base, &host, gateway);
        }
        claims.hosts.add(&host.host, request, at.1.clone());
        claims.ingress.insert(host.host.clone(), (host, at));
    }
}

/// The plan of one ingress item, or `None` when it has errors.
pub(crate) fn host(c: &mut Checker, edge: &Edge, scope: &RequestScope, item: &IngressRequest) -> Option<IngressHost> {
    let (request, namespace, base) = (scope.request, scope.namespace, scope.base.as_str());
    let (gateways, egress, default_gateway) = (&edge.ingress_gateways, &edge.egress, &edge.default_ingress);
    let errors_before = c.diagnostics.len();
    let gateway_name = item.gateway.as_ref().map(|g| g.to_string()).or_else(|| default_gateway.clone());
    let Some(gateway_name) = gateway_name else {
        c.error(
            "E411",
            format!("ingress host `{}` names no gateway and there is no default", item.host),
            request.location(base),
            "set `gateway:` on the request, or `settings.ingress.defaultGateway`",
        );
        return None;
    };
    let Some(gateway) = gateways.get(&gateway_name) else {
        c.error(
            "E411",
            format!("unknown ingress gateway `{gateway_name}`"),
            request.location(&format!("{base}/gateway")),
            format!("use one of the environment's ingress gateways: {}", names(gateways)),
        );
        return None;
    };
    if let Some(owner) = &gateway.tenant {
        if owner != &request.tenant {
            c.error(
                "E412",
                format!("gateway `{gateway_name}` belongs to tenant `{owner}`, not `{}`", request.tenant),
                request.location(&format!("{base}/gateway")),
                "use a shared gateway, or one of your tenant's own",
            );
        }
    }
    let host = if item.host.as_str().contains('.') {
        item.host.to_string()
    } else if let Some(domain) = &gateway.domain {
        format!("{}.{domain}", item.host)
    } else {
        c.error(
            "E413",
            format!("short host `{}` cannot be expanded: gateway `{gateway_name}` has no `domain`", item.host),
            request.location(&format!("{base}/host")),
            "write the full host name, or set `domain` on the gateway",
        );
        return None;
    };
    // The host as written is valid (its type); expanded with the gateway's domain it may not be.
    if !crate::values::is_host(&host) {
        c.error(
            "E414",
            format!("`{host}` is not a valid host name"),
            request.location(&format!("{base}/host")),
            "a host name has at most 253 characters: write a shorter name, or the full host name",
        );
        return None;
    }
    let at = || request.location(&format!("{base}/host"));
    if let Err(d) = check_ingress_host(c.merged, item.host.as_str(), &host, gateway, at) {
        c.diagnostics.push(d);
        return None;
    }
    if !gateway.allowed_hosts.iter().any(|p| allowed_by(p, &host)) {
        let allowed =
            if gateway.allowed_hosts.is_empty() { "none".to_string() } else { gateway.allowed_hosts.join(", ") };
        c.diagnostics.push(
            Diagnostic::error("E415", format!("host `{host}` is not allowed on gateway `{gateway_name}`"))
                .at(request.location(&format!("{base}/host")))
                .note(
                    c.merged.settings_location(&format!("/ingress/gateways/{gateway_name}/allowedHosts")),
                    format!("allowed hosts: {allowed}"),
                )
                .help("pick a host under the gateway's `allowedHosts`, or ask the platform team to allow it"),
        );
    }
    let tls = item.tls.unwrap_or_default();
    let mut routes = Vec::new();
    let mut paths: BTreeMap<String, usize> = BTreeMap::new();
    for (i, route) in item.routes.iter().enumerate() {
        let at = || request.location(&format!("{base}/routes/{i}"));
        let prefix = route.path.as_ref().map_or("/", |p| p.as_str()).to_string();
        if let Some(first) = paths.insert(prefix.clone(), i) {
            c.diagnostics.push(
                Diagnostic::error("E417", format!("host `{host}` routes path `{prefix}` twice"))
                    .at(at())
                    .note(request.location(&format!("{base}/routes/{first}")), "first routed here")
                    .help("each host+path goes to one service; remove one of the routes"),
            );
        }
        let service = route.service.name();
        if let Some(other) = route.service.namespace() {
            if other != namespace {
                c.error(
                    "E418",
                    format!("route to `{}` leaves the request's namespace `{namespace}`", route.service),
                    request.location(&format!("{base}/routes/{i}/service")),
                    "a request routes only to services in its own namespace; the other namespace's owner must expose it",
                );
            }
        }
        routes.push(RoutePlan {
            prefix,
            service: format!("{service}.{namespace}.svc.cluster.local"),
            port: route.port.get().into(),
            timeout: route.timeout.clone(),
        });
    }
    if routes.is_empty() {
        c.error(
            "E416",
            format!("host `{host}` has no routes"),
            request.location(base),
            "add `routes: [{path: /, service: <service>, port: <port>}]`",
        );
    }
    if tls == IngressTls::Passthrough
        && (routes.len() > 1 || item.routes.iter().any(|r| r.path.as_ref().is_some_and(|p| p != "/")))
    {
        c.error(
            "E416",
            format!("passthrough host `{host}` routes by path"),
            request.location(&format!("{base}/routes")),
            "TLS passthrough cannot see paths: give exactly one route without `path`",
        );
    }
    routes.sort_by(|a, b| b.prefix.len().cmp(&a.prefix.len()).then_with(|| a.prefix.cmp(&b.prefix)));
    if tls == IngressTls::Mutual && item.client_ca_secret.is_none() {
        c.error(
            "E421",
            format!("mutual TLS host `{host}` has no `clientCASecret`"),
            request.location(base),
            "name the secret holding the CA bundle that client certificates must chain to",
        );
    }
    let needs_certificate = matches!(tls, IngressTls::Simple | IngressTls::Mutual);
    let issue_certificate = needs_certificate && item.credential_name.is_none() && gateway.issuer.is_some();
    if needs_certificate && item.credential_name.is_none() && gateway.issuer.is_none() {
        c.error(
            "E422",
            format!("TLS host `{host}` has no certificate"),
            request.location(base),
            format!("set `credentialName` to an existing secret in `{}`, or give gateway `{gateway_name}` a `certificateIssuer`", gateway.namespace),
        );
    }
    if let Some(class) = &item.sla_class {
        if !egress.sla_classes.contains_key(class.as_str()) {
            c.error(
                "E423",
                format!("unknown SLA class `{class}`"),
                request.location(&format!("{base}/slaClass")),
                format!("use one of: {}", names(&egress.sla_classes)),
            );
        }
    }
    if item.login == Some(true) && gateway.oidc.is_none() {
        c.error(
            "E424",
            format!("host `{host}` asks for login but gateway `{gateway_name}` has no `oidc`"),
            request.location(&format!("{base}/login")),
            "use a gateway with an OIDC login flow, or remove `login`",
        );
    }
    let flavor = c.merged.settings.mesh.as_ref().and_then(|m| m.flavor).unwrap_or_default();
    if let (IngressTls::Mutual, Flavor::Ossm2, Some(credential)) = (tls, flavor, &item.credential_name) {
        // OSSM 2.5 reads the client CA from the Secret `<credentialName>-cacert` (see W431),
        // a name that must fit a Secret name too.
        if credential.as_str().len() + CACERT_SUFFIX.len() > SECRET_NAME_MAX {
            c.error(
                "E439",
                format!(
                    "credential name {} is too long for the CA secret OpenShift Service Mesh 2 derives from it",
                    crate::values::shown(credential.as_str())
                ),
                request.location(&format!("{base}/credentialName")),
                format!(
                    "the client CA is read from `<credentialName>{CACERT_SUFFIX}`, at most {SECRET_NAME_MAX} characters: use a credential name of at most {} characters",
                    SECRET_NAME_MAX - CACERT_SUFFIX.len()
                ),
            );
        }
    }
    if c.errors_since(errors_before) {
        return None;
    }
    let credential = match tls {
        IngressTls::Passthrough | IngressTls::None => None,
        _ => Some(
            item.credential_name
                .as_ref()
                .map_or_else(|| format!("{}-tls", crate::names::host_slug(&host)), |n| n.to_string()),
        ),
    };
    if let (IngressTls::Mutual, Flavor::Ossm2, Some(credential), Some(ca)) =
        (tls, flavor, &credential, &item.client_ca_secret)
    {
        // OSSM 2.5 (Istio 1.18) has no `caCertCredentialName`: it reads `<credentialName>-cacert`.
        if ca.as_str() != format!("{credential}-cacert") {
            c.diagnostics.push(
                Diagnostic::warning(
                    "W431",
                    format!("OpenShift Service Mesh 2 reads the client CA of `{host}` from secret `{credential}-cacert`, not `{ca}`"),
                )
                .at(request.location(&format!("{base}/clientCASecret")))
                .help(format!("copy the CA bundle of `{ca}` into `{credential}-cacert` in namespace `{}`", gateway.namespace)),
            );
        }
    }
    let mut sources = request.sources();
    sources.extend(gateway.sources.iter().cloned());
    Some(IngressHost {
        host,
        tenant: request.tenant.clone(),
        request: request.name.clone(),
        namespace: namespace.to_string(),
        gateway: gateway_name,
        tls,
        credential,
        issue_certificate,
        client_ca: item.client_ca_secret.as_ref().map(|s| s.to_string()),
        sla_class: item.sla_class.as_ref().map(|c| c.to_string()),
        login: item.login.unwrap_or(false),
        jwt: item.jwt.clone(),
        routes,
        sources,
    })
}
