//! The environment's settings as the plan holds them: the mesh, the gateways, the egress policy,
//! enforcement and namespaces, with their defaults applied and their references checked.

use std::collections::{BTreeMap, BTreeSet};

use crate::input::{Exposure, LabelMap};
use crate::merge::Merged;
use crate::plan::{EgressGateway, EgressPolicy, Enforcement, IngressGateway, MeshPlan, NamespacePlan, SlaClass};
use crate::validate::error::RequestError;
use crate::validate::scope::{Checker, Edge, names};
use crate::validate::sla;

/// The name of the gateway at a settings path (`/ingress/gateways/public`).
fn gateway_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// The mesh: control plane, outbound policy and mTLS, defaults applied.
pub(crate) fn mesh(merged: &Merged) -> MeshPlan {
    let mesh_settings = merged.settings.mesh.clone().unwrap_or_default();
    let control_plane = mesh_settings.control_plane.clone().unwrap_or_default();
    MeshPlan {
        control_plane_namespace: control_plane.namespace.as_ref().map_or("istio-system", |n| n.as_str()).to_string(),
        control_plane_name: control_plane.name.as_ref().map_or("basic", |n| n.as_str()).to_string(),
        version: control_plane
            .version
            .as_ref()
            .map_or(crate::platform::DEFAULT_CONTROL_PLANE_VERSION, |v| v.as_str())
            .to_string(),
        manage: control_plane.manage.unwrap_or(false),
        outbound: mesh_settings.outbound_traffic_policy.unwrap_or_default(),
        mtls: mesh_settings.mtls.unwrap_or_default(),
        sources: merged.sources_of("mesh"),
    }
}

/// The gateways and the egress policy, with the default gateways requests fall back to.
pub(crate) fn edge(c: &mut Checker, target: Option<crate::platform::Target>) -> Edge {
    let ingress_gateways = ingress_gateways(c);
    let (egress_gateways, egress) = egress_settings(c);
    let settings = &c.merged.settings;
    let default_ingress = settings.ingress.as_ref().and_then(|i| i.default_gateway.as_ref()).map(|g| g.to_string());
    let default_egress = settings.egress.as_ref().and_then(|e| e.default_gateway.as_ref()).map(|g| g.to_string());
    Edge { ingress_gateways, egress_gateways, egress, default_ingress, default_egress, target }
}

/// `settings.enforcement`, defaults applied.
pub(crate) fn enforcement(merged: &Merged) -> Enforcement {
    let settings = merged.settings.enforcement.clone().unwrap_or_default();
    Enforcement {
        network_policies: settings.network_policies.unwrap_or(false),
        deny_routes: settings.deny_routes.unwrap_or(false),
        require_sidecar: settings.require_sidecar.unwrap_or(false),
        egress_firewall: settings.egress_firewall.unwrap_or_default(),
        admission: None,
        sources: merged.sources_of("enforcement"),
    }
}

pub(crate) fn namespace_plan(merged: &Merged) -> NamespacePlan {
    let create = merged.settings.tenants.as_ref().and_then(|t| t.create_namespaces).unwrap_or(false);
    NamespacePlan { create, sources: if create { merged.sources_of("tenants") } else { BTreeSet::new() } }
}

