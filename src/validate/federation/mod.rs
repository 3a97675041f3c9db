//! Federation: `settings.mesh.federation` and the requests' `spec.federation`, checked into a
//! [`FederationPlan`].
//!
//! Settings: the mesh's trust domain and each peer's remote, trust domain and CA are required;
//! no two meshes of the federation share a trust domain (istiod keeps one root certificate per
//! trust domain: maistra/istio maistra-2.5 `pkg/servicemesh/federation/discovery/controller.go`,
//! `updateRootCert`, keyed by `trustDomain`); a peer's gateways do not take a declared gateway's
//! Service name; the target federates ([`crate::platform::Target::federation`]).
//!
//! Requests: the peer is declared and lists the tenant in `allowedTenants`; the exported
//! Service is in the request's namespace, which the tenant owns (checked with the rest of the
//! request, E404); a remote service is imported once per peer, because istiod gives a remote
//! service the name of the first import rule that matches it (maistra/istio maistra-2.5
//! `pkg/servicemesh/federation/common/imports.go`, `NameForService`), and no two imports take
//! one local name.

mod error;

use std::collections::{BTreeMap, BTreeSet};

pub use error::FederationError;

use crate::diagnostic::Explain;
use crate::input::{FederationPeer, FederationSettings};
use crate::merge::Request;
use crate::plan::{FederationPlan, Import, MeshPlan, PeerPlan, Shared};
use crate::platform::Target;
use crate::platform::federation::Federation;
use crate::platform::federation::{
    DEFAULT_DISCOVERY_PORT, DEFAULT_SERVICE_PORT, east_west_host, gateway_names, imported_host,
};
use crate::suggest::nearest;
use crate::validate::scope::{Checker, Edge};

/// The federation of the environment, or `None` without peers (and without requests for one).
pub(crate) fn plan(c: &mut Checker, mesh: &MeshPlan, edge: &Edge, target: Option<&Target>) -> Option<FederationPlan> {
    let settings = c.merged.settings.mesh.as_ref().and_then(|m| m.federation.clone()).unwrap_or_default();
    let declared = settings.peers.clone().unwrap_or_default();
    let east_west = target.map(Target::federation) == Some(Ok(Federation::EastWest));
    let mut plan = settings_plan(c, mesh, edge, target, &settings, &declared);
    requests(c, &declared, east_west, plan.as_mut());
    plan
}

fn settings_plan(
    c: &mut Checker,
    mesh: &MeshPlan,
    edge: &Edge,
    target: Option<&Target>,
    settings: &FederationSettings,
    declared: &[FederationPeer],
) -> Option<FederationPlan> {
    if declared.is_empty() {
        return None;
    }
    if let Some(Err(reason)) = target.map(Target::federation) {
        c.diagnostics.push(FederationError::Unsupported { reason }.at(c.merged.settings_location("/mesh/federation")));
        return None;
    }
    let trust_domain = settings.trust_domain.as_ref().map(|d| d.as_str().to_string());
    if trust_domain.is_none() {
        let at = c.merged.settings_location("/mesh/federation");
        c.diagnostics.push(FederationError::Incomplete { peer: None, what: "trustDomain" }.at(at));
    }
    let taken: BTreeSet<(String, String)> = edge
        .ingress_gateways
        .values()
        .map(|g| (g.namespace.clone(), g.service.clone()))
        .chain(edge.egress_gateways.values().map(|g| (g.namespace.clone(), g.service.clone())))
        .collect();
    let mut domains: BTreeMap<String, String> = BTreeMap::new();
    if let Some(own) = &trust_domain {
        domains.insert(own.clone(), "this mesh".into());
    }
    let east_west = target.map(Target::federation) == Some(Ok(Federation::EastWest));
    let mut peers = BTreeMap::new();
    for peer in declared {
        if let Some(plan) = peer_plan(c, mesh, peer, east_west, &taken, &mut domains) {
            peers.insert(plan.name.clone(), plan);
        }
    }
    let sources = written_by(c, None);
    Some(FederationPlan { trust_domain: trust_domain.unwrap_or_default(), peers, sources })
}

