//! Authorization on one workload: the AuthorizationPolicies and RequestAuthentications of the
//! cluster, indexed by namespace and host ([`Policies`]), and a request on a workload →
//! [`Outcomes`] (one step per phase, in the proxy's filter order: CUSTOM → authentication →
//! DENY → ALLOW, and the request as it goes on).
//!
//! Sources (istio/istio and istio/api @1.24.3): filter order
//! `pilot/pkg/networking/core/listener_builder.go:383-387` (1.18.7:
//! `core/v1alpha3/listener_builder.go:375-379`); evaluation and scope
//! `security/v1beta1/authorization_policy.proto` (header, `selector`: the root namespace applies
//! in every namespace); TCP (`pilot/pkg/security/authz/builder/builder.go` "ignored CUSTOM action
//! with HTTP provider on TCP").

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::Arc;

use super::authentication::{JwtConfig, RequestAuthentication};
use super::policy::{Action, AuthorizationPolicy, HostKey};
use super::provider::{Decision, Provider};
use super::request::Request;
use super::rules::Facts;
use super::{Cache, Layer, ObjectRef, Outcome, Step};
use crate::flows::pod::Pod;
use crate::flows::selector::{Labels, WorkloadSelector};

/// The AuthorizationPolicies and RequestAuthentications of the cluster, indexed by namespace
/// and host.
#[derive(Debug, Default)]
pub struct Policies {
    policies: Vec<AuthorizationPolicy>,
    authentications: Vec<RequestAuthentication>,
    by_namespace: BTreeMap<String, NamespaceIndex>,
    jwt_cache: Cache<(String, Labels), JwtConfig>,
    /// The ALLOW policies applying to a workload, by its namespace and labels.
    allow_cache: Cache<(String, Labels), Vec<ObjectRef>>,
    /// Decisions on TCP connections: their steps and whether the connection goes on.
    tcp_cache: Cache<TcpKey, (Vec<Step>, bool)>,
}

/// What a decision on a TCP connection depends on: the workload (namespace, name for messages,
/// labels), the port and the peer (principal, namespace, address), the original client and the
/// connection's TLS server name.
type TcpKey =
    (String, String, Labels, u16, Option<String>, Option<String>, Option<IpAddr>, Option<IpAddr>, Option<String>);

#[derive(Debug, Default)]
struct NamespaceIndex {
    by_host: BTreeMap<String, Vec<usize>>,
    /// Policies for `*<suffix>` hosts, by suffix.
    by_suffix: BTreeMap<String, Vec<usize>>,
    any_host: Vec<usize>,
    /// ALLOW policies by selector: whether any ALLOW applies is a question of selectors only.
    allow_selectors: BTreeMap<WorkloadSelector, Vec<usize>>,
    authentications: Vec<usize>,
}

/// The result of authentication and authorization on one workload.
#[derive(Debug, Clone)]
pub struct Outcomes {
    /// One step per phase that has policies: CUSTOM, authentication, DENY, ALLOW.
    pub steps: Vec<Step>,
    /// The request as the workload passes it on, when every step allows it.
    pub upstream: Option<Request>,
}

impl Policies {
    pub fn new() -> Policies {
        Policies::default()
    }

    pub fn add_policy(&mut self, policy: AuthorizationPolicy) {
        let index = self.policies.len();
        let ns = self.by_namespace.entry(policy.namespace.clone()).or_default();
        match policy.host_keys() {
            None => ns.any_host.push(index),
            Some(keys) => {
                for key in keys {
                    match key {
                        HostKey::Exact(host) => ns.by_host.entry(host).or_default().push(index),
                        HostKey::Suffix(suffix) => ns.by_suffix.entry(suffix).or_default().push(index),
                    }
                }
            }
        }
        if policy.action == Action::Allow {
            ns.allow_selectors.entry(policy.selector.clone()).or_default().push(index);
        }
        self.policies.push(policy);
        if let Ok(mut cache) = self.allow_cache.lock() {
            cache.clear();
        }
        if let Ok(mut cache) = self.tcp_cache.lock() {
            cache.clear();
        }
    }

