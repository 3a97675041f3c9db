//! The kinds meshedge writes (or matches), by name.

use std::fmt;

use super::{ApiVersion, CORE_V1, ROUTE_V1};

/// Every kind meshedge writes or may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    // Istio (networking.istio.io, security.istio.io, telemetry.istio.io, extensions.istio.io).
    Gateway,
    VirtualService,
    DestinationRule,
    ServiceEntry,
    Sidecar,
    EnvoyFilter,
    AuthorizationPolicy,
    RequestAuthentication,
    PeerAuthentication,
    Telemetry,
    WasmPlugin,
    // The control plane: OpenShift Service Mesh 2 (maistra.io), or the Sail operator's `Istio`.
    ServiceMeshControlPlane,
    ServiceMeshMemberRoll,
    IstioControlPlane,
    // OpenShift Service Mesh 2 federation (federation.maistra.io).
    ServiceMeshPeer,
    ExportedServiceSet,
    ImportedServiceSet,
    // Kubernetes.
    /// Not written by meshedge: the kind its admission rules match.
    Pod,
    Namespace,
    ConfigMap,
    Secret,
    Service,
    ServiceAccount,
    Deployment,
    NetworkPolicy,
    Role,
    RoleBinding,
    ClusterRole,
    ClusterRoleBinding,
    ValidatingAdmissionPolicy,
    ValidatingAdmissionPolicyBinding,
    // OpenShift and its network plugins.
    Route,
    EgressNetworkPolicy,
    EgressFirewall,
    EgressIP,
    // Add-ons installed on the cluster.
    Certificate,
    ConstraintTemplate,
    /// A Gatekeeper constraint: an object of the kind a ConstraintTemplate declares.
    Constraint,
    ClusterPolicy,
}

impl Kind {
    pub const ALL: [Kind; 39] = [
        Kind::Gateway,
        Kind::VirtualService,
        Kind::DestinationRule,
        Kind::ServiceEntry,
        Kind::Sidecar,
        Kind::EnvoyFilter,
        Kind::AuthorizationPolicy,
        Kind::RequestAuthentication,
        Kind::PeerAuthentication,
        Kind::Telemetry,
        Kind::WasmPlugin,
        Kind::ServiceMeshControlPlane,
        Kind::ServiceMeshMemberRoll,
        Kind::IstioControlPlane,
        Kind::ServiceMeshPeer,
        Kind::ExportedServiceSet,
        Kind::ImportedServiceSet,
        Kind::Pod,
        Kind::Namespace,
        Kind::ConfigMap,
        Kind::Secret,
        Kind::Service,
        Kind::ServiceAccount,
        Kind::Deployment,
        Kind::NetworkPolicy,
        Kind::Role,
        Kind::RoleBinding,
        Kind::ClusterRole,
        Kind::ClusterRoleBinding,
        Kind::ValidatingAdmissionPolicy,
        Kind::ValidatingAdmissionPolicyBinding,
        Kind::Route,
        Kind::EgressNetworkPolicy,
        Kind::EgressFirewall,
        Kind::EgressIP,
        Kind::Certificate,
        Kind::ConstraintTemplate,
        Kind::Constraint,
        Kind::ClusterPolicy,
    ];

    /// The `kind` field of the object (the Sail operator's control plane is `Istio`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Gateway => "Gateway",
            Kind::VirtualService => "VirtualService",
            Kind::DestinationRule => "DestinationRule",
            Kind::ServiceEntry => "ServiceEntry",
            Kind::Sidecar => "Sidecar",
            Kind::EnvoyFilter => "EnvoyFilter",
            Kind::AuthorizationPolicy => "AuthorizationPolicy",
            Kind::RequestAuthentication => "RequestAuthentication",
            Kind::PeerAuthentication => "PeerAuthentication",
            Kind::Telemetry => "Telemetry",
            Kind::WasmPlugin => "WasmPlugin",
            Kind::ServiceMeshControlPlane => "ServiceMeshControlPlane",
            Kind::ServiceMeshMemberRoll => "ServiceMeshMemberRoll",
            Kind::IstioControlPlane => "Istio",
            Kind::ServiceMeshPeer => "ServiceMeshPeer",
            Kind::ExportedServiceSet => "ExportedServiceSet",
            Kind::ImportedServiceSet => "ImportedServiceSet",
            Kind::Pod => "Pod",
            Kind::Namespace => "Namespace",
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
            Kind::Service => "Service",
            Kind::ServiceAccount => "ServiceAccount",
            Kind::Deployment => "Deployment",
            Kind::NetworkPolicy => "NetworkPolicy",
            Kind::Role => "Role",
            Kind::RoleBinding => "RoleBinding",
            Kind::ClusterRole => "ClusterRole",
            Kind::ClusterRoleBinding => "ClusterRoleBinding",
            Kind::ValidatingAdmissionPolicy => "ValidatingAdmissionPolicy",
            Kind::ValidatingAdmissionPolicyBinding => "ValidatingAdmissionPolicyBinding",
            Kind::Route => "Route",
            Kind::EgressNetworkPolicy => "EgressNetworkPolicy",
            Kind::EgressFirewall => "EgressFirewall",
            Kind::EgressIP => "EgressIP",
            Kind::Certificate => "Certificate",
            Kind::ConstraintTemplate => "ConstraintTemplate",
            Kind::Constraint => "Constraint",
            Kind::ClusterPolicy => "ClusterPolicy",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Kind {
    /// The API version an admission rule names to match objects of this kind, on any cluster:
    /// Pod is core `v1` in every Kubernetes release (kubernetes/api `core/v1`); Route is
    /// `route.openshift.io/v1`, the only version OpenShift serves (openshift/api `route/v1`), and a
    /// rule that matches Routes may land on a cluster without them, where it matches nothing.
    /// `None` for a kind no admission rule of meshedge matches.
    pub fn admission_match_api_version(self) -> Option<ApiVersion> {
        match self {
            Kind::Pod => Some(CORE_V1),
            Kind::Route => Some(ROUTE_V1),
            _ => None,
        }
    }
}
