//! The validated federation of the mesh: its peers, and what each tenant exports to them or
//! imports from them.

use std::collections::{BTreeMap, BTreeSet};

/// `settings.mesh.federation`, validated, with the requests' exports and imports per peer.
#[derive(Debug, Clone, Default)]
pub struct FederationPlan {
    /// This mesh's trust domain.
    pub trust_domain: String,
    /// Peer name → the peer.
    pub peers: BTreeMap<String, PeerPlan>,
    pub sources: BTreeSet<String>,
}

/// A peer mesh.
#[derive(Debug, Clone)]
pub struct PeerPlan {
    pub name: String,
    pub addresses: Vec<String>,
    pub discovery_port: u16,
    pub service_port: u16,
    pub trust_domain: String,
    /// The ConfigMap (control plane namespace) with the peer's `root-cert.pem`.
    pub ca_config_map: String,
    /// The principal of the peer's egress gateway (`security.clientID`).
    pub client_id: String,
    /// Upstream Istio: the peer's `topology.istio.io/network` (empty on OpenShift Service Mesh).
    pub network: String,
    /// Exported services, sorted by namespace and name.
    pub exports: BTreeMap<(String, String), Shared>,
    /// Imported services by their remote `(namespace, name)`.
    pub imports: BTreeMap<(String, String), Import>,
    pub sources: BTreeSet<String>,
}

/// A service of a tenant shared with a peer.
#[derive(Debug, Clone)]
pub struct Shared {
    pub tenant: String,
    pub sources: BTreeSet<String>,
}

/// A service imported from a peer into a tenant's namespace.
#[derive(Debug, Clone)]
pub struct Import {
    pub tenant: String,
    /// The local namespace and name (`<name>.<namespace>.svc.<peer>-imports.local`).
    pub namespace: String,
    pub name: String,
    /// Upstream Istio: the remote Service's port.
    pub port: Option<u16>,
    pub sources: BTreeSet<String>,
}
