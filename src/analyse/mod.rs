//! Analyse: checks on the final objects (generated, plain and patched alike), in the spirit of
//! `istioctl analyze`; each diagnostic carries the Istio analyzer code it corresponds to, and
//! points at the input file the object came from ([`origin`]): the request or plain resource,
//! else the layer manifest.
//!
//! | code | istio | what |
//! |------|-------|------|
//! | E430 | | two objects with one identity (see [`unique`]) |
//! | A601 | IST0101 | a VirtualService names a Gateway that no object defines |
//! | A602 | IST0132 | a VirtualService host that none of its gateways serves |
//! | A603 | IST0109 | two mesh VirtualServices claim one host in overlapping `exportTo` |
//! | A604 | IST0145 | two Gateways with overlapping selectors serve one host on one port |
//! | A605 | IST0101 | a route to a subset that no DestinationRule defines |
//! | A606 | IST0128 | a DestinationRule originating TLS with no CA to verify the server (warning) |
//! | A607 | IST0149 | routing on JWT claims without a RequestAuthentication on the gateway |

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde_json::Value;

mod finding;

use crate::diagnostic::{Diagnostic, Diagnostics, Explain, Location, ResourceRef};

use crate::render::Object;
use crate::resource::{Resource, split_api_version};
pub use finding::Finding;

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Where a finding about an object points: the first of its sources under a `tenants/`
/// directory (the request), else under `resources/` (the plain resource), else its first source
/// (a layer manifest). `sources` are sorted repo-relative paths.
pub(crate) fn origin(sources: &[String]) -> Option<Location> {
    let under = |dir: &'static str| move |file: &&String| file.split('/').rev().skip(1).any(|part| part == dir);
    sources
        .iter()
        .find(under("tenants"))
        .or_else(|| sources.iter().find(under("resources")))
        .or_else(|| sources.first())
        .map(Location::file)
}

fn is_istio(r: &Resource, kind: &str) -> bool {
    r.kind() == kind && r.group_version().0 == "networking.istio.io"
}

fn labels_of(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect())
        .unwrap_or_default()
}

/// `host` as a fully qualified name, short names resolved in `namespace`.
fn fqdn(host: &str, namespace: &str) -> String {
    if host.contains('.') && !host.ends_with(".svc") && host.split('.').count() != 2 {
        host.to_string()
    } else if let Some((name, ns)) = host.split_once('.') {
        format!("{name}.{}.svc.cluster.local", ns.trim_end_matches(".svc"))
    } else {
        format!("{host}.{namespace}.svc.cluster.local")
    }
}

/// Whether a Gateway server host (`ns/host`, `*/host`, `*.example.com`, `*`) serves `host`.
fn server_serves(server_host: &str, host: &str, vs_namespace: &str) -> bool {
    let (ns, pattern) = server_host.split_once('/').unwrap_or(("*", server_host));
    if ns != "*" && ns != "." && ns != vs_namespace {
        return false;
    }
    crate::hosts::overlap(pattern, host)
}

fn gateway_ref(reference: &str, namespace: &str) -> (String, String) {
    match reference.split_once('/') {
        Some((ns, name)) => (ns.to_string(), name.to_string()),
        None => (namespace.to_string(), reference.to_string()),
    }
}

/// A Gateway, as far as the analyses need it.
#[derive(Debug, Clone)]
struct GatewayFacts {
    reference: ResourceRef,
    location: Option<Location>,
    selector: Value,
    /// Per server: its port number and hosts.
    servers: Vec<(u64, Vec<String>)>,
}

/// A VirtualService, as far as the analyses need it.
#[derive(Debug, Clone)]
struct ServiceFacts {
    reference: ResourceRef,
    location: Option<Location>,
    namespace: String,
    hosts: Vec<String>,
    gateways: Vec<String>,
    export: Vec<String>,
    /// Routes to a subset: the destination host (fully qualified) and the subset.
    subset_routes: Vec<(String, String)>,
    /// Whether a route matches on JWT claims.
    claims: bool,
}

