//! `meshedge graph`: the edge as a picture, drawn from the validated plan of a build.
//!
//! Ingress: clients → exposure (an OpenShift Route per host, or the gateway Service of type
//! LoadBalancer) → ingress gateway → host → tenant service (the route's path on the edge).
//! Egress: tenant namespace → egress gateway (with its egress IPs) → external host, or straight
//! to the external host when it has no gateway hop. SLA classes label the edges into the hosts
//! they apply to. `--tenant` keeps what one tenant asked for.
//!
//! A [`Graph`] is nodes and edges with stable ids, rendered as mermaid ([`mermaid`]), Graphviz
//! dot ([`dot`]) or SVG laid out in process ([`dot::svg`], with `layout-rs`: no Graphviz needed).
//! Dashed edges ([`Line::Dashed`]) stand for flows that are blocked: when a build carries its
//! flows ([`compiler::Options::report_flows`]), [`of_build`] draws the negative flows of SPEC §5.1
//! the flows stage finds blocked, and the flows that break the requests ([`flows`]).

pub mod dot;
mod flows;
pub mod mermaid;
mod plan;

pub use flows::ONE_BY_ONE;

use std::collections::{BTreeMap, BTreeSet};

use crate::compiler::{self, Build};
use crate::error::{Error, UsageError};
use crate::source::Source;

/// What a node stands for; also the order nodes are declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Clients,
    Exposure,
    IngressGateway,
    Host,
    Service,
    Namespace,
    EgressGateway,
    ExternalHost,
}

impl NodeKind {
    /// The start of the ids of this kind's nodes.
    fn prefix(self) -> &'static str {
        match self {
            NodeKind::Clients => "clients",
            NodeKind::Exposure => "exposure_",
            NodeKind::IngressGateway => "igw_",
            NodeKind::Host => "host_",
            NodeKind::Service => "svc_",
            NodeKind::Namespace => "ns_",
            NodeKind::EgressGateway => "egw_",
            NodeKind::ExternalHost => "ext_",
        }
    }
}

/// A node: an id made of ASCII letters, digits and `_` (valid in mermaid and dot alike), and a
/// label of one or more lines (as given: each renderer escapes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub label: Vec<String>,
}

/// How an edge is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Line {
    /// Traffic the edge lets through.
    Solid,
    /// A flow that is blocked (from the flow stage).
    Dashed,
    /// An edge a change removes (in the diff's graph).
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// Empty: no label.
    pub label: String,
    pub line: Line,
}

/// The edge of an environment as nodes and edges, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Graph {
    pub environment: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// (kind, key) → index in `nodes`.
    keys: BTreeMap<(NodeKind, String), usize>,
    ids: BTreeSet<String>,
    /// (from, to, line) → index in `edges`.
    edge_keys: BTreeMap<(String, String, Line), usize>,
}

