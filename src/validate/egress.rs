//! Egress: one external host a request calls → its plan, checked, and shared by every request
//! for that host when they agree.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Explain;
use crate::hosts::allowed_by;
use crate::input::{EgressRequest, EgressTls};
use crate::plan::EgressHost;
use crate::platform::{ClientTlsMode, ProxyKind, ServerVerification};
use crate::validate::error::{RequestError, request_of};
use crate::validate::platform::PlatformError;
use crate::validate::scope::{Checker, Claims, Direction, Edge, RequestScope, names};
use crate::validate::sla;

/// Claims a valid external host: requests for one host share its plan, or disagree (E420).
pub(crate) fn claim<'r>(
    c: &mut Checker,
    edge: &Edge,
    scope: &RequestScope<'r, '_>,
    host: EgressHost,
    claims: &mut Claims<'r>,
) {
    let request = scope.request;
    claims.secrets.egress(request, &scope.base, &host, &edge.egress_gateways, scope.namespace);
    let at = (request, format!("{}/host", scope.base));
    match claims.egress.get_mut(&host.host) {
        Some((shared, (first_request, first_pointer), first_by)) => {
            let differences = incompatibilities(shared, &host);
            if differences.is_empty() {
                shared.tenants.extend(host.tenants);
                shared.namespaces.extend(host.namespaces);
                for (namespace, place) in host.places {
                    shared.places.entry(namespace).or_insert(place);
                }
                shared.sources.extend(host.sources);
                for (namespace, classes) in host.sla_grants {
                    shared.sla_grants.entry(namespace).or_default().extend(classes);
                }
                for class in host.sla_classes {
                    if !shared.sla_classes.contains(&class) {
                        shared.sla_classes.push(class);
                    }
                }
                shared.sla_classes.sort();
            } else {
                c.diagnostics.push(
                    RequestError::ExternalHostDisagrees {
                        host: host.host.clone(),
                        differences: differences.join(", "),
                        first: first_by.clone(),
                        second: request_of(&request.name, &request.tenant),
                    }
                    .at(request.location(&at.1))
                    .note(first_request.location(first_pointer), "first requested here"),
                );
            }
        }
        None => {
            claims.name(c, Direction::Egress, &host.host, request, &at.1);
            let by = request_of(&request.name, &request.tenant);
            claims.egress.insert(host.host.clone(), (host, at, by));
        }
    }
}

