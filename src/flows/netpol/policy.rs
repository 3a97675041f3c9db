//! One NetworkPolicy: the object → a parsed [`Policy`] (pod selector, isolated directions, rules)
//! or what the API server refuses; and whether a rule's peer and port match a connection.
//!
//! Sources: kubernetes/api `networking/v1/types.go` @v0.29.0 (field comments of
//! `NetworkPolicySpec`, `NetworkPolicyIngressRule`, `NetworkPolicyEgressRule`,
//! `NetworkPolicyPort`, `IPBlock`, `NetworkPolicyPeer`: `policyTypes` defaults, peers, ports with
//! `protocol` TCP by default, named ports, `endPort`) and kubernetes/website
//! `content/en/docs/concepts/services-networking/network-policies.md` ("Behavior of to and from
//! selectors", "Targeting a range of ports"); namespace-only peers and node addresses on
//! OVN-Kubernetes (ovn-org/ovn-kubernetes `base_network_controller_policy.go`
//! `useNamespaceAddrSet` @6c366bb4).

use std::cell::RefCell;
use std::sync::Arc;

use serde_json::Value;

use super::ObjectRef;
use super::endpoint::{Endpoint, Env, Port};
use crate::flows::context::{Pod, Protocol};
use crate::flows::net::{Address, Cidr};
use crate::flows::selector::Selector;

#[derive(Debug, Clone)]
enum PortRef {
    Number(u16),
    Name(String),
}

#[derive(Debug, Clone)]
pub(super) struct PolicyPort {
    protocol: Protocol,
    port: Option<PortRef>,
    end_port: Option<u16>,
}

#[derive(Debug, Clone)]
pub(super) enum Peer {
    IpBlock { cidr: Cidr, except: Vec<Cidr> },
    Selectors { namespaces: Option<Selector>, pods: Option<Selector> },
}

#[derive(Debug, Clone)]
pub(super) struct Rule {
    /// Empty: every peer.
    pub(super) peers: Vec<Peer>,
    /// Empty: every port.
    pub(super) ports: Vec<PolicyPort>,
}

/// A parsed NetworkPolicy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub reference: ObjectRef,
    pub namespace: String,
    pod_selector: Selector,
    pub(super) isolates_ingress: bool,
    pub(super) isolates_egress: bool,
    /// Shared between the policies whose rules are written the same ([`shared_rules`]).
    ingress: Arc<[Rule]>,
    egress: Arc<[Rule]>,
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

/// How many rule lists each thread remembers ([`shared_rules`]).
const REMEMBERED_RULES: usize = 8;

/// A remembered rule list: its direction key, the list as written, and the list parsed.
type Remembered = (&'static str, Value, Arc<[Rule]>);

thread_local! {
    /// The rule lists this thread parsed last, as written (`ingress` or `egress` with its peers
    /// key) and parsed. Pure: a hit gives what parsing would.
    static RULES: RefCell<Vec<Remembered>> = const { RefCell::new(Vec::new()) };
}

/// The parsed rules of a policy's `ingress` or `egress` list, shared with the policies whose list
/// is written the same. A build writes the same policies into every tenant namespace (and
/// OpenShift Service Mesh copies its own into every member), each with a selector listing many
/// namespaces: parsed once per thread instead of once per namespace, they take the memory and
/// the time of one copy. Empty lists are not remembered.
fn shared_rules(value: Option<&Value>, peers_key: &'static str) -> Result<Arc<[Rule]>, String> {
    let Some(list) = value.filter(|v| v.as_array().is_some_and(|rules| !rules.is_empty())) else {
        return parse_rules(value, peers_key).map(Arc::from);
    };
    // Most recently used last.
    let hit = RULES.with_borrow_mut(|remembered| {
        let at = remembered.iter().position(|(key, written, _)| *key == peers_key && written == list)?;
        let entry = remembered.remove(at);
        let rules = Arc::clone(&entry.2);
        remembered.push(entry);
        Some(rules)
    });
    if let Some(rules) = hit {
        return Ok(rules);
    }
    let rules: Arc<[Rule]> = parse_rules(Some(list), peers_key)?.into();
    RULES.with_borrow_mut(|remembered| {
        if remembered.len() == REMEMBERED_RULES {
            remembered.remove(0);
        }
        remembered.push((peers_key, list.clone(), Arc::clone(&rules)));
    });
    Ok(rules)
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
    /// An address of each `ipBlock` peer of the ingress rules ([`Cidr::representative`]).
    pub(super) fn ingress_block_addresses(&self) -> impl Iterator<Item = std::net::IpAddr> + '_ {
        self.ingress.iter().flat_map(|r| &r.peers).filter_map(|peer| match peer {
            Peer::IpBlock { cidr, except } => cidr.representative(except),
            Peer::Selectors { .. } => None,
        })
    }

    /// Parses a NetworkPolicy object; an error is what the API server would refuse (the policy
    /// then does not exist on the cluster).
    pub fn parse(reference: ObjectRef, value: &Value) -> Result<Policy, String> {
        let namespace = reference.namespace.clone().unwrap_or_else(|| "default".to_string());
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let pod_selector = Selector::parse_or_everything(spec.get("podSelector"))?;
        let ingress = shared_rules(spec.get("ingress"), "from")?;
        let egress = shared_rules(spec.get("egress"), "to")?;
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

    /// The same policy in another namespace (a copy made by the platform), sharing its rules.
    pub fn in_namespace(&self, namespace: &str) -> Policy {
        let mut reference = self.reference.clone();
        reference.namespace = Some(namespace.to_string());
        Policy { reference, namespace: namespace.to_string(), ..self.clone() }
    }

    pub(super) fn rules(&self, direction: Direction) -> &[Rule] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    pub(super) fn selects(&self, pod: &Pod) -> bool {
        pod.namespace == self.namespace && self.pod_selector.matches(&pod.labels)
    }

    /// The fewest labels a pod of the namespace needs for this policy to select it
    /// ([`Selector::witness`]).
    pub fn pod_selector_witness(&self) -> Option<crate::flows::selector::Labels> {
        self.pod_selector.witness()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    Ingress,
    Egress,
}

/// An `ipBlock` peer and an address: inside `cidr` and outside every `except` (an unknown
/// address is outside an `except` block unless the block covers its whole family).
fn block_matches(cidr: &Cidr, except: &[Cidr], address: &Address) -> bool {
    cidr.contains(address) && !except.iter().any(|e| e.contains(address))
}

pub(super) fn peer_matches(env: Env<'_>, policy: &Policy, peer: &Peer, endpoint: &Endpoint<'_>) -> bool {
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

pub(super) fn port_matches(rule: &PolicyPort, destination: Option<&Pod>, port: Port, protocol: Protocol) -> bool {
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
