//! Control plane (`mesh.controlPlane.manage: true`).
//!
//! `ossm2`: a `ServiceMeshControlPlane` (maistra.io/v2) declaring every gateway meshedge does
//! not deploy itself (with its namespace, service type, external-dns hosts and node placement),
//! the outbound traffic policy and data-plane mTLS, and IOR turned off when meshedge emits the
//! Routes; plus the `ServiceMeshMemberRoll` listing every tenant and gateway namespace.
//! `istio`: the sail operator's `Istio` resource with the mesh config, and a mesh-wide
//! `PeerAuthentication` for the mTLS mode.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::generate::mesh::mesh_namespaces;
use crate::generate::sink::Generated;
use crate::input::{Exposure, Flavor, MtlsMode, OutboundPolicy};
use crate::objects::EXTERNAL_DNS_HOSTNAME;
use crate::objects::{Manifest, Spec, security_api};
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
    let mut additional_ingress = Map::new();
    for gateway in plan.ingress_gateways.values().filter(|g| !g.deploy) {
        sources.extend(gateway.sources.iter().cloned());
        let mut service = json!({"type": "ClusterIP"});
        if gateway.exposure == Exposure::LoadBalancer {
            service["type"] = json!("LoadBalancer");
            if let Some(served) = hosts.get(gateway.name.as_str()) {
                service["metadata"] = json!({"annotations": {EXTERNAL_DNS_HOSTNAME: served.join(",")}});
            }
        }
        service["metadata"]["labels"] = json!(gateway.selector);
        additional_ingress.insert(
            gateway.service.clone(),
            json!({
                "enabled": true,
                "namespace": gateway.namespace,
                "service": service,
                "runtime": {"pod": {"metadata": {"labels": gateway.selector}}}
            }),
        );
    }
    let mut additional_egress = Map::new();
    for gateway in plan.egress_gateways.values().filter(|g| !g.deploy) {
        sources.extend(gateway.sources.iter().cloned());
        let mut pod = json!({"metadata": {"labels": gateway.selector}});
        if !gateway.node_selector.is_empty() {
            pod["nodeSelector"] = json!(gateway.node_selector);
        }
        additional_egress.insert(
            gateway.service.clone(),
            json!({
                "enabled": true,
                "namespace": gateway.namespace,
                "service": {"type": "ClusterIP", "metadata": {"labels": gateway.selector}},
                "runtime": {"pod": pod}
            }),
        );
    }
    let emits_routes = plan.ingress_gateways.values().any(|g| g.exposure == Exposure::Route);
    let mut gateways = json!({
        "ingress": {"enabled": false},
        "egress": {"enabled": false},
        "openshiftRoute": {"enabled": !emits_routes}
    });
    if !additional_ingress.is_empty() {
        gateways["additionalIngress"] = Value::Object(additional_ingress);
    }
    if !additional_egress.is_empty() {
        gateways["additionalEgress"] = Value::Object(additional_egress);
    }
    let mut spec = json!({
        "version": mesh.version,
        "gateways": gateways,
        "proxy": {"networking": {"trafficControl": {"outbound": {"policy": outbound(mesh.outbound)}}}},
        "security": {"dataPlane": {"mtls": mesh.mtls == MtlsMode::Strict}}
    });
    let providers = extension_providers(plan, &mut sources);
    if !providers.is_empty() {
        spec["meshConfig"] = json!({"extensionProviders": providers});
    }
    out.push(
        Manifest::new("maistra.io/v2", "ServiceMeshControlPlane", ns, &mesh.control_plane_name, Spec { spec }),
        &sources,
        None,
    );

    let mut members = mesh_namespaces(plan);
    members.remove(&mesh.control_plane_namespace);
    let mut member_sources: BTreeSet<String> = mesh.sources.clone();
    member_sources.extend(plan.tenants.values().flat_map(|t| t.sources.iter().cloned()));
    let spec = json!({"members": members});
    out.push(
        Manifest::new("maistra.io/v1", "ServiceMeshMemberRoll", ns, "default", Spec { spec }),
        &member_sources,
        None,
    );
}

/// The ext-authz providers of the gateways' login flows.
fn extension_providers(plan: &Plan, sources: &mut BTreeSet<String>) -> Vec<Value> {
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
    let mut spec = json!({
        "namespace": mesh.control_plane_namespace,
        "version": mesh.version,
        "values": {"meshConfig": {"outboundTrafficPolicy": {"mode": outbound(mesh.outbound)}}}
    });
    let providers = extension_providers(plan, &mut sources);
    if !providers.is_empty() {
        spec["values"]["meshConfig"]["extensionProviders"] = Value::Array(providers);
    }
    out.push(
        Manifest::new("sailoperator.io/v1", "Istio", None, &mesh.control_plane_name, Spec { spec }),
        &sources,
        None,
    );
    let mode = match mesh.mtls {
        MtlsMode::Strict => "STRICT",
        MtlsMode::Permissive => "PERMISSIVE",
    };
    let spec = json!({"mtls": {"mode": mode}});
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
