//! Kubernetes NetworkPolicy (`networking.k8s.io/v1`), as specified.
//!
//! Sources: kubernetes/api `networking/v1/types.go` @v0.29.0 (field comments of
//! `NetworkPolicySpec`, `NetworkPolicyIngressRule`, `NetworkPolicyEgressRule`,
//! `NetworkPolicyPort`, `IPBlock`, `NetworkPolicyPeer`) and kubernetes/website
//! `content/en/docs/concepts/services-networking/network-policies.md` ("The two sorts of pod
//! isolation", "Behavior of to and from selectors", "Targeting a range of ports", "Targeting a
//! Namespace by its name").
//!
//! - A pod is isolated for a direction once a policy of its namespace selects it and has that
//!   direction in `policyTypes`; a direction without such a policy allows everything; an
//!   isolated direction allows the union of the selecting policies' rules (order never matters).
//! - `policyTypes` defaults to `Ingress`, plus `Egress` when the policy has an egress section.
//! - A connection needs the source's egress and the destination's ingress.
//! - A rule matches when some peer (none = every peer) and some port (none = every port) match.
//! - Peers: `podSelector` alone = pods of the policy's namespace; `namespaceSelector` alone = all
//!   pods of the selected namespaces; both = the selected pods of the selected namespaces;
//!   `ipBlock` = addresses in `cidr` and outside every `except`.
//! - Ports: `protocol` defaults to TCP; `port` is a number or a named container port of the
//!   destination pod; `endPort` makes an inclusive range.
//!
//! Where Kubernetes leaves the behaviour to the plugin (traffic from nodes, pod addresses in
//! `ipBlock`), the [`Network`] model decides; see [`Endpoint`].

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use super::context::{Network, Pod, Protocol};
use super::net::{Address, Cidr};
use super::selector::{Labels, Selector, labels_of};
use super::{Layer, ObjectRef, Outcome, Step};

/// The label every namespace carries with its own name (kubernetes/website network-policies.md
/// "Targeting a Namespace by its name"; kubernetes/api `core/v1/well_known_labels.go`
/// `LabelMetadataName`, present from v0.21.0).
pub const METADATA_NAME: &str = "kubernetes.io/metadata.name";

/// The labels of every namespace: what the caller knows, plus `kubernetes.io/metadata.name`.
#[derive(Debug, Clone, Default)]
pub struct Namespaces {
    labels: BTreeMap<String, Labels>,
}

impl Namespaces {
    pub fn new() -> Namespaces {
        Namespaces::default()
    }

    /// Adds labels to a namespace (later additions win per key; the name label is fixed).
    pub fn add(&mut self, namespace: &str, labels: &Labels) {
        let entry = self.labels.entry(namespace.to_string()).or_default();
        for (k, v) in labels {
            entry.insert(k.clone(), v.clone());
        }
        entry.insert(METADATA_NAME.to_string(), namespace.to_string());
    }

    /// Adds the labels of a `Namespace` object.
    pub fn add_object(&mut self, value: &Value) {
        let Some(name) = value.get("metadata").and_then(|m| m.get("name")).and_then(Value::as_str) else { return };
        let labels = value.get("metadata").and_then(|m| m.get("labels")).and_then(labels_of).unwrap_or_default();
        self.add(name, &labels);
    }

    pub fn labels(&self, namespace: &str) -> Cow<'_, Labels> {
        match self.labels.get(namespace) {
            Some(labels) => Cow::Borrowed(labels),
            None => Cow::Owned(Labels::from([(METADATA_NAME.to_string(), namespace.to_string())])),
        }
    }
}

/// One end of a connection.
#[derive(Debug, Clone, Copy)]
pub enum Endpoint<'a> {
    /// A pod of the cluster network. Its address is not known: an `ipBlock` matches it only when
    /// it covers a whole address family (Kubernetes leaves `ipBlock` on pod addresses to the
    /// plugin: network-policies.md "Behavior of to and from selectors").
    Pod(&'a Pod),
    /// An address outside the cluster.
    External(Address),
    /// A node's own address, from traffic of host-network pods or traffic SNATed to a node
    /// (load-balanced with `externalTrafficPolicy: Cluster`). Never the destination pod's own
    /// node (whose traffic a pod always accepts). Matches `ipBlock` peers by its address, and,
    /// when [`Network::host_network_namespace`] is set, namespace-only peers selecting that
    /// namespace.
    Node(Option<Address>),
}

impl fmt::Display for Endpoint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Pod(pod) => write!(f, "pod {}/{}", pod.namespace, pod.name),
            Endpoint::External(address) => write!(f, "{address} (outside the cluster)"),
            Endpoint::Node(Some(address)) => write!(f, "node address {address}"),
            Endpoint::Node(None) => f.write_str("a node's address"),
        }
    }
}

