//! Mesh federation (OpenShift Service Mesh 2): per peer, in the control plane's namespace, a
//! `ServiceMeshPeer` and, named like it, the `ExportedServiceSet` and `ImportedServiceSet` of
//! what the tenants export to it and import from it; and the peer's federation gateways in the
//! ServiceMeshControlPlane ([`smcp_gateways`]).
//!
//! - The ServiceMeshPeer names the peer's addresses and ports, this mesh's gateways for it
//!   (`<peer>-ingress`, `<peer>-egress`), the peer's trust domain, the identity of its egress
//!   gateway (`clientID`: istiod then denies every other client at the ingress gateway, and
//!   every host not exported) and the ConfigMap with its root certificate.
//! - Exports: one `NameSelector` rule per exported Service, under its own name.
//! - Imports: one `NameSelector` rule per imported Service, its alias in the importing tenant's
//!   namespace: istiod names it `<as>.<namespace>.svc.<peer>-imports.local`.
//!
//! On upstream Istio: [`east_west`].
//!
//! The platform facts: [`crate::platform::federation`].

use std::collections::{BTreeMap, BTreeSet};

use crate::generate::sink::Generated;
use crate::objects::*;
use crate::plan::{PeerPlan, Plan};
use crate::platform::Kind;
use crate::platform::federation::{Federation, gateway_names, peer_network};

mod east_west;

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    let Some(federation) = &plan.federation else { return };
    if plan.target.federation() == Ok(Federation::EastWest) {
        east_west::generate(plan, federation, out);
        return;
    }
    let namespace = Some(plan.mesh.control_plane_namespace.as_str());
    for peer in federation.peers.values() {
        let mut sources = federation.sources.clone();
        sources.extend(peer.sources.iter().cloned());
        out.push(
            Manifest::new(
                plan.api(Kind::ServiceMeshPeer),
                "ServiceMeshPeer",
                namespace,
                &peer.name,
                Spec { spec: peer_spec(peer) },
            ),
            &sources,
            None,
        );
        let mut export_sources = peer.sources.clone();
        export_sources.extend(peer.exports.values().flat_map(|e| e.sources.iter().cloned()));
        let export_rules = peer
            .exports
            .keys()
            .map(|(namespace, name)| SelectorRule {
                rule_type: NAME_SELECTOR,
                name_selector: NameSelector { namespace: namespace.clone(), name: name.clone(), alias: None },
            })
            .collect();
        out.push(
            Manifest::new(
                plan.api(Kind::ExportedServiceSet),
                "ExportedServiceSet",
                namespace,
                &peer.name,
                Spec { spec: ExportedServiceSetSpec { export_rules } },
            ),
            &export_sources,
            None,
        );
        let mut import_sources = peer.sources.clone();
        import_sources.extend(peer.imports.values().flat_map(|i| i.sources.iter().cloned()));
        let import_rules = peer
            .imports
            .iter()
            .map(|((remote_namespace, remote_name), import)| SelectorRule {
                rule_type: NAME_SELECTOR,
                name_selector: NameSelector {
                    namespace: remote_namespace.clone(),
                    name: remote_name.clone(),
                    alias: Some(ServiceName { namespace: import.namespace.clone(), name: import.name.clone() }),
                },
            })
            .collect();
        out.push(
            Manifest::new(
                plan.api(Kind::ImportedServiceSet),
                "ImportedServiceSet",
                namespace,
                &peer.name,
                Spec { spec: ImportedServiceSetSpec { import_rules } },
            ),
            &import_sources,
            None,
        );
    }
}

/// `type` of a rule that selects a service by name: maistra/api dfc96815
/// `federation/v1/import_export_mapping.go:27` (`NameSelectorType`), the only type an
/// ImportedServiceSet takes (maistra/istio maistra-2.5 `pkg/servicemesh/federation/common/imports.go:52`).
const NAME_SELECTOR: &str = "NameSelector";

fn peer_spec(peer: &PeerPlan) -> ServiceMeshPeerSpec {
    let (ingress, egress) = gateway_names(&peer.name);
    ServiceMeshPeerSpec {
        remote: PeerRemote {
            addresses: peer.addresses.clone(),
            discovery_port: peer.discovery_port,
            service_port: peer.service_port,
        },
        gateways: PeerGateways { ingress: LocalReference { name: ingress }, egress: LocalReference { name: egress } },
        security: PeerSecurity {
            trust_domain: peer.trust_domain.clone(),
            client_id: peer.client_id.clone(),
            certificate_chain: TypedReference { kind: "ConfigMap", name: peer.ca_config_map.clone() },
        },
    }
}

