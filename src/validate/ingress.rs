//! Ingress: one host a request exposes → its plan (gateway, host, TLS, routes), checked.

use std::collections::BTreeMap;

use crate::diagnostic::Explain;
use crate::hosts::allowed_by;
use crate::input::{IngressRequest, IngressTls};
use crate::plan::{IngressHost, RoutePlan};
use crate::platform::Field;
use crate::validate::claims::check_ingress_host;
use crate::validate::error::{RequestError, SECRET_NAME_MAX};
use crate::validate::platform::PlatformError;
use crate::validate::scope::{Checker, Claims, Direction, Edge, RequestScope, names};
use crate::validate::sla;

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
        c.diagnostics.push(
            RequestError::HostClaimedTwice {
                host: host.host.clone(),
                first: first.request.clone(),
                first_tenant: first.tenant.clone(),
                second: host.request.clone(),
                second_tenant: host.tenant.clone(),
            }
            .at(request.location(&at.1))
            .note(first_request.location(first_pointer), "first claimed here"),
        );
    } else {
        let named = claims.name(c, Direction::Ingress, &host.host, request, &at.1);
        if let Some(gateway) = edge.ingress_gateways.get(&host.gateway).filter(|_| named) {
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
        c.push(RequestError::NoIngressGateway { host: item.host.to_string() }, request.location(base));
        return None;
    };
    let Some(gateway) = gateways.get(&gateway_name) else {
        c.push(
            RequestError::UnknownIngressGateway { gateway: gateway_name.clone(), declared: names(gateways) },
            request.location(&format!("{base}/gateway")),
        );
        return None;
    };
    if let Some(owner) = &gateway.tenant {
        if owner != &request.tenant {
            c.push(
                RequestError::AnotherTenantsGateway {
                    gateway: gateway_name.clone(),
                    owner: owner.clone(),
                    tenant: request.tenant.clone(),
                },
                request.location(&format!("{base}/gateway")),
            );
        }
    }
    let host = if item.host.as_str().contains('.') {
        item.host.to_string()
    } else if let Some(domain) = &gateway.domain {
        format!("{}.{domain}", item.host)
    } else {
        c.push(
            RequestError::ShortHostWithoutDomain { host: item.host.to_string(), gateway: gateway_name.clone() },
            request.location(&format!("{base}/host")),
        );
        return None;
    };
    // The host as written is valid (its type); expanded with the gateway's domain it may not be.
    if !crate::values::is_host(&host) {
        c.push(RequestError::NotAHost { host: host.clone() }, request.location(&format!("{base}/host")));
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
            RequestError::HostNotAllowed { host: host.clone(), gateway: gateway_name.clone() }
                .at(request.location(&format!("{base}/host")))
                .note(
                    c.merged.settings_location(&format!("/ingress/gateways/{gateway_name}/allowedHosts")),
                    format!("allowed hosts: {allowed}"),
                ),
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
                RequestError::PathTwice { host: host.clone(), path: prefix.clone() }
                    .at(at())
                    .note(request.location(&format!("{base}/routes/{first}")), "first routed here"),
            );
        }
        let service = route.service.name();
        if let Some(other) = route.service.namespace() {
            if other != namespace {
                c.push(
                    RequestError::RouteLeavesNamespace {
                        service: route.service.to_string(),
                        namespace: namespace.to_string(),
                    },
                    request.location(&format!("{base}/routes/{i}/service")),
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
        c.push(RequestError::NoRoutes { host: host.clone() }, request.location(base));
    }
    if tls == IngressTls::Passthrough
        && (routes.len() > 1 || item.routes.iter().any(|r| r.path.as_ref().is_some_and(|p| p != "/")))
    {
        c.push(RequestError::PassthroughByPath { host: host.clone() }, request.location(&format!("{base}/routes")));
    }
    routes.sort_by(|a, b| b.prefix.len().cmp(&a.prefix.len()).then_with(|| a.prefix.cmp(&b.prefix)));
    if tls == IngressTls::Mutual && item.client_ca_secret.is_none() {
        c.push(RequestError::MutualWithoutClientCa { host: host.clone() }, request.location(base));
    }
    let needs_certificate = matches!(tls, IngressTls::Simple | IngressTls::Mutual);
    let issue_certificate = needs_certificate && item.credential_name.is_none() && gateway.issuer.is_some();
    if needs_certificate && item.credential_name.is_none() && gateway.issuer.is_none() {
        c.push(
            RequestError::NoCertificate {
                host: host.clone(),
                gateway: gateway_name.clone(),
                namespace: gateway.namespace.clone(),
            },
            request.location(base),
        );
    }
    if let Some(class) = &item.sla_class {
        if !egress.sla_classes.contains_key(class.as_str()) {
            c.push(
                RequestError::UnknownSlaClass { class: class.to_string(), declared: names(&egress.sla_classes) },
                request.location(&format!("{base}/slaClass")),
            );
        }
        sla::check_request(c, &egress.sla_classes, scope, class.as_str(), &format!("{base}/slaClass"));
    }
    if let Some(limit) = &item.rate_limit {
        let at = format!("{base}/rateLimit");
        if tls == IngressTls::Passthrough {
            c.push(RequestError::RateLimitOnPassthrough { host: host.clone() }, request.location(&at));
        }
        let (requests, per) = (request.location(&format!("{at}/requests")), request.location(&format!("{at}/per")));
        crate::validate::settings::rate_limit(c, &crate::pointer::dotted(&at), limit, requests, per);
    }
    let extensions = crate::validate::extensions::host_extensions(
        c,
        edge,
        scope,
        &host,
        gateway,
        item,
        tls == IngressTls::Passthrough,
    );
    if item.login == Some(true) && gateway.oidc.is_none() {
        c.push(
            RequestError::LoginWithoutOidc { host: host.clone(), gateway: gateway_name.clone() },
            request.location(&format!("{base}/login")),
        );
    }
    if let (IngressTls::Mutual, Some(credential), Some(target)) = (tls, &item.credential_name, &edge.target) {
        // The gateway reads the client CA from the Secret `<credentialName>-cacert` (see E452),
        // a name that must fit a Secret name too.
        let [derived, _] = target.credential_ca_lookup(credential.as_str());
        if derived.name.len() > SECRET_NAME_MAX {
            c.push(
                RequestError::CredentialNameTooLong { credential: credential.to_string() },
                request.location(&format!("{base}/credentialName")),
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
    if let (IngressTls::Mutual, Some(credential), Some(ca), Some(target)) =
        (tls, &credential, &item.client_ca_secret, &edge.target)
    {
        // No supported release has `caCertCredentialName`: the gateway reads `<credentialName>-cacert`.
        let read = target.credential_ca_lookup(credential);
        if !target.has_field(Field::GatewayTlsCaCertCredentialName) && ca.as_str() != read[0].name {
            c.diagnostics.push(
                PlatformError::ClientCaNotRead {
                    host: host.clone(),
                    credential: credential.clone(),
                    ca: ca.to_string(),
                    namespace: gateway.namespace.clone(),
                    target: target.to_string(),
                }
                .at(request.location(&format!("{base}/clientCASecret"))),
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
        rate_limit: item.rate_limit.clone(),
        extensions,
        login: item.login.unwrap_or(false),
        jwt: item.jwt.clone(),
        routes,
        sources,
        place: crate::plan::Place::new(&request.docs, base.to_string()),
    })
}
