//! Mesh federation: the peers of `settings.mesh.federation`, and the services a request exports
//! to a peer or imports from it (`spec.federation`).

use super::*;
use crate::values::{PeerAddress, PeerName};

/// `settings.mesh.federation`: the meshes this one is federated with.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FederationSettings {
    /// This mesh's trust domain (the ServiceMeshControlPlane's `security.trust.domain`), which
    /// every peer's must differ from. Required with `peers`.
    pub trust_domain: Option<DomainName>,
    /// The peer meshes. Each gets a federation ingress gateway `<name>-ingress` and egress
    /// gateway `<name>-egress` in the control plane's namespace.
    pub peers: Option<Vec<FederationPeer>>,
}

/// A peer mesh.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FederationPeer {
    /// The peer's name, as requests name it; its imported services are
    /// `<name>.<namespace>.svc.<peer>-imports.local`.
    pub name: PeerName,
    /// Where the peer's federation ingress gateway answers (required after merging).
    pub remote: Option<PeerRemote>,
    /// The peer's trust domain (required after merging); not this mesh's.
    pub trust_domain: Option<DomainName>,
    /// The root certificate of the peer's mesh (required after merging).
    pub ca_certificate: Option<PeerCaCertificate>,
    /// The identity the peer's egress gateway for this mesh presents (required after merging),
    /// e.g. `partner-mesh.local/ns/partner-system/sa/prod-egress-service-account`: only it may
    /// reach the exported services through this mesh's federation ingress gateway.
    #[serde(rename = "clientID")]
    pub client_id: Option<Text>,
    /// The tenants that may export services to this peer or import services from it. Default:
    /// none.
    #[schemars(extend("default" = []))]
    pub allowed_tenants: Option<Vec<TenantName>>,
    /// Upstream Istio only: the platform team asserts that the peer's workload certificates
    /// chain to this mesh's root CA (required `true` there; meshedge cannot check it).
    pub shared_root_of_trust: Option<bool>,
    /// Upstream Istio only (required there): the peer's network, the `topology.istio.io/network`
    /// of its clusters, given to the imported services' endpoints.
    pub network: Option<ObjectName>,
}

/// `remote` of a peer: its federation ingress gateway.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PeerRemote {
    /// Host names or IP addresses of the peer's federation ingress gateway (at least one).
    #[serde(default)]
    pub addresses: Vec<PeerAddress>,
    /// The port the peer's gateway serves discovery on.
    #[schemars(extend("default" = 8188))]
    pub discovery_port: Option<Port>,
    /// The port the peer's gateway serves federated services on.
    #[schemars(extend("default" = 15443))]
    pub service_port: Option<Port>,
}

/// Where the peer's root certificate is: a ConfigMap in the control plane's namespace with the
/// PEM under the key `root-cert.pem`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PeerCaCertificate {
    /// The ConfigMap's name.
    pub config_map: ObjectName,
}

/// `spec.federation` of an EdgeRequest: services shared with peer meshes.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FederationRequest {
    /// Services of the request's namespace to export to a peer.
    #[serde(default)]
    pub exports: Vec<ExportRequest>,
    /// Services a peer exports, to import into the request's namespace.
    #[serde(default)]
    pub imports: Vec<ImportRequest>,
}

/// A Service of the request's namespace, exported to a peer: the peer sees it as
/// `<service>.<namespace>.svc.<this mesh's peer name>-exports.local` and reaches it through this
/// mesh's federation ingress gateway for that peer.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExportRequest {
    /// A Service of the request's namespace.
    pub service: ServiceName,
    /// One of `settings.mesh.federation.peers` that allows this tenant.
    pub peer: PeerName,
}

/// A Service a peer exports, imported into the request's namespace as
/// `<as>.<namespace>.svc.<peer>-imports.local`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImportRequest {
    /// One of `settings.mesh.federation.peers` that allows this tenant.
    pub peer: PeerName,
    /// The Service's name as the peer exports it.
    pub service: ServiceName,
    /// The namespace the peer exports it from.
    pub namespace: Namespace,
    /// The local name. Default: `service`.
    #[serde(rename = "as")]
    pub alias: Option<ServiceName>,
    /// Upstream Istio only (required there): the remote Service's port.
    pub port: Option<Port>,
}
