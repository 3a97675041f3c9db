//! A route or mirror to a subset that no DestinationRule defines (A605, IST0101
//! `host+subset in destinationrule` / `mirror+subset in destinationrule`).
//!
//! Source: istio/istio 1.28.10 `pkg/config/analysis/analyzers/virtualservice/destinationrules.go`
//! (`initDestHostsAndSubsets`, `checkDestinationSubset`) and `util/hosts.go`
//! (`GetResourceNameFromHost`).
//!
//! Hosts are resolved lexically, on both sides: `name.ns.svc.cluster.local` names `(ns, name)`;
//! any other host (a short name, `reviews.default`, an external `api.example.com`) is the name
//! itself in the namespace of the object that holds it. So a DestinationRule for an external
//! host defines subsets only for VirtualServices in its own namespace. DestinationRule
//! `exportTo` is not considered, and there is no wildcard matching.

use std::collections::BTreeSet;

use super::Finding;
use super::host;
use super::index::Index;
use super::rules::SUBSET_NOT_FOUND;

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    let mut defined: BTreeSet<(&str, &str, &str)> = BTreeSet::new();
    for dr in &index.destination_rules {
        let (ns, name) = host::resource_name(&dr.meta.namespace, &dr.host);
        for subset in &dr.subsets {
            defined.insert((ns, name, subset));
        }
    }
    for vs in &index.virtual_services {
        for d in vs.destinations.iter().filter(|d| !d.subset.is_empty()) {
            let (ns, name) = host::resource_name(&vs.meta.namespace, d.host.as_str());
            if !defined.contains(&(ns, name, d.subset.as_str())) {
                let what = if d.mirror { "mirror" } else { "route" };
                out.push(vs.meta.finding(
                    &SUBSET_NOT_FOUND,
                    format!("{}/subset", d.pointer),
                    format!(
                        "{what} to subset `{}` of host `{}`, which no DestinationRule for `{name}` in namespace `{ns}` defines",
                        d.subset.as_str(), d.host.as_str()
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Context;
    use super::super::testing::*;
    use serde_json::{Value, json};

    fn to(ns: &str, name: &str, host: &str, subset: &str) -> Value {
        vs(ns, name, json!({"hosts": ["x"], "http": [{"route": [{"destination": {"host": host, "subset": subset}}]}]}))
    }

    #[test]
    fn subsets_resolve_lexically_in_the_vs_namespace() {
        let ctx = Context::default();
        let all = [
            dr("default", "reviews", json!({"host": "reviews", "subsets": [{"name": "v1"}]})),
            dr("egress", "api", json!({"host": "api.example.com", "subsets": [{"name": "gold"}]})),
            to("default", "short", "reviews", "v1"),
            to("default", "fqdn", "reviews.default.svc.cluster.local", "v1"),
            to("other", "cross-fqdn", "reviews.default.svc.cluster.local", "v1"),
            to("default", "bogus", "reviews", "bogus"),
            to("default", "two-label", "reviews.default", "v1"),
            to("egress", "external-same-ns", "api.example.com", "gold"),
            to("shop", "external-other-ns", "api.example.com", "gold"),
            vs(
                "default",
                "no-subset",
                json!({"hosts": ["x"], "http": [{"route": [{"destination": {"host": "nothing"}}]}]}),
            ),
        ];
        assert_eq!(names("A605", &all, &ctx), ["bogus", "external-other-ns", "two-label"]);
        assert_eq!(only("A605", &all, &ctx)[0].1, "/spec/http/0/route/0/destination/subset");
    }

    #[test]
    fn mirrors_and_tcp_tls_routes_are_checked() {
        let ctx = Context::default();
        let all = [
            dr("default", "reviews", json!({"host": "reviews", "subsets": [{"name": "v1"}]})),
            vs(
                "default",
                "all",
                json!({"hosts": ["x"],
                    "tcp": [{"route": [{"destination": {"host": "reviews", "subset": "tcp-bogus"}}]}],
                    "tls": [{"match": [{"sniHosts": ["x"]}], "route": [{"destination": {"host": "reviews", "subset": "v1"}}]}],
                    "http": [{"route": [{"destination": {"host": "reviews", "subset": "v1"}}],
                              "mirror": {"host": "reviews", "subset": "mirror-bogus"},
                              "mirrors": [{"destination": {"host": "reviews", "subset": "v1"}}]}]}),
            ),
        ];
        let paths: Vec<String> = only("A605", &all, &ctx).into_iter().map(|(_, p)| p).collect();
        assert_eq!(paths, ["/spec/http/0/mirror/subset", "/spec/tcp/0/route/0/destination/subset"]);
    }
}
