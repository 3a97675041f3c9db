//! Enforcement: the objects that make the edge the only way in and out of a tenant namespace.
//!
//! - `networkPolicies`: per tenant namespace, ingress only from the namespaces that may call it
//!   (its tenant's, the control plane's and those of the ingress gateways routing to it, by
//!   name: [`crate::generate::security::isolation::Peers`]) and egress only to the mesh (members
//!   by their mesh label, the control plane and gateway namespaces by name) plus cluster DNS;
//! - `egressFirewall`: per tenant namespace an OVN `EgressFirewall` (or an SDN
//!   `EgressNetworkPolicy`) named `default` that denies every destination outside the cluster;
//! - `denyRoutes`: a tenant Role without `routes` bound to the tenant's team group (the
//!   admission rules of `denyRoutes` and `requireSidecar` are in [`super::admission`]);
//! - gateway reachability: a gateway meshedge deploys in a namespace whose pods are closed for
//!   ingress (by the `ossm2` operator's copied policies, or by `networkPolicies` in a tenant's
//!   own namespace), and a tenant's gateway in its namespace under `networkPolicies` whoever
//!   deploys it, gets a NetworkPolicy opening its pods' listener ports to its clients (and, in a
//!   tenant's namespace under `networkPolicies`, its egress to the namespaces its routes lead to).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::generate::mesh::member_label;
use crate::generate::sink::Generated;
use crate::generate::workload::{HTTP_TARGET_PORT, HTTPS_TARGET_PORT};
use crate::input::{EgressFirewallMode, Exposure, IngressTls};
use crate::names::join;
use crate::objects::{Manifest, Spec};
use crate::plan::{IngressGateway, Plan};
use crate::platform::{Kind, ROUTER_NAMESPACE_LABEL};

const NAME_LABEL: &str = "kubernetes.io/metadata.name";
/// Where cluster DNS runs (OpenShift, then upstream Kubernetes).
const DNS_NAMESPACES: [&str; 2] = ["kube-system", "openshift-dns"];

/// The peers that make up the mesh: member namespaces by label, the control plane and gateway
/// namespaces by name. Its size grows with the gateways, tenants' own gateways included: every
/// tenant namespace's `meshedge-egress-to-mesh` lists them all.
fn mesh_peers(plan: &Plan) -> Vec<Value> {
    let (key, value) = member_label(plan);
    let mut platform: BTreeSet<String> = BTreeSet::from([plan.mesh.control_plane_namespace.clone()]);
    platform.extend(plan.ingress_gateways.values().map(|g| g.namespace.clone()));
    platform.extend(plan.egress_gateways.values().map(|g| g.namespace.clone()));
    vec![json!({"namespaceSelector": {"matchLabels": {key: value}}}), namespaces_in(platform)]
}

