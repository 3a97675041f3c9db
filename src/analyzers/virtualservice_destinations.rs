//! Route destinations: a host no Service or ServiceEntry defines (A610, IST0101 `host` /
//! `mirror host`), a port the host does not offer (A611, IST0101 `host:port`), no port for a
//! host with several (A612, IST0112).
//!
//! Source: istio/istio 1.28.10 `pkg/config/analysis/analyzers/virtualservice/destinationhosts.go`
//! (`analyzeVirtualService`, `checkServiceEntryPorts`) and `util/service_lookup.go`
//! (`InitServiceEntryHostMap`, `GetDestinationHost`).
//!
//! Hosts are registered per export scope: a ServiceEntry host (qualified in the entry's
//! namespace) under `*` when `exportTo` is empty or holds `*`, else under each namespace it
//! lists (`.` = its own); a Service `name.ns.svc.cluster.local` under the scopes of its
//! `networking.istio.io/exportTo` annotation (`*` when absent). A destination host (qualified in
//! the VirtualService's namespace) is found under `*`; else under the VirtualService's own
//! namespace when its `exportTo` is empty, or under each namespace of its `exportTo` (the
//! proxies that apply the VirtualService live there); else under a wildcard entry of scope `*`
//! or the VirtualService's namespace whose suffix ends the host.
//!
//! meshedge checks only hosts it can know (a decision, not Istio's: offline `istioctl analyze`
//! reports every host whose Service is not among the files): hosts outside the cluster domain
//! and wildcards, which only a ServiceEntry can define, and cluster hosts
//! (`name.ns.svc.cluster.local`, or a bare name in the VirtualService's namespace) in the
//! namespaces whose Services are all known ([`super::Context::service_namespaces`]). Tenant
//! backends live in namespaces meshedge does not see into, so they are never reported.
//! Where several definitions register one host, its ports are theirs together.

use std::collections::{BTreeMap, BTreeSet};

use super::Finding;
use super::host::{self, CLUSTER_LOCAL};
use super::index::{Destination, Index, VirtualService};
use super::rules::{DESTINATION_HOST_NOT_FOUND, DESTINATION_PORT_NOT_FOUND, DESTINATION_PORT_REQUIRED};

/// `scope/fqdn` → the ports of the definitions registered there.
type Registry = BTreeMap<(String, String), BTreeSet<u64>>;

fn registry(index: &Index) -> Registry {
    let mut registry = Registry::new();
    for se in &index.service_entries {
        let ns = se.meta.namespace.as_str();
        let scopes: Vec<&str> = if se.export_to.is_empty() || se.export_to.iter().any(|e| e == "*") {
            vec!["*"]
        } else {
            se.export_to.iter().map(|e| if *e == "." { ns } else { e }).collect()
        };
        for h in &se.hosts {
            for scope in &scopes {
                registry.entry((scope.to_string(), host::to_fqdn(ns, h))).or_default().extend(&se.ports);
            }
        }
    }
    for svc in &index.services {
        let ns = svc.meta.namespace.as_str();
        let fqdn = format!("{}.{ns}{CLUSTER_LOCAL}", svc.meta.name);
        let scopes: Vec<&str> = if svc.export_to.is_empty() {
            vec!["*"]
        } else {
            svc.export_to.split(',').map(str::trim).map(|e| if e == "." { ns } else { e }).collect()
        };
        for scope in scopes {
            registry.entry((scope.to_string(), fqdn.clone())).or_default().extend(svc.ports.iter().map(|p| p.port));
        }
    }
    for svc in index.known_services() {
        let fqdn = format!("{}.{}{CLUSTER_LOCAL}", svc.name, svc.namespace);
        registry.entry(("*".to_string(), fqdn)).or_default().extend(svc.ports.iter().map(|p| u64::from(*p)));
    }
    registry
}

fn lookup<'r>(registry: &'r Registry, vs: &VirtualService, host: &str) -> Option<&'r BTreeSet<u64>> {
    let ns = vs.meta.namespace.as_str();
    let fqdn = host::to_fqdn(ns, host);
    let at = |scope: &str| registry.get(&(scope.to_string(), fqdn.clone()));
    if let Some(ports) = at("*") {
        return Some(ports);
    }
    let scopes: Vec<&str> = if vs.export_to.is_empty() {
        vec![ns]
    } else {
        vs.export_to.iter().map(|e| if *e == "." { ns } else { e }).collect()
    };
    if let Some(ports) = scopes.into_iter().find_map(at) {
        return Some(ports);
    }
    let bare = host.strip_prefix('*').unwrap_or(host);
    registry.iter().find_map(|((scope, entry), ports)| {
        let suffix = entry.strip_prefix('*')?;
        ((scope == "*" || scope == ns) && bare.ends_with(suffix)).then_some(ports)
    })
}

