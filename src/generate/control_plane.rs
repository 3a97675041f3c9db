//! Control plane (`mesh.controlPlane.manage: true`).
//!
//! `ossm2`: a `ServiceMeshControlPlane` (maistra.io/v2) declaring every gateway meshedge does
//! not deploy itself (with its namespace, service type, external-dns hosts and node placement):
//! those named like the operator's built-in gateways under `gateways.ingress`/`egress`, the others
//! under `additionalIngress`/`additionalEgress`; the outbound traffic policy, data-plane mTLS,
//! IOR and the ingress chart's own Route off, and istiod's environment where the release leaves
//! TLS origination unverified; plus the `ServiceMeshMemberRoll` listing every tenant and gateway
//! namespace.
//! `istio`: the sail operator's `Istio` resource with the mesh config, and a mesh-wide
//! `PeerAuthentication` for the mTLS mode.

use std::collections::{BTreeMap, BTreeSet};

use crate::generate::mesh::mesh_namespaces;
use crate::generate::sink::Generated;
use crate::input::{Exposure, MtlsMode, OutboundPolicy};
use crate::objects::EXTERNAL_DNS_HOSTNAME;
use crate::objects::{
    BuiltInGateway, ComponentContainer, ComponentRuntime, ControlPlaneGateways, ControlPlaneRuntime, ControlPlaneSpec,
    DataPlane, DeclaredGateway, Enabled, ExtensionProvider, GatewayService, IstioMeshConfig, IstioSpec, IstioValues,
    Labels, LabelsAndAnnotations, Manifest, MemberRollSpec, MeshConfig, Networking, OutboundMode,
    OutboundPolicy as MeshOutboundPolicy, PeerAuthenticationSpec, Pod, PodMetadata, Proxy, Runtime, Security, Spec,
    TrafficControl,
};
use crate::plan::Plan;
use crate::platform::{Kind, ServerVerification, VERIFY_CERTIFICATE_AT_CLIENT};

fn outbound(policy: OutboundPolicy) -> &'static str {
    match policy {
        OutboundPolicy::RegistryOnly => "REGISTRY_ONLY",
        OutboundPolicy::AllowAny => "ALLOW_ANY",
    }
}

pub(crate) fn generate(plan: &Plan, out: &mut Generated) {
    if !plan.mesh.manage {
        return;
    }
    if plan.target.serves(Kind::ServiceMeshControlPlane) { ossm2(plan, out) } else { istio(plan, out) }
}

fn ossm2(plan: &Plan, out: &mut Generated) {
    let mesh = &plan.mesh;
    let target = &plan.target;
    let ns = Some(mesh.control_plane_namespace.as_str());
    let mut sources: BTreeSet<String> = mesh.sources.clone();
    let hosts = plan.hosts_by_gateway();
    // The operator refuses `additionalIngress`/`additionalEgress` entries named like its built-in
    // gateways: those go to `gateways.ingress` / `gateways.egress`.
    let reserved = target.smcp_reserved_additional_gateway_names();
    let (mut ingress, mut egress) =
        (BuiltInGateway::Off(Enabled { enabled: false }), BuiltInGateway::Off(Enabled { enabled: false }));
    let mut additional_ingress = BTreeMap::new();
    for gateway in plan.ingress_gateways.values().filter(|g| !g.deploy) {
        sources.extend(gateway.sources.iter().cloned());
        let load_balancer = gateway.exposure == Exposure::LoadBalancer;
        let mut annotations = Labels::new();
        if let (true, Some(served)) = (load_balancer, hosts.get(gateway.name.as_str())) {
            let names: Vec<&str> = served.iter().map(|h| h.host.as_str()).collect();
            annotations.insert(EXTERNAL_DNS_HOSTNAME.to_string(), names.join(","));
        }
        let service = GatewayService {
            service_type: if load_balancer { "LoadBalancer" } else { "ClusterIP" },
            metadata: LabelsAndAnnotations { annotations, labels: gateway.selector.clone() },
            ports: Vec::new(),
        };
        let mut declared = declared(&gateway.namespace, service, pod(&gateway.selector, Labels::new()));
        // The ingress chart adds a Route of its own to every ingress gateway unless told not to:
        // meshedge emits the Routes it means.
        if target.ingress_route_config_enabled_by_default() == Some(true) {
            declared.route_config = Some(Enabled { enabled: false });
        }
        if reserved.first() == Some(&gateway.service.as_str()) {
            ingress = BuiltInGateway::On(declared);
        } else {
            additional_ingress.insert(gateway.service.clone(), declared);
        }
    }
    let mut additional_egress = BTreeMap::new();
    for gateway in plan.egress_gateways.values().filter(|g| !g.deploy) {
        sources.extend(gateway.sources.iter().cloned());
        let service = GatewayService {
            service_type: "ClusterIP",
            metadata: LabelsAndAnnotations { annotations: Labels::new(), labels: gateway.selector.clone() },
            ports: Vec::new(),
        };
        let declared = declared(&gateway.namespace, service, pod(&gateway.selector, gateway.node_selector.clone()));
        if reserved.get(1) == Some(&gateway.service.as_str()) {
            egress = BuiltInGateway::On(declared);
        } else {
            additional_egress.insert(gateway.service.clone(), declared);
        }
    }
    let trust =
        crate::generate::federation::smcp_gateways(plan, &mut additional_ingress, &mut additional_egress, &mut sources);
    let providers = extension_providers(plan, &mut sources);
    let spec = ControlPlaneSpec {
        version: mesh.version.clone(),
        gateways: ControlPlaneGateways {
            ingress,
            egress,
            // IOR would add a Route for every host of every Gateway: meshedge emits the Routes
            // of `exposure: route` gateways itself, and no other gateway is meant to get one.
            openshift_route: Enabled { enabled: false },
            additional_ingress,
            additional_egress,
        },
        proxy: Proxy {
            networking: Networking {
                traffic_control: TrafficControl { outbound: MeshOutboundPolicy { policy: outbound(mesh.outbound) } },
            },
        },
        security: Security { data_plane: DataPlane { mtls: mesh.mtls == MtlsMode::Strict }, trust },
        mesh_config: (!providers.is_empty()).then_some(MeshConfig { extension_providers: providers }),
        runtime: istiod_env(plan),
    };
    out.push(
        Manifest::new(
            plan.api(Kind::ServiceMeshControlPlane),
            "ServiceMeshControlPlane",
            ns,
            &mesh.control_plane_name,
            Spec { spec },
        ),
        &sources,
        None,
    );

    let mut members = mesh_namespaces(plan);
    members.remove(&mesh.control_plane_namespace);
    let mut member_sources: BTreeSet<String> = mesh.sources.clone();
    member_sources.extend(plan.tenants.values().flat_map(|t| t.sources.iter().cloned()));
    let spec = MemberRollSpec { members: members.into_iter().collect() };
    out.push(
        Manifest::new(plan.api(Kind::ServiceMeshMemberRoll), "ServiceMeshMemberRoll", ns, "default", Spec { spec }),
        &member_sources,
        None,
    );
}