/// What the analyses need of the final objects, gathered one object at a time (so no object
/// has to stay in the value form), then checked together by [`Facts::check`].
#[derive(Debug, Default)]
pub struct Facts {
    gateways: Vec<GatewayFacts>,
    /// DestinationRules: host (fully qualified) and subset names.
    subsets: Vec<(String, Vec<String>)>,
    /// RequestAuthentications: namespace and `selector.matchLabels`.
    authn: Vec<(Option<String>, BTreeMap<String, String>)>,
    services: Vec<ServiceFacts>,
    /// Findings about single objects.
    findings: Diagnostics,
    /// TLS originations that name no CA (A606): unverified unless the proxies verify against
    /// their CA bundle by default on the target ([`Facts::check`]).
    unverified: Diagnostics,
}

impl Facts {
    /// Takes what the analyses need from one final object, whose identity is `reference`.
    pub(crate) fn add(&mut self, r: &Resource, reference: &ResourceRef) {
        let ns = r.namespace().unwrap_or_default();
        if is_istio(r, "Gateway") {
            let servers = r.value.pointer("/spec/servers").and_then(Value::as_array).into_iter().flatten();
            self.gateways.push(GatewayFacts {
                reference: reference.clone(),
                location: origin(&r.sources),
                selector: r
                    .value
                    .pointer("/spec/selector")
                    .cloned()
                    .unwrap_or_else(|| Value::Object(Default::default())),
                servers: servers
                    .map(|s| {
                        (s.pointer("/port/number").and_then(Value::as_u64).unwrap_or_default(), strings(s.get("hosts")))
                    })
                    .collect(),
            });
        } else if is_istio(r, "DestinationRule") {
            let host = fqdn(r.value.pointer("/spec/host").and_then(Value::as_str).unwrap_or_default(), ns);
            let names = r.value.pointer("/spec/subsets").and_then(Value::as_array).into_iter().flatten();
            let names = names.filter_map(|s| s.get("name").and_then(Value::as_str)).map(str::to_string).collect();
            self.subsets.push((host, names));
            check_tls_verification(r, reference, &mut self.unverified);
        } else if r.kind() == "RequestAuthentication" {
            self.authn
                .push((r.namespace().map(str::to_string), labels_of(r.value.pointer("/spec/selector/matchLabels"))));
        } else if is_istio(r, "VirtualService") {
            let mut subset_routes = Vec::new();
            for section in ["http", "tls", "tcp"] {
                let routes = r.value.get("spec").and_then(|s| s.get(section)).and_then(Value::as_array);
                let destinations = routes
                    .into_iter()
                    .flatten()
                    .flat_map(|r| r.get("route").and_then(Value::as_array).into_iter().flatten());
                for destination in destinations {
                    let Some(subset) = destination.pointer("/destination/subset").and_then(Value::as_str) else {
                        continue;
                    };
                    let host = destination.pointer("/destination/host").and_then(Value::as_str).unwrap_or_default();
                    subset_routes.push((fqdn(host, ns), subset.to_string()));
                }
            }
            let claims = r
                .value
                .pointer("/spec/http")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .flat_map(|r| r.get("match").and_then(Value::as_array).into_iter().flatten())
                .filter_map(|m| m.get("headers").and_then(Value::as_object))
                .any(|h| h.keys().any(|k| k.starts_with("@request.auth.claims")));
            self.services.push(ServiceFacts {
                reference: reference.clone(),
                location: origin(&r.sources),
                namespace: ns.to_string(),
                hosts: strings(r.value.pointer("/spec/hosts")),
                gateways: strings(r.value.pointer("/spec/gateways")),
                export: strings(r.value.pointer("/spec/exportTo")),
                subset_routes,
                claims,
            });
        }
    }