fn peer_plan(
    c: &mut Checker,
    mesh: &MeshPlan,
    peer: &FederationPeer,
    east_west: bool,
    taken: &BTreeSet<(String, String)>,
    domains: &mut BTreeMap<String, String>,
) -> Option<PeerPlan> {
    let name = peer.name.as_str().to_string();
    let path = format!("/mesh/federation/peers/{name}");
    let before = c.diagnostics.len();
    let missing = |c: &mut Checker, what: &'static str| {
        let at = c.merged.settings_location(&path);
        c.diagnostics.push(FederationError::Incomplete { peer: Some(name.clone()), what }.at(at));
    };
    let addresses: Vec<String> =
        peer.remote.iter().flat_map(|r| r.addresses.iter().map(|a| a.as_str().to_string())).collect();
    if addresses.is_empty() {
        missing(c, "remote.addresses");
    }
    if east_west {
        // Upstream Istio: no peer CA or client identity, but one root of trust, which only the
        // platform team can vouch for, and the peer's network.
        if peer.shared_root_of_trust != Some(true) {
            let at = c.merged.settings_location(&path);
            c.diagnostics.push(FederationError::RootOfTrustNotShared { peer: name.clone() }.at(at));
        }
        if peer.network.is_none() {
            missing(c, "network");
        }
    } else {
        if peer.ca_certificate.is_none() {
            missing(c, "caCertificate");
        }
        if peer.client_id.is_none() {
            missing(c, "clientID");
        }
    }
    match &peer.trust_domain {
        None => missing(c, "trustDomain"),
        Some(domain) => {
            let domain = domain.as_str().to_string();
            if let Some(other) = domains.get(&domain) {
                let at = c.merged.settings_location(&format!("{path}/trustDomain"));
                let error = FederationError::TrustDomainShared { peer: name.clone(), domain, other: other.clone() };
                c.diagnostics.push(error.at(at));
            } else {
                domains.insert(domain, format!("peer `{name}`"));
            }
        }
    }
    let (ingress, egress) = gateway_names(&name);
    for gateway in [ingress, egress].into_iter().filter(|_| !east_west) {
        if taken.contains(&(mesh.control_plane_namespace.clone(), gateway.clone())) {
            let at = c.merged.settings_location(&format!("{path}/name"));
            let namespace = mesh.control_plane_namespace.clone();
            c.diagnostics.push(FederationError::GatewayTaken { peer: name.clone(), gateway, namespace }.at(at));
        }
    }
    for tenant in peer.allowed_tenants.iter().flatten() {
        if !c.merged.tenants.contains_key(tenant.as_str()) && !c.merged.excluded.contains(tenant.as_str()) {
            let suggestion = nearest(tenant.as_str(), c.merged.tenants.keys().map(String::as_str)).map(str::to_string);
            let at = c.merged.settings_location(&format!("{path}/allowedTenants"));
            let error =
                FederationError::UnknownAllowedTenant { peer: name.clone(), tenant: tenant.to_string(), suggestion };
            c.diagnostics.push(error.at(at));
        }
    }
    if c.errors_since(before) {
        return None;
    }
    let remote = peer.remote.as_ref();
    Some(PeerPlan {
        addresses,
        discovery_port: remote.and_then(|r| r.discovery_port).map_or(DEFAULT_DISCOVERY_PORT, |p| p.get()),
        service_port: remote.and_then(|r| r.service_port).map_or(DEFAULT_SERVICE_PORT, |p| p.get()),
        trust_domain: peer.trust_domain.as_ref().map(|d| d.as_str().to_string()).unwrap_or_default(),
        ca_config_map: peer.ca_certificate.as_ref().map(|ca| ca.config_map.as_str().to_string()).unwrap_or_default(),
        client_id: peer.client_id.as_ref().map(|t| t.as_str().to_string()).unwrap_or_default(),
        network: peer.network.as_ref().map(|n| n.as_str().to_string()).unwrap_or_default(),
        exports: BTreeMap::new(),
        imports: BTreeMap::new(),
        sources: written_by(c, Some(&name)),
        name,
    })
}

/// The layer manifests that write `settings.mesh.federation` (`peer`: that peer of it).
fn written_by(c: &Checker, peer: Option<&str>) -> BTreeSet<String> {
    c.merged
        .manifests
        .iter()
        .filter(|m| {
            let Some(federation) = m.value.pointer("/settings/mesh/federation") else { return false };
            let Some(peer) = peer else { return true };
            let peers = federation.get("peers").and_then(|p| p.as_array());
            peers.into_iter().flatten().any(|p| p.get("name").and_then(|n| n.as_str()) == Some(peer))
        })
        .map(|m| m.file.clone())
        .collect()
}

