//! The verdicts of a build's flows drawn over the graph of its plan.
//!
//! - The negative flows of SPEC §5.1 (nobody requested them) that the flows stage finds
//!   **blocked** are dashed edges: a tenant namespace to an external host it did not ask for, or
//!   to the internet outside the registry (`blocked`); the clients straight to a namespace's pods
//!   (`blocked`); the clients to a host with a credential that must not get in (`blocked with
//!   credential none`).
//! - A requested route that is blocked (E801, a policy denies its path) is drawn on its own
//!   edge, host → service, dashed and labelled `<path> requested but blocked`, in place of the
//!   route's solid edge.
//! - A namespace's edge to an external host names the port of the flow (`blocked on port 80`):
//!   the port the workload connects to, which is not the host node's port when the egress
//!   gateway originates TLS (its edge to the host says so).
//! - The flows that break the requests (E801, E802) are drawn too: a requested flow that is
//!   blocked as a dashed edge `requested but blocked`, a flow nobody requested that is open as a
//!   solid edge `open but not requested`.
//!
//! A tenant namespace's flows to the external hosts it did not request grow with namespaces ×
//! hosts. A namespace blocked from more than [`HOSTS_ONE_BY_ONE`] such hosts has one edge to an
//! `other external hosts (N)` node of its own instead (`meshedge flows` names them), so one
//! tenant's graph (`--tenant`) stays as small as what it asked for. In the whole environment, up
//! to [`ONE_BY_ONE`] such edges are drawn one by one; beyond, one edge per external
//! host and kind of edge comes from a single `other tenant namespaces` node, labelled with how
//! many namespaces it stands for. The drawing stays linear in the environment's size; `--tenant`
//! draws one tenant's namespaces one by one.

use std::collections::BTreeMap;

use super::{Graph, Line, NodeKind};
use crate::flows::requests::Direction;
use crate::flows::{Evaluated, Outcome, Report, Violation};
use crate::plan::Plan;

/// Edges from tenant namespaces to external hosts drawn one by one at most; more are grouped by
/// external host.
pub const ONE_BY_ONE: usize = 400;

/// A namespace's blocked edges to external hosts it did not request drawn one by one at most;
/// more become one edge to an `other external hosts (N)` node of that namespace.
pub const HOSTS_ONE_BY_ONE: usize = 3;

/// The key of the node that stands for many namespaces (no namespace name is empty).
const OTHER_NAMESPACES: &str = "";

/// A flow's edge, when the graph draws it: its label and line.
fn drawn(e: &Evaluated) -> Option<(String, Line)> {
    match e.violation() {
        Some(Violation::Blocked) => return Some(("requested but blocked".to_string(), Line::Dashed)),
        Some(Violation::Open) => return Some(("open but not requested".to_string(), Line::Solid)),
        // Routed elsewhere: the plan's edge is there; `meshedge flows` names the backend.
        Some(Violation::Misrouted(_)) => return None,
        None => {}
    }
    if e.flow.requested || e.verdict.verdict != Outcome::Blocked {
        return None;
    }
    let label = match e.flow.credential {
        Some(credential) => format!("blocked with credential {}", credential.as_str()),
        None => "blocked".to_string(),
    };
    Some((label, Line::Dashed))
}

/// Whether an edge's label is a plain block (no credential, nothing broken), with or without the
/// flow's port: such edges of one namespace are grouped.
fn plain_block(label: &str) -> bool {
    label == "blocked" || label.starts_with("blocked on port ")
}

/// The graph's node for an external `host:port` of a flow: the plan's node of that host (drawn
/// with the port the request names) when there is one.
fn external(graph: &mut Graph, known: &BTreeMap<&str, String>, target: &str) -> String {
    let host = target.rsplit_once(':').map_or(target, |(host, _)| host);
    if host == "internet" {
        return graph.node(NodeKind::ExternalHost, target, vec!["internet (outside the registry)".to_string()]);
    }
    match known.get(host) {
        Some(key) => graph.node(NodeKind::ExternalHost, key, vec![key.clone()]),
        None => graph.node(NodeKind::ExternalHost, target, vec![target.to_string()]),
    }
}

/// The id of the service node the plan's route `path` of ingress `host` leads to, when the graph
/// draws it.
fn blocked_route(graph: &Graph, plan: &Plan, host: &str, path: Option<&str>) -> Option<String> {
    let path = path?;
    let route =
        plan.ingress_hosts.iter().filter(|h| h.host == host).flat_map(|h| &h.routes).find(|r| r.prefix == path)?;
    graph.id_of(NodeKind::Service, &format!("{}:{}", route.service, route.port))
}

fn namespace(graph: &mut Graph, name: &str) -> String {
    graph.node(NodeKind::Namespace, name, vec![format!("namespace {name}")])
}