    /// Appends `other`'s facts (gathered from later objects).
    pub(crate) fn extend(&mut self, other: Facts) {
        self.gateways.extend(other.gateways);
        self.subsets.extend(other.subsets);
        self.authn.extend(other.authn);
        self.services.extend(other.services);
        self.findings.extend(other.findings);
        self.unverified.extend(other.unverified);
    }

    /// Runs the analyses over everything gathered. `system_ca_verifies`: a TLS origination that
    /// names no CA is verified against the proxy's CA bundle on the target (istiod's default, or
    /// its flag in the control plane meshedge writes), so it is not reported.
    pub(crate) fn check(self, system_ca_verifies: bool) -> Diagnostics {
        let Facts { gateways, subsets: subset_list, authn, services, findings: mut out, unverified } = self;
        if !system_ca_verifies {
            out.extend(unverified);
        }
        let gateways: BTreeMap<(&str, &str), &GatewayFacts> = gateways
            .iter()
            .map(|g| ((g.reference.namespace.as_deref().unwrap_or_default(), g.reference.name.as_str()), g))
            .collect();
        let mut subsets: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (host, names) in &subset_list {
            subsets.entry(host).or_default().extend(names.iter().map(String::as_str));
        }
        let mut mesh_hosts: BTreeMap<String, Vec<(&ServiceFacts, Vec<String>)>> = BTreeMap::new();
        for vs in &services {
            let ns = vs.namespace.as_str();
            for (gns, gname) in vs.gateways.iter().filter(|g| *g != "mesh").map(|g| gateway_ref(g, ns)) {
                match gateways.get(&(gns.as_str(), gname.as_str())) {
                    None => out.push(
                        Finding::MissingGateway { namespace: gns.clone(), name: gname.clone() }
                            .at_opt(vs.location.clone())
                            .resource(vs.reference.clone()),
                    ),
                    Some(gateway) => {
                        let served = gateway.servers.iter().flat_map(|(_, hosts)| hosts);
                        for host in &vs.hosts {
                            if !served.clone().any(|s| server_serves(s, host, ns)) {
                                let finding = Finding::HostNotServed {
                                    host: host.clone(),
                                    namespace: gns.clone(),
                                    name: gname.clone(),
                                };
                                out.push(finding.at_opt(vs.location.clone()).resource(vs.reference.clone()));
                            }
                        }
                        check_claim_routing(vs, gateway, &authn, &mut out);
                    }
                }
            }
            if vs.gateways.is_empty() || vs.gateways.iter().any(|g| g == "mesh") {
                let export = if vs.export.is_empty() { vec!["*".to_string()] } else { vs.export.clone() };
                let export = export.into_iter().map(|e| if e == "." { ns.to_string() } else { e }).collect::<Vec<_>>();
                for host in &vs.hosts {
                    mesh_hosts.entry(fqdn(host, ns)).or_default().push((vs, export.clone()));
                }
            }
            for (host, subset) in &vs.subset_routes {
                if !subsets.get(host.as_str()).is_some_and(|s| s.contains(subset.as_str())) {
                    let finding = Finding::MissingSubset { subset: subset.clone(), host: host.clone() };
                    out.push(finding.at_opt(vs.location.clone()).resource(vs.reference.clone()));
                }
            }
        }
        for (host, claims) in &mesh_hosts {
            for (i, (a, a_export)) in claims.iter().enumerate() {
                for (b, b_export) in &claims[i + 1..] {
                    let overlap =
                        a_export.iter().any(|x| x == "*" || b_export.contains(x)) || b_export.iter().any(|x| x == "*");
                    if overlap {
                        let finding = Finding::MeshHostTwice {
                            host: host.clone(),
                            first: a.reference.clone(),
                            second: b.reference.clone(),
                        };
                        let d = finding.at_opt(b.location.clone()).resource(b.reference.clone());
                        out.push(with_note(d, a.location.as_ref(), &a.reference));
                    }
                }
            }
        }
        check_gateway_conflicts(&gateways, &mut out);
        out
    }
}

