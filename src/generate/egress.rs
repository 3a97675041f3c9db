//! Egress: each external host → the Istio egress-gateway pattern.
//!
//! Per host, in the egress gateway's namespace and exported only to the namespaces that asked
//! for it plus the gateway's own: a ServiceEntry (MESH_EXTERNAL, DNS), a Gateway on the egress
//! gateway, a VirtualService routing mesh → egress gateway → host, and a DestinationRule for
//! the last hop (TLS origination, mutual TLS with the external trust domain's client
//! certificate, SLA-class subsets), and a DestinationRule for the in-mesh hop to the egress
//! gateway (a subset for the host, ISTIO_MUTUAL with the host as SNI; Istio merges the subsets
//! of one gateway's rules). Per egress gateway: the OVN EgressIP, and the gateway's own workload
//! when meshedge deploys it.

use std::collections::BTreeSet;

use serde_json::json;

use crate::generate::sink::Generated;
use crate::generate::workload;
use crate::input::EgressTls;
use crate::names::{host_slug, join};
use crate::objects::*;
use crate::plan::{EgressGateway, EgressHost, Plan};
use crate::platform::{Kind, ServerVerification};

pub(crate) const SLA_LABEL: &str = "meshedge.io/sla-class";
/// The port the workload calls for HTTP hosts whose TLS the egress gateway originates.
const APP_HTTP_PORT: u32 = 80;
/// The in-mesh hop to the egress gateway: mutual TLS on 443.
pub(crate) const HOP_PORT: u32 = 443;
/// The egress gateway's route to the host for requests without the SLA header.
pub(crate) const DEFAULT_CLASS_ROUTE: &str = "egress-gateway-to-host";

/// The egress gateway's route to the host for requests of SLA class `class`.
pub(crate) fn class_route(class: &str) -> String {
    format!("sla-{class}")
}

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    for host in &plan.egress_hosts {
        match host.gateway.as_ref().and_then(|g| plan.egress_gateways.get(g)) {
            Some(gateway) => through_gateway(plan, gateway, host, out),
            None => direct(plan, host, out),
        }
    }
    for gateway in plan.egress_gateways.values() {
        let hosts: Vec<&EgressHost> =
            plan.egress_hosts.iter().filter(|h| h.gateway.as_deref() == Some(gateway.name.as_str())).collect();
        if plan.target.destination_rules_merge_per_host_namespace() {
            // Istio merges the rules of one host in one namespace and keeps the oldest rule's
            // `exportTo`: one rule per gateway, exported to every namespace that calls through it.
            if !hosts.is_empty() {
                hop_rule(plan, gateway, &hosts, &join(&[&gateway.name, "hop"]), out);
            }
        } else {
            for host in hosts {
                hop_rule(plan, gateway, &[host], &join(&[&gateway.name, "hop", &host_slug(&host.host)]), out);
            }
        }
        placement(plan, gateway, out);
    }
}

/// The namespaces a host's objects are exported to: the requesters' and the gateway's.
fn export_to(host: &EgressHost, gateway: Option<&EgressGateway>) -> Vec<String> {
    let mut namespaces: BTreeSet<String> = host.namespaces.clone();
    if let Some(gateway) = gateway {
        namespaces.insert(gateway.namespace.clone());
    }
    namespaces.into_iter().collect()
}

fn tenant_of(host: &EgressHost) -> Option<&str> {
    // A host shared by several tenants belongs to none of them alone.
    (host.tenants.len() == 1).then(|| host.tenants.iter().next().map(String::as_str)).flatten()
}

