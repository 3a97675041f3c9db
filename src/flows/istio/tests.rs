use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::hosts::exported_set;
use super::virtual_service::resolve_gateway;
use super::*;
use crate::flows::Origin;
use crate::flows::context::{IstioVersion, Pod};
use crate::flows::selector::Labels;

fn obj(kind: &str, ns: &str, name: &str, spec: Value) -> (ObjectRef, Value) {
    let v = json!({"apiVersion": "networking.istio.io/v1", "kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": spec});
    (ObjectRef::of(&v, Origin::Output).unwrap(), v)
}

fn dr(ns: &str, name: &str, host: &str, subsets: &[&str], export_to: &[&str]) -> DestinationRule {
    let subsets: Vec<Value> = subsets.iter().map(|s| json!({"name": s})).collect();
    let (r, v) = obj("DestinationRule", ns, name, json!({"host": host, "subsets": subsets, "exportTo": export_to}));
    DestinationRule::parse(r, &v)
}

#[test]
fn wildcards_match_any_number_of_labels() {
    assert!(host_matches("*.example.com", "dev.example.com"));
    assert!(host_matches("*.example.com", "a.b.example.com"));
    assert!(!host_matches("*.example.com", "example.com"));
    assert!(!host_matches("*.example.com", "newexample.com"));
    assert!(host_matches("*", "anything"));
    assert!(host_matches("A.example.com", "a.EXAMPLE.com"));
}

#[test]
fn export_to_values() {
    let d = vec!["*".to_string()];
    assert!(exported(&[], &d, "a", "b"));
    assert!(!exported(&[], &[".".to_string()], "a", "b"));
    assert!(exported(&[".".into()], &d, "a", "a"));
    assert!(!exported(&[".".into()], &d, "a", "b"));
    assert!(!exported(&["~".into()], &d, "a", "a"));
    assert!(exported(&["b".into(), "c".into()], &d, "a", "c"));
    assert!(!exported(&["b".into()], &d, "a", "a"));
}

#[test]
fn gateway_names_resolve_in_the_virtual_services_namespace() {
    assert_eq!(resolve_gateway("gw", "shop"), "shop/gw");
    assert_eq!(resolve_gateway("./gw", "shop"), "shop/gw");
    assert_eq!(resolve_gateway("edge/gw", "shop"), "edge/gw");
    assert_eq!(resolve_gateway("gw.edge.svc.cluster.local", "shop"), "edge/gw");
    assert_eq!(resolve_gateway("mesh", "shop"), "mesh");
}

#[test]
fn destination_rules_of_one_host_merge_before_1_24() {
    let mut r = Routing::new();
    // Sorted by name: "hop-a" is the older rule and its exportTo wins before 1.24.
    r.add_destination_rule(dr("egress", "hop-b", "gw.egress.svc.cluster.local", &["b"], &["egress", "team-b"]));
    r.add_destination_rule(dr("egress", "hop-a", "gw.egress.svc.cluster.local", &["a"], &["egress", "team-a"]));
    r.finish();
    let d = vec!["*".to_string()];
    let host = "gw.egress.svc.cluster.local";
    let lookup = |client: &str, subset: &str, v: (u16, u16)| {
        r.subset(client, host, subset, "istio-system", IstioVersion::new(v.0, v.1), &d)
    };
    let old = lookup("team-b", "b", (1, 18));
    assert!(!old.found, "the merged rule is exported to team-a only");
    assert!(old.hidden);
    let names: Vec<&str> = old.decided_by.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["hop-a", "hop-b"], "the rule whose exportTo hides it, and the rule defining it");
    assert!(lookup("team-a", "b", (1, 18)).found, "team-a sees every merged subset");
    assert!(lookup("team-a", "a", (1, 18)).found);
    let new = lookup("team-b", "b", (1, 24));
    assert!(new.found);
    assert_eq!(new.decided_by[0].name, "hop-b");
    assert!(!lookup("team-b", "a", (1, 24)).found);
    // The egress namespace itself sees every subset (its local bucket).
    assert!(lookup("egress", "a", (1, 18)).found && lookup("egress", "b", (1, 18)).found);
    // A subset nobody defines is missing, not hidden.
    let none = lookup("team-a", "c", (1, 18));
    assert!(!none.found && !none.hidden && none.decided_by.is_empty());
}

#[test]
fn a_superset_export_merges_into_the_smaller_rule_from_1_24() {
    let mut r = Routing::new();
    r.add_destination_rule(dr("egress", "a", "h.egress.svc.cluster.local", &["a"], &["x"]));
    r.add_destination_rule(dr("egress", "b", "h.egress.svc.cluster.local", &["b"], &["x", "y"]));
    r.finish();
    let d = vec!["*".to_string()];
    let lookup = |client: &str, subset: &str| {
        r.subset(client, "h.egress.svc.cluster.local", subset, "istio-system", IstioVersion::new(1, 24), &d).found
    };
    assert!(lookup("x", "a") && lookup("x", "b"));
    assert!(lookup("y", "b") && !lookup("y", "a"));
}

#[test]
fn a_subset_exported_elsewhere_is_hidden_and_names_its_rules() {
    let mut r = Routing::new();
    for i in 0..40 {
        let t = format!("t{i}");
        r.add_destination_rule(dr("egress", &format!("hop-{t}"), "gw.egress.svc.cluster.local", &[&t], &[&t]));
    }
    r.finish();
    let d = vec!["*".to_string()];
    let lookup = |client: &str, subset: &str| {
        r.subset(client, "gw.egress.svc.cluster.local", subset, "istio-system", IstioVersion::new(1, 24), &d)
    };
    assert!(lookup("t7", "t7").found);
    let missing = lookup("t7", "t8");
    assert!(!missing.found && missing.hidden);
    let names: Vec<&str> = missing.decided_by.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["hop-t8"], "only the rule holding the subset, not every rule of the host");
    let none = lookup("t7", "t99");
    assert!(!none.found && !none.hidden && none.decided_by.is_empty());
}

