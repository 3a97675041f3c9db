//! The part of the edge a change touches: the graphs of both revisions ([`crate::graph`]),
//! compared by what each node stands for, not by id.

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::{self, Graph, Line, NodeKind};
use crate::plan::Plan;

type Key = (NodeKind, String);

/// A graph's nodes by key (with their labels), and its edges by the keys of their ends.
struct Keyed {
    nodes: BTreeMap<Key, Vec<String>>,
    /// Node keys in the graph's order.
    order: Vec<Key>,
    edges: BTreeMap<(Key, Key), String>,
}

fn keyed(graph: &Graph) -> Keyed {
    let by_id: BTreeMap<&str, Key> = graph.keys().map(|(key, node)| (node.id.as_str(), key.clone())).collect();
    let order: Vec<Key> = graph.nodes.iter().filter_map(|n| by_id.get(n.id.as_str()).cloned()).collect();
    let nodes = graph.nodes.iter().filter_map(|n| Some((by_id.get(n.id.as_str())?.clone(), n.label.clone()))).collect();
    let edges = graph
        .edges
        .iter()
        .filter_map(|e| {
            Some(((by_id.get(e.from.as_str())?.clone(), by_id.get(e.to.as_str())?.clone()), e.label.clone()))
        })
        .collect();
    Keyed { nodes, order, edges }
}

/// The parts of the labels of namespace → egress gateway edges (one `host:port` each) that only
/// one revision has, with the edge's ends.
fn relabelled_to_gateways<'a>(before: &'a Keyed, after: &'a Keyed) -> Vec<(&'a Key, &'a Key, &'a str)> {
    let mut out = Vec::new();
    for (one, other) in [(before, after), (after, before)] {
        for ((from, to), label) in &one.edges {
            if from.0 != NodeKind::Namespace || to.0 != NodeKind::EgressGateway {
                continue;
            }
            let theirs = other.edges.get(&(from.clone(), to.clone())).map_or("", String::as_str);
            for part in label.split(", ").filter(|p| !p.is_empty()) {
                if !theirs.split(", ").any(|p| p == part) {
                    out.push((from, to, part));
                }
            }
        }
    }
    out
}

/// The label of an edge both revisions have, at head, with each part (`host:port`) only head has
/// marked `(added)` and each part only base had appended and marked `(removed)`.
fn relabelled(before: &str, after: &str) -> String {
    let parts = |label: &str| label.split(", ").filter(|p| !p.is_empty()).map(str::to_string).collect::<Vec<_>>();
    let (old, new) = (parts(before), parts(after));
    let mut shown: Vec<String> =
        new.iter().map(|p| if old.contains(p) { p.clone() } else { format!("{p} (added)") }).collect();
    shown.extend(old.iter().filter(|p| !new.contains(p)).map(|p| format!("{p} (removed)")));
    shown.join(", ")
}

/// The nodes that differ between `base` and `head` (added, removed, relabelled, or at an end of
/// an edge that was added, removed or relabelled) and the edges between them: edges of head as
/// they are (a changed label once, its parts marked), edges whose ends only base joins as [`Line::Removed`]; a node only one side has is labelled
/// `added` or `removed`. `None` when nothing differs, or neither revision has a plan.
pub fn edge_change(base: Option<&Plan>, head: Option<&Plan>) -> Option<Graph> {
    let environment = head.or(base)?.environment.clone();
    let draw = |plan: Option<&Plan>| plan.map(|p| graph::draw_plan(p, None)).unwrap_or_default();
    let (before, after) = (keyed(&draw(base)), keyed(&draw(head)));
    let mut touched: BTreeSet<&Key> = BTreeSet::new();
    for (key, label) in &after.nodes {
        if before.nodes.get(key) != Some(label) {
            touched.insert(key);
        }
    }
    touched.extend(before.nodes.keys().filter(|key| !after.nodes.contains_key(*key)));
    for ((from, to), label) in &after.edges {
        if before.edges.get(&(from.clone(), to.clone())) != Some(label) {
            touched.extend([from, to]);
        }
    }
    for ((from, to), label) in &before.edges {
        if after.edges.get(&(from.clone(), to.clone())) != Some(label) {
            touched.extend([from, to]);
        }
    }
    // A namespace's edge to an egress gateway names the `host:port`s it calls through it: a host
    // a change adds to or removes from that list brings the gateway's edge to the host along.
    for (from, to, label) in relabelled_to_gateways(&before, &after) {
        let host = label.rsplit_once(':').map_or(label, |(host, _)| host);
        for edges in [&before.edges, &after.edges] {
            for (a, b) in edges.keys() {
                let ext_host = b.1.rsplit_once(':').map_or(b.1.as_str(), |(host, _)| host);
                if a == to && b.0 == NodeKind::ExternalHost && ext_host == host {
                    touched.extend([from, a, b]);
                }
            }
        }
    }
    if touched.is_empty() {
        return None;
    }
    let mut out = Graph::new(&environment);
    let mut ids: BTreeMap<&Key, String> = BTreeMap::new();
    let base_only = before.order.iter().filter(|key| !after.nodes.contains_key(*key));
    for key in after.order.iter().chain(base_only).filter(|key| touched.contains(key)) {
        let (mut label, mark) = match (before.nodes.get(key), after.nodes.get(key)) {
            (_, Some(label)) if !before.nodes.contains_key(key) => (label.clone(), Some("added")),
            (_, Some(label)) => (label.clone(), None),
            (Some(label), None) => (label.clone(), Some("removed")),
            (None, None) => continue,
        };
        if let Some(mark) = mark {
            label.push(format!("({mark})"));
        }
        ids.insert(key, out.node(key.0, &key.1, label));
    }
    for ((from, to), label) in &after.edges {
        if let (Some(a), Some(b)) = (ids.get(from), ids.get(to)) {
            let shown = match before.edges.get(&(from.clone(), to.clone())) {
                Some(old) if old != label => relabelled(old, label),
                _ => label.clone(),
            };
            out.edge(a, b, &shown, Line::Solid);
        }
    }
    // An edge both revisions have is drawn once (its label changed, above); only an edge whose
    // ends are no longer joined is drawn removed.
    for ((from, to), label) in &before.edges {
        if after.edges.contains_key(&(from.clone(), to.clone())) {
            continue;
        }
        if let (Some(a), Some(b)) = (ids.get(from), ids.get(to)) {
            out.edge(a, b, label, Line::Removed);
        }
    }
    Some(out)
}
