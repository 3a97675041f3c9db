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

use std::collections::{BTreeMap, BTreeSet};

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

/// What a drawn flow's edge stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EdgeKind {
    /// A flow nobody requested, blocked: a namespace's such edges to external hosts are grouped.
    Blocked,
    /// A flow nobody requested, blocked for a client with a credential that must not get in.
    BlockedWithCredential,
    /// A requested flow that is blocked (E801).
    RequestedButBlocked,
    /// A flow nobody requested that is open (E802).
    OpenButNotRequested,
}

/// A flow's edge, when the graph draws it: what it stands for, its label and line.
fn drawn(e: &Evaluated) -> Option<(EdgeKind, String, Line)> {
    match e.violation() {
        Some(Violation::Blocked) => {
            return Some((EdgeKind::RequestedButBlocked, "requested but blocked".to_string(), Line::Dashed));
        }
        Some(Violation::Open) => {
            return Some((EdgeKind::OpenButNotRequested, "open but not requested".to_string(), Line::Solid));
        }
        // Routed elsewhere: the plan's edge is there; `meshedge flows` names the backend.
        Some(Violation::Misrouted(_)) => return None,
        None => {}
    }
    if e.flow.requested || e.verdict.verdict != Outcome::Blocked {
        return None;
    }
    Some(match e.flow.credential {
        Some(credential) => {
            (EdgeKind::BlockedWithCredential, format!("blocked with credential {}", credential.as_str()), Line::Dashed)
        }
        None => (EdgeKind::Blocked, "blocked".to_string(), Line::Dashed),
    })
}

/// The host of a flow's `host:port`.
fn host_of(target: &str) -> &str {
    target.rsplit_once(':').map_or(target, |(host, _)| host)
}

/// Whether an egress edge is a plain block (nobody requested it, no credential, nothing broken,
/// not to the internet): such edges of one namespace are grouped.
fn plain(kind: EdgeKind, target: &str) -> bool {
    kind == EdgeKind::Blocked && host_of(target) != "internet"
}

/// An egress edge drawn one by one: namespace, `host:port`, label, kind and line.
type OneByOne = (String, String, String, EdgeKind, Line);

/// The namespace → external host edges, kept one by one until there are too many, counted by
/// external host, line and label all along. A namespace's plain blocks are kept up to
/// [`HOSTS_ONE_BY_ONE`] (one more stands for the group) and counted.
#[derive(Default)]
struct Egress {
    one_by_one: Vec<OneByOne>,
    unrequested: BTreeMap<String, usize>,
    grouped: BTreeMap<(String, Line, String), usize>,
    too_many: bool,
    count: usize,
}

impl Egress {
    /// The flow from `ns` to `target`, one by one while there is room.
    fn keep(&mut self, ns: &str, target: &str, label: &str, kind: EdgeKind, line: Line) {
        let kept = if plain(kind, target) {
            let count = self.unrequested.entry(ns.to_string()).or_default();
            *count += 1;
            // One more than drawn one by one: that one stands for the group.
            *count <= HOSTS_ONE_BY_ONE + 1
        } else {
            true
        };
        if kept && self.one_by_one.len() < ONE_BY_ONE {
            self.one_by_one.push((ns.to_string(), target.to_string(), label.to_string(), kind, line));
        } else if kept {
            self.too_many = true;
        }
    }

    /// `namespaces` flows to `target` with this label and line.
    fn count(&mut self, target: &str, line: Line, label: &str, namespaces: usize) {
        if namespaces > 0 {
            self.count += namespaces;
            *self.grouped.entry((target.to_string(), line, label.to_string())).or_insert(0) += namespaces;
        }
    }

    fn plain_blocks(&self, ns: &str) -> usize {
        self.unrequested.get(ns).copied().unwrap_or(0)
    }
}

/// A group of hidden flows ([`Report::hidden_groups`]) as drawn: its target, label, kind, line,
/// and the namespaces it leaves out.
struct HiddenEdge<'a> {
    target: String,
    label: String,
    kind: EdgeKind,
    line: Line,
    except: &'a BTreeSet<String>,
}

impl HiddenEdge<'_> {
    fn plain(&self) -> bool {
        plain(self.kind, &self.target)
    }
}

/// The egress label of a flow to `target`: with the port the workload connects to, as the
/// flows name it (the host's node carries the port the gateway calls; they differ when the mesh
/// originates TLS).
fn egress_label(label: String, target: &str) -> String {
    match target.rsplit_once(':') {
        Some((_, port)) if !port.is_empty() => format!("{label} on port {port}"),
        _ => label,
    }
}