#[test]
fn export_sets_decide_as_export_lists() {
    let lists: [&[&str]; 7] = [&[], &["*"], &["."], &["~"], &["a"], &["b", "c"], &[".", "c"]];
    for list in lists {
        let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        let set: BTreeSet<String> = list.iter().cloned().collect();
        for defaults in [vec!["*".to_string()], vec![".".to_string()], vec!["~".to_string()]] {
            for (own, client) in [("a", "a"), ("a", "b"), ("a", "c"), ("b", "a")] {
                assert_eq!(
                    exported_set(&set, &defaults, own, client),
                    exported(&list, &defaults, own, client),
                    "{list:?} {defaults:?} {own} → {client}"
                );
            }
        }
    }
}

#[test]
fn rules_of_the_root_namespace_are_the_last_resort() {
    let mut r = Routing::new();
    r.add_destination_rule(dr("istio-system", "root", "ext.example", &["s"], &["*"]));
    r.finish();
    assert!(r.subset("team", "ext.example", "s", "istio-system", IstioVersion::new(1, 18), &["*".to_string()]).found);
}

fn vs(ns: &str, name: &str, spec: Value) -> VirtualService {
    let (r, v) = obj("VirtualService", ns, name, spec);
    VirtualService::parse(r, &v)
}

#[test]
fn on_a_gateway_catch_all_routes_come_last_across_virtual_services() {
    let mut r = Routing::new();
    let dest = |h: &str| json!([{"destination": {"host": h}}]);
    r.add_virtual_service(vs("a", "a-web", json!({"hosts": ["h.example"], "gateways": ["edge/gw"], "http": [{"match": [{"uri": {"prefix": "/"}}], "route": dest("web")}]})));
    r.add_virtual_service(vs("b", "b-api", json!({"hosts": ["h.example"], "gateways": ["edge/gw"], "http": [{"match": [{"uri": {"prefix": "/api"}}], "route": dest("api")}]})));
    r.finish();
    let all: Vec<&VirtualService> = r.vs_candidates("h.example");
    let headers = BTreeMap::new();
    let probe =
        |path| Probe { host: "h.example", path, method: "GET", headers: &headers, port: 443, gateway: "edge/gw" };
    let to = |routed: Routed| match routed {
        Routed::To { destinations, .. } => destinations[0].host.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(to(r.route(&all, &probe("/api/x"), RouteKind::Http)), "api");
    assert_eq!(to(r.route(&all, &probe("/other"), RouteKind::Http)), "web");
    assert!(matches!(r.route(&all[1..], &probe("/other"), RouteKind::Http), Routed::NoRoute { .. }), "404");
}

#[test]
fn sidecars_use_the_oldest_virtual_service_of_a_host() {
    let mut r = Routing::new();
    r.add_virtual_service(vs(
        "x",
        "z-newer",
        json!({"hosts": ["h.example"], "http": [{"route": [{"destination": {"host": "z"}}]}]}),
    ));
    r.add_virtual_service(vs(
        "x",
        "a-older",
        json!({"hosts": ["h.example"], "http": [{"route": [{"destination": {"host": "a"}}]}]}),
    ));
    r.add_virtual_service(vs("x", "gateway-only", json!({"hosts": ["h.example"], "gateways": ["x/gw"]})));
    r.finish();
    let d = vec!["*".to_string()];
    assert_eq!(r.mesh_virtual_service("c", "h.example", &d).map(|v| v.reference.name.as_str()), Some("a-older"));
}

#[test]
fn servers_prefer_exact_hosts_and_check_port_and_selector() {
    let mut r = Routing::new();
    let (gr, gv) = obj(
        "Gateway",
        "edge",
        "wild",
        json!({"selector": {"istio": "gw"}, "servers": [{"port": {"number": 443, "protocol": "HTTPS"}, "hosts": ["*.example.com"], "tls": {"mode": "SIMPLE"}}]}),
    );
    r.add_gateway(Gateway::parse(gr, &gv));
    let (gr, gv) = obj(
        "Gateway",
        "edge",
        "zexact",
        json!({"selector": {"istio": "gw"}, "servers": [{"port": {"number": 443, "protocol": "HTTPS"}, "hosts": ["ns1/a.example.com"], "tls": {"mode": "SIMPLE"}}]}),
    );
    r.add_gateway(Gateway::parse(gr, &gv));
    r.finish();
    let pod = Pod::new("edge", "gw", Labels::from([("istio".to_string(), "gw".to_string())]));
    let m = r.server_for(&pod, "a.example.com", 443, false).unwrap();
    assert_eq!(m.gateway.reference.name, "zexact");
    assert_eq!(m.host.0, "ns1");
    assert_eq!(r.server_for(&pod, "b.example.com", 443, false).unwrap().gateway.reference.name, "wild");
    assert!(r.server_for(&pod, "b.example.com", 80, false).is_none());
    let other = Pod::new("edge", "gw", Labels::new());
    assert!(r.server_for(&other, "a.example.com", 443, false).is_none());
    let elsewhere = Pod::new("other", "gw", Labels::from([("istio".to_string(), "gw".to_string())]));
    assert!(r.server_for(&elsewhere, "a.example.com", 443, false).is_some());
    assert!(r.server_for(&elsewhere, "a.example.com", 443, true).is_none());
}
