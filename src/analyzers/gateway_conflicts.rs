//! Gateways on one gateway workload that serve the same host (A604, IST0145) or overlapping
//! hosts (A613, meshedge's own) on the same port.
//!
//! Source: istio/istio 1.28.10 `pkg/config/analysis/analyzers/gateway/conflictinggateway.go`
//! (the port filter is the fix of istio/istio#54643, first in 1.25.0, commit `4d60552b`) and
//! `pilot/pkg/model/gateway.go` `CheckDuplicates` (exact host strings, equal `bind`; since 1.24.0,
//! commit `c480646d`, istio/istio#52413, wildcards no longer overlap there).
//!
//! - Two Gateways are on one workload when their selectors are equal, or some workload meshedge
//!   knows is selected by both (the pod's namespace does not matter: a Gateway applies to
//!   gateway pods in every namespace). Istio also requires one selector's `k=v` text to contain
//!   the other's, a shortcut that misses selectors which share pods without sharing text;
//!   meshedge does not take it.
//! - A604: a server of Gateway G and a server of another Gateway H on the same port and `bind`
//!   list the same host entry (the whole string: `a/foo.com`, `b/foo.com` and `foo.com` differ).
//!   Reported on G, per server, naming every H; H gets its own finding. Istio's analyzer reuses
//!   one Gateway's hosts while checking another and keeps only the last server per port; it
//!   then lists unrelated Gateways or misses a conflict. meshedge compares servers pairwise.
//! - A613: the same, for host entries that are not the same string but whose names overlap:
//!   `*.example.com` and `shop.example.com`, `*` and anything, `a/foo.com` and `b/foo.com`. Istio
//!   up to 1.23 (OpenShift Service Mesh 2.5 and 2.6 run 1.18 and 1.20) reports these as IST0145.
//! - Servers without a port are skipped (the schema requires one).

use std::collections::{BTreeMap, BTreeSet};

use super::index::{Index, selector_text, selects};
use super::rules::{CONFLICTING_GATEWAYS, OVERLAPPING_GATEWAY_HOSTS};
use super::{Finding, host};

#[derive(Debug)]
struct Entry<'a> {
    gateway: usize,
    server: usize,
    host_index: usize,
    port: u64,
    bind: &'a str,
    host: &'a str,
    /// The host without its namespace prefix.
    name: &'a str,
}

