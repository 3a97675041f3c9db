//! What the validate stage refuses about federation ([`FederationError`], E470–E481): each
//! variant's code, message and help.

use crate::diagnostic::{Code, Explain};

#[derive(Debug, Clone)]
pub enum FederationError {
    /// A field federation needs is missing: `what` names it (`trustDomain`, `remote.addresses`).
    Incomplete { peer: Option<String>, what: &'static str },
    /// A peer's trust domain is this mesh's, or another peer's.
    TrustDomainShared { peer: String, domain: String, other: String },
    /// The target does not federate: why.
    Unsupported { reason: String },
    /// A peer's federation gateway would take the Service name of a declared gateway.
    GatewayTaken { peer: String, gateway: String, namespace: String },
    /// `allowedTenants` names a tenant with no directory here.
    UnknownAllowedTenant { peer: String, tenant: String, suggestion: Option<String> },
    /// A request names a peer that is not declared.
    UnknownPeer { peer: String, declared: String, suggestion: Option<String> },
    /// The peer does not list the request's tenant in `allowedTenants`.
    PeerNotAllowed { peer: String, tenant: String },
    /// One remote service imported twice from one peer.
    ImportedTwice { peer: String, service: String, first_tenant: String },
    /// Two imports from one peer take one local name.
    ImportNameTaken { host: String },
    /// Upstream Istio: the peer is not asserted to share this mesh's root of trust.
    RootOfTrustNotShared { peer: String },
    /// Upstream Istio: an import without the remote Service's port.
    ImportWithoutPort { peer: String },
    /// Upstream Istio: an import renamed with `as`.
    AliasOnEastWest { peer: String },
}

impl Explain for FederationError {
    fn code(&self) -> Code {
        use FederationError::*;
        match self {
            Incomplete { .. } => Code::E470,
            TrustDomainShared { .. } => Code::E471,
            Unsupported { .. } => Code::E472,
            GatewayTaken { .. } => Code::E473,
            UnknownAllowedTenant { .. } => Code::E474,
            UnknownPeer { .. } => Code::E475,
            PeerNotAllowed { .. } => Code::E476,
            ImportedTwice { .. } => Code::E477,
            ImportNameTaken { .. } => Code::E478,
            RootOfTrustNotShared { .. } => Code::E479,
            ImportWithoutPort { .. } => Code::E480,
            AliasOnEastWest { .. } => Code::E481,
        }
    }

    fn message(&self) -> String {
        use FederationError::*;
        match self {
            Incomplete { peer: Some(peer), what } => format!("federation peer `{peer}` has no `{what}`"),
            Incomplete { peer: None, what } => format!("the mesh's federation has no `{what}`"),
            TrustDomainShared { peer, domain, other } => {
                format!("peer `{peer}` has trust domain `{domain}`, which is {other}'s too")
            }
            Unsupported { reason } => format!("`mesh.federation` is not supported: {reason}"),
            GatewayTaken { peer, gateway, namespace } => {
                format!("the federation gateway `{gateway}` of peer `{peer}` is already a gateway of `{namespace}`")
            }
            UnknownAllowedTenant { peer, tenant, .. } => {
                format!("peer `{peer}` allows unknown tenant `{tenant}`")
            }
            UnknownPeer { peer, .. } => format!("unknown federation peer `{peer}`"),
            PeerNotAllowed { peer, tenant } => format!("peer `{peer}` does not allow tenant `{tenant}`"),
            ImportedTwice { peer, service, first_tenant } => {
                format!("`{service}` of peer `{peer}` is already imported by tenant `{first_tenant}`")
            }
            ImportNameTaken { host } => format!("two imports take the name `{host}`"),
            RootOfTrustNotShared { peer } => {
                format!("peer `{peer}` is not declared to share this mesh's root of trust")
            }
            ImportWithoutPort { peer } => format!("an import from peer `{peer}` has no `port`"),
            AliasOnEastWest { peer } => format!("an import from peer `{peer}` cannot be renamed with `as`"),
        }
    }

    fn help(&self) -> Option<String> {
        use FederationError::*;
        Some(match self {
            Incomplete { peer: Some(_), what: "caCertificate" } => {
                "set `caCertificate: {configMap: <name>}`: a ConfigMap in the control plane's namespace with the peer's root certificate under `root-cert.pem`".into()
            }
            Incomplete { peer: Some(_), what } => format!("set `{what}` on the peer (see docs/federation.md)"),
            Incomplete { peer: None, .. } => {
                "set `mesh.federation.trustDomain` to this mesh's trust domain (e.g. `prod-mesh.local`), distinct from every peer's".into()
            }
            TrustDomainShared { .. } => {
                "each mesh of a federation has its own trust domain: identities of one must not pass for the other's".into()
            }
            Unsupported { .. } => {
                "federate on `flavor: ossm2` (OpenShift Service Mesh 2.4–2.6), or remove `mesh.federation`".into()
            }
            GatewayTaken { .. } => {
                "rename the peer or the declared gateway's `service`: each peer gets the gateways `<peer>-ingress` and `<peer>-egress` in the control plane's namespace".into()
            }
            UnknownAllowedTenant { suggestion: Some(s), .. } => format!("did you mean `{s}`?"),
            UnknownAllowedTenant { .. } => "name a tenant that has a directory under tenants/".into(),
            UnknownPeer { suggestion: Some(s), declared, .. } => {
                format!("did you mean `{s}`? declared peers: {declared}")
            }
            UnknownPeer { declared, .. } => {
                format!("name a peer of `settings.mesh.federation.peers`; declared: {declared}")
            }
            PeerNotAllowed { tenant, .. } => {
                format!("the platform team adds `{tenant}` to the peer's `allowedTenants`, or the request names another peer")
            }
            ImportedTwice { .. } => {
                "istiod imports a remote service under one name only (the first rule that matches): import it once and share it, or ask the peer to export it under another name".into()
            }
            ImportNameTaken { .. } => "give one of the imports another local name with `as`".into(),
            RootOfTrustNotShared { .. } => {
                "on upstream istio, federated meshes need one root CA for mutual tls end to end: if the peer's certificates chain to this mesh's root, set `sharedRootOfTrust: true` (meshedge cannot check it); otherwise federate on `flavor: ossm2`".into()
            }
            ImportWithoutPort { .. } => {
                "set `port` to the remote Service's port: the client's proxy names it in the SNI the peer's east-west gateway routes by".into()
            }
            AliasOnEastWest { .. } => {
                "remove `as`: the peer's east-west gateway routes by the remote Service's own host name, `<service>.<namespace>.svc.cluster.local`".into()
            }
        })
    }
}
