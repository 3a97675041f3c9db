//! Mesh federation on upstream Istio: the multi-network model of istio/istio 1.24.6
//! `samples/multicluster/`, for peers that share this mesh's root of trust.
//!
//! - Exports: one Gateway `cross-network-gateway` in the control plane's namespace, selecting the
//!   east-west gateway's pods (`istio: eastwestgateway`, installed with the control plane), with
//!   one server on 15443 in `AUTO_PASSTHROUGH` whose hosts are the exported services' host names
//!   only: istiod builds a filter chain for a service only if its host is within the server's
//!   hosts, so no other service of the mesh is reachable through it.
//! - Imports: per imported service, in the importing namespace and visible there only, a
//!   `ServiceEntry` `MESH_INTERNAL` for the peer's host name, whose endpoints are the peer's
//!   east-west gateway on 15443, on the peer's network, with Istio mutual TLS: the client's proxy
//!   originates mutual TLS with the SNI `outbound_.<port>_._.<host>`, which the peer's gateway
//!   passes to the service.
//!
//! The platform facts: [`crate::platform::federation`].

use std::collections::BTreeSet;
use std::net::IpAddr;

use crate::generate::sink::Generated;
use crate::objects::*;
use crate::plan::{FederationPlan, Plan};
use crate::platform::Kind;
use crate::platform::federation::{
    AUTO_PASSTHROUGH, EAST_WEST_GATEWAY_NAME, EAST_WEST_PORT, EAST_WEST_SELECTOR, TLS_MODE_LABEL, east_west_host,
};

/// The name of the ServiceEntry port of an imported service, and of its endpoints' port.
const PORT_NAME: &str = "tcp";

pub(super) fn generate(plan: &Plan, federation: &FederationPlan, out: &mut Generated) {
    gateway(plan, federation, out);
    for peer in federation.peers.values() {
        // STATIC takes IP addresses only, DNS takes host names too: istio/istio 1.24.6
        // `pkg/config/validation/validation.go:2882-2889` (`validateWorkloadEntry(…, false)` for
        // STATIC, `:2685-2686`), `:2890`.
        let all_ips = peer.addresses.iter().all(|a| a.parse::<IpAddr>().is_ok());
        let resolution = if all_ips { "STATIC" } else { "DNS" };
        for ((remote_namespace, remote_name), import) in &peer.imports {
            let Some(port) = import.port else { continue };
            let endpoints = peer
                .addresses
                .iter()
                .map(|address| WorkloadEntry {
                    address: address.clone(),
                    labels: Labels::from([(TLS_MODE_LABEL.0.to_string(), TLS_MODE_LABEL.1.to_string())]),
                    ports: [(PORT_NAME.to_string(), u32::from(EAST_WEST_PORT))].into(),
                    network: Some(peer.network.clone()),
                })
                .collect();
            let spec = ServiceEntrySpec {
                hosts: vec![east_west_host(remote_namespace, remote_name)],
                ports: vec![ServicePort {
                    number: u32::from(port),
                    name: PORT_NAME.into(),
                    protocol: "TCP",
                    target_port: None,
                }],
                location: "MESH_INTERNAL",
                resolution,
                endpoints,
                export_to: vec![".".into()],
            };
            let name = format!("{}-{remote_namespace}-{remote_name}", peer.name);
            let mut sources = peer.sources.clone();
            sources.extend(import.sources.iter().cloned());
            out.push(
                Manifest::new(
                    plan.api(Kind::ServiceEntry),
                    "ServiceEntry",
                    Some(&import.namespace),
                    &name,
                    Spec { spec },
                ),
                &sources,
                Some(import.tenant.as_str()),
            );
        }
    }
}

/// The east-west Gateway for every service exported to any peer; none without exports.
fn gateway(plan: &Plan, federation: &FederationPlan, out: &mut Generated) {
    let mut hosts = BTreeSet::new();
    let mut sources = federation.sources.clone();
    for peer in federation.peers.values() {
        for ((namespace, name), shared) in &peer.exports {
            hosts.insert(east_west_host(namespace, name));
            sources.extend(shared.sources.iter().cloned());
        }
    }
    if hosts.is_empty() {
        return;
    }
    let server = Server {
        port: ServerPort { number: u32::from(EAST_WEST_PORT), name: "tls".into(), protocol: "TLS" },
        hosts: hosts.into_iter().collect(),
        tls: Some(ServerTls { mode: Some(AUTO_PASSTHROUGH), ..Default::default() }),
    };
    let selector = Labels::from([(EAST_WEST_SELECTOR.0.to_string(), EAST_WEST_SELECTOR.1.to_string())]);
    let spec = GatewaySpec { selector, servers: vec![server] };
    let namespace = plan.mesh.control_plane_namespace.as_str();
    out.push(
        Manifest::new(plan.api(Kind::Gateway), "Gateway", Some(namespace), EAST_WEST_GATEWAY_NAME, Spec { spec }),
        &sources,
        None,
    );
}