/// Two final objects with one identity (group, kind, namespace, name) is an error naming where
/// each came from (a plain resource clashing with a generated one, or a patch that renamed an
/// object onto another).
pub(crate) fn unique(objects: &[Object]) -> Diagnostics {
    let described = |o: &Object| {
        let mut text = o.sources.join(", ");
        if let Some(before) = &o.origin {
            let _ = write!(text, " (renamed from {before} by {})", o.patched_by.join(", "));
        }
        text
    };
    // Detection only: diagnostics are sorted later, so the map's order never shows.
    let mut seen: HashMap<(&str, &str, &str, &str), &Object> = HashMap::with_capacity(objects.len());
    let mut out = Diagnostics::new();
    for o in objects {
        let r = &o.reference;
        let group = split_api_version(&r.api_version).0;
        match seen.entry((group, &r.kind, r.namespace.as_deref().unwrap_or_default(), &r.name)) {
            Entry::Occupied(first) => {
                let finding =
                    Finding::Duplicate { object: r.clone(), first: described(first.get()), second: described(o) };
                out.push(finding.at_opt(origin(&o.sources)).resource(r.clone()))
            }
            Entry::Vacant(slot) => {
                slot.insert(o);
            }
        }
    }
    out
}

/// Runs every analysis over a set of final objects.
pub fn analyse(resources: &[Resource]) -> Diagnostics {
    let mut facts = Facts::default();
    for r in resources {
        facts.add(r, &r.reference());
    }
    facts.check(false)
}

/// `d` with a note pointing at the other object of a conflict.
fn with_note(d: Diagnostic, location: Option<&Location>, other: &ResourceRef) -> Diagnostic {
    match location {
        Some(location) if d.location.as_ref() != Some(location) => {
            d.note(location.clone(), format!("{other} comes from here"))
        }
        _ => d,
    }
}

fn check_tls_verification(dr: &Resource, reference: &ResourceRef, out: &mut Diagnostics) {
    let mut policies: Vec<&Value> = Vec::new();
    if let Some(p) = dr.value.pointer("/spec/trafficPolicy") {
        policies.push(p);
    }
    for subset in dr.value.pointer("/spec/subsets").and_then(Value::as_array).into_iter().flatten() {
        if let Some(p) = subset.get("trafficPolicy") {
            policies.push(p);
        }
    }
    let mut tls: Vec<&Value> = Vec::new();
    for policy in policies {
        tls.extend(policy.get("tls"));
        for port in policy.get("portLevelSettings").and_then(Value::as_array).into_iter().flatten() {
            tls.extend(port.get("tls"));
        }
    }
    for setting in tls {
        let mode = setting.get("mode").and_then(Value::as_str).unwrap_or_default();
        let verified = setting.get("caCertificates").is_some()
            || setting.get("credentialName").is_some()
            || setting.get("insecureSkipVerify").and_then(Value::as_bool) == Some(true);
        if matches!(mode, "SIMPLE" | "MUTUAL") && !verified {
            out.push(Finding::UnverifiedTls.at_opt(origin(&dr.sources)).resource(reference.clone()));
        }
    }
}

fn check_claim_routing(
    vs: &ServiceFacts,
    gateway: &GatewayFacts,
    authn: &[(Option<String>, BTreeMap<String, String>)],
    out: &mut Diagnostics,
) {
    if !vs.claims {
        return;
    }
    let selector = labels_of(Some(&gateway.selector));
    let covered = authn.iter().any(|(ns, labels)| {
        *ns == gateway.reference.namespace && labels.iter().all(|(k, v)| selector.get(k) == Some(v))
    });
    if !covered {
        out.push(Finding::ClaimsWithoutAuthentication.at_opt(vs.location.clone()).resource(vs.reference.clone()));
    }
}