    pub fn add_authentication(&mut self, authentication: RequestAuthentication) {
        let index = self.authentications.len();
        self.by_namespace.entry(authentication.namespace.clone()).or_default().authentications.push(index);
        self.authentications.push(authentication);
        if let Ok(mut cache) = self.jwt_cache.lock() {
            cache.clear();
        }
    }

    /// The namespaces whose policies apply to a workload of `namespace`.
    fn scopes<'a>(
        &'a self,
        namespace: &'a str,
        root: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a NamespaceIndex)> + 'a {
        let mut names = vec![namespace];
        if root != namespace {
            names.push(root);
        }
        names.into_iter().filter_map(move |n| self.by_namespace.get(n).map(|i| (n, i)))
    }

    fn applies(&self, selector: &WorkloadSelector, policy_namespace: &str, pod: &Pod, root: &str) -> bool {
        (policy_namespace == pod.namespace || policy_namespace == root) && selector.matches(&pod.labels)
    }

    /// The policies that may match a request for `host`, applying to `pod`, sorted.
    pub(super) fn candidates(&self, pod: &Pod, root: &str, host: &str, tcp: bool) -> Vec<&AuthorizationPolicy> {
        if tcp {
            // Hosts are HTTP attributes: every policy of the scope may apply.
            let mut out: Vec<&AuthorizationPolicy> = self
                .scopes(&pod.namespace, root)
                .flat_map(|(_, ns)| {
                    ns.any_host.iter().chain(ns.by_host.values().flatten()).chain(ns.by_suffix.values().flatten())
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .filter_map(|i| self.policies.get(*i))
                .filter(|p| self.applies(&p.selector, &p.namespace, pod, root))
                .collect();
            out.sort_by(|a, b| a.reference.cmp(&b.reference));
            return out;
        }
        let host = host.to_ascii_lowercase();
        let bare = host.split_once(':').map_or(host.as_str(), |(h, _)| h);
        let mut picked = BTreeSet::new();
        for (_, ns) in self.scopes(&pod.namespace, root) {
            picked.extend(ns.any_host.iter().copied());
            picked.extend(ns.by_host.get(bare).into_iter().flatten().copied());
            if !ns.by_suffix.is_empty() {
                // Every tail of the host, with and without the port, is a suffix it ends with.
                for name in [host.as_str(), bare] {
                    for (at, _) in name.char_indices() {
                        picked.extend(name.get(at..).and_then(|tail| ns.by_suffix.get(tail)).into_iter().flatten());
                    }
                }
            }
        }
        let mut out: Vec<&AuthorizationPolicy> = picked
            .into_iter()
            .filter_map(|i| self.policies.get(i))
            .filter(|p| self.applies(&p.selector, &p.namespace, pod, root))
            .collect();
        out.sort_by(|a, b| a.reference.cmp(&b.reference));
        out
    }

    /// The ALLOW policies applying to a workload (computed once per namespace and label set).
    fn allow_policies(&self, pod: &Pod, root: &str) -> Arc<Vec<ObjectRef>> {
        let key = (pod.namespace.clone(), pod.labels.clone());
        if let Some(hit) = self.allow_cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let mut out = Vec::new();
        for (ns_name, ns) in self.scopes(&pod.namespace, root) {
            for (selector, indexes) in &ns.allow_selectors {
                if self.applies(selector, ns_name, pod, root) {
                    out.extend(indexes.iter().filter_map(|i| self.policies.get(*i)).map(|p| p.reference.clone()));
                }
            }
        }
        out.sort();
        let out = Arc::new(out);
        if let Ok(mut cache) = self.allow_cache.lock() {
            cache.insert(key, out.clone());
        }
        out
    }

    fn jwt_config(&self, pod: &Pod, root: &str) -> Arc<JwtConfig> {
        let key = (pod.namespace.clone(), pod.labels.clone());
        if let Some(hit) = self.jwt_cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let mut policies = Vec::new();
        let mut rules = Vec::new();
        let mut applying: Vec<&RequestAuthentication> = Vec::new();
        for (_, ns) in self.scopes(&pod.namespace, root) {
            applying.extend(
                ns.authentications
                    .iter()
                    .filter_map(|i| self.authentications.get(*i))
                    .filter(|a| self.applies(&a.selector, &a.namespace, pod, root)),
            );
        }
        applying.sort_by(|a, b| a.reference.cmp(&b.reference));
        for a in applying {
            let owner = policies.len();
            policies.push(a.reference.clone());
            rules.extend(a.rules.iter().cloned().map(|r| (owner, r)));
        }
        let config = Arc::new(JwtConfig::new(policies, rules));
        if let Ok(mut cache) = self.jwt_cache.lock() {
            cache.insert(key, config.clone());
        }
        config
    }

    /// Authenticates and authorizes `request` on `pod` (a gateway or a sidecar), in the proxy's
    /// filter order.
    pub fn evaluate(
        &self,
        root: &str,
        providers: &BTreeMap<String, Provider>,
        pod: &Pod,
        request: &Request,
    ) -> Outcomes {
        if !request.tcp {
            return self.decide(root, providers, pod, request);
        }
        // On TCP no HTTP attribute exists (no host, no CUSTOM provider, no token): the decision
        // depends on the workload, the port, the peer and the server name only, and is taken once
        // for them.
        let key: TcpKey = (
            pod.namespace.clone(),
            pod.name.clone(),
            pod.labels.clone(),
            request.port,
            request.peer.principal.clone(),
            request.peer.namespace.clone(),
            request.peer.ip,
            request.remote_ip,
            request.sni.clone(),
        );
        if let Some(hit) = self.tcp_cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            let (steps, passes) = hit.as_ref();
            return Outcomes { steps: steps.clone(), upstream: passes.then(|| request.clone()) };
        }
        let outcomes = self.decide(root, providers, pod, request);
        if let Ok(mut cache) = self.tcp_cache.lock() {
            cache.insert(key, Arc::new((outcomes.steps.clone(), outcomes.upstream.is_some())));
        }
        outcomes
    }

    /// [`Policies::evaluate`], computed.
    fn decide(&self, root: &str, providers: &BTreeMap<String, Provider>, pod: &Pod, request: &Request) -> Outcomes {
        let mut steps = Vec::new();
        let mut request = request.clone();
        let candidates = self.candidates(pod, root, &request.host, request.tcp);
        let workload = format!("{}/{}", pod.namespace, pod.name);

        // 1. CUSTOM, before authentication: no principal is known yet. An HTTP provider is not
        // consulted on TCP (`builder.go` "ignored CUSTOM action with HTTP provider on TCP").
        let custom: Vec<&AuthorizationPolicy> = candidates
            .iter()
            .copied()
            .filter(|p| {
                !request.tcp && p.action == Action::Custom && p.matches(&Facts { request: &request, jwt: None })
            })
            .collect();
        if let Some(first) = custom.first() {
            let by: Vec<ObjectRef> = custom.iter().map(|p| p.reference.clone()).collect();
            let name = first.provider.clone().unwrap_or_default();
            let (verdict, why) = match providers.get(&name) {
                None => (Outcome::Blocked, format!("provider {name:?} is not modelled: the check fails closed")),
                Some(provider) => match provider.decide(&mut request) {
                    (Decision::Allow, why) => (Outcome::Allowed, why),
                    (Decision::Deny { redirect: true }, why) => (Outcome::Redirected, why),
                    (Decision::Deny { redirect: false }, why) => (Outcome::Blocked, why),
                },
            };
            let reason = format!("CUSTOM policy {} asks provider {name:?} on {workload}: {why}", first.reference.name);
            let done = verdict != Outcome::Allowed;
            steps.push(Step::new(Layer::Authorization, verdict, by, reason));
            if done {
                return Outcomes { steps, upstream: None };
            }
        }

        // 2. Authentication (an HTTP filter: none on TCP).
        let config = if request.tcp { Arc::new(JwtConfig::default()) } else { self.jwt_config(pod, root) };
        let authenticated = match config.authenticate(&request) {
            Ok(a) => {
                if !config.policies.is_empty() {
                    let why = match &a.jwt {
                        Some(jwt) => format!("the token of {} verifies on {workload}", jwt.issuer),
                        None => format!("no token at any location the RequestAuthentications of {workload} read"),
                    };
                    // The policy whose rule verified the token; none decides a request without one.
                    steps.push(Step::new(Layer::Authentication, Outcome::Allowed, a.by.iter().cloned().collect(), why));
                }
                a
            }
            Err(rejected) => {
                steps.push(Step::new(
                    Layer::Authentication,
                    Outcome::Blocked,
                    rejected.by,
                    format!("401 on {workload}: {}", rejected.why),
                ));
                return Outcomes { steps, upstream: None };
            }
        };
        let facts = Facts { request: &request, jwt: authenticated.jwt.as_ref() };

        // A denied HTTP request is answered 403; on TCP (TLS passthrough) Istio builds Envoy's
        // network RBAC filter (istio/istio `pilot/pkg/security/authz/builder/builder.go`
        // `BuildTCP` @1.24.3), which closes a denied connection (envoyproxy/envoy
        // `source/extensions/filters/network/rbac/rbac_filter.cc`; the close is only delayed by
        // `delay_deny`, abfa3e49): the client sees the connection closed, not a status.
        let refused = denial(request.tcp, &workload);

        // AUDIT policies build an RBAC filter with action LOG (istio/istio
        // `pilot/pkg/security/authz/builder/builder.go:111,139` @1.24.3): they mark the request
        // for logging and never decide it. Named when they match, since a DENY or CUSTOM policy
        // turned into AUDIT (by a patch, say) is what leaves such a request unchecked.
        let auditing: Vec<ObjectRef> = candidates
            .iter()
            .filter(|p| p.action == Action::Audit && p.matches(&facts))
            .map(|p| p.reference.clone())
            .collect();
        if !auditing.is_empty() {
            let names = auditing.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ");
            steps.push(Step::new(
                Layer::Authorization,
                Outcome::Allowed,
                auditing.clone(),
                format!("AUDIT policy {names} matches on {workload}: it logs the request, it does not decide it"),
            ));
        }

        // 3. DENY.
        let denying: Vec<ObjectRef> = candidates
            .iter()
            .filter(|p| p.action == Action::Deny && p.matches(&facts))
            .map(|p| p.reference.clone())
            .collect();
        if !denying.is_empty() {
            let names: Vec<&str> = denying.iter().map(|r| r.name.as_str()).collect();
            steps.push(Step::new(
                Layer::Authorization,
                Outcome::Blocked,
                denying.clone(),
                format!("{refused}: DENY policy {} matches", names.join(", ")),
            ));
            return Outcomes { steps, upstream: None };
        }

        // 4. ALLOW.
        let allows = self.allow_policies(pod, root);
        if !allows.is_empty() {
            let allowing: Vec<ObjectRef> = candidates
                .iter()
                .filter(|p| p.action == Action::Allow && p.matches(&facts))
                .map(|p| p.reference.clone())
                .collect();
            if allowing.is_empty() {
                steps.push(Step::new(
                    Layer::Authorization,
                    Outcome::Blocked,
                    allows.to_vec(),
                    format!("{refused}: ALLOW policies apply and none matches"),
                ));
                return Outcomes { steps, upstream: None };
            }
            let names: Vec<&str> = allowing.iter().map(|r| r.name.as_str()).collect();
            steps.push(Step::new(
                Layer::Authorization,
                Outcome::Allowed,
                allowing.clone(),
                format!("ALLOW policy {} matches on {workload}", names.join(", ")),
            ));
        }
        let mut upstream = request.clone();
        if let Some(header) = authenticated.strip {
            upstream.headers.remove(&header);
        }
        Outcomes { steps, upstream: Some(upstream) }
    }
}

/// How a proxy refuses what its authorization denies: `403` for an HTTP request, a closed
/// connection on TCP.
fn denial(tcp: bool, workload: &str) -> String {
    if tcp { format!("{workload} closes the connection (no HTTP status at L4)") } else { format!("403 on {workload}") }
}

/// The outcome of [`Policies::evaluate`] as one verdict of the phases.
pub fn outcome(outcomes: &Outcomes) -> Outcome {
    outcomes.steps.iter().map(|s| s.verdict).find(|v| *v != Outcome::Allowed).unwrap_or(Outcome::Allowed)
}