fn namespaces_in(names: impl IntoIterator<Item = String>) -> Value {
    json!({"namespaceSelector": {"matchExpressions": [
        {"key": NAME_LABEL, "operator": "In", "values": names.into_iter().collect::<Vec<_>>()}
    ]}})
}

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    for gateway in plan.ingress_gateways.values() {
        gateway_reachability(plan, gateway, out);
    }
    let e = &plan.enforcement;
    let mesh = mesh_peers(plan);
    let peers = crate::generate::security::isolation::Peers::new(plan);
    for tenant in plan.tenants.values() {
        let mut sources = tenant.sources.clone();
        sources.extend(e.sources.iter().cloned());
        let owner = Some(tenant.name.as_str());
        for ns in &tenant.namespaces {
            let peers = peers.of(plan, &tenant.name, ns);
            let ns = Some(ns.as_str());
            if e.network_policies {
                // Another tenant's pods are no peer: NetworkPolicies only add, so a policy of the
                // control plane admitting every member (OpenShift Service Mesh 2's copies) opens
                // them again, and the namespace's ALLOW AuthorizationPolicy is what holds there.
                let ingress = json!({
                    "podSelector": {},
                    "policyTypes": ["Ingress"],
                    "ingress": [{"from": [namespaces_in(peers)]}]
                });
                let dns_ports: Vec<Value> = ["UDP", "TCP"]
                    .iter()
                    .flat_map(|p| [json!({"protocol": p, "port": 53}), json!({"protocol": p, "port": 5353})])
                    .collect();
                let egress = json!({
                    "podSelector": {},
                    "policyTypes": ["Egress"],
                    "egress": [
                        {"to": mesh},
                        {"to": [namespaces_in(DNS_NAMESPACES.iter().map(|s| s.to_string()))], "ports": dns_ports}
                    ]
                });
                let api = plan.api(Kind::NetworkPolicy);
                out.push(
                    Manifest::new(api, "NetworkPolicy", ns, "meshedge-ingress-from-mesh", Spec { spec: ingress }),
                    &sources,
                    owner,
                );
                out.push(
                    Manifest::new(api, "NetworkPolicy", ns, "meshedge-egress-to-mesh", Spec { spec: egress }),
                    &sources,
                    owner,
                );
            }
            let deny_outside = json!({"egress": [
                {"type": "Deny", "to": {"cidrSelector": "0.0.0.0/0"}},
                {"type": "Deny", "to": {"cidrSelector": "::/0"}}
            ]});
            match e.egress_firewall {
                EgressFirewallMode::Ovn => out.push(
                    Manifest::new(
                        plan.api(Kind::EgressFirewall),
                        "EgressFirewall",
                        ns,
                        "default",
                        Spec { spec: deny_outside },
                    ),
                    &sources,
                    owner,
                ),
                EgressFirewallMode::Sdn => out.push(
                    Manifest::new(
                        plan.api(Kind::EgressNetworkPolicy),
                        "EgressNetworkPolicy",
                        ns,
                        "default",
                        Spec { spec: deny_outside },
                    ),
                    &sources,
                    owner,
                ),
                EgressFirewallMode::None => {}
            }
            if e.deny_routes {
                tenant_role(plan, ns, &tenant.name, &sources, out);
            }
        }
    }
}