/// Checks every request's `spec.federation` and records its exports and imports in `plan`.
fn requests(c: &mut Checker, declared: &[FederationPeer], east_west: bool, mut plan: Option<&mut FederationPlan>) {
    let allowed: BTreeMap<&str, BTreeSet<&str>> = declared
        .iter()
        .map(|p| (p.name.as_str(), p.allowed_tenants.iter().flatten().map(|t| t.as_str()).collect()))
        .collect();
    let names = if allowed.is_empty() {
        "(none declared)".to_string()
    } else {
        allowed.keys().copied().collect::<Vec<_>>().join(", ")
    };
    let merged = c.merged;
    // Local host → where it was first taken; remote service per peer → tenant and place.
    let mut local: BTreeSet<String> = BTreeSet::new();
    let mut remote: BTreeMap<(String, String, String), (String, &Request, String)> = BTreeMap::new();
    for tenant in merged.tenants.values() {
        for request in tenant.requests.values() {
            let Some(federation) = &request.doc.spec.federation else { continue };
            let namespace =
                request.namespace.clone().or_else(|| tenant.namespaces.first().cloned()).unwrap_or_default();
            // A namespace the tenant does not own is E404, reported with the rest of the request.
            if !tenant.namespaces.contains(&namespace) {
                continue;
            }
            let peer_ok = |c: &mut Checker, peer: &str, pointer: &str| -> bool {
                match allowed.get(peer) {
                    None => {
                        let suggestion = nearest(peer, allowed.keys().copied()).map(str::to_string);
                        let error =
                            FederationError::UnknownPeer { peer: peer.into(), declared: names.clone(), suggestion };
                        c.diagnostics.push(error.at(request.location(pointer)));
                        false
                    }
                    Some(tenants) if !tenants.contains(tenant.name.as_str()) => {
                        let error = FederationError::PeerNotAllowed { peer: peer.into(), tenant: tenant.name.clone() };
                        c.diagnostics.push(error.at(request.location(pointer)));
                        false
                    }
                    Some(_) => true,
                }
            };
            for (i, export) in federation.exports.iter().enumerate() {
                let peer = export.peer.as_str();
                if !peer_ok(c, peer, &format!("/spec/federation/exports/{i}/peer")) {
                    continue;
                }
                if let Some(p) = plan.as_deref_mut().and_then(|plan| plan.peers.get_mut(peer)) {
                    let shared = p
                        .exports
                        .entry((namespace.clone(), export.service.as_str().to_string()))
                        .or_insert_with(|| Shared { tenant: tenant.name.clone(), sources: BTreeSet::new() });
                    shared.sources.extend(request.sources());
                }
            }
            for (i, import) in federation.imports.iter().enumerate() {
                let base = format!("/spec/federation/imports/{i}");
                let peer = import.peer.as_str();
                if !peer_ok(c, peer, &format!("{base}/peer")) {
                    continue;
                }
                let key =
                    (peer.to_string(), import.namespace.as_str().to_string(), import.service.as_str().to_string());
                if let Some((first_tenant, first, first_pointer)) = remote.get(&key) {
                    let service = format!("{}/{}", key.1, key.2);
                    let error = FederationError::ImportedTwice {
                        peer: peer.into(),
                        service,
                        first_tenant: first_tenant.clone(),
                    };
                    c.diagnostics.push(
                        error.at(request.location(&base)).note(first.location(first_pointer), "first imported here"),
                    );
                    continue;
                }
                remote.insert(key.clone(), (tenant.name.clone(), request, base.clone()));
                if east_west && (import.port.is_none() || import.alias.is_some()) {
                    let (error, pointer) = match import.alias {
                        Some(_) => (FederationError::AliasOnEastWest { peer: peer.into() }, format!("{base}/as")),
                        None => (FederationError::ImportWithoutPort { peer: peer.into() }, base.clone()),
                    };
                    c.diagnostics.push(error.at(request.location(&pointer)));
                    continue;
                }
                let name = import.alias.as_ref().unwrap_or(&import.service).as_str().to_string();
                let host =
                    if east_west { east_west_host(&key.1, &key.2) } else { imported_host(peer, &namespace, &name) };
                if !local.insert(host.clone()) {
                    c.diagnostics.push(FederationError::ImportNameTaken { host }.at(request.location(&base)));
                    continue;
                }
                if let Some(p) = plan.as_deref_mut().and_then(|plan| plan.peers.get_mut(peer)) {
                    p.imports.insert(
                        (key.1, key.2),
                        Import {
                            tenant: tenant.name.clone(),
                            namespace: namespace.clone(),
                            name,
                            port: import.port.map(|p| p.get()),
                            sources: request.sources(),
                        },
                    );
                }
            }
        }
    }
}