/// The destination port of a connection (after Service DNAT: the pod's port).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port {
    Number(u16),
    /// Some port: the question is whether any port is open.
    Any,
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Port::Number(n) => write!(f, "port {n}"),
            Port::Any => f.write_str("any port"),
        }
    }
}

#[derive(Debug, Clone)]
enum PortRef {
    Number(u16),
    Name(String),
}

#[derive(Debug, Clone)]
struct PolicyPort {
    protocol: Protocol,
    port: Option<PortRef>,
    end_port: Option<u16>,
}

#[derive(Debug, Clone)]
enum Peer {
    IpBlock { cidr: Cidr, except: Vec<Cidr> },
    Selectors { namespaces: Option<Selector>, pods: Option<Selector> },
}

#[derive(Debug, Clone)]
struct Rule {
    /// Empty: every peer.
    peers: Vec<Peer>,
    /// Empty: every port.
    ports: Vec<PolicyPort>,
}

/// A parsed NetworkPolicy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub reference: ObjectRef,
    pub namespace: String,
    pod_selector: Selector,
    isolates_ingress: bool,
    isolates_egress: bool,
    ingress: Vec<Rule>,
    egress: Vec<Rule>,
}

fn parse_port(value: &Value) -> Result<PolicyPort, String> {
    let protocol = match value.get("protocol").filter(|v| !v.is_null()) {
        // NetworkPolicyPort.protocol: "If not specified, this field defaults to TCP."
        None => Protocol::Tcp,
        Some(p) => {
            p.as_str().and_then(Protocol::parse).ok_or_else(|| format!("protocol {p} is not TCP, UDP or SCTP"))?
        }
    };
    let port = match value.get("port").filter(|v| !v.is_null()) {
        None => None,
        Some(Value::String(name)) => Some(PortRef::Name(name.clone())),
        Some(n) => Some(PortRef::Number(
            n.as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("port {n} is out of range"))?,
        )),
    };
    let end_port = match value.get("endPort").filter(|v| !v.is_null()) {
        None => None,
        Some(e) => {
            let end =
                e.as_u64().and_then(|n| u16::try_from(n).ok()).ok_or_else(|| format!("endPort {e} is out of range"))?;
            // NetworkPolicyPort.endPort: needs a numeric port and must be >= port.
            match port {
                Some(PortRef::Number(start)) if end >= start => Some(end),
                Some(PortRef::Number(_)) => return Err("endPort is lower than port".to_string()),
                _ => return Err("endPort needs a numeric port".to_string()),
            }
        }
    };
    Ok(PolicyPort { protocol, port, end_port })
}

fn parse_peer(value: &Value) -> Result<Peer, String> {
    let get = |k: &str| value.get(k).filter(|v| !v.is_null());
    if let Some(block) = get("ipBlock") {
        // NetworkPolicyPeer.ipBlock: "If this field is set then neither of the other fields can be."
        if get("podSelector").is_some() || get("namespaceSelector").is_some() {
            return Err("a peer with ipBlock may set no selector".to_string());
        }
        let cidr = Cidr::parse(block.get("cidr").and_then(Value::as_str).ok_or("ipBlock needs a cidr")?)?;
        let mut except = Vec::new();
        for e in block.get("except").and_then(Value::as_array).into_iter().flatten() {
            let e = Cidr::parse(e.as_str().ok_or("except entries are strings")?)?;
            // IPBlock.except: "Except values will be rejected if they are outside the cidr range".
            if !cidr.covers(&e) {
                return Err(format!("except {e} is outside {cidr}"));
            }
            except.push(e);
        }
        return Ok(Peer::IpBlock { cidr, except });
    }
    let namespaces = get("namespaceSelector").map(|s| Selector::parse(Some(s))).transpose()?;
    let pods = get("podSelector").map(|s| Selector::parse(Some(s))).transpose()?;
    if namespaces.is_none() && pods.is_none() {
        return Err("a peer must set podSelector, namespaceSelector or ipBlock".to_string());
    }
    Ok(Peer::Selectors { namespaces, pods })
}

