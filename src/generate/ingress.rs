//! Ingress: each host a tenant exposes → a Gateway server set on the ingress gateway, a
//! VirtualService in the tenant's namespace, a cert-manager Certificate, and the exposure in
//! front of the gateway (an OpenShift Route per host, or a LoadBalancer Service announced to
//! external-dns).

use std::collections::{BTreeMap, BTreeSet};

use crate::generate::sink::Generated;
use crate::generate::workload;
use crate::input::{Exposure, IngressTls};
use crate::names::{host_slug, join};
use crate::objects::*;
use crate::plan::{IngressGateway, IngressHost, OAUTH_PATH, OAUTH_PROXY_PORT, Plan};
use crate::platform::{Field, Kind};

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    for host in &plan.ingress_hosts {
        let Some(gateway) = plan.ingress_gateways.get(&host.gateway) else { continue };
        let slug = host_slug(&host.host);
        gateway_object(plan, gateway, host, &slug, out);
        virtual_service(plan, gateway, host, &slug, out);
        if host.issue_certificate {
            certificate(plan, gateway, host, &slug, out);
        }
        if gateway.exposure == Exposure::Route {
            route(plan, gateway, host, &slug, out);
        }
    }
    let hosts = plan.hosts_by_gateway();
    for gateway in plan.ingress_gateways.values() {
        let served: &[&IngressHost] = hosts.get(gateway.name.as_str()).map_or(&[], Vec::as_slice);
        exposure(plan, gateway, served, out);
    }
}

/// The name of the Gateway object serving `host` (`<gateway>-<host slug>`).
pub(crate) fn gateway_object_name(gateway: &str, host: &str) -> String {
    join(&[gateway, &host_slug(host)])
}

fn gateway_object(plan: &Plan, gateway: &IngressGateway, host: &IngressHost, slug: &str, out: &mut Generated) {
    let hosts = vec![host.host.clone()];
    let https = |mode: &'static str, protocol: &'static str| Server {
        port: ServerPort { number: 443, name: "https".into(), protocol },
        hosts: hosts.clone(),
        tls: Some(ServerTls { mode: Some(mode), credential_name: host.credential.clone(), ..Default::default() }),
    };
    let redirect = Server {
        port: ServerPort { number: 80, name: "http".into(), protocol: "HTTP" },
        hosts: hosts.clone(),
        tls: Some(ServerTls { https_redirect: Some(true), ..Default::default() }),
    };
    let servers = match host.tls {
        IngressTls::Simple => vec![https("SIMPLE", "HTTPS"), redirect],
        IngressTls::Mutual => {
            let mut server = https("MUTUAL", "HTTPS");
            // The gateway reads the client CA from `<credentialName>-cacert` (the validate stage
            // holds `clientCASecret` to that name) unless the target has `caCertCredentialName`.
            if plan.target.has_field(Field::GatewayTlsCaCertCredentialName) {
                if let Some(tls) = server.tls.as_mut() {
                    tls.ca_cert_credential_name = host.client_ca.clone();
                }
            }
            vec![server, redirect]
        }
        IngressTls::Passthrough => vec![Server {
            port: ServerPort { number: 443, name: "tls".into(), protocol: "TLS" },
            hosts,
            tls: Some(ServerTls { mode: Some("PASSTHROUGH"), ..Default::default() }),
        }],
        IngressTls::None => {
            vec![Server { port: ServerPort { number: 80, name: "http".into(), protocol: "HTTP" }, hosts, tls: None }]
        }
    };
    let name = join(&[&gateway.name, slug]);
    let spec = GatewaySpec { selector: gateway.selector.clone(), servers };
    out.push(
        Manifest::new(plan.api(Kind::Gateway), "Gateway", Some(&gateway.namespace), &name, Spec { spec }),
        &host.sources,
        Some(&host.tenant),
    );
}

