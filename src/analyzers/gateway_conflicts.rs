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

use super::index::{Index, Labels, selector_text, selects};
use super::rules::{CONFLICTING_GATEWAYS, OVERLAPPING_GATEWAY_HOSTS};
use super::{Finding, NAMED, host, named};

/// Up to this many other Gateways a conflict is counted exactly; beyond, the count is a lower
/// bound (the largest single group), so that the work stays linear in the number of servers.
const EXACT: usize = 64;

/// The servers' entries for one host string on one port and `bind`.
struct Group<'a> {
    host: &'a str,
    /// The host without its namespace prefix.
    name: &'a str,
    /// Gateways by selector (an index into the distinct selectors), each list sorted, no repeats.
    classes: BTreeMap<usize, Vec<usize>>,
    /// (gateway, server index, host index)
    entries: Vec<(usize, usize, usize)>,
}

/// The other Gateways that take part, seen from one group and selector.
#[derive(Default, Clone)]
struct Others<'a> {
    /// The first few (other gateway, its host), by gateway.
    sample: BTreeSet<(usize, &'a str)>,
    /// Every other gateway, while there are at most [`EXACT`].
    exact: Option<BTreeSet<usize>>,
    /// A lower bound of their number.
    at_least: usize,
    /// The one list they all come from, when there is one: the count is then exact.
    single: Option<&'a [usize]>,
    lists: usize,
}

/// What one server of one Gateway conflicts with.
#[derive(Default)]
struct Hits<'a> {
    /// The first host of the server that takes part.
    host_index: Option<usize>,
    /// (own host, other gateway, other host), the first few by gateway.
    sample: BTreeSet<(usize, &'a str, &'a str)>,
    exact: Option<BTreeSet<usize>>,
    at_least: usize,
    /// `at_least` is the exact count (one host, its others from one list).
    precise: bool,
    started: bool,
}

type Key<'a> = (u64, &'a str, &'a str);

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    let gateways = &index.gateways;
    // Distinct selectors: Gateways with one selector are always on one workload.
    let mut selector_ids: BTreeMap<&Labels, usize> = BTreeMap::new();
    let class: Vec<usize> = gateways
        .iter()
        .map(|g| {
            let next = selector_ids.len();
            *selector_ids.entry(&g.selector).or_insert(next)
        })
        .collect();
    let mut by_id: Vec<&Labels> = vec![&EMPTY; selector_ids.len()];
    for (labels, id) in &selector_ids {
        by_id[*id] = labels;
    }
    let mut same_workload: BTreeMap<(usize, usize), bool> = BTreeMap::new();
    let mut overlap = |a: usize, b: usize| {
        a == b
            || *same_workload.entry((a.min(b), a.max(b))).or_insert_with(|| {
                let (x, y) = (by_id[a], by_id[b]);
                index.workloads.iter().any(|w| selects(x, &w.labels) && selects(y, &w.labels))
            })
    };
    // (port, bind, host) → group; (port, bind, name) → hosts with that name.
    let mut groups: BTreeMap<Key, Group> = BTreeMap::new();
    for (g, gateway) in gateways.iter().enumerate() {
        for server in &gateway.servers {
            let Some(port) = server.port else { continue };
            for (k, h) in server.hosts.iter().enumerate() {
                let name = h.split_once('/').map_or(h.as_str(), |(_, n)| n);
                let group = groups.entry((port, &server.bind, h)).or_insert_with(|| Group {
                    host: h,
                    name,
                    classes: BTreeMap::new(),
                    entries: Vec::new(),
                });
                let list = group.classes.entry(class[g]).or_default();
                if list.last() != Some(&g) {
                    list.push(g);
                }
                group.entries.push((g, server.index, k));
            }
        }
    }
    let mut by_name: BTreeMap<Key, Vec<Key>> = BTreeMap::new();
    for (key, group) in &groups {
        by_name.entry((key.0, key.1, group.name)).or_default().push(*key);
    }
    // The hosts each group's host overlaps without being the same string: the same name under
    // another namespace prefix, and every wildcard `*S` whose `S` ends the name (for a wildcard
    // name, a shorter one). Found from the longer side, recorded both ways: the work is the
    // length of the names, not the number of pairs of Gateways.
    let mut partners: BTreeMap<Key, BTreeSet<Key>> = BTreeMap::new();
    for (key, group) in &groups {
        let (port, bind, _) = *key;
        let name = group.name;
        let wild = name.starts_with('*');
        let mut candidates: Vec<Key> = by_name.get(&(port, bind, name)).cloned().unwrap_or_default();
        let tail = if wild { &name[1..] } else { name };
        let from = usize::from(wild);
        for (i, _) in tail.char_indices().skip(from).chain([(tail.len(), ' ')]) {
            let pattern = format!("*{}", &tail[i..]);
            for other in by_name.get(&(port, bind, pattern.as_str())).into_iter().flatten() {
                if let Some(o) = groups.get(other).filter(|o| host::matches(name, o.name)) {
                    candidates.push((port, bind, o.host));
                }
            }
        }
        for other in candidates.into_iter().filter(|o| o != key) {
            partners.entry(*key).or_default().insert(other);
            partners.entry(other).or_default().insert(*key);
        }
    }
    // (gateway, server) → hits, for A604 and A613.
    let mut conflicts: BTreeMap<(usize, usize), Hits> = BTreeMap::new();
    let mut overlaps: BTreeMap<(usize, usize), Hits> = BTreeMap::new();
    for (key, group) in &groups {
        let near: Vec<&Group> = partners.get(key).into_iter().flatten().filter_map(|k| groups.get(k)).collect();
        for own in group.classes.keys() {
            let same = Others::default().gathered(&[group], *own, &mut overlap);
            let over = if near.is_empty() { None } else { Some(Others::default().gathered(&near, *own, &mut overlap)) };
            for (g, s, k) in group.entries.iter().filter(|(g, ..)| class[*g] == *own) {
                if let Some(others) = same.without(*g) {
                    conflicts.entry((*g, *s)).or_default().add(*k, group.host, &others);
                }
                if let Some(others) = over.as_ref().and_then(|o| o.without(*g)) {
                    overlaps.entry((*g, *s)).or_default().add(*k, group.host, &others);
                }
            }
        }
    }
    for (exact, rule, found) in
        [(true, &CONFLICTING_GATEWAYS, conflicts), (false, &OVERLAPPING_GATEWAY_HOSTS, overlaps)]
    {
        for ((g, s), hits) in found {
            let gateway = &gateways[g];
            let port = gateway.servers.get(s).and_then(|s| s.port).unwrap_or_default();
            let (total, at_least) = match &hits.exact {
                Some(all) => (all.len(), false),
                None => (hits.at_least, !hits.precise),
            };
            let mut shown: Vec<usize> = Vec::new();
            for (o, ..) in &hits.sample {
                if !shown.contains(o) && shown.len() < NAMED {
                    shown.push(*o);
                }
            }
            let selector = selector_text(&gateway.selector);
            let message = if exact {
                let hosts: BTreeSet<&str> = hits.sample.iter().map(|(_, h, _)| *h).collect();
                let hosts: Vec<String> = hosts.into_iter().map(|h| format!("`{h}`")).collect();
                let mut names: Vec<String> = shown.iter().map(|o| gateways[*o].meta.full_name()).collect();
                names.sort();
                format!(
                    "host {} on port {port} is also served by Gateway {} on the same workload (selector `{selector}`)",
                    named(&hosts, hosts.len(), false),
                    named(&names, total, at_least),
                )
            } else {
                let pairs: BTreeSet<String> = hits
                    .sample
                    .iter()
                    .filter(|(o, ..)| shown.contains(o))
                    .map(|(o, h, oh)| format!("`{h}` overlaps `{oh}` of Gateway {}", gateways[*o].meta.full_name()))
                    .collect();
                let pairs: Vec<String> = pairs.into_iter().collect();
                let mut text = pairs[..pairs.len().min(NAMED)].join("; ");
                let more = total.saturating_sub(shown.len());
                if more > 0 {
                    let least = if at_least { "at least " } else { "" };
                    text.push_str(&format!(" (and {least}{more} more Gateways)"));
                }
                format!("on port {port}, host {text} on the same workload (selector `{selector}`)")
            };
            let path = format!("/spec/servers/{s}/hosts/{}", hits.host_index.unwrap_or_default());
            let mut finding = gateway.meta.finding(rule, path, message);
            finding.related = shown.iter().map(|o| gateways[*o].meta.object.clone()).collect();
            finding.related.sort();
            out.push(finding);
        }
    }
}

