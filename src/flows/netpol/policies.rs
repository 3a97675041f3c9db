//! The NetworkPolicies of the cluster, by namespace ([`Policies`]), and a connection → the
//! step of the network-policy layer: isolation per direction, the union of the selecting
//! policies' rules, the source's egress and the destination's ingress (kubernetes/website
//! `content/en/docs/concepts/services-networking/network-policies.md` "The two sorts of pod
//! isolation").

use std::collections::BTreeMap;

use super::endpoint::{Endpoint, Env, Port};
use super::policy::{Direction, Policy, peer_matches, port_matches};
use super::{Layer, ObjectRef, Outcome, Step};
use crate::flows::context::{Pod, Protocol};

/// The NetworkPolicies of the cluster, by namespace.
#[derive(Debug, Clone, Default)]
pub struct Policies {
    all: Vec<Policy>,
    by_namespace: BTreeMap<String, Vec<usize>>,
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

    /// An address of each `ipBlock` peer of the ingress rules of `namespace`'s policies (inside
    /// its `cidr`, outside every `except`), deduplicated: the external clients those policies
    /// tell apart. Bounded by the number of `ipBlock` peers.
    pub fn ingress_block_addresses(&self, namespace: &str) -> Vec<std::net::IpAddr> {
        let mut out = Vec::new();
        for policy in self.by_namespace.get(namespace).into_iter().flatten().filter_map(|i| self.all.get(*i)) {
            for ip in policy.ingress_block_addresses() {
                if !out.contains(&ip) {
                    out.push(ip);
                }
            }
        }
        out
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