/// The plan of one egress item, or `None` when it has errors.
pub(crate) fn host(c: &mut Checker, edge: &Edge, scope: &RequestScope, item: &EgressRequest) -> Option<EgressHost> {
    let (request, namespace, base) = (scope.request, scope.namespace, scope.base.as_str());
    let (gateways, egress, default_gateway) = (&edge.egress_gateways, &edge.egress, &edge.default_egress);
    let errors_before = c.diagnostics.len();
    let Some(settings) = c.merged.settings.egress.clone() else {
        c.push(RequestError::EgressWithoutSettings { request: request.name.clone() }, request.location(base));
        return None;
    };
    let host = item.host.to_string();
    let allowed: Vec<String> = settings.allowed_hosts.iter().flatten().map(|h| h.to_string()).collect();
    if !allowed.iter().any(|p| allowed_by(p, &host)) {
        c.diagnostics.push(
            RequestError::ExternalHostNotAllowed { host: host.clone() }
                .at(request.location(&format!("{base}/host")))
                .note(
                    c.merged.settings_location("/egress/allowedHosts"),
                    format!("allowed: {}", if allowed.is_empty() { "nothing".into() } else { allowed.join(", ") }),
                ),
        );
    }
    let gateway = match item.gateway.as_ref().map(|g| g.to_string()).or_else(|| default_gateway.clone()) {
        None => None,
        Some(name) if name == "none" => None,
        Some(name) => {
            if !gateways.contains_key(&name) {
                c.push(
                    RequestError::UnknownEgressGateway { gateway: name.clone(), declared: names(gateways) },
                    request.location(&format!("{base}/gateway")),
                );
            }
            Some(name)
        }
    };
    let tls = item.tls.unwrap_or_default();
    let port: u32 = item.port.map_or(
        match tls {
            EgressTls::None => 80,
            _ => 443,
        },
        |p| p.get().into(),
    );
    if tls == EgressTls::Mutual && item.credential_name.is_none() {
        c.push(RequestError::MutualWithoutCredential { host: host.clone() }, request.location(base));
    }
    if tls == EgressTls::Mutual && gateway.is_none() {
        c.push(RequestError::MutualWithoutGateway { host: host.clone() }, request.location(base));
    }
    let classes: Vec<String> = item.sla_classes.iter().flatten().map(|c| c.to_string()).collect();
    for (i, class) in classes.iter().enumerate() {
        if !egress.sla_classes.contains_key(class) {
            c.push(
                RequestError::UnknownSlaClass { class: class.clone(), declared: names(&egress.sla_classes) },
                request.location(&format!("{base}/slaClasses/{i}")),
            );
        }
        sla::check_request(c, &egress.sla_classes, scope, class, &format!("{base}/slaClasses/{i}"));
    }
    if tls == EgressTls::Passthrough && !classes.is_empty() {
        // The class's route, and the default class's, would carry the limit: a passthrough host
        // has neither at the gateway (it routes by SNI), so the limit could never apply.
        let limited = classes
            .iter()
            .chain(egress.default_sla_class.as_ref())
            .find(|class| egress.sla_classes.get(class.as_str()).is_some_and(|c| c.rate_limit.is_some()));
        if let Some(class) = limited {
            c.push(
                RequestError::RateLimitOnPassthroughEgress { host: host.clone(), class: class.clone() },
                request.location(&format!("{base}/slaClasses")),
            );
        }
    }
    if !classes.is_empty() && gateway.is_none() {
        c.push(
            RequestError::SlaClassesWithoutGateway { host: host.clone() },
            request.location(&format!("{base}/slaClasses")),
        );
    }
    if gateway.is_none() {
        direct_under_enforcement(c, scope, item, &host);
    }
    if c.errors_since(errors_before) {
        return None;
    }
    if let (EgressTls::Mutual, Some(credential), Some(ca), Some(target)) =
        (tls, &item.credential_name, &item.ca_secret, &edge.target)
    {
        let read = target.credential_ca_lookup(credential.as_str());
        if ca.as_str() != read[0].name {
            let namespace =
                gateway.as_ref().and_then(|g| gateways.get(g)).map(|g| g.namespace.clone()).unwrap_or_default();
            c.diagnostics.push(
                PlatformError::ServerCaNotRead {
                    host: host.clone(),
                    credential: credential.to_string(),
                    ca: ca.to_string(),
                    namespace,
                }
                .at(request.location(&format!("{base}/caSecret"))),
            );
        }
    }
    if let (EgressTls::Originate, None, Some(_), Some(target)) = (tls, &gateway, &item.ca_secret, &edge.target) {
        if !target.destination_rule_credential_name_honoured(ProxyKind::Sidecar, false, ClientTlsMode::Simple) {
            c.diagnostics.push(
                PlatformError::ServerCaOnSidecar { host: host.clone() }
                    .at(request.location(&format!("{base}/caSecret"))),
            );
        }
    }
    if let (EgressTls::Originate, None, Some(target)) = (tls, &item.ca_secret, &edge.target) {
        let manages = c.merged.settings.mesh.as_ref().and_then(|m| m.control_plane.as_ref()).and_then(|p| p.manage);
        if target.server_verification_without_ca(manages.unwrap_or(false)) == ServerVerification::Unavailable {
            c.diagnostics.push(
                PlatformError::OriginationUnverified { host: host.clone(), target: target.to_string() }
                    .at(request.location(&format!("{base}/tls"))),
            );
        }
    }
    let sla_grants = BTreeMap::from([(namespace.to_string(), classes.iter().cloned().collect::<BTreeSet<_>>())]);
    let mut sla_classes = classes;
    if !sla_classes.is_empty() {
        if let Some(default) = &egress.default_sla_class {
            sla_classes.push(default.clone());
        }
        sla_classes.sort();
        sla_classes.dedup();
    }
    let mut sources = request.sources();
    if let Some(g) = gateway.as_ref().and_then(|g| gateways.get(g)) {
        sources.extend(g.sources.iter().cloned());
    }
    Some(EgressHost {
        host,
        port,
        tls,
        credential_name: item.credential_name.as_ref().map(|s| s.to_string()),
        ca_secret: item.ca_secret.as_ref().map(|s| s.to_string()),
        gateway,
        sla_classes,
        sla_grants,
        tenants: BTreeSet::from([request.tenant.clone()]),
        namespaces: BTreeSet::from([namespace.to_string()]),
        sources,
        places: std::collections::BTreeMap::from([(
            namespace.to_string(),
            crate::plan::Place::new(&request.docs, base.to_string()),
        )]),
    })
}

/// Under `networkPolicies` a tenant pod reaches only the mesh and DNS; under `egressFirewall` its
/// namespace reaches nothing outside the cluster. Only the egress gateway's namespace, which
/// neither applies to, leaves the cluster: a host without a gateway hop could never connect
/// (E428). Opening it instead would take an egress rule on the host's port to every address
/// outside the cluster (a NetworkPolicy cannot name a host), for every pod of the namespace.
fn direct_under_enforcement(c: &mut Checker, scope: &RequestScope, item: &EgressRequest, host: &str) {
    let enforcement = c.merged.settings.enforcement.clone().unwrap_or_default();
    let setting = if enforcement.network_policies.unwrap_or(false) {
        "/enforcement/networkPolicies"
    } else if enforcement.egress_firewall.unwrap_or_default() != crate::input::EgressFirewallMode::None {
        "/enforcement/egressFirewall"
    } else {
        return;
    };
    let request = scope.request;
    let at = if item.gateway.is_some() { format!("{}/gateway", scope.base) } else { scope.base.clone() };
    let enforced_by = format!("enforcement.{}", setting.trim_start_matches("/enforcement/"));
    c.diagnostics.push(
        RequestError::DirectEgressUnderEnforcement { host: host.to_string(), enforced_by }
            .at(request.location(&at))
            .note(c.merged.settings_location(setting), "enforced here"),
    );
}

fn incompatibilities(a: &EgressHost, b: &EgressHost) -> Vec<&'static str> {
    let mut out = Vec::new();
    if a.port != b.port {
        out.push("port");
    }
    if a.tls != b.tls {
        out.push("tls");
    }
    if a.credential_name != b.credential_name {
        out.push("credentialName");
    }
    if a.ca_secret != b.ca_secret {
        out.push("caSecret");
    }
    if a.gateway != b.gateway {
        out.push("gateway");
    }
    out
}
