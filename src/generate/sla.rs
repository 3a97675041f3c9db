//! SLA classes follow from the requests: a caller gets a class at the egress gateway only when its
//! request for that host asked for it.
//!
//! The egress gateway routes on the SLA header to the class's subset (see [`super::egress`]); the
//! header is the caller's to send. For every class of a host that some requester did not ask for,
//! a DENY `AuthorizationPolicy` on the egress gateway refuses requests for the host carrying that
//! class from every other namespace: the caller's namespace is its mesh identity on the mutual-TLS
//! hop (`source.namespace`), which it cannot choose. The default class is every caller's. Hosts
//! are matched with and without a port in `:authority` (`<host>`, `<host>:*`).
//!
//! Requests entering the mesh are given the class of their ingress host, or the default class,
//! in [`super::ingress`]: a client on the internet does not pick one either.

use std::collections::BTreeSet;

use serde_json::json;

use crate::generate::sink::Generated;
use crate::names::{host_slug, join};
use crate::objects::*;
use crate::plan::{EgressHost, Plan};
use crate::platform::Kind;

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    for host in &plan.egress_hosts {
        if let Some(gateway) = host.gateway.as_ref().and_then(|g| plan.egress_gateways.get(g)) {
            policy(plan, &gateway.namespace, &gateway.selector, host, out);
        }
    }
}

/// The namespaces that asked for `class` on `host`.
fn granted<'h>(host: &'h EgressHost, class: &str) -> BTreeSet<&'h str> {
    host.sla_grants.iter().filter(|(_, classes)| classes.contains(class)).map(|(ns, _)| ns.as_str()).collect()
}

/// The name of the policy that holds a host's classes to its requesters' grants.
pub(crate) fn policy_name(host: &str) -> String {
    join(&[&host_slug(host), "sla"])
}

fn policy(plan: &Plan, namespace: &str, selector: &Labels, host: &EgressHost, out: &mut Generated) {
    let requesters: BTreeSet<&str> = host.namespaces.iter().map(String::as_str).collect();
    let header = format!("request.headers[{}]", plan.egress.sla_header);
    let rules: Vec<AuthorizationRule> = host
        .sla_classes
        .iter()
        .filter(|class| plan.egress.default_sla_class.as_ref() != Some(*class))
        .filter_map(|class| {
            let granted = granted(host, class);
            (granted != requesters).then(|| AuthorizationRule {
                from: vec![json!({"source": {"notNamespaces": granted}})],
                to: vec![json!({"operation": {"hosts": [host.host.clone(), format!("{}:*", host.host)]}})],
                when: vec![json!({"key": header, "values": [class]})],
            })
        })
        .collect();
    if rules.is_empty() {
        return;
    }
    let spec = AuthorizationPolicySpec {
        selector: Some(WorkloadSelector { match_labels: selector.clone() }),
        action: "DENY",
        provider: None,
        rules,
    };
    let tenant = (host.tenants.len() == 1).then(|| host.tenants.iter().next().map(String::as_str)).flatten();
    out.push(
        Manifest::new(
            plan.api(Kind::AuthorizationPolicy),
            "AuthorizationPolicy",
            Some(namespace),
            &policy_name(&host.host),
            Spec { spec },
        ),
        &host.sources,
        tenant,
    );
}