/// The ports of a federation gateway's Service: federated services on 15443 (`tls`), discovery
/// on 8188 — HTTPS at the ingress gateway, plain HTTP into the egress gateway (istiod's Gateways
/// for them: maistra/istio maistra-2.5 `pkg/servicemesh/federation/discovery/discovery.go:344-352`
/// `https-discovery`/`HTTPS`, `:389-393` `http-discovery`/`HTTP`; `server/routing.go:226-228`
/// `tls-federation` on `DefaultFederationPort`).
fn ports(discovery: &'static str) -> Vec<GatewayServicePort> {
    vec![
        GatewayServicePort { name: "tls", port: crate::platform::federation::DEFAULT_SERVICE_PORT },
        GatewayServicePort { name: discovery, port: crate::platform::federation::DEFAULT_DISCOVERY_PORT },
    ]
}

/// The labels of a federation gateway's Service and pods: `app` and `istio` set to its name.
/// The operator's gateway charts label a gateway `istio: ingressgateway` (or `egressgateway`)
/// unless the SMCP's `service.metadata.labels` say otherwise (maistra/istio-operator 8143614c
/// `resources/helm/v2.5/gateways/istio-{ingress,egress}/values.yaml`, `pkg/controller/versions/strategy_v2_5.go`
/// `renderGateway`; see `crate::flows::ossm`): with the defaults, every Gateway selecting
/// `istio: ingressgateway` would be served by the federation gateway too.
fn own_labels(name: &str) -> Labels {
    Labels::from([("app".to_string(), name.to_string()), ("istio".to_string(), name.to_string())])
}

/// Adds every peer's federation gateways to the SMCP's `additionalIngress`/`additionalEgress`
/// (in the control plane's namespace, where the ServiceMeshPeer looks for their Services), and
/// gives back `security.trust` with the mesh's trust domain; `None` without federation.
///
/// The ingress gateway is a LoadBalancer: the peer reaches it from outside the cluster. The
/// egress gateway requests the peer's network (`network-<peer>`), whose endpoints are the peer's
/// addresses. Names: [`gateway_names`], never one the operator reserves.
pub(crate) fn smcp_gateways(
    plan: &Plan,
    additional_ingress: &mut BTreeMap<String, DeclaredGateway>,
    additional_egress: &mut BTreeMap<String, DeclaredGateway>,
    sources: &mut BTreeSet<String>,
) -> Option<Trust> {
    let federation = plan.federation.as_ref()?;
    let namespace = &plan.mesh.control_plane_namespace;
    sources.extend(federation.sources.iter().cloned());
    for peer in federation.peers.values() {
        sources.extend(peer.sources.iter().cloned());
        let (ingress, egress) = gateway_names(&peer.name);
        for (name, ingress) in [(ingress, true), (egress, false)] {
            let labels = own_labels(&name);
            let (service_type, discovery) =
                if ingress { ("LoadBalancer", "https-discovery") } else { ("ClusterIP", "http-discovery") };
            let service = GatewayService {
                service_type,
                metadata: LabelsAndAnnotations { annotations: Labels::new(), labels: labels.clone() },
                ports: ports(discovery),
            };
            let mut gateway = DeclaredGateway {
                enabled: true,
                namespace: namespace.clone(),
                // As for every SMCP ingress gateway: no Route of the chart's own to it.
                route_config: (ingress && plan.target.ingress_route_config_enabled_by_default() == Some(true))
                    .then_some(Enabled { enabled: false }),
                service,
                runtime: Runtime { pod: Pod { metadata: PodMetadata { labels }, node_selector: Labels::new() } },
                requested_network_view: Vec::new(),
            };
            if ingress {
                additional_ingress.insert(name, gateway);
            } else {
                gateway.requested_network_view = vec![peer_network(&peer.name)];
                additional_egress.insert(name, gateway);
            }
        }
    }
    Some(Trust { domain: federation.trust_domain.clone() })
}
