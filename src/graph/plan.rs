//! Drawing a plan: the ingress and egress of its hosts as nodes and edges.

use super::{Graph, Line, NodeKind};
use crate::input::{EgressTls, Exposure};
use crate::plan::{EgressHost, Plan};

/// `sla: a, b`, or nothing.
fn sla(classes: &[String]) -> String {
    if classes.is_empty() { String::new() } else { format!("sla: {}", classes.join(", ")) }
}

/// The label of the edge into an external host: the TLS the mesh opens to it when the workload
/// calls it in plain HTTP on another port (the flows name the workload's port), then its SLA
/// classes; `; ` between the two.
fn into_external(host: &EgressHost) -> String {
    let tls = match host.tls {
        _ if host.application_port() == host.port => None,
        EgressTls::Mutual => Some(format!("mutual TLS originated to port {}", host.port)),
        EgressTls::Originate | EgressTls::Passthrough | EgressTls::None => {
            Some(format!("TLS originated to port {}", host.port))
        }
    };
    let sla = sla(&host.sla_classes);
    match tls {
        Some(tls) if sla.is_empty() => tls,
        Some(tls) => format!("{tls}; {sla}"),
        None => sla,
    }
}

/// The graph of `plan`; with `tenant`, only what that tenant asked for.
pub(super) fn draw(plan: &Plan, tenant: Option<&str>) -> Graph {
    let mut graph = Graph::new(&plan.environment);
    let mine = |owner: &str| tenant.is_none_or(|t| t == owner);

    // Ingress, gateway by gateway (sorted by name), then host by host.
    let hosts: Vec<_> = plan.ingress_hosts.iter().filter(|h| mine(&h.tenant)).collect();
    for gateway in plan.ingress_gateways.values() {
        let served: Vec<_> = hosts.iter().filter(|h| h.gateway == gateway.name).collect();
        if served.is_empty() && tenant.is_some() {
            continue;
        }
        let gateway_id = graph.node(
            NodeKind::IngressGateway,
            &gateway.name,
            vec![format!("ingress gateway {}", gateway.name), format!("{}/{}", gateway.namespace, gateway.service)],
        );
        let exposure = match gateway.exposure {
            Exposure::Route => Some(vec!["OpenShift Routes".to_string(), format!("to {}", gateway.service)]),
            Exposure::LoadBalancer => {
                Some(vec!["LoadBalancer".to_string(), format!("{}/{}", gateway.namespace, gateway.service)])
            }
            Exposure::None => None,
        };
        if let Some(label) = exposure {
            let clients = graph.node(NodeKind::Clients, "", vec!["clients".to_string()]);
            let exposure_id = graph.node(NodeKind::Exposure, &gateway.name, label);
            graph.edge(&clients, &exposure_id, "", Line::Solid);
            graph.edge(&exposure_id, &gateway_id, "", Line::Solid);
        }
        for host in served {
            let host_id = graph.node(NodeKind::Host, &host.host, vec![host.host.clone()]);
            let classes: Vec<String> = host.sla_class.iter().cloned().collect();
            graph.edge(&gateway_id, &host_id, &sla(&classes), Line::Solid);
            for route in &host.routes {
                let service = format!("{}:{}", route.service, route.port);
                let service_id = graph.node(NodeKind::Service, &service, vec![format!("service {service}")]);
                graph.edge(&host_id, &service_id, &route.prefix, Line::Solid);
            }
        }
    }

    // Egress: tenant namespaces → egress gateway → external host.
    let namespaces_of = |t: &str| plan.tenants.get(t).map(|p| p.namespaces.clone()).unwrap_or_default();
    let allowed: Option<Vec<String>> = tenant.map(namespaces_of);
    for host in &plan.egress_hosts {
        if tenant.is_some_and(|t| !host.tenants.contains(t)) {
            continue;
        }
        let target = format!("{}:{}", host.host, host.port);
        let called = format!("{}:{}", host.host, host.application_port());
        let external = graph.node(NodeKind::ExternalHost, &target, vec![target.clone()]);
        let gateway = host.gateway.as_ref().and_then(|name| plan.egress_gateways.get(name));
        let gateway_id = gateway.map(|g| {
            let mut label = vec![format!("egress gateway {}", g.name), format!("{}/{}", g.namespace, g.service)];
            if !g.egress_ips.is_empty() {
                let ips: Vec<String> = g.egress_ips.iter().map(ToString::to_string).collect();
                label.push(format!("egress IPs: {}", ips.join(", ")));
            }
            graph.node(NodeKind::EgressGateway, &g.name, label)
        });
        for namespace in &host.namespaces {
            if allowed.as_ref().is_some_and(|mine| !mine.contains(namespace)) {
                continue;
            }
            let namespace_id = graph.node(NodeKind::Namespace, namespace, vec![format!("namespace {namespace}")]);
            // The namespace calls the host on the port the flows name: one label per host on
            // its edge to the gateway.
            match &gateway_id {
                Some(gateway_id) => graph.edge(&namespace_id, gateway_id, &called, Line::Solid),
                None => graph.edge(&namespace_id, &external, &into_external(host), Line::Solid),
            }
        }
        if let Some(gateway_id) = &gateway_id {
            graph.edge(gateway_id, &external, &into_external(host), Line::Solid);
        }
    }
    graph
}
