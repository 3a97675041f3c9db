//! Control plane (`mesh.controlPlane.manage: true`).
//!
//! `ossm2`: a `ServiceMeshControlPlane` (maistra.io/v2) declaring every gateway meshedge does
//! not deploy itself (with its namespace, service type, external-dns hosts and node placement),
//! the outbound traffic policy and data-plane mTLS, and IOR turned off when meshedge emits the
//! Routes; plus the `ServiceMeshMemberRoll` listing every tenant and gateway namespace.
//! `istio`: the sail operator's `Istio` resource with the mesh config, and a mesh-wide
//! `PeerAuthentication` for the mTLS mode.

use std::collections::{BTreeMap, BTreeSet};

use crate::generate::mesh::mesh_namespaces;
use crate::generate::sink::Generated;
use crate::input::{Exposure, Flavor, MtlsMode, OutboundPolicy};
use crate::objects::EXTERNAL_DNS_HOSTNAME;
use crate::objects::{
    ControlPlaneGateways, ControlPlaneSpec, DataPlane, DeclaredGateway, Enabled, ExtensionProvider, GatewayService,
    IstioMeshConfig, IstioSpec, IstioValues, Labels, LabelsAndAnnotations, Manifest, MemberRollSpec, MeshConfig,
    Networking, OutboundMode, OutboundPolicy as MeshOutboundPolicy, PeerAuthenticationSpec, Pod, PodMetadata, Proxy,
    Runtime, Security, Spec, TrafficControl, security_api,
};
use crate::plan::Plan;

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
    match plan.flavor {
        Flavor::Ossm2 => ossm2(plan, out),
        Flavor::Istio => istio(plan, out),
    }
}

fn ossm2(plan: &Plan, out: &mut Generated) {
    let mesh = &plan.mesh;
    let ns = Some(mesh.control_plane_namespace.as_str());
    let mut sources: BTreeSet<String> = mesh.sources.clone();
    let hosts = plan.hosts_by_gateway();
    let mut additional_ingress = BTreeMap::new();
    for gateway in plan.ingress_gateways.values().filter(|g| !g.deploy) {
        sources.extend(gateway.sources.iter().cloned());
        let load_balancer = gateway.exposure == Exposure::LoadBalancer;
        let mut annotations = Labels::new();
        if let (true, Some(served)) = (load_balancer, hosts.get(gateway.name.as_str())) {
            annotations.insert(EXTERNAL_DNS_HOSTNAME.to_string(), served.join(","));
        }
        let service = GatewayService {
            service_type: if load_balancer { "LoadBalancer" } else { "ClusterIP" },
            metadata: LabelsAndAnnotations { annotations, labels: gateway.selector.clone() },
        };
        additional_ingress.insert(
            gateway.service.clone(),
            declared(&gateway.namespace, service, pod(&gateway.selector, Labels::new())),
        );
    }
    let mut additional_egress = BTreeMap::new();
    for gateway in plan.egress_gateways.values().filter(|g| !g.deploy) {
        sources.extend(gateway.sources.iter().cloned());
        let service = GatewayService {
            service_type: "ClusterIP",
            metadata: LabelsAndAnnotations { annotations: Labels::new(), labels: gateway.selector.clone() },
        };
        let pod = pod(&gateway.selector, gateway.node_selector.clone());
        additional_egress.insert(gateway.service.clone(), declared(&gateway.namespace, service, pod));
    }
    let emits_routes = plan.ingress_gateways.values().any(|g| g.exposure == Exposure::Route);
    let providers = extension_providers(plan, &mut sources);
    let spec = ControlPlaneSpec {
        version: mesh.version.clone(),
        gateways: ControlPlaneGateways {
            ingress: Enabled { enabled: false },
            egress: Enabled { enabled: false },
            openshift_route: Enabled { enabled: !emits_routes },
            additional_ingress,
            additional_egress,
        },
        proxy: Proxy {
            networking: Networking {
                traffic_control: TrafficControl { outbound: MeshOutboundPolicy { policy: outbound(mesh.outbound) } },
            },
        },
        security: Security { data_plane: DataPlane { mtls: mesh.mtls == MtlsMode::Strict } },
        mesh_config: (!providers.is_empty()).then_some(MeshConfig { extension_providers: providers }),
    };
    out.push(
        Manifest::new("maistra.io/v2", "ServiceMeshControlPlane", ns, &mesh.control_plane_name, Spec { spec }),
        &sources,
        None,
    );

    let mut members = mesh_namespaces(plan);
    members.remove(&mesh.control_plane_namespace);
    let mut member_sources: BTreeSet<String> = mesh.sources.clone();
    member_sources.extend(plan.tenants.values().flat_map(|t| t.sources.iter().cloned()));
    let spec = MemberRollSpec { members: members.into_iter().collect() };
    out.push(
        Manifest::new("maistra.io/v1", "ServiceMeshMemberRoll", ns, "default", Spec { spec }),
        &member_sources,
        None,
    );
}

/// A gateway the control plane deploys, in `namespace`.
fn declared(namespace: &str, service: GatewayService, pod: Pod) -> DeclaredGateway {
    DeclaredGateway { enabled: true, namespace: namespace.to_string(), service, runtime: Runtime { pod } }
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
        Manifest::new("sailoperator.io/v1", "Istio", None, &mesh.control_plane_name, Spec { spec }),
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
            security_api(plan.flavor),
            "PeerAuthentication",
            Some(&mesh.control_plane_namespace),
            "default",
            Spec { spec },
        ),
        &mesh.sources,
        None,
    );
}