fn parse_rules(value: Option<&Value>, peers_key: &str) -> Result<Vec<Rule>, String> {
    let mut rules = Vec::new();
    for rule in value.and_then(Value::as_array).into_iter().flatten() {
        let peers = rule
            .get(peers_key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(parse_peer)
            .collect::<Result<_, _>>()?;
        let ports = rule
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(parse_port)
            .collect::<Result<_, _>>()?;
        rules.push(Rule { peers, ports });
    }
    Ok(rules)
}

impl Policy {
    /// Parses a NetworkPolicy object; an error is what the API server would refuse (the policy
    /// then does not exist on the cluster).
    pub fn parse(reference: ObjectRef, value: &Value) -> Result<Policy, String> {
        let namespace = reference.namespace.clone().unwrap_or_else(|| "default".to_string());
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let pod_selector = Selector::parse_or_everything(spec.get("podSelector"))?;
        let ingress = parse_rules(spec.get("ingress"), "from")?;
        let egress = parse_rules(spec.get("egress"), "to")?;
        let types: Vec<&str> =
            spec.get("policyTypes").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        let (isolates_ingress, isolates_egress) = if types.is_empty() {
            // NetworkPolicySpec.policyTypes: unset => Ingress always, Egress if the policy has an
            // egress section (an empty list is no section: the field is omitempty).
            (true, !egress.is_empty())
        } else {
            if let Some(bad) = types.iter().find(|t| !matches!(**t, "Ingress" | "Egress")) {
                return Err(format!("policyTypes {bad:?} is not Ingress or Egress"));
            }
            (types.contains(&"Ingress"), types.contains(&"Egress"))
        };
        Ok(Policy { reference, namespace, pod_selector, isolates_ingress, isolates_egress, ingress, egress })
    }

    fn rules(&self, direction: Direction) -> &[Rule] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    fn selects(&self, pod: &Pod) -> bool {
        pod.namespace == self.namespace && self.pod_selector.matches(&pod.labels)
    }
}

/// The NetworkPolicies of the cluster, by namespace.
#[derive(Debug, Clone, Default)]
pub struct Policies {
    all: Vec<Policy>,
    by_namespace: BTreeMap<String, Vec<usize>>,
}

/// What a policy evaluation needs beside the policies.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub namespaces: &'a Namespaces,
    pub network: &'a Network,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

impl Policies {
    pub fn new() -> Policies {
        Policies::default()
    }

    pub fn add(&mut self, policy: Policy) {
        self.by_namespace.entry(policy.namespace.clone()).or_default().push(self.all.len());
        self.all.push(policy);
    }

    pub fn len(&self) -> usize {
        self.all.len()
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    fn selecting<'p>(&'p self, pod: &'p Pod, direction: Direction) -> impl Iterator<Item = &'p Policy> + 'p {
        self.by_namespace.get(&pod.namespace).into_iter().flatten().filter_map(|i| self.all.get(*i)).filter(move |p| {
            p.selects(pod)
                && match direction {
                    Direction::Ingress => p.isolates_ingress,
                    Direction::Egress => p.isolates_egress,
                }
        })
    }

    /// Whether `pod` accepts a connection from `source` on `port`/`protocol`.
    pub fn ingress(&self, env: Env<'_>, pod: &Pod, source: &Endpoint<'_>, port: Port, protocol: Protocol) -> Step {
        self.decide(env, Direction::Ingress, pod, source, port, protocol)
    }

    /// Whether `pod` may open a connection to `destination` on `port`/`protocol`.
    pub fn egress(&self, env: Env<'_>, pod: &Pod, destination: &Endpoint<'_>, port: Port, protocol: Protocol) -> Step {
        self.decide(env, Direction::Egress, pod, destination, port, protocol)
    }

    /// A connection needs the source's egress and the destination's ingress (network-policies.md
    /// "The two sorts of pod isolation"): one step per pod end.
    pub fn connection(
        &self,
        env: Env<'_>,
        source: &Endpoint<'_>,
        destination: &Endpoint<'_>,
        port: Port,
        protocol: Protocol,
    ) -> Vec<Step> {
        let mut steps = Vec::new();
        if let Endpoint::Pod(pod) = source {
            steps.push(self.egress(env, pod, destination, port, protocol));
        }
        if let Endpoint::Pod(pod) = destination {
            steps.push(self.ingress(env, pod, source, port, protocol));
        }
        steps
    }

    fn decide(
        &self,
        env: Env<'_>,
        direction: Direction,
        pod: &Pod,
        peer: &Endpoint<'_>,
        port: Port,
        protocol: Protocol,
    ) -> Step {
        let (word, preposition) = match direction {
            Direction::Ingress => ("ingress", "from"),
            Direction::Egress => ("egress", "to"),
        };
        let selecting: Vec<&Policy> = self.selecting(pod, direction).collect();
        if selecting.is_empty() {
            return Step::new(
                Layer::NetworkPolicy,
                Outcome::Allowed,
                Vec::new(),
                format!("no NetworkPolicy isolates pod {}/{} for {word}", pod.namespace, pod.name),
            );
        }
        // The pod whose named ports a rule's ports refer to: the destination.
        let destination_pod = match (direction, peer) {
            (Direction::Ingress, _) => Some(pod),
            (Direction::Egress, Endpoint::Pod(p)) => Some(*p),
            (Direction::Egress, _) => None,
        };
        let admitting: Vec<ObjectRef> = selecting
            .iter()
            .filter(|p| {
                p.rules(direction).iter().any(|r| {
                    (r.peers.is_empty() || r.peers.iter().any(|peer_rule| peer_matches(env, p, peer_rule, peer)))
                        && (r.ports.is_empty()
                            || r.ports.iter().any(|q| port_matches(q, destination_pod, port, protocol)))
                })
            })
            .map(|p| p.reference.clone())
            .collect();
        if admitting.is_empty() {
            let names: Vec<String> = selecting.iter().map(|p| p.reference.name.clone()).collect();
            Step::new(
                Layer::NetworkPolicy,
                Outcome::Blocked,
                selecting.iter().map(|p| p.reference.clone()).collect(),
                format!(
                    "pod {}/{} is isolated for {word} by {}, and no rule admits {peer} {protocol} {port}",
                    pod.namespace,
                    pod.name,
                    names.join(", "),
                ),
            )
        } else {
            let names: Vec<String> = admitting.iter().map(|r| r.name.clone()).collect();
            Step::new(
                Layer::NetworkPolicy,
                Outcome::Allowed,
                admitting,
                format!(
                    "{word} of pod {}/{} {preposition} {peer} {protocol} {port} is admitted by {}",
                    pod.namespace,
                    pod.name,
                    names.join(", ")
                ),
            )
        }
    }
}

/// An `ipBlock` peer and an address: inside `cidr` and outside every `except` (an unknown
/// address is outside an `except` block unless the block covers its whole family).
fn block_matches(cidr: &Cidr, except: &[Cidr], address: &Address) -> bool {
    cidr.contains(address) && !except.iter().any(|e| e.contains(address))
}

fn peer_matches(env: Env<'_>, policy: &Policy, peer: &Peer, endpoint: &Endpoint<'_>) -> bool {
    match (peer, endpoint) {
        (Peer::IpBlock { cidr, except }, Endpoint::External(address))
        | (Peer::IpBlock { cidr, except }, Endpoint::Node(Some(address))) => block_matches(cidr, except, address),
        (Peer::IpBlock { cidr, except }, Endpoint::Pod(_)) | (Peer::IpBlock { cidr, except }, Endpoint::Node(None)) => {
            let family = if cidr.is_v4() { Address::AnyV4 } else { Address::AnyV6 };
            block_matches(cidr, except, &family)
        }
        (Peer::Selectors { namespaces, pods }, Endpoint::Pod(pod)) => {
            let namespace_ok = match namespaces {
                // NetworkPolicyPeer.podSelector alone: pods of the policy's own namespace.
                None => pod.namespace == policy.namespace,
                Some(selector) => selector.matches(&env.namespaces.labels(&pod.namespace)),
            };
            namespace_ok && pods.as_ref().is_none_or(|s| s.matches(&pod.labels))
        }
        // Namespace-only peers are enforced with namespace address sets on OVN-Kubernetes, which
        // hold the nodes' addresses for the host-network namespace; peers with a podSelector are
        // pod based (base_network_controller_policy.go `useNamespaceAddrSet` @6c366bb4).
        (Peer::Selectors { namespaces: Some(selector), pods: None }, Endpoint::Node(_)) => {
            env.network.host_network_namespace.as_deref().is_some_and(|ns| selector.matches(&env.namespaces.labels(ns)))
        }
        (Peer::Selectors { .. }, _) => false,
    }
}

fn port_matches(rule: &PolicyPort, destination: Option<&Pod>, port: Port, protocol: Protocol) -> bool {
    if rule.protocol != protocol {
        return false;
    }
    match (&rule.port, port) {
        // NetworkPolicyPort.port: "If this field is not provided, this matches all port names
        // and numbers."
        (None, _) => true,
        (Some(PortRef::Number(_)), Port::Any) => true,
        (Some(PortRef::Number(start)), Port::Number(n)) => match rule.end_port {
            Some(end) => *start <= n && n <= end,
            None => *start == n,
        },
        // A named port is looked up among the destination pod's container ports.
        (Some(PortRef::Name(name)), port) => destination.is_some_and(|pod| {
            pod.ports.iter().any(|c| {
                c.name.as_deref() == Some(name.as_str())
                    && c.protocol == protocol
                    && match port {
                        Port::Any => true,
                        Port::Number(n) => c.number == n,
                    }
            })
        }),
    }
}

#[cfg(test)]
mod tests;