/// The ports of the ServiceEntry: what the workload calls, and the host's real port.
fn service_ports(host: &EgressHost, through_gateway: bool) -> Vec<ServicePort> {
    match host.tls {
        EgressTls::Originate | EgressTls::Mutual if through_gateway => vec![
            ServicePort { number: APP_HTTP_PORT, name: "http".into(), protocol: "HTTP", target_port: None },
            ServicePort { number: host.port, name: "https".into(), protocol: "HTTPS", target_port: None },
        ]
        .into_iter()
        .filter(|p| p.number != host.port || p.protocol == "HTTPS")
        .collect(),
        EgressTls::Originate | EgressTls::Mutual => {
            vec![ServicePort {
                number: APP_HTTP_PORT,
                name: "http".into(),
                protocol: "HTTP",
                target_port: Some(host.port),
            }]
        }
        EgressTls::Passthrough => {
            vec![ServicePort { number: host.port, name: "tls".into(), protocol: "TLS", target_port: None }]
        }
        EgressTls::None => {
            vec![ServicePort { number: host.port, name: "http".into(), protocol: "HTTP", target_port: None }]
        }
    }
}

fn service_entry(
    plan: &Plan,
    namespace: &str,
    host: &EgressHost,
    gateway: Option<&EgressGateway>,
    out: &mut Generated,
) {
    let endpoints = host
        .sla_classes
        .iter()
        .map(|class| WorkloadEntry {
            address: host.host.clone(),
            labels: Labels::from([(SLA_LABEL.to_string(), class.clone())]),
            ..Default::default()
        })
        .collect();
    let spec = ServiceEntrySpec {
        hosts: vec![host.host.clone()],
        ports: service_ports(host, gateway.is_some()),
        location: "MESH_EXTERNAL",
        resolution: "DNS",
        endpoints,
        export_to: export_to(host, gateway),
    };
    let name = host_slug(&host.host);
    out.push(
        Manifest::new(plan.api(Kind::ServiceEntry), "ServiceEntry", Some(namespace), &name, Spec { spec }),
        &host.sources,
        tenant_of(host),
    );
}

/// The last hop's TLS: what the egress gateway (or the sidecar) does towards the host. The server
/// is always verified: its certificate must name the host (`subjectAltNames`: with `sni` set,
/// no release checks the name otherwise, see [`crate::platform::Target::auto_san_validation`]),
/// and chain to the CA of the credential (`<credentialName>-cacert`, or `ca.crt` in it), or to
/// the proxy's CA bundle — by istiod's default, by its flag on a managed control plane, or named
/// in `caCertificates` (the validate stage refuses a target where none holds).
fn origination(plan: &Plan, host: &EgressHost) -> Option<ClientTls> {
    let (mode, credential_name) = match host.tls {
        // A secret holding only `ca.crt` verifies the server with that CA.
        EgressTls::Originate => ("SIMPLE", host.ca_secret.clone()),
        EgressTls::Mutual => ("MUTUAL", host.credential_name.clone()),
        EgressTls::Passthrough | EgressTls::None => return None,
    };
    let manages = plan.mesh.manage;
    let ca_certificates = match (&credential_name, plan.target.server_verification_without_ca(manages)) {
        (None, ServerVerification::CaCertificates(path)) => Some(path.to_string()),
        _ => None,
    };
    Some(ClientTls {
        mode,
        sni: Some(host.host.clone()),
        credential_name,
        ca_certificates,
        subject_alt_names: vec![host.host.clone()],
    })
}