/// A gateway the control plane deploys, in `namespace`.
fn declared(namespace: &str, service: GatewayService, pod: Pod) -> DeclaredGateway {
    DeclaredGateway {
        enabled: true,
        namespace: namespace.to_string(),
        route_config: None,
        service,
        runtime: Runtime { pod },
        requested_network_view: Vec::new(),
    }
}

/// istiod's environment where the target's defaults would leave TLS origination unverified:
/// `VERIFY_CERTIFICATE_AT_CLIENT=true`, so that a DestinationRule without `caCertificates`
/// verifies the server against the proxy's CA bundle (see [`crate::platform::Target::verify_certificate_at_client`]).
fn istiod_env(plan: &Plan) -> Option<ControlPlaneRuntime> {
    let target = &plan.target;
    let path = target.istiod_env_path()?;
    if target.server_verification_without_ca(true) != ServerVerification::IstiodFlag {
        return None;
    }
    let component = path.get(3)?.to_string();
    let env = BTreeMap::from([(VERIFY_CERTIFICATE_AT_CLIENT.to_string(), "true".to_string())]);
    Some(ControlPlaneRuntime {
        components: BTreeMap::from([(component, ComponentRuntime { container: ComponentContainer { env } })]),
    })
}

/// A gateway's pods: their labels, and the nodes they run on.
fn pod(labels: &Labels, node_selector: Labels) -> Pod {
    Pod { metadata: PodMetadata { labels: labels.clone() }, node_selector }
}

/// The ext-authz providers of the gateways' login flows.
fn extension_providers(plan: &Plan, sources: &mut BTreeSet<String>) -> Vec<ExtensionProvider> {
    plan.login_gateways()
        .into_iter()
        .map(|(gateway, hosts)| {
            sources.extend(gateway.sources.iter().cloned());
            sources.extend(hosts.iter().flat_map(|h| h.sources.iter().cloned()));
            gateway.login_extension_provider()
        })
        .collect()
}

fn istio(plan: &Plan, out: &mut Generated) {
    let mesh = &plan.mesh;
    let mut sources = mesh.sources.clone();
    let extension_providers = extension_providers(plan, &mut sources);
    let spec = IstioSpec {
        namespace: mesh.control_plane_namespace.clone(),
        version: mesh.version.clone(),
        values: IstioValues {
            mesh_config: IstioMeshConfig {
                outbound_traffic_policy: OutboundMode { mode: outbound(mesh.outbound) },
                extension_providers,
            },
        },
    };
    out.push(
        Manifest::new(plan.api(Kind::IstioControlPlane), "Istio", None, &mesh.control_plane_name, Spec { spec }),
        &sources,
        None,
    );
    let mode = match mesh.mtls {
        MtlsMode::Strict => "STRICT",
        MtlsMode::Permissive => "PERMISSIVE",
    };
    let spec = PeerAuthenticationSpec { mtls: OutboundMode { mode } };
    out.push(
        Manifest::new(
            plan.api(Kind::PeerAuthentication),
            "PeerAuthentication",
            Some(&mesh.control_plane_namespace),
            "default",
            Spec { spec },
        ),
        &mesh.sources,
        None,
    );
}
