//! Flow evaluation: which traffic the final objects let through, decided layer by layer the way
//! the cluster would (SPEC §5.1).
//!
//! The objects are read in the generic value form (`serde_json::Value` Kubernetes objects, as
//! patches and analyses see them), parsed once and indexed by kind, namespace, selector and host
//! ([`index::Index`]). A [`Model`] joins the index with the platform facts of a [`Context`]
//! (Istio version, network plugin, outbound policy, namespaces, pods, the OpenShift Service Mesh
//! control plane) and evaluates single flows:
//!
//! - [`Model::evaluate_ingress`]: the internet → a host and port → a backend service;
//! - [`Model::evaluate_egress`]: a namespace's workloads → an external host and port;
//! - [`Model::evaluate_direct`]: the internet → a namespace's pods, bypassing the gateways.
//!
//! Each layer has its own evaluator, usable alone and tested against the examples of its
//! specification: [`netpol`] (Kubernetes NetworkPolicy), [`ossm`] (the NetworkPolicies OpenShift
//! Service Mesh 2 creates itself), [`egress_firewall`] (OVN EgressFirewall, OpenShift SDN
//! EgressNetworkPolicy), [`exposure`] (Route, LoadBalancer Service), [`istio`] (Gateway,
//! VirtualService, ServiceEntry, DestinationRule, `exportTo`) and [`authz`]
//! (AuthorizationPolicy, RequestAuthentication, the CUSTOM provider). Every verdict names the
//! objects that decided it. `docs/flows.md` describes each layer with its sources.

pub mod authz;
pub mod context;
pub mod egress_firewall;
mod error;
pub mod exposure;
pub mod index;
pub mod istio;
pub mod mesh;
mod model;
pub mod net;
pub mod netpol;
pub mod ossm;
pub mod output;
pub mod pod;
pub mod read;
mod registry;
pub mod requests;
pub mod selector;
mod setting;
pub mod stage;
mod violations;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

pub use context::{
    ContainerPort, Context, IstioVersion, MeshFlavor, Network, NetworkPlugin, OutboundPolicy, Pod, Protocol, Router,
};
pub use model::{BypassProbe, Credential, DirectProbe, EgressProbe, IngressProbe, Model, TenantProbe};
pub use stage::{Evaluated, Report, Violation};

/// Answers computed once per key while flows are evaluated (shared by the evaluating threads).
pub(crate) type Cache<K, V> = std::sync::Mutex<std::collections::BTreeMap<K, std::sync::Arc<V>>>;

/// The identity of an object that takes part in a decision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    /// Who creates the object on the cluster.
    #[serde(skip_serializing_if = "Origin::is_output")]
    pub origin: Origin,
}

impl ObjectRef {
    /// The reference of an object in the generic value form; `None` for a value without a kind
    /// or a name.
    pub fn of(value: &Value, origin: Origin) -> Option<ObjectRef> {
        let kind = value.get("kind")?.as_str()?;
        let name = value.get("metadata")?.get("name")?.as_str()?;
        Some(ObjectRef {
            api_version: value.get("apiVersion").and_then(Value::as_str).unwrap_or_default().to_string(),
            kind: kind.to_string(),
            namespace: value
                .get("metadata")
                .and_then(|m| m.get("namespace"))
                .and_then(Value::as_str)
                .map(str::to_string),
            name: name.to_string(),
            origin,
        })
    }

    /// The API group (`""` for the core group).
    pub fn group(&self) -> &str {
        match self.api_version.rsplit_once('/') {
            Some((group, _)) => group,
            None => "",
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let marker = match self.origin {
            Origin::Output => "",
            Origin::Platform => " (created by the platform)",
        };
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}{marker}", self.kind, ns, self.name),
            None => write!(f, "{}/{}{marker}", self.kind, self.name),
        }
    }
}

/// Where an object comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// In the build's output (generated, plain or patched).
    #[default]
    Output,
    /// Created on the cluster by the platform itself (e.g. the NetworkPolicies of the OpenShift
    /// Service Mesh operator), modelled from its sources.
    Platform,
}

impl Origin {
    fn is_output(&self) -> bool {
        *self == Origin::Output
    }
}

/// The outcome of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// Nothing lets the traffic through.
    Blocked,
    /// The client is sent elsewhere first (a login flow, an HTTP → HTTPS redirect).
    Redirected,
    /// The traffic reaches its destination.
    Allowed,
}