static EMPTY: Labels = Labels::new();

impl<'a> Others<'a> {
    /// The Gateways of `from` whose selectors share a workload with selector `own`.
    fn gathered(mut self, from: &[&'a Group<'a>], own: usize, overlap: &mut impl FnMut(usize, usize) -> bool) -> Self {
        self.exact = Some(BTreeSet::new());
        for group in from {
            for (c, list) in &group.classes {
                if !overlap(own, *c) {
                    continue;
                }
                self.at_least = self.at_least.max(list.len());
                self.lists += 1;
                self.single = (self.lists == 1).then_some(list.as_slice());
                self.sample.extend(list.iter().take(NAMED + 1).map(|g| (*g, group.host)));
                if let Some(all) = &mut self.exact {
                    if all.len() + list.len() > EXACT + 1 {
                        self.exact = None;
                    } else {
                        all.extend(list.iter().copied());
                    }
                }
            }
        }
        // Keep the first few Gateways (with every host of theirs that takes part).
        let mut kept = BTreeSet::new();
        self.sample.retain(|(g, _)| {
            if kept.len() <= NAMED {
                kept.insert(*g);
            }
            kept.contains(g)
        });
        self
    }

    /// These others without Gateway `own`; `None` when no other is left.
    fn without(&self, own: usize) -> Option<Others<'a>> {
        let mut others = self.clone();
        others.sample.retain(|(g, _)| *g != own);
        match &mut others.exact {
            Some(all) => {
                all.remove(&own);
                if all.is_empty() {
                    return None;
                }
            }
            None => {
                let own_in = others.single.is_none_or(|list| list.binary_search(&own).is_ok());
                others.at_least = others.at_least.saturating_sub(usize::from(own_in));
            }
        }
        Some(others)
    }
}

impl<'a> Hits<'a> {
    fn add(&mut self, host_index: usize, host: &'a str, others: &Others<'a>) {
        self.host_index = Some(self.host_index.map_or(host_index, |k| k.min(host_index)));
        self.sample.extend(others.sample.iter().map(|(g, o)| (*g, host, *o)));
        let mut kept = BTreeSet::new();
        self.sample.retain(|(g, ..)| {
            if kept.len() < NAMED {
                kept.insert(*g);
            }
            kept.contains(g)
        });
        self.exact = match (self.started, &mut self.exact, &others.exact) {
            (false, _, exact) => exact.clone(),
            (true, Some(all), Some(more)) if all.len() + more.len() <= 2 * EXACT => {
                all.extend(more.iter().copied());
                Some(std::mem::take(all))
            }
            _ => None,
        };
        self.precise = !self.started && others.single.is_some();
        let exact_len = others.exact.as_ref().map_or(0, BTreeSet::len);
        self.at_least = self.at_least.max(others.at_least).max(exact_len);
        self.started = true;
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
