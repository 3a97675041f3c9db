//! An object of a kind flows read ([`super::index::reads`]), parsed on the thread that finishes
//! it ([`Read::of`]), so that a build keeps the few hundred bytes of its parsed form instead of
//! its value form (kilobytes of B-tree leaves) until the flows stage runs.
//!
//! [`super::index::Index::build_read`] adds them in the order given, the same way
//! [`super::index::Index::build`] adds objects in the value form. What needs the context
//! (egress firewalls, whose rules depend on the DNS name resolver) and what is read whole later
//! (Namespaces, the control plane and its member roll) stays in the value form: one small object
//! per namespace, or a handful.

use serde_json::Value;

use super::authz::{AuthorizationPolicy, RequestAuthentication};
use super::context::Pod;
use super::exposure::{Route, Service};
use super::istio::{DestinationRule, Gateway, ServiceEntry, Sidecar, VirtualService};
use super::netpol::Policy;
use super::{ObjectRef, Origin};

/// What the index does with objects of an API group and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Namespace,
    Service,
    /// Deployments and the like: their pods.
    Workload,
    NetworkPolicy,
    OvnFirewall,
    SdnFirewall,
    Route,
    Gateway,
    VirtualService,
    ServiceEntry,
    DestinationRule,
    Sidecar,
    AuthorizationPolicy,
    RequestAuthentication,
    /// `ServiceMeshControlPlane`: the mesh's configuration and its platform objects.
    ControlPlane,
    MemberRoll,
    /// `Istio`, `IstioOperator`: the mesh's configuration.
    MeshConfig,
    /// `ServiceMeshPeer`, `ExportedServiceSet`, `ImportedServiceSet`.
    Federation,
}

pub(super) fn role(group: &str, kind: &str) -> Option<Role> {
    Some(match (group, kind) {
        ("", "Namespace") => Role::Namespace,
        ("", "Service") => Role::Service,
        ("apps" | "batch" | "", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "Pod") => {
            Role::Workload
        }
        ("networking.k8s.io", "NetworkPolicy") => Role::NetworkPolicy,
        ("k8s.ovn.org", "EgressFirewall") => Role::OvnFirewall,
        ("network.openshift.io", "EgressNetworkPolicy") => Role::SdnFirewall,
        ("route.openshift.io", "Route") => Role::Route,
        ("networking.istio.io", "Gateway") => Role::Gateway,
        ("networking.istio.io", "VirtualService") => Role::VirtualService,
        ("networking.istio.io", "ServiceEntry") => Role::ServiceEntry,
        ("networking.istio.io", "DestinationRule") => Role::DestinationRule,
        ("networking.istio.io", "Sidecar") => Role::Sidecar,
        ("security.istio.io", "AuthorizationPolicy") => Role::AuthorizationPolicy,
        ("security.istio.io", "RequestAuthentication") => Role::RequestAuthentication,
        ("maistra.io", "ServiceMeshControlPlane") => Role::ControlPlane,
        ("maistra.io", "ServiceMeshMemberRoll") => Role::MemberRoll,
        ("sailoperator.io" | "operator.istio.io" | "install.istio.io", "Istio" | "IstioOperator") => Role::MeshConfig,
        ("federation.maistra.io", "ServiceMeshPeer" | "ExportedServiceSet" | "ImportedServiceSet") => Role::Federation,
        _ => return None,
    })
}

/// A Deployment's identity and its containers' arguments (how the login proxies decide).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    pub namespace: String,
    pub name: String,
    pub args: Vec<String>,
}

/// An object flows read, parsed as far as it can be without the context.
#[derive(Debug)]
pub enum Read {
    /// Kept in the value form (see the module's documentation).
    Value(ObjectRef, Value),
    Service(ObjectRef, Service),
    /// A workload's pods (none when the workload has no pod template) and, for a Deployment,
    /// its arguments.
    Workload(Option<Pod>, Option<Deployed>),
    NetworkPolicy(ObjectRef, Result<Policy, String>),
    Route(Route),
    Gateway(Gateway),
    VirtualService(VirtualService),
    ServiceEntry(ServiceEntry),
    DestinationRule(DestinationRule),
    Sidecar(Sidecar),
    AuthorizationPolicy(ObjectRef, Result<Option<AuthorizationPolicy>, String>),
    RequestAuthentication(ObjectRef, Result<Option<RequestAuthentication>, String>),
}

impl Read {
    /// The parsed form of an object of the output; `None` for an object flows do not read (or
    /// without a kind or a name).
    pub fn of(value: Value) -> Option<Read> {
        let reference = ObjectRef::of(&value, Origin::Output)?;
        Read::parse(reference, value)
    }

    /// The parsed form of an object under `reference` (the output's or the platform's); `None`
    /// for a kind flows do not read.
    pub(crate) fn parse(reference: ObjectRef, value: Value) -> Option<Read> {
        let role = role(reference.group(), &reference.kind)?;
        Some(match role {
            Role::Service => Read::Service(reference.clone(), Service::parse(reference, &value)),
            Role::Workload => Read::Workload(Pod::of_workload(&value), deployed(&reference, &value)),
            Role::NetworkPolicy => Read::NetworkPolicy(reference.clone(), Policy::parse(reference, &value)),
            Role::Route => Read::Route(Route::parse(reference, &value)),
            Role::Gateway => Read::Gateway(Gateway::parse(reference, &value)),
            Role::VirtualService => Read::VirtualService(VirtualService::parse(reference, &value)),
            Role::ServiceEntry => Read::ServiceEntry(ServiceEntry::parse(reference, &value)),
            Role::DestinationRule => Read::DestinationRule(DestinationRule::parse(reference, &value)),
            Role::Sidecar => Read::Sidecar(Sidecar::parse(reference, &value)),
            Role::AuthorizationPolicy => {
                Read::AuthorizationPolicy(reference.clone(), AuthorizationPolicy::parse(reference, &value))
            }
            Role::RequestAuthentication => {
                Read::RequestAuthentication(reference.clone(), RequestAuthentication::parse(reference, &value))
            }
            Role::Namespace
            | Role::OvnFirewall
            | Role::SdnFirewall
            | Role::ControlPlane
            | Role::MemberRoll
            | Role::MeshConfig
            | Role::Federation => Read::Value(reference, value),
        })
    }

    /// The Deployment this object is, with its arguments.
    pub fn deployed(&self) -> Option<&Deployed> {
        match self {
            Read::Workload(_, deployed) => deployed.as_ref(),
            _ => None,
        }
    }
}

/// A Deployment's containers' arguments, in order.
fn deployed(reference: &ObjectRef, value: &Value) -> Option<Deployed> {
    if reference.kind != "Deployment" {
        return None;
    }
    let args = value
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|c| c.get("args").and_then(Value::as_array).into_iter().flatten())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    Some(Deployed { namespace: reference.namespace.clone().unwrap_or_default(), name: reference.name.clone(), args })
}
