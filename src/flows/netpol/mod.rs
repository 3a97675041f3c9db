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
//! `ipBlock`), the [`Network`](super::Network) model decides; see [`Endpoint`].

mod endpoint;
mod namespaces;
mod policies;
mod policy;

pub use endpoint::{Endpoint, Env, Port};
pub use namespaces::{METADATA_NAME, Namespaces};
pub use policies::Policies;
pub use policy::Policy;

// The flow model's items the layer's modules share (`use super::{…}` in each).
use super::{Layer, ObjectRef, Outcome, Step};

#[cfg(test)]
mod tests;