impl Outcome {
    /// How far a client gets: `Blocked` < `Redirected` < `Allowed`.
    fn openness(self) -> u8 {
        match self {
            Outcome::Blocked => 0,
            Outcome::Redirected => 1,
            Outcome::Allowed => 2,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Allowed => "allowed",
            Outcome::Blocked => "blocked",
            Outcome::Redirected => "redirected",
        })
    }
}

/// The layer a step of a flow belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Layer {
    /// Route / LoadBalancer Service in front of a gateway.
    Exposure,
    /// Kubernetes NetworkPolicy (including those the platform creates).
    NetworkPolicy,
    /// OVN EgressFirewall / OpenShift SDN EgressNetworkPolicy.
    EgressFirewall,
    /// Istio routing: Gateway, VirtualService, ServiceEntry, DestinationRule, `exportTo`,
    /// `outboundTrafficPolicy`.
    Routing,
    /// RequestAuthentication (JWT verification).
    Authentication,
    /// AuthorizationPolicy (CUSTOM, DENY, ALLOW).
    Authorization,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Exposure => "exposure",
            Layer::NetworkPolicy => "network policy",
            Layer::EgressFirewall => "egress firewall",
            Layer::Routing => "routing",
            Layer::Authentication => "authentication",
            Layer::Authorization => "authorization",
        })
    }
}

/// One layer's decision on one hop of a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub layer: Layer,
    pub verdict: Outcome,
    pub decided_by: Vec<ObjectRef>,
    pub reason: String,
}

impl Step {
    pub fn new(layer: Layer, verdict: Outcome, decided_by: Vec<ObjectRef>, reason: impl Into<String>) -> Step {
        Step { layer, verdict, decided_by, reason: reason.into() }
    }
}

/// The verdict on a flow: the outcome, the objects that decided it and why, and every layer's
/// step in path order.
///
/// The outcome is that of the first step (in path order) that is not `Allowed`. `decided_by`
/// lists, for a blocked flow, the objects of every blocking step; for a redirected flow those of
/// the redirecting step; for an allowed flow those of every step (the objects that open the
/// path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub verdict: Outcome,
    pub decided_by: Vec<ObjectRef>,
    pub reason: String,
    /// The backend the flow reaches or would reach (`service/<ns>/<name>:<port>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    pub steps: Vec<Step>,
}

impl Verdict {
    /// The outcome of a path: that of its first step that is not `Allowed`.
    pub fn outcome_of(steps: &[Step]) -> Outcome {
        steps.iter().map(|s| s.verdict).find(|v| *v != Outcome::Allowed).unwrap_or(Outcome::Allowed)
    }

    /// Joins the steps of a path.
    pub fn from_steps(steps: Vec<Step>) -> Verdict {
        let first = steps.iter().find(|s| s.verdict != Outcome::Allowed);
        let (verdict, reason) = match first {
            Some(step) => (step.verdict, format!("{}: {}", step.layer, step.reason)),
            None => (Outcome::Allowed, "every layer lets it through".to_string()),
        };
        let mut taken: Vec<&ObjectRef> = Vec::new();
        let mut also = Vec::new();
        for step in &steps {
            let take = match verdict {
                Outcome::Allowed => true,
                Outcome::Blocked => step.verdict == Outcome::Blocked,
                Outcome::Redirected => first.is_some_and(|f| std::ptr::eq(f, step)),
            };
            if take {
                taken.extend(&step.decided_by);
                if verdict == Outcome::Blocked && !first.is_some_and(|f| std::ptr::eq(f, step)) {
                    also.push(format!("{}: {}", step.layer, step.reason));
                }
            }
        }
        // Each object once, in the order first named. Steps name a handful of objects each, so
        // a set pays off for long lists only (a step can name every policy of a shared gateway);
        // the set answers membership only, its order is never read.
        let mut decided_by: Vec<ObjectRef> = Vec::new();
        if taken.len() <= 32 {
            for (i, object) in taken.iter().enumerate() {
                if !taken[..i].contains(object) {
                    decided_by.push((*object).clone());
                }
            }
        } else {
            let mut seen = std::collections::HashSet::with_capacity(taken.len());
            decided_by.extend(taken.into_iter().filter(|o| seen.insert(*o)).cloned());
        }
        let reason = if also.is_empty() { reason } else { format!("{reason}; also {}", also.join("; ")) };
        Verdict { verdict, decided_by, reason, backend: None, steps }
    }