fn tenant_role(plan: &Plan, ns: Option<&str>, tenant: &str, sources: &BTreeSet<String>, out: &mut Generated) {
    let verbs = ["get", "list", "watch", "create", "update", "patch", "delete"];
    let role = json!({"rules": [
        {"apiGroups": [""], "resources": ["pods", "pods/log", "services", "endpoints", "configmaps", "secrets",
            "persistentvolumeclaims", "serviceaccounts", "events"], "verbs": verbs},
        {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "replicasets", "daemonsets"], "verbs": verbs},
        {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": verbs},
        {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": verbs},
        {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": verbs}
    ]});
    let name = "meshedge-tenant";
    out.push(Manifest::new(plan.api(Kind::Role), "Role", ns, name, role), sources, Some(tenant));
    let binding = json!({
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": format!("{tenant}-team")}]
    });
    out.push(Manifest::new(plan.api(Kind::RoleBinding), "RoleBinding", ns, name, binding), sources, Some(tenant));
}

/// The namespaces the routes of `gateway`'s hosts lead to (a route's service is
/// `<name>.<namespace>.svc.cluster.local`), but those the mesh's peers name already (the control
/// plane's and the gateways').
fn backend_namespaces(plan: &Plan, gateway: &IngressGateway) -> BTreeSet<String> {
    let mut platform: BTreeSet<&str> = BTreeSet::from([plan.mesh.control_plane_namespace.as_str()]);
    platform.extend(plan.ingress_gateways.values().map(|g| g.namespace.as_str()));
    platform.extend(plan.egress_gateways.values().map(|g| g.namespace.as_str()));
    plan.ingress_hosts
        .iter()
        .filter(|h| h.gateway == gateway.name)
        .flat_map(|h| h.routes.iter())
        .filter_map(|r| r.service.split('.').nth(1))
        .filter(|ns| !platform.contains(ns))
        .map(str::to_string)
        .collect()
}

/// The name of the NetworkPolicy that opens a deployed gateway to its clients.
pub(crate) fn gateway_policy_name(gateway: &str) -> String {
    join(&["meshedge-gateway", gateway])
}

/// A deployed gateway in a closed namespace: one policy selecting its pods, admitting its
/// clients on the ports its servers listen on and nothing else. A LoadBalancer's clients are
/// anyone (the client itself, or a node that SNATed it), so the rule names no peer; a Route's
/// client is the router, by its namespaces' label. Without exposure nothing is opened. In a
/// namespace nothing closes, no policy is emitted: one would close the pods to everything else.
fn gateway_reachability(plan: &Plan, gateway: &IngressGateway, out: &mut Generated) {
    // meshedge's own `meshedge-ingress-from-mesh` closes a tenant's namespace, and with it a
    // gateway of that tenant's which meshedge does not deploy but routes the tenant's hosts
    // through: that one is opened as well.
    let closed_by_meshedge =
        plan.enforcement.network_policies && plan.tenants.values().any(|t| t.namespaces.contains(&gateway.namespace));
    // Otherwise a gateway meshedge deploys is closed by the copies of the `ossm2` operator's
    // `istio-mesh-*` policy (every mesh namespace), or by nothing.
    let closed = closed_by_meshedge || plan.target.mesh_namespaces_closed_to_non_members();
    if !closed_by_meshedge && (!gateway.deploy || !closed) {
        return;
    }
    let mut ports: BTreeSet<u32> = BTreeSet::new();
    let mut sources = gateway.sources.clone();
    for host in plan.ingress_hosts.iter().filter(|h| h.gateway == gateway.name) {
        sources.extend(host.sources.iter().cloned());
        match host.tls {
            IngressTls::Simple | IngressTls::Mutual => ports.extend([HTTP_TARGET_PORT, HTTPS_TARGET_PORT]),
            IngressTls::Passthrough => {
                ports.insert(HTTPS_TARGET_PORT);
            }
            IngressTls::None => {
                ports.insert(HTTP_TARGET_PORT);
            }
        }
    }
    let from = match gateway.exposure {
        Exposure::LoadBalancer => None,
        Exposure::Route => {
            let (key, value) = ROUTER_NAMESPACE_LABEL;
            Some(json!([{"namespaceSelector": {"matchLabels": {key: value}}}]))
        }
        Exposure::None => return,
    };
    if ports.is_empty() {
        return;
    }
    let ports: Vec<Value> = ports.iter().map(|p| json!({"protocol": "TCP", "port": p})).collect();
    let mut rule = json!({"ports": ports});
    if let Some(from) = from {
        rule["from"] = from;
    }
    let mut spec = json!({
        "podSelector": {"matchLabels": gateway.selector},
        "policyTypes": ["Ingress"],
        "ingress": [rule]
    });
    // In a tenant's namespace `meshedge-egress-to-mesh` isolates the gateway's pods for egress
    // too, and admits mesh members by a label meshedge may not set (`settings.tenants.
    // createNamespaces`): the namespaces the gateway's routes lead to are admitted by name.
    let backends = if closed_by_meshedge { backend_namespaces(plan, gateway) } else { BTreeSet::new() };
    if !backends.is_empty() {
        spec["policyTypes"] = json!(["Ingress", "Egress"]);
        spec["egress"] = json!([{"to": [namespaces_in(backends)]}]);
    }
    out.push(
        Manifest::new(
            plan.api(Kind::NetworkPolicy),
            "NetworkPolicy",
            Some(&gateway.namespace),
            &gateway_policy_name(&gateway.name),
            Spec { spec },
        ),
        &sources,
        gateway.tenant.as_deref(),
    );
}