fn through_gateway(plan: &Plan, gateway: &EgressGateway, host: &EgressHost, out: &mut Generated) {
    let ns = gateway.namespace.as_str();
    let slug = host_slug(&host.host);
    let tenant = tenant_of(host);
    service_entry(plan, ns, host, Some(gateway), out);

    let gateway_name = join(&[&gateway.name, &slug]);
    let passthrough = host.tls == EgressTls::Passthrough;
    let server = if passthrough {
        Server {
            port: ServerPort { number: HOP_PORT, name: "tls".into(), protocol: "TLS" },
            hosts: vec![host.host.clone()],
            tls: Some(ServerTls { mode: Some("PASSTHROUGH"), ..Default::default() }),
        }
    } else {
        Server {
            port: ServerPort { number: HOP_PORT, name: "https".into(), protocol: "HTTPS" },
            hosts: vec![host.host.clone()],
            tls: Some(ServerTls { mode: Some("ISTIO_MUTUAL"), ..Default::default() }),
        }
    };
    let spec = GatewaySpec { selector: gateway.selector.clone(), servers: vec![server] };
    out.push(
        Manifest::new(plan.api(Kind::Gateway), "Gateway", Some(ns), &gateway_name, Spec { spec }),
        &host.sources,
        tenant,
    );

    let gateway_ref = format!("{ns}/{gateway_name}");
    let to_gateway =
        Destination { host: gateway.fqdn(), subset: Some(slug.clone()), port: Some(PortSelector { number: HOP_PORT }) };
    let mut spec = VirtualServiceSpec {
        hosts: vec![host.host.clone()],
        gateways: vec![gateway_ref.clone(), "mesh".into()],
        export_to: export_to(host, Some(gateway)),
        ..Default::default()
    };
    if passthrough {
        spec.tls = vec![
            TlsRoute {
                matches: vec![TlsMatch {
                    sni_hosts: vec![host.host.clone()],
                    port: Some(host.port),
                    gateways: vec!["mesh".into()],
                }],
                route: vec![RouteDestination { destination: to_gateway }],
            },
            TlsRoute {
                matches: vec![TlsMatch {
                    sni_hosts: vec![host.host.clone()],
                    port: Some(HOP_PORT),
                    gateways: vec![gateway_ref],
                }],
                route: vec![RouteDestination { destination: Destination::new(&host.host, host.port) }],
            },
        ];
    } else {
        let app_port = if host.tls == EgressTls::None { host.port } else { APP_HTTP_PORT };
        let mut http = vec![HttpRoute {
            name: Some("mesh-to-egress-gateway".into()),
            matches: vec![HttpMatch { gateways: vec!["mesh".into()], port: Some(app_port), ..Default::default() }],
            route: vec![RouteDestination { destination: to_gateway }],
            ..Default::default()
        }];
        let to_host = |subset: Option<&String>| RouteDestination {
            destination: Destination {
                host: host.host.clone(),
                subset: subset.cloned(),
                port: Some(PortSelector { number: host.port }),
            },
        };
        let gateway_match =
            || HttpMatch { gateways: vec![gateway_ref.clone()], port: Some(HOP_PORT), ..Default::default() };
        for class in &host.sla_classes {
            let mut matched = gateway_match();
            matched.headers.insert(plan.egress.sla_header.clone(), StringMatch::Exact(class.clone()));
            http.push(HttpRoute {
                name: Some(class_route(class)),
                matches: vec![matched],
                route: vec![to_host(Some(class))],
                ..Default::default()
            });
        }
        let default_class = if host.sla_classes.is_empty() { None } else { plan.egress.default_sla_class.as_ref() };
        http.push(HttpRoute {
            name: Some(DEFAULT_CLASS_ROUTE.into()),
            matches: vec![gateway_match()],
            route: vec![to_host(default_class)],
            ..Default::default()
        });
        spec.http = http;
    }
    out.push(
        Manifest::new(plan.api(Kind::VirtualService), "VirtualService", Some(ns), &slug, Spec { spec }),
        &host.sources,
        tenant,
    );

    let tls = origination(plan, host);
    if tls.is_some() || !host.sla_classes.is_empty() {
        let subsets = host
            .sla_classes
            .iter()
            .map(|class| {
                let limits = plan.egress.sla_classes.get(class).cloned().unwrap_or_default();
                Subset {
                    name: class.clone(),
                    labels: Labels::from([(SLA_LABEL.to_string(), class.clone())]),
                    traffic_policy: Some(TrafficPolicy {
                        connection_pool: limits.connection_pool,
                        outlier_detection: limits.outlier_detection,
                        ..Default::default()
                    }),
                }
            })
            .collect();
        let spec = DestinationRuleSpec {
            host: host.host.clone(),
            // Only the egress gateway opens connections to the host.
            export_to: vec![ns.to_string()],
            traffic_policy: tls.map(|tls| TrafficPolicy {
                port_level_settings: vec![PortTrafficPolicy {
                    port: PortSelector { number: host.port },
                    tls: Some(tls),
                }],
                ..Default::default()
            }),
            subsets,
        };
        out.push(
            Manifest::new(plan.api(Kind::DestinationRule), "DestinationRule", Some(ns), &slug, Spec { spec }),
            &host.sources,
            tenant,
        );
    }
}

