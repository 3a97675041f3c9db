//! The ends of a connection a NetworkPolicy is asked about: a pod, an address outside the
//! cluster or a node ([`Endpoint`]), the destination port ([`Port`]), and what an evaluation
//! needs beside the policies ([`Env`]: the namespaces' labels and the [`Network`] model, which
//! decides where Kubernetes leaves the behaviour to the plugin: kubernetes/website
//! `content/en/docs/concepts/services-networking/network-policies.md` "Behavior of to and from
//! selectors").

use std::fmt;

use super::namespaces::Namespaces;
use crate::flows::context::{Network, Pod};
use crate::flows::net::Address;

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

/// What a policy evaluation needs beside the policies.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub namespaces: &'a Namespaces,
    pub network: &'a Network,
}