/// Labels as the generated objects carry them.
fn labels(map: &LabelMap) -> BTreeMap<String, String> {
    map.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn selector_or_error(c: &mut Checker, path: &str, selector: Option<&LabelMap>) -> BTreeMap<String, String> {
    match selector {
        Some(s) if !s.is_empty() => labels(s),
        _ => {
            c.push(RequestError::NoSelector { gateway: gateway_name(path) }, c.merged.settings_location(path));
            BTreeMap::new()
        }
    }
}

fn namespace_or_error(c: &mut Checker, path: &str, namespace: Option<&crate::values::Namespace>) -> String {
    match namespace {
        Some(ns) => ns.to_string(),
        None => {
            c.push(RequestError::NoNamespace { gateway: gateway_name(path) }, c.merged.settings_location(path));
            String::new()
        }
    }
}

fn ingress_gateways(c: &mut Checker) -> BTreeMap<String, IngressGateway> {
    let mut out = BTreeMap::new();
    let Some(ingress) = c.merged.settings.ingress.clone() else { return out };
    for gateway in ingress.gateways.iter().flatten() {
        let path = format!("/ingress/gateways/{}", gateway.name);
        let namespace = namespace_or_error(c, &path, gateway.namespace.as_ref());
        let selector = selector_or_error(c, &path, gateway.selector.as_ref());
        if let Some(tenant) = gateway.tenant.as_ref().map(|t| t.as_str()) {
            if c.merged.excluded.contains(tenant) {
                c.push(
                    RequestError::GatewayOfExcludedTenant {
                        gateway: gateway.name.to_string(),
                        tenant: tenant.to_string(),
                    },
                    c.merged.settings_location(&format!("{path}/tenant")),
                );
            } else if let Some(t) = c.merged.tenants.get(tenant) {
                if !t.namespaces.contains(&namespace) {
                    c.push(
                        RequestError::GatewayOutsideTenant {
                            gateway: gateway.name.to_string(),
                            tenant: tenant.to_string(),
                            namespace: namespace.clone(),
                            namespaces: t.namespaces.join(", "),
                        },
                        c.merged.settings_location(&format!("{path}/namespace")),
                    );
                }
            } else {
                c.push(
                    RequestError::GatewayOfUnknownTenant {
                        gateway: gateway.name.to_string(),
                        tenant: tenant.to_string(),
                    },
                    c.merged.settings_location(&format!("{path}/tenant")),
                );
            }
        }
        let mut sources = c.merged.sources_of(&format!("ingress.gateways.{}", gateway.name));
        if sources.is_empty() {
            sources = c.merged.sources_of("ingress");
        }
        out.insert(
            gateway.name.to_string(),
            IngressGateway {
                name: gateway.name.to_string(),
                namespace,
                selector,
                service: gateway.service.as_ref().map_or(gateway.name.as_str(), |s| s.as_str()).to_string(),
                domain: gateway.domain.as_ref().map(|d| d.to_string()),
                allowed_hosts: gateway.allowed_hosts.iter().flatten().map(|h| h.to_string()).collect(),
                exposure: gateway.exposure.unwrap_or(Exposure::None),
                issuer: gateway.certificate_issuer.clone(),
                oidc: gateway.oidc.clone(),
                tenant: gateway.tenant.as_ref().map(|t| t.to_string()),
                deploy: gateway.deploy.unwrap_or(false),
                allow_wildcard_hosts: gateway.allow_wildcard_hosts.unwrap_or(false),
                extensions: crate::validate::extensions::gateway_extensions(c, &path, gateway),
                sources,
            },
        );
    }
    if let Some(default) = &ingress.default_gateway {
        if !out.contains_key(default.as_str()) {
            c.push(
                RequestError::DefaultIngressUndeclared { gateway: default.to_string(), declared: names(&out) },
                c.merged.settings_location("/ingress/defaultGateway"),
            );
        }
    }
    out
}

/// A rate limit counts at least one request per at least one second; `requests` and `per` are
/// where its two fields were written.
pub(crate) fn rate_limit(
    c: &mut Checker,
    at: &str,
    limit: &crate::input::RateLimit,
    requests: crate::diagnostic::Location,
    per: crate::diagnostic::Location,
) {
    if limit.requests.get() < 1 {
        c.push(RequestError::RateLimitNoRequests { at: at.to_string() }, requests);
    }
    if limit.per.as_nanos() < 1_000_000_000 {
        c.push(RequestError::RateLimitPeriodTooShort { at: at.to_string(), per: limit.per.to_string() }, per);
    }
}

fn egress_settings(c: &mut Checker) -> (BTreeMap<String, EgressGateway>, EgressPolicy) {
    let mut gateways = BTreeMap::new();
    let Some(egress) = c.merged.settings.egress.clone() else {
        return (gateways, EgressPolicy { sla_header: "x-sla-class".into(), ..EgressPolicy::default() });
    };
    for gateway in egress.gateways.iter().flatten() {
        let path = format!("/egress/gateways/{}", gateway.name);
        if gateway.name == "none" {
            c.push(
                RequestError::EgressGatewayNamedNone { gateway: gateway.name.to_string() },
                c.merged.settings_location(&path),
            );
        }
        let namespace = namespace_or_error(c, &path, gateway.namespace.as_ref());
        let selector = selector_or_error(c, &path, gateway.selector.as_ref());
        gateways.insert(
            gateway.name.to_string(),
            EgressGateway {
                name: gateway.name.to_string(),
                namespace,
                selector,
                service: gateway.service.as_ref().map_or(gateway.name.as_str(), |s| s.as_str()).to_string(),
                egress_ips: gateway.egress_ips.clone().unwrap_or_default(),
                node_selector: gateway.node_selector.as_ref().map(labels).unwrap_or_default(),
                deploy: gateway.deploy.unwrap_or(false),
                sources: c.merged.sources_of(&format!("egress.gateways.{}", gateway.name)),
            },
        );
    }
    let sla_classes: BTreeMap<String, SlaClass> = egress
        .sla_classes
        .iter()
        .flatten()
        .map(|s| {
            (
                s.name.to_string(),
                SlaClass {
                    connection_pool: s.connection_pool.clone(),
                    outlier_detection: s.outlier_detection.clone(),
                    rate_limit: s.rate_limit.clone(),
                    tenants: s.tenants.as_ref().map(|t| t.iter().map(|t| t.to_string()).collect()),
                },
            )
        })
        .collect();
    for class in egress.sla_classes.iter().flatten() {
        if let Some(limit) = &class.rate_limit {
            let at = format!("/egress/slaClasses/{}/rateLimit", class.name);
            let located = |field: &str| c.merged.settings_location(&format!("{at}/{field}"));
            let (requests, per) = (located("requests"), located("per"));
            rate_limit(c, &format!("settings.{}", crate::pointer::dotted(&at)), limit, requests, per);
        }
    }
    sla::check_settings(c, &sla_classes, egress.default_sla_class.as_ref().map(|d| d.as_str()));
    if let Some(default) = &egress.default_sla_class {
        if !sla_classes.contains_key(default.as_str()) {
            c.push(
                RequestError::DefaultSlaClassUndeclared { class: default.to_string(), declared: names(&sla_classes) },
                c.merged.settings_location("/egress/defaultSlaClass"),
            );
        }
    }
    if let Some(default) = &egress.default_gateway {
        if default != "none" && !gateways.contains_key(default.as_str()) {
            c.push(
                RequestError::DefaultEgressUndeclared { gateway: default.to_string(), declared: names(&gateways) },
                c.merged.settings_location("/egress/defaultGateway"),
            );
        }
    }
    let policy = EgressPolicy {
        sla_header: egress.sla_header.as_ref().map_or("x-sla-class", |h| h.as_str()).to_string(),
        sla_classes,
        default_sla_class: egress.default_sla_class.as_ref().map(|c| c.to_string()),
        sources: c.merged.sources_of("egress"),
    };
    (gateways, policy)
}

/// `settings.tenants.allowHostsUnder`: the hosts under which other tenants may claim hosts.
pub(crate) fn hosts_open_to_others(merged: &Merged) -> BTreeSet<String> {
    let tenants = merged.settings.tenants.as_ref();
    tenants.and_then(|t| t.allow_hosts_under.as_ref()).into_iter().flatten().map(|h| h.to_string()).collect()
}
