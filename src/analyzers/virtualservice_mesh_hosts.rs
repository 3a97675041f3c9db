//! VirtualServices bound to the mesh that claim one host where both are visible (A603,
//! IST0109).
//!
//! Source: istio/istio 1.28.10
//! `pkg/config/analysis/analyzers/virtualservice/conflictingmeshgatewayhosts.go`
//! (`initMeshGatewayHosts`, `getExportToAllNamespacesVSListForScopedHost`).
//!
//! A VirtualService is bound to the mesh when `gateways` is empty or lists `mesh`. Its scopes are
//! `*` when `exportTo` is empty or holds `*`, else the namespaces it lists (`.` = its own). Each
//! host, qualified in the VirtualService's namespace (only dotless names are qualified), is
//! claimed under each scope. Under `*`, only identical hosts conflict; under a namespace scope,
//! a host also conflicts with every `*`-scoped host it overlaps as a wildcard. Every
//! VirtualService of a conflict is reported once, on the host that conflicts.
//!
//! Unlike `istioctl analyze`, a VirtualService never conflicts with itself (two of its hosts
//! that qualify to the same name, istio/istio#42561): Istio's validation reports those.

use std::collections::{BTreeMap, BTreeSet};

use super::host;
use super::index::Index;
use super::rules::CONFLICTING_MESH_HOSTS;
use super::{Finding, NAMED, named};

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    let services = &index.virtual_services;
    // (scope, fqdn) → (VirtualService, host index)
    let mut claims: BTreeMap<(String, String), Vec<(usize, usize)>> = BTreeMap::new();
    for (v, vs) in services.iter().enumerate().filter(|(_, vs)| vs.on_mesh()) {
        let ns = vs.meta.namespace.as_str();
        let scopes: BTreeSet<&str> = if vs.export_to.is_empty() || vs.export_to.iter().any(|e| e == "*") {
            BTreeSet::from(["*"])
        } else {
            vs.export_to.iter().map(|e| if *e == "." { ns } else { e }).collect()
        };
        for scope in scopes {
            for (h, name) in vs.hosts.iter().enumerate() {
                claims.entry((scope.to_string(), host::to_fqdn(ns, name))).or_default().push((v, h));
            }
        }
    }
    // The claims of scope `*`: by host, and those whose host is a wildcard.
    let everywhere: BTreeMap<&str, &Vec<(usize, usize)>> =
        claims.iter().filter(|((scope, _), _)| scope == "*").map(|((_, fqdn), list)| (fqdn.as_str(), list)).collect();
    let wildcards: Vec<&str> = everywhere.keys().copied().filter(|fqdn| fqdn.starts_with('*')).collect();
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    for ((scope, fqdn), list) in &claims {
        let mut all = list.clone();
        if scope != "*" {
            // `*`-scoped claims whose host overlaps: the same host, a wildcard covering it, or,
            // for a wildcard, any host it covers.
            let mut overlapping: BTreeSet<&str> = BTreeSet::new();
            if everywhere.contains_key(fqdn.as_str()) {
                overlapping.insert(fqdn);
            }
            overlapping.extend(wildcards.iter().copied().filter(|g| host::matches(fqdn, g)));
            if fqdn.starts_with('*') {
                overlapping.extend(everywhere.keys().copied().filter(|g| host::matches(fqdn, g)));
            }
            for g in overlapping {
                all.extend(everywhere.get(g).into_iter().flat_map(|l| l.iter()));
            }
        }
        // One entry per VirtualService: its first claim.
        let mut seen = BTreeSet::new();
        all.retain(|(v, _)| seen.insert(*v));
        if all.len() < 2 {
            continue;
        }
        let total = all.len();
        let mut names: Vec<String> = all.iter().map(|(v, _)| services[*v].meta.full_name()).collect();
        names.sort();
        // Named: a few of them (and the count of the rest); related: a few others of each.
        let mut firsts: Vec<(String, usize)> = all.iter().map(|(v, _)| (services[*v].meta.full_name(), *v)).collect();
        firsts.sort();
        firsts.truncate(NAMED + 1);
        for (v, h) in all {
            if !reported.insert(v) {
                continue;
            }
            let vs = &services[v];
            let mut finding = vs.meta.finding(
                &CONFLICTING_MESH_HOSTS,
                format!("/spec/hosts/{h}"),
                format!(
                    "VirtualServices {} bound to the mesh all define host `{scope}/{fqdn}`",
                    named(&names, total, false)
                ),
            );
            let mut related: Vec<_> = firsts
                .iter()
                .filter(|(_, o)| *o != v)
                .take(NAMED)
                .map(|(_, o)| services[*o].meta.object.clone())
                .collect();
            related.sort();
            finding.related = related;
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Context;
    use super::super::testing::*;
    use serde_json::{Value, json};

    fn mesh(ns: &str, name: &str, hosts: &[&str], gateways: Option<&[&str]>, export: Option<&[&str]>) -> Value {
        let mut spec = json!({"hosts": hosts, "http": [{"route": [{"destination": {"host": "x"}}]}]});
        if let Some(g) = gateways {
            spec["gateways"] = json!(g);
        }
        if let Some(e) = export {
            spec["exportTo"] = json!(e);
        }
        vs(ns, name, spec)
    }

    #[test]
    fn mesh_bound_conflicts_per_scope() {
        let ctx = Context::default();
        let all = [
            mesh("foo", "productpage", &["productpage"], None, None),
            mesh("foo", "bogus-productpage", &["productpage"], None, None),
            mesh("foo", "reviews", &["reviews"], None, None),
            mesh("bar", "reviews", &["reviews.foo.svc.cluster.local"], Some(&["istio-ingressgateway"]), None),
            mesh("foo", "ratings", &["ratings"], Some(&["mesh"]), None),
            mesh("bar", "ratings", &["ratings.foo.svc.cluster.local", "google.com"], Some(&["gw", "mesh"]), None),
            mesh("team1", "ratings", &["ratings"], Some(&["mesh"]), Some(&["."])),
            mesh(
                "team2",
                "ratings",
                &["ratings.team1.svc.cluster.local", "google.com"],
                Some(&["gw", "mesh"]),
                Some(&["."]),
            ),
            mesh("team3", "ratings", &["ratings"], Some(&["mesh"]), Some(&["*"])),
            mesh("team4", "ratings", &["ratings.team3.svc.cluster.local"], Some(&["gw", "mesh"]), None),
        ];
        let mut found = findings(&all, &ctx);
        found.retain(|f| f.rule.code == "A603");
        let mut who: Vec<String> = found.iter().map(|f| f.object.to_string()).collect();
        who.sort();
        assert_eq!(
            who,
            [
                "VirtualService/bar/ratings",
                "VirtualService/foo/bogus-productpage",
                "VirtualService/foo/productpage",
                "VirtualService/foo/ratings",
                "VirtualService/team2/ratings",
                "VirtualService/team3/ratings",
                "VirtualService/team4/ratings",
            ]
        );
        let team2 = found.iter().find(|f| f.object.namespace.as_deref() == Some("team2")).unwrap();
        assert_eq!(team2.path, "/spec/hosts/1", "reported on google.com");
        assert!(team2.message.contains("`team2/google.com`"), "{}", team2.message);
    }

    #[test]
    fn export_scopes_and_wildcards() {
        let ctx = Context::default();
        let all = [
            mesh("foo", "a", &["*.productpage"], None, None),
            mesh("bar", "a", &["*.productpage"], None, None),
            mesh("foo", "b", &["*.productpage.b"], None, Some(&["foo"])),
            mesh("bar", "b", &["*.productpage.b"], None, Some(&["."])),
            mesh("foo", "c", &["*.productpage.c"], None, Some(&["foo"])),
            mesh("bar", "c", &["*.productpage.c"], None, Some(&["*"])),
            mesh("foo", "d", &["*.productpage.d"], None, Some(&["."])),
            mesh("bar", "d", &["*.d"], None, Some(&["*"])),
            // Both visible everywhere: a wildcard and a name it covers do not conflict.
            mesh("foo", "e", &["*.example.e"], None, None),
            mesh("bar", "e", &["shop.example.e"], None, None),
            // A scoped wildcard and an unscoped name it covers do.
            mesh("foo", "f", &["*.example.f"], None, Some(&["."])),
            mesh("bar", "f", &["shop.example.f"], None, Some(&["*"])),
        ];
        assert_eq!(names("A603", &all, &ctx), ["a", "a", "c", "c", "d", "d", "f", "f"]);
    }

    #[test]
    fn a_virtual_service_does_not_conflict_with_itself() {
        let ctx = Context::default();
        let all = [mesh("ns", "app", &["app", "app.ns.svc.cluster.local"], None, None)];
        assert!(only("A603", &all, &ctx).is_empty());
    }
}
