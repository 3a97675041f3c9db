//! Isolation between tenants at run time.
//!
//! - **Per tenant namespace**, an ALLOW AuthorizationPolicy `meshedge-tenant-peers` (no
//!   selector: every workload of the namespace) admitting requests whose mesh identity comes from
//!   [`Peers`]: the tenant's own namespaces, the control plane's (federation and east-west
//!   gateways run there) and the namespaces of the ingress gateways that route to it. Another
//!   tenant's workload, whatever `:authority` it sends (the backend's own Service name included,
//!   which no host-scoped token check names), and any caller without a mesh identity, is
//!   refused. A tenant's own gateway in its namespace serves clients outside the mesh: an ALLOW
//!   policy selecting its pods admits every request there (ALLOW policies are ORed; its DENY and
//!   CUSTOM checks still come first).
//! - **Per external host through an egress gateway**, an ALLOW AuthorizationPolicy
//!   `<host>-clients` at the gateway admitting the namespaces whose requests named the host (by
//!   `:authority` where the gateway sees HTTP, by SNI on a TLS passthrough server, whose sidecar
//!   hop carries no mesh identity). A workload that reaches the gateway around its sidecar with
//!   a mesh certificate cannot use another tenant's host, nor the client certificate the
//!   gateway originates TLS with for it.
//!
//! Istio evaluates CUSTOM, then DENY, then ALLOW: a workload with at least one ALLOW policy
//! admits only requests some ALLOW rule matches (istio/istio `pilot/pkg/security/authz/builder/
//! builder.go` @1.24.3 and @1.18.7; istio.io `docs/reference/config/security/
//! authorization-policy`, "Authorization Policy"). `source.namespaces` is the namespace of the
//! peer's mesh certificate (`principal`, `source.namespace`), absent on plain text, so such a
//! rule also refuses callers without a sidecar. `hosts` and `paths` exist only on HTTP: on TCP an
//! ALLOW rule using them never matches, `connection.sni` does (istio/api `security/v1beta1/
//! authorization_policy.proto` @1.24.3, "Condition": `connection.sni` supported on HTTP and TCP).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use crate::generate::sink::Generated;
use crate::input::EgressTls;
use crate::names::{host_slug, join};
use crate::objects::*;
use crate::plan::{EgressGateway, EgressHost, Plan};
use crate::platform::Kind;

/// The ALLOW policy of a tenant namespace.
pub(crate) const TENANT_PEERS: &str = "meshedge-tenant-peers";

/// Who may call the workloads of each tenant namespace ([`Peers::of`]), computed once per build:
/// the routes are read once, not once per namespace.
pub(crate) struct Peers {
    /// Backend namespace → the namespaces of the ingress gateways with a route to it.
    gateways: BTreeMap<String, BTreeSet<String>>,
}

impl Peers {
    pub(crate) fn new(plan: &Plan) -> Peers {
        let mut gateways: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for host in &plan.ingress_hosts {
            let Some(gateway) = plan.ingress_gateways.get(&host.gateway) else { continue };
            for route in &host.routes {
                let namespace = route.service.split('.').nth(1).unwrap_or(&host.namespace);
                gateways.entry(namespace.to_string()).or_default().insert(gateway.namespace.clone());
            }
        }
        Peers { gateways }
    }

    /// The namespaces whose workloads may call the workloads of tenant namespace `namespace` of
    /// `tenant`: the tenant's namespaces, the control plane's, and those of the ingress gateways
    /// with a route to a Service in `namespace`.
    pub(crate) fn of(&self, plan: &Plan, tenant: &str, namespace: &str) -> BTreeSet<String> {
        let mut out: BTreeSet<String> =
            plan.tenants.get(tenant).map(|t| t.namespaces.iter().cloned().collect()).unwrap_or_default();
        out.insert(namespace.to_string());
        out.insert(plan.mesh.control_plane_namespace.clone());
        out.extend(self.gateways.get(namespace).into_iter().flatten().cloned());
        out
    }
}

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    let all = Peers::new(plan);
    for tenant in plan.tenants.values() {
        for namespace in &tenant.namespaces {
            let peers: Vec<String> = all.of(plan, &tenant.name, namespace).into_iter().collect();
            let spec = AuthorizationPolicySpec {
                selector: None,
                action: "ALLOW",
                provider: None,
                rules: vec![AuthorizationRule {
                    from: vec![json!({"source": {"namespaces": peers}})],
                    ..Default::default()
                }],
            };
            out.push(
                Manifest::new(
                    plan.api(Kind::AuthorizationPolicy),
                    "AuthorizationPolicy",
                    Some(namespace.as_str()),
                    TENANT_PEERS,
                    Spec { spec },
                ),
                &tenant.sources,
                Some(tenant.name.as_str()),
            );
        }
    }
    // A gateway in a tenant's namespace takes clients from outside the mesh.
    for gateway in plan.ingress_gateways.values() {
        // Only a gateway that serves hosts has clients: a pod that merely carries the labels of
        // one without a Gateway object selecting it is one more workload of the namespace.
        if !plan.tenants.values().any(|t| t.namespaces.contains(&gateway.namespace))
            || !plan.ingress_hosts.iter().any(|h| h.gateway == gateway.name)
        {
            continue;
        }
        let spec = AuthorizationPolicySpec {
            selector: Some(WorkloadSelector { match_labels: gateway.selector.clone() }),
            action: "ALLOW",
            provider: None,
            rules: vec![AuthorizationRule::default()],
        };
        out.push(
            Manifest::new(
                plan.api(Kind::AuthorizationPolicy),
                "AuthorizationPolicy",
                Some(gateway.namespace.as_str()),
                &join(&["meshedge-gateway", &gateway.name, "clients"]),
                Spec { spec },
            ),
            &gateway.sources,
            gateway.tenant.as_deref(),
        );
    }
    for host in &plan.egress_hosts {
        let Some(gateway) = host.gateway.as_ref().and_then(|g| plan.egress_gateways.get(g)) else { continue };
        egress_clients(plan, gateway, host, out);
    }
}

/// The name of the ALLOW policy of `host` at its egress gateway.
pub(crate) fn egress_clients_name(host: &str) -> String {
    join(&[&host_slug(host), "clients"])
}

fn egress_clients(plan: &Plan, gateway: &EgressGateway, host: &EgressHost, out: &mut Generated) {
    let rule = if host.tls == EgressTls::Passthrough {
        // The sidecar passes the client's TLS through as it is: no mesh identity on this hop,
        // only the SNI the client asked for.
        AuthorizationRule { when: vec![json!({"key": "connection.sni", "values": [host.host]})], ..Default::default() }
    } else {
        let namespaces: Vec<&String> = host.namespaces.iter().collect();
        AuthorizationRule {
            from: vec![json!({"source": {"namespaces": namespaces}})],
            to: vec![json!({"operation": {"hosts": [host.host, format!("{}:*", host.host)]}})],
            ..Default::default()
        }
    };
    let spec = AuthorizationPolicySpec {
        selector: Some(WorkloadSelector { match_labels: gateway.selector.clone() }),
        action: "ALLOW",
        provider: None,
        rules: vec![rule],
    };
    let tenant = (host.tenants.len() == 1).then(|| host.tenants.iter().next().map(String::as_str)).flatten();
    out.push(
        Manifest::new(
            plan.api(Kind::AuthorizationPolicy),
            "AuthorizationPolicy",
            Some(gateway.namespace.as_str()),
            &egress_clients_name(&host.host),
            Spec { spec },
        ),
        &host.sources,
        tenant,
    );
}