/// `text` as an id part: ASCII letters and digits kept, anything else `_`.
fn id_part(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

impl Graph {
    pub fn new(environment: &str) -> Graph {
        Graph { environment: environment.to_string(), ..Default::default() }
    }

    /// The id of the node `(kind, key)`, added with `label` when it is new. Ids are unique: a
    /// key that maps to a taken id gets `_2`, `_3`, ….
    pub fn node(&mut self, kind: NodeKind, key: &str, label: Vec<String>) -> String {
        if let Some(&index) = self.keys.get(&(kind, key.to_string())) {
            return self.nodes[index].id.clone();
        }
        let base = format!("{}{}", kind.prefix(), id_part(key));
        let mut id = base.clone();
        let mut n = 1;
        while self.ids.contains(&id) {
            n += 1;
            id = format!("{base}_{n}");
        }
        self.ids.insert(id.clone());
        self.keys.insert((kind, key.to_string()), self.nodes.len());
        self.nodes.push(Node { id: id.clone(), kind, label });
        id
    }

    /// Adds an edge; the same two nodes and line again adds `label` to the edge's label.
    pub fn edge(&mut self, from: &str, to: &str, label: &str, line: Line) {
        let key = (from.to_string(), to.to_string(), line);
        if let Some(&index) = self.edge_keys.get(&key) {
            let edge = &mut self.edges[index];
            if !label.is_empty() && !edge.label.split(", ").any(|l| l == label) {
                if !edge.label.is_empty() {
                    edge.label.push_str(", ");
                }
                edge.label.push_str(label);
            }
            return;
        }
        self.edge_keys.insert(key, self.edges.len());
        self.edges.push(Edge { from: from.to_string(), to: to.to_string(), label: label.to_string(), line });
    }

    /// The id of the node `(kind, key)`, when the graph has it.
    pub fn id_of(&self, kind: NodeKind, key: &str) -> Option<String> {
        self.keys.get(&(kind, key.to_string())).map(|&index| self.nodes[index].id.clone())
    }

    /// Takes the route `path` off the solid edge `from` → `to` (whose label lists the routes'
    /// paths); an edge left with no path is no longer drawn solid but dashed, unlabelled, until
    /// the caller labels it.
    pub(crate) fn unroute(&mut self, from: &str, to: &str, path: &str) {
        let key = (from.to_string(), to.to_string(), Line::Solid);
        let Some(index) = self.edge_keys.get(&key).copied() else { return };
        let edge = &mut self.edges[index];
        let rest: Vec<&str> = edge.label.split(", ").filter(|p| *p != path && !p.is_empty()).collect();
        if !rest.is_empty() {
            edge.label = rest.join(", ");
            return;
        }
        self.edge_keys.remove(&key);
        edge.line = Line::Dashed;
        edge.label = String::new();
        let dashed = (from.to_string(), to.to_string(), Line::Dashed);
        if let std::collections::btree_map::Entry::Vacant(slot) = self.edge_keys.entry(dashed) {
            slot.insert(index);
            return;
        }
        // Already dashed for another reason: the solid edge goes (ids shift past it).
        self.edges.remove(index);
        for value in self.edge_keys.values_mut() {
            if *value > index {
                *value -= 1;
            }
        }
    }

    /// A blocked flow from a tenant namespace to an external host (`host:port`), drawn dashed,
    /// labelled `blocked` (what [`of_build`] draws for each such negative flow of the flows
    /// stage's report).
    pub fn blocked(&mut self, namespace: &str, host: &str) {
        let from = self.node(NodeKind::Namespace, namespace, vec![format!("namespace {namespace}")]);
        let to = self.node(NodeKind::ExternalHost, host, vec![host.to_string()]);
        self.edge(&from, &to, "blocked", Line::Dashed);
    }

    /// The graph restricted to the nodes `keep` says yes to, and the edges between them; ids
    /// stay as they were.
    pub fn only(&self, keep: impl Fn(&Node) -> bool) -> Graph {
        let mut out = Graph::new(&self.environment);
        let mut in_order: Vec<(&(NodeKind, String), usize)> = self.keys.iter().map(|(k, &i)| (k, i)).collect();
        in_order.sort_by_key(|(_, index)| *index);
        for (key, index) in in_order {
            let node = &self.nodes[index];
            if keep(node) {
                out.keys.insert(key.clone(), out.nodes.len());
                out.ids.insert(node.id.clone());
                out.nodes.push(node.clone());
            }
        }
        for edge in &self.edges {
            if out.ids.contains(&edge.from) && out.ids.contains(&edge.to) {
                out.edge(&edge.from, &edge.to, &edge.label, edge.line);
            }
        }
        out
    }

    /// Every node's `(kind, key)`, for comparing two graphs.
    pub fn keys(&self) -> impl Iterator<Item = (&(NodeKind, String), &Node)> {
        self.keys.iter().map(|(key, &index)| (key, &self.nodes[index]))
    }
}

/// The graph of a plan, of one tenant's part with `tenant` (a tenant the plan has).
pub(crate) fn draw_plan(plan: &crate::plan::Plan, tenant: Option<&str>) -> Graph {
    plan::draw(plan, tenant)
}

/// The graph of a build, of one tenant's part with `tenant`, with the verdicts of its flows when
/// it kept them (see [`flows`]); `Err` names a tenant the build does
/// not have, with the tenants it has.
pub fn of_build(build: &Build, tenant: Option<&str>) -> Result<Graph, UsageError> {
    if let Some(tenant) = tenant {
        if !build.plan.tenants.contains_key(tenant) {
            if build.plan.excluded_tenants.contains(tenant) {
                return Err(UsageError::ExcludedTenant {
                    tenant: tenant.to_string(),
                    environment: build.environment.clone(),
                });
            }
            return Err(UsageError::UnknownTenant {
                tenant: tenant.to_string(),
                environment: build.environment.clone(),
                tenants: build.plan.tenants.keys().cloned().collect(),
            });
        }
    }
    let mut graph = draw_plan(&build.plan, tenant);
    if let Some(report) = &build.flows {
        flows::draw(&mut graph, &build.plan, report, tenant);
    }
    Ok(graph)
}

/// Builds the environment at `env_dir` and draws it; the build comes along for its warnings.
pub fn graph(source: &dyn Source, env_dir: &str, tenant: Option<&str>) -> Result<(Graph, Build), Error> {
    // The flows are reported, not enforced: a graph helps most when they break the requests.
    let options = compiler::Options { report_flows: true, ..Default::default() };
    let build = compiler::compile_with(source, env_dir, &options)?;
    let graph = of_build(&build, tenant).map_err(|e| Error::Usage(e.report().into()))?;
    Ok((graph, build))
}

#[cfg(test)]
mod tests;