/// `gateway: none`: a ServiceEntry (and the sidecar's TLS origination) only.
fn direct(plan: &Plan, host: &EgressHost, out: &mut Generated) {
    let ns = plan.mesh.control_plane_namespace.clone();
    service_entry(plan, &ns, host, None, out);
    if let Some(tls) = origination(plan, host) {
        let spec = DestinationRuleSpec {
            host: host.host.clone(),
            export_to: export_to(host, None),
            traffic_policy: Some(TrafficPolicy {
                port_level_settings: vec![PortTrafficPolicy {
                    port: PortSelector { number: APP_HTTP_PORT },
                    tls: Some(tls),
                }],
                ..Default::default()
            }),
            subsets: Vec::new(),
        };
        let slug = host_slug(&host.host);
        out.push(
            Manifest::new(plan.api(Kind::DestinationRule), "DestinationRule", Some(&ns), &slug, Spec { spec }),
            &host.sources,
            tenant_of(host),
        );
    }
}

/// The in-mesh hop: sidecars reach the egress gateway with mutual TLS, the external host as SNI,
/// one subset per host; the rule is exported where its hosts are.
fn hop_rule(plan: &Plan, gateway: &EgressGateway, hosts: &[&EgressHost], name: &str, out: &mut Generated) {
    let mut export: BTreeSet<String> = BTreeSet::new();
    let mut sources: BTreeSet<String> = BTreeSet::new();
    let mut tenants: BTreeSet<String> = BTreeSet::new();
    let mut subsets = Vec::new();
    for host in hosts {
        export.extend(export_to(host, Some(gateway)));
        sources.extend(host.sources.iter().cloned());
        tenants.extend(host.tenants.iter().cloned());
        // Passthrough keeps the workload's own TLS on the hop; everything else rides mesh mTLS
        // with the external host as SNI, so the gateway can tell the hosts apart.
        let tls = (host.tls != EgressTls::Passthrough).then(|| ClientTls {
            mode: "ISTIO_MUTUAL",
            sni: Some(host.host.clone()),
            ..Default::default()
        });
        subsets.push(Subset {
            name: host_slug(&host.host),
            traffic_policy: tls.map(|tls| TrafficPolicy {
                port_level_settings: vec![PortTrafficPolicy {
                    port: PortSelector { number: HOP_PORT },
                    tls: Some(tls),
                }],
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    let spec = DestinationRuleSpec {
        host: gateway.fqdn(),
        export_to: export.into_iter().collect(),
        traffic_policy: None,
        subsets,
    };
    let tenant = (tenants.len() == 1).then(|| tenants.iter().next().map(String::as_str)).flatten();
    out.push(
        Manifest::new(
            plan.api(Kind::DestinationRule),
            "DestinationRule",
            Some(&gateway.namespace),
            name,
            Spec { spec },
        ),
        &sources,
        tenant,
    );
}

/// Where egress leaves: the OVN EgressIP, and the gateway's workload when meshedge deploys it.
fn placement(plan: &Plan, gateway: &EgressGateway, out: &mut Generated) {
    if !gateway.egress_ips.is_empty() {
        let spec = json!({
            "egressIPs": gateway.egress_ips,
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": gateway.namespace}},
            "podSelector": {"matchLabels": gateway.selector},
        });
        let name = join(&[&gateway.namespace, &gateway.name]);
        out.push(
            Manifest::new(plan.api(Kind::EgressIP), "EgressIP", None, &name, Spec { spec }),
            &gateway.sources,
            None,
        );
    }
    if gateway.deploy {
        let spec = workload::GatewayWorkload {
            name: &gateway.service,
            namespace: &gateway.namespace,
            selector: &gateway.selector,
            node_selector: &gateway.node_selector,
            service_type: "ClusterIP",
            announce_hosts: None,
            tenant: None,
            target: &plan.target,
        };
        workload::generate(&spec, &gateway.sources, out);
    }
}