/// The hidden flows of namespace `ns`, in the report's order, as [`Egress::keep`] would see them
/// one by one, in time bounded by what is kept plus the groups that leave `ns` out: once the
/// namespace's plain blocks are past what is drawn one by one, only the groups that are not plain
/// blocks are walked (`next_other[i]`: the first such group at `i` or after), and the plain blocks
/// left are counted from `plain_total` and `plain_except` (how many plain groups leave `ns` out).
fn hidden_of(
    egress: &mut Egress,
    ns: &str,
    groups: &[HiddenEdge<'_>],
    next_other: &[usize],
    plain_total: usize,
    plain_except: usize,
) {
    let mut walked_plain = 0;
    let mut i = 0;
    while i < groups.len() && !egress.too_many {
        if egress.plain_blocks(ns) > HOSTS_ONE_BY_ONE {
            i = next_other[i];
            if i >= groups.len() {
                break;
            }
        }
        let group = &groups[i];
        i += 1;
        if group.except.contains(ns) {
            continue;
        }
        if group.plain() {
            walked_plain += 1;
        }
        egress.keep(ns, &group.target, &group.label, group.kind, group.line);
    }
    let rest = plain_total.saturating_sub(plain_except + walked_plain);
    if rest > 0 {
        *egress.unrequested.entry(ns.to_string()).or_default() += rest;
    }
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

/// Draws the flows of `report` (of `tenant` only, with one) that [`drawn`] keeps onto `graph`,
/// in time linear in the report's size: its hidden flows are taken group by group
/// ([`Report::hidden_groups`]), not namespace by namespace.
pub(super) fn draw(graph: &mut Graph, plan: &Plan, report: &Report, tenant: Option<&str>) {
    let mut known: BTreeMap<&str, String> = BTreeMap::new();
    for host in &plan.egress_hosts {
        known.entry(host.host.as_str()).or_insert_with(|| format!("{}:{}", host.host, host.port));
    }
    let hidden: Vec<HiddenEdge<'_>> = report
        .hidden_groups()
        .into_iter()
        .filter_map(|(flow, except)| {
            let (kind, label, line) = drawn(&flow)?;
            let target = flow.flow.to.clone();
            Some(HiddenEdge { label: egress_label(label, &target), target, kind, line, except })
        })
        .collect();
    let mut next_other = vec![hidden.len(); hidden.len() + 1];
    for i in (0..hidden.len()).rev() {
        next_other[i] = if hidden[i].plain() { next_other[i + 1] } else { i };
    }
    let plain_total = hidden.iter().filter(|g| g.plain()).count();
    let mut plain_except: BTreeMap<&str, usize> = BTreeMap::new();
    for group in hidden.iter().filter(|g| g.plain()) {
        for ns in group.except {
            *plain_except.entry(ns.as_str()).or_default() += 1;
        }
    }
    // Both visitors below add to it, one at a time.
    let egress = std::cell::RefCell::new(Egress::default());
    let mut scope: BTreeSet<String> = BTreeSet::new();
    let mut visit = |e: &Evaluated| {
        let Some((kind, label, line)) = drawn(e) else { return };
        let flow = &e.flow;
        let from_namespace = flow.from.strip_prefix("namespace/");
        match flow.direction {
            Direction::Egress => {
                let Some(ns) = from_namespace else { return };
                let label = egress_label(label, &flow.to);
                let mut egress = egress.borrow_mut();
                egress.keep(ns, &flow.to, &label, kind, line);
                egress.count(&flow.to, line, &label, 1);
            }
            Direction::Ingress => {
                let host = host_of(&flow.to);
                // A requested route that is blocked: its own edge, host → service, is drawn
                // dashed in place of the route's solid edge (the host's other routes stay).
                if kind == EdgeKind::RequestedButBlocked {
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
            // The graph draws this mesh's edge only, and not the paths between tenants.
            Direction::Federation | Direction::Tenant => {}
            Direction::Direct => {
                let Some(ns) = flow.to.strip_prefix("namespace/") else { return };
                let clients = graph.node(NodeKind::Clients, "", vec!["clients".to_string()]);
                let to = namespace(graph, ns);
                graph.edge(&clients, &to, &label, line);
            }
        }
    };
    // Where the report would visit a namespace's hidden flows: those kept one by one, in order.
    let mut hidden_here = |ns: &str| {
        scope.insert(ns.to_string());
        let except = plain_except.get(ns).copied().unwrap_or(0);
        hidden_of(&mut egress.borrow_mut(), ns, &hidden, &next_other, plain_total, except);
    };
    report.each_shown(tenant, &mut visit, &mut hidden_here);
    let mut egress = egress.into_inner();
    // Each group's flows, counted at once: one per namespace of the scope it does not leave out.
    for group in &hidden {
        let left_out = group.except.iter().filter(|ns| scope.contains(*ns)).count();
        egress.count(&group.target, group.line, &group.label, scope.len().saturating_sub(left_out));
    }
    let Egress { one_by_one, unrequested, grouped, too_many, count } = egress;
    let grouped_here = |ns: &str| unrequested.get(ns).is_some_and(|count| *count > HOSTS_ONE_BY_ONE);
    let drawn_edges =
        one_by_one.iter().filter(|(ns, target, _, kind, _)| !(plain(*kind, target) && grouped_here(ns))).count()
            + unrequested.values().filter(|count| **count > HOSTS_ONE_BY_ONE).count();
    // The whole environment with many such edges: grouped by external host, as many namespaces
    // share them; one tenant's: grouped by namespace, as one namespace is kept out of many hosts.
    let by_host = too_many || drawn_edges > ONE_BY_ONE || (tenant.is_none() && count > ONE_BY_ONE);
    if !by_host {
        for (ns, target, label, kind, line) in &one_by_one {
            let from = namespace(graph, ns);
            let to = match unrequested.get(ns.as_str()) {
                Some(&count) if count > HOSTS_ONE_BY_ONE && plain(*kind, target) => {
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

#[cfg(test)]
mod tests;