#[derive(Default)]
struct Hits<'a> {
    /// The first host of the server that takes part.
    host_index: Option<usize>,
    gateways: BTreeSet<usize>,
    pairs: BTreeSet<(&'a str, &'a str, usize)>,
}

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    let gateways = &index.gateways;
    let mut entries = Vec::new();
    for (g, gateway) in gateways.iter().enumerate() {
        for server in &gateway.servers {
            let Some(port) = server.port else { continue };
            for (k, h) in server.hosts.iter().enumerate() {
                let name = h.split_once('/').map_or(h.as_str(), |(_, n)| n);
                entries.push(Entry {
                    gateway: g,
                    server: server.index,
                    host_index: k,
                    port,
                    bind: &server.bind,
                    host: h,
                    name,
                });
            }
        }
    }
    let mut bucket: BTreeMap<(u64, &str), Vec<usize>> = BTreeMap::new();
    let mut exact: BTreeMap<(u64, &str, &str), Vec<usize>> = BTreeMap::new();
    let mut by_name: BTreeMap<(u64, &str, &str), Vec<usize>> = BTreeMap::new();
    let mut wild: BTreeMap<(u64, &str), Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        bucket.entry((e.port, e.bind)).or_default().push(i);
        exact.entry((e.port, e.bind, e.host)).or_default().push(i);
        by_name.entry((e.port, e.bind, e.name)).or_default().push(i);
        if e.name.starts_with('*') {
            wild.entry((e.port, e.bind)).or_default().push(i);
        }
    }
    let selectors: Vec<String> = gateways.iter().map(|g| selector_text(&g.selector)).collect();
    let mut same_workload: BTreeMap<(usize, usize), bool> = BTreeMap::new();
    let mut overlap = |a: usize, b: usize| {
        *same_workload.entry((a.min(b), a.max(b))).or_insert_with(|| {
            let (x, y) = (&gateways[a].selector, &gateways[b].selector);
            x == y || index.workloads.iter().any(|w| selects(x, &w.labels) && selects(y, &w.labels))
        })
    };
    // (gateway, server) → hits, for A604 and A613.
    let mut conflicts: BTreeMap<(usize, usize), Hits> = BTreeMap::new();
    let mut overlaps: BTreeMap<(usize, usize), Hits> = BTreeMap::new();
    for e in &entries {
        let key = (e.port, e.bind);
        let same = exact.get(&(e.port, e.bind, e.host)).into_iter().flatten();
        for other in same.map(|i| &entries[*i]) {
            if other.gateway != e.gateway && overlap(e.gateway, other.gateway) {
                let hits = conflicts.entry((e.gateway, e.server)).or_default();
                hits.host_index = Some(hits.host_index.map_or(e.host_index, |k| k.min(e.host_index)));
                hits.gateways.insert(other.gateway);
                hits.pairs.insert((e.host, other.host, other.gateway));
            }
        }
        let mut candidates: Vec<usize> = by_name.get(&(e.port, e.bind, e.name)).cloned().unwrap_or_default();
        if e.name.starts_with('*') {
            candidates.extend(bucket.get(&key).into_iter().flatten());
        } else {
            candidates.extend(wild.get(&key).into_iter().flatten());
        }
        candidates.sort_unstable();
        candidates.dedup();
        for other in candidates.into_iter().map(|i| &entries[i]) {
            if other.gateway != e.gateway
                && other.host != e.host
                && host::matches(e.name, other.name)
                && overlap(e.gateway, other.gateway)
            {
                let hits = overlaps.entry((e.gateway, e.server)).or_default();
                hits.host_index = Some(hits.host_index.map_or(e.host_index, |k| k.min(e.host_index)));
                hits.gateways.insert(other.gateway);
                hits.pairs.insert((e.host, other.host, other.gateway));
            }
        }
    }
    for (exact, rule, found) in
        [(true, &CONFLICTING_GATEWAYS, conflicts), (false, &OVERLAPPING_GATEWAY_HOSTS, overlaps)]
    {
        for ((g, s), hits) in found {
            let gateway = &gateways[g];
            let port = gateway.servers.get(s).and_then(|s| s.port).unwrap_or_default();
            let others: BTreeSet<String> = hits.gateways.iter().map(|o| gateways[*o].meta.full_name()).collect();
            let selector = &selectors[g];
            let message = if exact {
                let hosts: BTreeSet<&str> = hits.pairs.iter().map(|(h, ..)| *h).collect();
                format!(
                    "host {} on port {port} is also served by Gateway {} on the same workload (selector `{selector}`)",
                    hosts.into_iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", "),
                    others.into_iter().collect::<Vec<_>>().join(", "),
                )
            } else {
                let pairs: BTreeSet<String> = hits
                    .pairs
                    .iter()
                    .map(|(h, o, og)| format!("`{h}` overlaps `{o}` of Gateway {}", gateways[*og].meta.full_name()))
                    .collect();
                let pairs: Vec<String> = pairs.into_iter().collect();
                format!("on port {port}, host {} on the same workload (selector `{selector}`)", pairs.join("; "))
            };
            let path = format!("/spec/servers/{s}/hosts/{}", hits.host_index.unwrap_or_default());
            let mut finding = gateway.meta.finding(rule, path, message);
            finding.related = hits.gateways.iter().map(|o| gateways[*o].meta.object.clone()).collect();
            finding.related.sort();
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Context;
    use super::super::testing::*;
    use serde_json::{Value, json};

    fn ingress() -> Value {
        json!({"istio": "ingressgateway"})
    }

    fn gw(name: &str, servers: Value) -> Value {
        gateway("istio-ingress", name, ingress(), servers)
    }

    #[test]
    fn same_host_same_port_conflicts_whatever_the_protocol() {
        let mut tcp = server(80, &["foo.bar"]);
        tcp["port"]["protocol"] = json!("TCP");
        let all = [gw("alpha", json!([server(80, &["foo.bar"])])), gw("beta", json!([tcp]))];
        let found = findings(&all, &Context::default());
        let names: Vec<&str> = found.iter().map(|f| f.object.name.as_str()).collect();
        assert_eq!(names, ["alpha", "beta"]);
        assert!(found.iter().all(|f| f.rule.code == "A604" && f.path == "/spec/servers/0/hosts/0"));
        assert!(found[0].message.contains("istio-ingress/beta") && found[0].message.contains("istio=ingressgateway"));
        assert_eq!(found[0].related[0].name, "beta");
    }

    #[test]
    fn ports_matter_and_per_host_gateways_with_80_and_443_do_not_conflict() {
        let all = [
            gw("a", json!([server(443, &["a.example.com"]), server(80, &["a.example.com"])])),
            gw("b", json!([server(443, &["b.example.com"]), server(80, &["b.example.com"])])),
            gw("c", json!([server(443, &["same.example.com"])])),
            gw("d", json!([server(80, &["same.example.com"])])),
        ];
        assert!(run(&all, &Context::default()).is_empty(), "the 1.24.x false positives are gone");
        let multi = [
            gw("beta", json!([server(80, &["foo.bar"]), server(90, &["foo.bar"])])),
            gw("alpha", json!([server(70, &["foo.bar"]), server(90, &["foo.bar"])])),
        ];
        assert_eq!(
            only("A604", &multi, &Context::default()),
            [
                ("alpha".to_string(), "/spec/servers/1/hosts/0".to_string()),
                ("beta".into(), "/spec/servers/1/hosts/0".into())
            ]
        );
    }

    #[test]
    fn namespace_prefix_bind_and_selectors() {
        let ctx = Context::default();
        // `a/foo` vs `b/foo`: not IST0145, but overlapping names (A613).
        let prefixed = [gw("a", json!([server(80, &["a/foo.com"])])), gw("b", json!([server(80, &["b/foo.com"])]))];
        assert!(only("A604", &prefixed, &ctx).is_empty());
        assert_eq!(names("A613", &prefixed, &ctx), ["a", "b"]);
        // Different bind: separate listeners.
        let mut bound = server(80, &["foo.com"]);
        bound["bind"] = json!("10.0.0.1");
        let binds = [gw("a", json!([server(80, &["foo.com"])])), gw("b", json!([bound]))];
        assert!(run(&binds, &ctx).is_empty());
        // Gateways in different namespaces with one selector conflict.
        let spread = [
            gateway("ns1", "g", ingress(), json!([server(443, &["x.com"])])),
            gateway("ns2", "g", ingress(), json!([server(443, &["x.com"])])),
        ];
        assert_eq!(only("A604", &spread, &ctx).len(), 2);
        // Different selectors and no workload known to carry both: no conflict.
        let split = [
            gateway("ns", "a", json!({"istio": "ingressgateway"}), json!([server(443, &["x.com"])])),
            gateway("ns", "b", json!({"istio": "ingressgateway", "app": "x"}), json!([server(443, &["x.com"])])),
        ];
        assert!(run(&split, &ctx).is_empty());
        // A workload that carries both labels: conflict.
        let both = with_workloads(vec![workload("ns", "pod", &[("istio", "ingressgateway"), ("app", "x")])]);
        assert_eq!(names("A604", &split, &both), ["a", "b"]);
        // Selectors whose texts do not contain each other still share that pod (Istio misses this).
        let disjoint_text = [
            gateway("ns", "a", json!({"istio": "ingressgateway", "zone": "z"}), json!([server(443, &["x.com"])])),
            gateway("ns", "b", json!({"istio": "ingressgateway", "app": "x"}), json!([server(443, &["x.com"])])),
        ];
        let pod =
            with_workloads(vec![workload("ns", "pod", &[("istio", "ingressgateway"), ("app", "x"), ("zone", "z")])]);
        assert_eq!(names("A604", &disjoint_text, &pod), ["a", "b"]);
        // An empty selector shares every known workload.
        let empty = [
            gateway("ns", "a", json!({}), json!([server(443, &["x.com"])])),
            gateway("ns", "b", json!({"app": "x"}), json!([server(443, &["x.com"])])),
        ];
        assert!(run(&empty, &ctx).is_empty());
        assert_eq!(names("A604", &empty, &both), ["a", "b"]);
    }

    #[test]
    fn wildcard_overlap_is_a613_not_a604() {
        let ctx = Context::default();
        let all = [
            gw("wild", json!([server(443, &["*.example.com"])])),
            gw("shop", json!([server(443, &["shop.example.com"])])),
            gw("apex", json!([server(443, &["example.com"])])),
            gw("other-port", json!([server(80, &["shop.example.com"])])),
        ];
        let found = findings(&all, &ctx);
        let got: Vec<(&str, &str)> = found.iter().map(|f| (f.rule.code, f.object.name.as_str())).collect();
        assert_eq!(got, [("A613", "shop"), ("A613", "wild")], "`*.example.com` does not cover `example.com`");
        assert!(found[1].message.contains("`*.example.com` overlaps `shop.example.com`"), "{}", found[1].message);
        let star = [gw("any", json!([server(80, &["*"])])), gw("x", json!([server(80, &["x.com"])]))];
        assert_eq!(names("A613", &star, &ctx), ["any", "x"]);
    }

    #[test]
    fn servers_without_port_are_skipped() {
        let all = [gw("a", json!([{"hosts": ["foo.bar"]}])), gw("b", json!([{"hosts": ["foo.bar"]}]))];
        assert!(run(&all, &Context::default()).is_empty());
    }
}