fn virtual_service(plan: &Plan, gateway: &IngressGateway, host: &IngressHost, slug: &str, out: &mut Generated) {
    let gateway_ref = format!("{}/{}", gateway.namespace, gateway_object_name(&gateway.name, &host.host));
    let mut spec = VirtualServiceSpec {
        hosts: vec![host.host.clone()],
        gateways: vec![gateway_ref],
        export_to: vec![gateway.namespace.clone()],
        ..Default::default()
    };
    let headers = plan.ingress_sla_class(host).map(|class| Headers {
        request: HeaderOperations { set: BTreeMap::from([(plan.egress.sla_header.clone(), class.clone())]) },
    });
    if host.tls == IngressTls::Passthrough {
        spec.tls = host
            .routes
            .iter()
            .map(|r| TlsRoute {
                matches: vec![TlsMatch { sni_hosts: vec![host.host.clone()], port: Some(443), ..Default::default() }],
                route: vec![RouteDestination { destination: Destination::new(&r.service, r.port) }],
            })
            .collect();
    } else {
        if host.login && gateway.oidc.is_some() {
            // The login flow's callback goes to the gateway's OAuth proxy.
            spec.http.push(HttpRoute {
                name: Some("login".into()),
                matches: vec![HttpMatch { uri: Some(StringMatch::Prefix(OAUTH_PATH.into())), ..Default::default() }],
                route: vec![RouteDestination {
                    destination: Destination::new(&gateway.login_proxy_fqdn(), OAUTH_PROXY_PORT),
                }],
                ..Default::default()
            });
        }
        spec.http.extend(
            host.routes
                .iter()
                .map(|r| HttpRoute {
                    matches: vec![HttpMatch { uri: Some(StringMatch::Prefix(r.prefix.clone())), ..Default::default() }],
                    route: vec![RouteDestination { destination: Destination::new(&r.service, r.port) }],
                    timeout: r.timeout.clone(),
                    headers: headers.clone(),
                    ..Default::default()
                })
                .collect::<Vec<_>>(),
        );
    }
    out.push(
        Manifest::new(plan.api(Kind::VirtualService), "VirtualService", Some(&host.namespace), slug, Spec { spec }),
        &host.sources,
        Some(&host.tenant),
    );
}

fn certificate(plan: &Plan, gateway: &IngressGateway, host: &IngressHost, slug: &str, out: &mut Generated) {
    let (Some(issuer), Some(secret)) = (&gateway.issuer, &host.credential) else { return };
    let spec = CertificateSpec {
        secret_name: secret.clone(),
        dns_names: vec![host.host.clone()],
        issuer_ref: IssuerReference {
            group: "cert-manager.io",
            kind: issuer.kind.as_str().to_string(),
            name: issuer.name.to_string(),
        },
    };
    out.push(
        Manifest::new(plan.api(Kind::Certificate), "Certificate", Some(&gateway.namespace), slug, Spec { spec }),
        &host.sources,
        Some(&host.tenant),
    );
}

fn route(plan: &Plan, gateway: &IngressGateway, host: &IngressHost, slug: &str, out: &mut Generated) {
    let tls = host.tls != IngressTls::None;
    let spec = RouteSpec {
        host: host.host.clone(),
        to: RouteTarget { kind: "Service", name: gateway.service.clone(), weight: 100 },
        port: RoutePort { target_port: if tls { "https".into() } else { "http2".into() } },
        tls: tls.then_some(RouteTls { termination: "passthrough", insecure_edge_termination_policy: "Redirect" }),
    };
    out.push(
        Manifest::new(plan.api(Kind::Route), "Route", Some(&gateway.namespace), slug, Spec { spec }),
        &host.sources,
        Some(&host.tenant),
    );
}

/// The gateway's own workload (`deploy: true`) and its LoadBalancer announcement.
/// `served` are the hosts the gateway serves, in the plan's order.
fn exposure(plan: &Plan, gateway: &IngressGateway, served: &[&IngressHost], out: &mut Generated) {
    let load_balancer = gateway.exposure == Exposure::LoadBalancer;
    if gateway.deploy {
        let mut sources: BTreeSet<String> = gateway.sources.clone();
        for host in served.iter().filter(|_| load_balancer) {
            sources.extend(host.sources.iter().cloned());
        }
        let names: Vec<&str> = served.iter().map(|h| h.host.as_str()).collect();
        let announce = if load_balancer && !names.is_empty() { Some(names.join(",")) } else { None };
        let spec = workload::GatewayWorkload {
            name: &gateway.service,
            namespace: &gateway.namespace,
            selector: &gateway.selector,
            node_selector: &BTreeMap::new(),
            service_type: if load_balancer { "LoadBalancer" } else { "ClusterIP" },
            announce_hosts: announce.as_deref(),
            tenant: gateway.tenant.as_deref(),
            target: &plan.target,
        };
        workload::generate(&spec, &sources, out);
    }
}