/// Whether meshedge can know every definition `host` could have.
fn knowable(index: &Index, namespace: &str, host: &str) -> bool {
    if host.is_empty() {
        return true;
    }
    if let Some((ns, _)) = host::split_cluster_local(host) {
        return index.service_namespace(ns);
    }
    if !host.starts_with('*') && !host.contains('.') {
        return index.service_namespace(namespace);
    }
    true
}

fn check(index: &Index, registry: &Registry, vs: &VirtualService, d: &Destination, out: &mut Vec<Finding>) {
    let ns = vs.meta.namespace.as_str();
    if !knowable(index, ns, d.host.as_str()) {
        return;
    }
    let what = if d.mirror { "mirror host" } else { "host" };
    let Some(ports) = lookup(registry, vs, d.host.as_str()) else {
        let seen_from = if vs.export_to.is_empty() {
            format!("namespace `{ns}`")
        } else {
            format!("the namespaces the VirtualService is exported to ({})", vs.export_to.join(", "))
        };
        out.push(vs.meta.finding(
            &DESTINATION_HOST_NOT_FOUND,
            format!("{}/host", d.pointer),
            format!("{what} `{}` is defined by no Service or ServiceEntry visible to {seen_from}", d.host.as_str()),
        ));
        return;
    };
    match d.port {
        None if ports.len() > 1 => out.push(vs.meta.finding(
            &DESTINATION_PORT_REQUIRED,
            format!("{}/host", d.pointer),
            format!(
                "{what} `{}` offers several ports ({}): the destination must name one",
                d.host.as_str(),
                ports.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
            ),
        )),
        Some(port) if !ports.contains(&port) => out.push(vs.meta.finding(
            &DESTINATION_PORT_NOT_FOUND,
            format!("{}/port/number", d.pointer),
            format!(
                "{what} `{}` has no port {port} (its ports: {})",
                d.host.as_str(),
                ports.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
            ),
        )),
        _ => {}
    }
}

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    if index.virtual_services.is_empty() {
        return;
    }
    let registry = registry(index);
    for vs in &index.virtual_services {
        for d in &vs.destinations {
            check(index, &registry, vs, d, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Context;
    use super::super::testing::*;
    use serde_json::{Value, json};

    fn route(ns: &str, name: &str, destination: Value) -> Value {
        vs(ns, name, json!({"hosts": ["x"], "http": [{"route": [{"destination": destination}]}]}))
    }

    fn ctx(namespaces: &[&str]) -> Context {
        Context { service_namespaces: namespaces.iter().map(|s| s.to_string()).collect(), ..Context::default() }
    }

    fn objects() -> Vec<Value> {
        let mut details = service("default", "details", &[9080]);
        details["metadata"]["annotations"] = json!({"networking.istio.io/exportTo": "banana"});
        let mut hello = service("hello", "hello", &[80]);
        hello["metadata"]["annotations"] = json!({"networking.istio.io/exportTo": "hello1, hello2, ."});
        vec![
            service("default", "reviews", &[42]),
            service("default", "reviews-2port", &[80, 443]),
            details,
            hello,
            se(
                "default",
                "external",
                json!({"hosts": ["external-reviews.org"], "ports": [{"number": 443, "name": "https"}]}),
            ),
            se("default", "eu", json!({"hosts": ["*.eu.bookinfo.com"], "ports": [{"number": 443, "name": "https"}]})),
            se(
                "other",
                "other",
                json!({"hosts": ["other.bookinfo.com"], "exportTo": ["."], "ports": [{"number": 80, "name": "http"}]}),
            ),
            se(
                "other",
                "abc",
                json!({"hosts": ["abc.bookinfo.com"], "exportTo": ["default"], "ports": [{"number": 80, "name": "http"}]}),
            ),
        ]
    }

    #[test]
    fn hosts_ports_and_scopes_follow_istio_when_known() {
        let all_ns = ctx(&["default", "hello", "istio-system", "banana", "hello1", "hello2"]);
        let mut all = objects();
        let cases = [
            // (namespace, name, destination, expected code)
            ("default", "ok-short", json!({"host": "reviews"}), None),
            ("default", "ok-fqdn", json!({"host": "reviews.default.svc.cluster.local"}), None),
            ("default", "ok-se", json!({"host": "external-reviews.org"}), None),
            ("default", "ok-wild-se", json!({"host": "reviews.eu.bookinfo.com"}), None),
            ("default", "ok-wild-dest", json!({"host": "*.eu.bookinfo.com"}), None),
            ("default", "ok-2port", json!({"host": "reviews-2port", "port": {"number": 80}}), None),
            ("istio-system", "ok-cross", json!({"host": "reviews.default.svc.cluster.local"}), None),
            ("banana", "ok-banana", json!({"host": "details.default.svc.cluster.local"}), None),
            ("hello1", "ok-hello1", json!({"host": "hello.hello.svc.cluster.local"}), None),
            ("hello", "ok-hello", json!({"host": "hello.hello.svc.cluster.local"}), None),
            ("default", "ok-abc", json!({"host": "abc.bookinfo.com"}), None),
            ("default", "bogus", json!({"host": "reviews-bogus"}), Some("A610")),
            ("default", "empty", json!({}), Some("A610")),
            ("default", "other-only", json!({"host": "other.bookinfo.com"}), Some("A610")),
            ("default", "bogus-port", json!({"host": "reviews", "port": {"number": 999}}), Some("A611")),
            ("default", "two-ports", json!({"host": "reviews-2port"}), Some("A612")),
            ("istio-system", "details-banana", json!({"host": "details.default.svc.cluster.local"}), Some("A610")),
            ("default", "two-label", json!({"host": "reviews.default"}), Some("A610")),
        ];
        for (ns, name, d, _) in &cases {
            all.push(route(ns, name, d.clone()));
        }
        // The VirtualService's exportTo is where it is seen from.
        all.push(vs(
            "hello",
            "export-bogus",
            json!({"hosts": ["x"], "exportTo": ["bogus"], "http": [{"route": [{"destination": {"host": "hello.hello.svc.cluster.local"}}]}]}),
        ));
        let mut found = run(&all, &all_ns);
        found.retain(|(c, ..)| c.starts_with("A61"));
        for (_, name, _, code) in &cases {
            let got: Vec<&str> = found.iter().filter(|(_, n, _)| n == name).map(|(c, ..)| *c).collect();
            assert_eq!(got, code.iter().copied().collect::<Vec<_>>(), "{name}: {found:?}");
        }
        assert!(found.iter().any(|(c, n, _)| *c == "A610" && n == "export-bogus"));
        let port = found.iter().find(|(_, n, _)| n == "bogus-port").unwrap();
        assert_eq!(port.2, "/spec/http/0/route/0/destination/port/number");
    }

    #[test]
    fn mirrors_are_checked_as_mirror_hosts() {
        let mut all = objects();
        all.push(vs(
            "default",
            "mirror",
            json!({"hosts": ["x"], "http": [{"route": [{"destination": {"host": "reviews"}}],
                "mirror": {"host": "reviews-bogus"}, "mirrors": [{"destination": {"host": "nowhere.example"}}]}]}),
        ));
        let mut found = findings(&all, &ctx(&["default"]));
        found.retain(|f| f.rule.code == "A610");
        let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["/spec/http/0/mirror/host", "/spec/http/0/mirrors/0/destination/host"]);
        assert!(found.iter().all(|f| f.message.starts_with("mirror host")), "{found:?}");
    }

    #[test]
    fn cluster_hosts_in_namespaces_not_fully_known_are_not_reported() {
        let all = vec![
            route("shop", "tenant", json!({"host": "shop-web.shop.svc.cluster.local", "port": {"number": 8080}})),
            route("shop", "short", json!({"host": "shop-web"})),
            route("shop", "external", json!({"host": "api.partner.example", "port": {"number": 443}})),
        ];
        assert_eq!(names("A610", &all, &Context::default()), ["external"], "external hosts are always knowable");
        assert_eq!(names("A610", &all, &ctx(&["shop"])), ["external", "short", "tenant"]);
    }

    #[test]
    fn control_plane_services_count_as_known() {
        let all = vec![route(
            "istio-egress",
            "hop",
            json!({"host": "istio-egressgateway.istio-egress.svc.cluster.local", "port": {"number": 443}}),
        )];
        let mut context = ctx(&["istio-egress"]);
        assert_eq!(names("A610", &all, &context), ["hop"]);
        context.services.push(super::super::KnownService {
            namespace: "istio-egress".into(),
            name: "istio-egressgateway".into(),
            ports: vec![80, 443],
        });
        assert!(only("A610", &all, &context).is_empty());
    }
}