fn check_gateway_conflicts(gateways: &BTreeMap<(&str, &str), &GatewayFacts>, out: &mut Diagnostics) {
    // (port, host) → gateways serving it, with their selectors.
    let mut served: BTreeMap<(u64, &str), Vec<&GatewayFacts>> = BTreeMap::new();
    for gateway in gateways.values() {
        for (port, hosts) in &gateway.servers {
            for host in hosts {
                let host = host.split_once('/').map_or(host.as_str(), |(_, h)| h);
                served.entry((*port, host)).or_default().push(gateway);
            }
        }
    }
    let within = |a: &Value, b: &Value| a.as_object().is_none_or(|a| a.iter().all(|(k, v)| b.get(k) == Some(v)));
    for ((port, host), list) in &served {
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                let overlap = within(&a.selector, &b.selector) || within(&b.selector, &a.selector);
                if overlap && a.reference != b.reference {
                    let finding = Finding::GatewayConflict {
                        host: host.to_string(),
                        port: *port,
                        first: a.reference.clone(),
                        second: b.reference.clone(),
                    };
                    let d = finding.at_opt(b.location.clone()).resource(b.reference.clone());
                    out.push(with_note(d, a.location.as_ref(), &a.reference));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(value: Value) -> Resource {
        Resource::new(value, Default::default(), None)
    }

    fn gateway(ns: &str, name: &str, host: &str) -> Resource {
        r(
            json!({"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": name, "namespace": ns},
            "spec": {"selector": {"istio": "ingressgateway"}, "servers": [{"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": [host]}]}}),
        )
    }

    fn vs(ns: &str, name: &str, host: &str, gateways: Value) -> Resource {
        r(
            json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": name, "namespace": ns},
            "spec": {"hosts": [host], "gateways": gateways, "http": [{"route": [{"destination": {"host": "web", "subset": "v1"}}]}]}}),
        )
    }

    fn codes(d: &Diagnostics) -> Vec<&'static str> {
        let mut c: Vec<_> = d.iter().map(|d| d.code.as_str()).collect();
        c.sort();
        c
    }

    #[test]
    fn finds_missing_gateways_hosts_and_subsets() {
        let all =
            vec![gateway("gw", "g", "a.example.com"), vs("shop", "v", "b.example.com", json!(["gw/g", "gw/missing"]))];
        assert_eq!(codes(&analyse(&all)), ["A601", "A602", "A605"]);
    }

    #[test]
    fn findings_point_at_the_request_or_resource_the_object_came_from() {
        let files = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let request = "base/tenants/shop/storefront.yaml";
        let sources = files(&["base/meshedge.yaml", request, "environments/prod/meshedge.yaml"]);
        assert_eq!(origin(&sources), Some(Location::file(request)));
        let plain = files(&["base/meshedge.yaml", "base/resources/vs.yaml"]);
        assert_eq!(origin(&plain), Some(Location::file("base/resources/vs.yaml")));
        // A layer directory named like the convention is not one.
        assert_eq!(origin(&files(&["tenants/meshedge.yaml"])), Some(Location::file("tenants/meshedge.yaml")));
        assert_eq!(origin(&[]), None);

        let mut v = vs("shop", "v", "b.example.com", json!(["gw/missing"]));
        v.sources = files(&[request]);
        let found = analyse(&[v]);
        assert!(found.iter().all(|d| d.location == Some(Location::file(request))), "{found:?}");
    }

    #[test]
    fn finds_conflicting_gateways_and_mesh_hosts() {
        let all = vec![
            gateway("gw", "g1", "a.example.com"),
            gateway("gw", "g2", "a.example.com"),
            vs("x", "v1", "api.example.com", json!([])),
            vs("y", "v2", "api.example.com", json!(["mesh"])),
        ];
        let found = codes(&analyse(&all));
        assert!(found.contains(&"A604") && found.contains(&"A603"), "{found:?}");
    }
}