    /// The step of a layer, if the path has one.
    pub fn step(&self, layer: Layer) -> Option<&Step> {
        self.steps.iter().find(|s| s.layer == layer)
    }

    /// The verdict of the steps of one layer only (the first that is not allowed, else allowed);
    /// `None` when the path has no step of that layer.
    pub fn layer(&self, layer: Layer) -> Option<Outcome> {
        let mut steps = self.steps.iter().filter(|s| s.layer == layer).peekable();
        steps.peek()?;
        Some(steps.map(|s| s.verdict).find(|v| *v != Outcome::Allowed).unwrap_or(Outcome::Allowed))
    }
}

/// Of several variants of one flow, the one a client gets furthest with (ties: the first).
pub(crate) fn most_open<T>(variants: Vec<T>, outcome: impl Fn(&T) -> Outcome) -> Option<T> {
    let mut best: Option<(T, u8)> = None;
    for v in variants {
        let openness = outcome(&v).openness();
        if best.as_ref().is_none_or(|(_, b)| openness > *b) {
            best = Some((v, openness));
        }
    }
    best.map(|(v, _)| v)
}

/// Of several variants of one flow, the one a client gets least far with (ties: the first).
pub(crate) fn least_open<T>(variants: Vec<T>, outcome: impl Fn(&T) -> Outcome) -> Option<T> {
    let mut worst: Option<(T, u8)> = None;
    for v in variants {
        let openness = outcome(&v).openness();
        if worst.as_ref().is_none_or(|(_, w)| openness < *w) {
            worst = Some((v, openness));
        }
    }
    worst.map(|(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(name: &str) -> ObjectRef {
        ObjectRef {
            api_version: "v1".into(),
            kind: "Kind".into(),
            namespace: Some("ns".into()),
            name: name.into(),
            origin: Origin::Output,
        }
    }

    fn names(v: &Verdict) -> Vec<&str> {
        v.decided_by.iter().map(|o| o.name.as_str()).collect()
    }

    #[test]
    fn a_verdict_names_each_deciding_object_once_in_the_order_first_named() {
        // A short list and one long enough to be deduplicated through a set.
        for n in [3, 40] {
            let many: Vec<ObjectRef> = (0..n).map(|i| object(&format!("p{i}"))).collect();
            let steps = || {
                vec![
                    Step::new(Layer::Exposure, Outcome::Allowed, vec![object("route"), object("p1")], "in"),
                    Step::new(Layer::Authorization, Outcome::Blocked, many.clone(), "denied"),
                    Step::new(Layer::NetworkPolicy, Outcome::Blocked, vec![object("p0"), object("np")], "isolated"),
                ]
            };
            let blocked = Verdict::from_steps(steps());
            let mut expected: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
            expected.push("np".into());
            assert_eq!(names(&blocked), expected, "blocking steps only");
            assert_eq!(blocked.reason, "authorization: denied; also network policy: isolated");
            let allowed: Vec<Step> =
                steps().into_iter().map(|s| Step::new(s.layer, Outcome::Allowed, s.decided_by, s.reason)).collect();
            let allowed = Verdict::from_steps(allowed);
            let mut expected: Vec<String> = vec!["route".into(), "p1".into(), "p0".into()];
            expected.extend((2..n).map(|i| format!("p{i}")));
            expected.push("np".into());
            assert_eq!(names(&allowed), expected, "every step");
        }
    }

    #[test]
    fn variants_pick_the_least_or_most_open_and_the_first_of_equals() {
        let variants = vec![
            (Outcome::Allowed, "a1"),
            (Outcome::Redirected, "r1"),
            (Outcome::Blocked, "b1"),
            (Outcome::Blocked, "b2"),
            (Outcome::Allowed, "a2"),
        ];
        assert_eq!(least_open(variants.clone(), |v| v.0).map(|v| v.1), Some("b1"));
        assert_eq!(most_open(variants.clone(), |v| v.0).map(|v| v.1), Some("a1"));
        assert_eq!(least_open(variants[..2].to_vec(), |v| v.0).map(|v| v.1), Some("r1"));
        assert_eq!(most_open(Vec::<(Outcome, &str)>::new(), |v| v.0), None);
    }
}
