//! An AuthorizationPolicy that selects no workload (A621, IST0127).
//!
//! Source: istio/istio 1.28.10 `pkg/config/analysis/analyzers/authz/authorizationpolicies.go`
//! (`analyzeNoMatchingWorkloads`).
//!
//! A policy with `selector` must select a workload of its namespace; a policy without one
//! (namespace-wide) needs some workload there. A policy in the mesh root namespace applies
//! mesh-wide: Istio then looks for a selected pod anywhere.
//!
//! meshedge knows only some workloads (pod templates among the objects, gateway pods the
//! control plane declares), so it checks only policies in namespaces whose workloads are all
//! known ([`super::Context::complete_namespaces`], the gateway namespaces) and never those of
//! the root namespace. A policy attached with `targetRef(s)` is not Istio's concern here either.
//! A policy selecting a gateway that does not run enforces nothing: for a DENY or CUSTOM policy
//! at the edge, that leaves the door open.

use super::Finding;
use super::index::{Index, selector_text, selects};
use super::rules::POLICY_SELECTS_NO_WORKLOAD;

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    for policy in &index.authorization_policies {
        let ns = policy.meta.namespace.as_str();
        if policy.targeted || ns == index.root_namespace() || !index.complete_namespace(ns) {
            continue;
        }
        let mut in_ns = index.workloads.iter().filter(|w| w.namespace == ns);
        match &policy.selector {
            None if in_ns.next().is_none() => out.push(policy.meta.finding(
                &POLICY_SELECTS_NO_WORKLOAD,
                "/spec",
                format!("namespace-wide policy in namespace `{ns}`, which runs no workload"),
            )),
            Some(selector) if !in_ns.any(|w| selects(selector, &w.labels)) => out.push(policy.meta.finding(
                &POLICY_SELECTS_NO_WORKLOAD,
                "/spec/selector/matchLabels",
                format!("selector `{}` matches no workload of namespace `{ns}`", selector_text(selector)),
            )),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Context;
    use super::super::testing::*;
    use serde_json::{Value, json};

    fn policy(ns: &str, name: &str, spec: Value) -> Value {
        json!({"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": spec})
    }

    fn ctx() -> Context {
        let mut ctx = with_workloads(vec![workload("istio-internal", "gw", &[("istio", "internal-ingressgateway")])]);
        ctx.complete_namespaces.extend(["istio-internal", "istio-empty", "istio-system"].map(String::from));
        ctx
    }

    #[test]
    fn selectors_must_match_a_known_workload_of_a_complete_namespace() {
        let select = |s: Value| json!({"action": "DENY", "selector": {"matchLabels": s}, "rules": [{}]});
        let all = [
            policy("istio-internal", "ok", select(json!({"istio": "internal-ingressgateway"}))),
            policy("istio-internal", "typo", select(json!({"istio": "internal-ingresgateway"}))),
            policy("istio-internal", "wide", json!({"action": "ALLOW"})),
            policy("istio-empty", "wide-empty", json!({"action": "ALLOW"})),
            policy("shop", "tenant", select(json!({"app": "unknown"}))),
            policy("istio-system", "root", select(json!({"app": "nowhere"}))),
            policy("istio-internal", "targeted", json!({"targetRefs": [{"kind": "Service", "name": "x"}]})),
        ];
        let found = only("A621", &all, &ctx());
        assert_eq!(
            found,
            [("wide-empty".to_string(), "/spec".to_string()), ("typo".into(), "/spec/selector/matchLabels".into())]
        );
    }
}