/// Draws the flows of `report` (of `tenant` only, with one) that [`drawn`] keeps onto `graph`.
pub(super) fn draw(graph: &mut Graph, plan: &Plan, report: &Report, tenant: Option<&str>) {
    let mut known: BTreeMap<&str, String> = BTreeMap::new();
    for host in &plan.egress_hosts {
        known.entry(host.host.as_str()).or_insert_with(|| format!("{}:{}", host.host, host.port));
    }
    // Namespace → external host edges: kept one by one until there are too many, counted by
    // external host, line and label all along. A namespace's plain negative flows (not one that
    // breaks the requests, not to the internet) are kept up to HOSTS_ONE_BY_ONE and counted.
    let mut one_by_one: Vec<(String, String, String, Line)> = Vec::new();
    let mut unrequested: BTreeMap<String, usize> = BTreeMap::new();
    let mut grouped: BTreeMap<(String, Line, String), usize> = BTreeMap::new();
    let mut too_many = false;
    let mut egress = 0usize;
    let mut visit = |e: &Evaluated| {
        let Some((label, line)) = drawn(e) else { return };
        let flow = &e.flow;
        let from_namespace = flow.from.strip_prefix("namespace/");
        match flow.direction {
            Direction::Egress => {
                let Some(ns) = from_namespace else { return };
                // The port the workload connects to, as the flows name it: the host's node carries
                // the port the gateway calls (they differ when the mesh originates TLS).
                let port = flow.to.rsplit_once(':').map_or("", |(_, port)| port);
                let label = if port.is_empty() { label } else { format!("{label} on port {port}") };
                egress += 1;
                let host = flow.to.rsplit_once(':').map_or(flow.to.as_str(), |(host, _)| host);
                let plain = plain_block(&label) && host != "internet";
                let kept = if plain {
                    let count = unrequested.entry(ns.to_string()).or_default();
                    *count += 1;
                    // One more than drawn one by one: that one stands for the group.
                    *count <= HOSTS_ONE_BY_ONE + 1
                } else {
                    true
                };
                if kept && one_by_one.len() < ONE_BY_ONE {
                    one_by_one.push((ns.to_string(), flow.to.clone(), label.clone(), line));
                } else if kept {
                    too_many = true;
                }
                *grouped.entry((flow.to.clone(), line, label)).or_insert(0) += 1;
            }
            Direction::Ingress => {
                let host = flow.to.rsplit_once(':').map_or(flow.to.as_str(), |(host, _)| host);
                // A requested route that is blocked: its own edge, host → service, is drawn
                // dashed in place of the route's solid edge (the host's other routes stay).
                if e.violation() == Some(Violation::Blocked) {
                    if let Some(service) = blocked_route(graph, plan, host, flow.path.as_deref()) {
                        let path = flow.path.as_deref().unwrap_or_default();
                        let from = graph.node(NodeKind::Host, host, vec![host.to_string()]);
                        graph.unroute(&from, &service, path);
                        graph.edge(&from, &service, &format!("{path} {label}"), line);
                        return;
                    }
                }
                let clients = graph.node(NodeKind::Clients, "", vec!["clients".to_string()]);
                let to = graph.node(NodeKind::Host, host, vec![host.to_string()]);
                graph.edge(&clients, &to, &label, line);
            }
            Direction::Direct => {
                let Some(ns) = flow.to.strip_prefix("namespace/") else { return };
                let clients = graph.node(NodeKind::Clients, "", vec!["clients".to_string()]);
                let to = namespace(graph, ns);
                graph.edge(&clients, &to, &label, line);
            }
        }
    };
    match tenant {
        Some(tenant) => report.each_of(tenant, &mut visit),
        None => report.each(&mut visit),
    }
    let grouped_here = |ns: &str| unrequested.get(ns).is_some_and(|count| *count > HOSTS_ONE_BY_ONE);
    let plain = |target: &str, label: &str| {
        plain_block(label) && target.rsplit_once(':').map_or(target, |(host, _)| host) != "internet"
    };
    let drawn_edges =
        one_by_one.iter().filter(|(ns, target, label, _)| !(plain(target, label) && grouped_here(ns))).count()
            + unrequested.values().filter(|count| **count > HOSTS_ONE_BY_ONE).count();
    // The whole environment with many such edges: grouped by external host, as many namespaces
    // share them; one tenant's: grouped by namespace, as one namespace is kept out of many hosts.
    let by_host = too_many || drawn_edges > ONE_BY_ONE || (tenant.is_none() && egress > ONE_BY_ONE);
    if !by_host {
        for (ns, target, label, line) in &one_by_one {
            let from = namespace(graph, ns);
            let to = match unrequested.get(ns.as_str()) {
                Some(&count) if count > HOSTS_ONE_BY_ONE && plain(target, label) => {
                    // No host:port starts with a space: the key is no host's.
                    let label = vec![format!("other external hosts ({count})")];
                    graph.node(NodeKind::ExternalHost, &format!(" other {ns}"), label)
                }
                _ => external(graph, &known, target),
            };
            graph.edge(&from, &to, label, *line);
        }
        return;
    }
    let others = graph.node(NodeKind::Namespace, OTHER_NAMESPACES, vec!["other tenant namespaces".to_string()]);
    for ((target, line, label), count) in grouped {
        let to = external(graph, &known, &target);
        let what = if count == 1 { "namespace" } else { "namespaces" };
        graph.edge(&others, &to, &format!("{label} from {count} {what}"), line);
    }
}
