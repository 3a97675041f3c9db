//! The objects of a build, parsed once and indexed for every layer: NetworkPolicies by
//! namespace, egress firewalls by namespace, Routes by host, Services by namespace and name,
//! Gateway servers, VirtualServices and ServiceEntries by host, DestinationRules by namespace,
//! AuthorizationPolicies by namespace and host, RequestAuthentications by namespace, pods by
//! namespace and label. An object the platform would refuse is kept aside with the reason
//! ([`Index::rejected`]): it decides nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::authz::{self, AuthorizationPolicy, RequestAuthentication};
use super::context::{Context, MeshFlavor, Pod};
use super::egress_firewall::{Firewall, Firewalls, Kind};
use super::exposure::{Exposure, Route, Service};
use super::istio::{DestinationRule, Gateway, Routing, ServiceEntry, VirtualService};
use super::netpol::{self, Namespaces, Policy};
use super::ossm::ControlPlane;
use super::selector::Labels;
use super::{ObjectRef, Origin};

/// Every layer's view of the objects.
#[derive(Debug, Default)]
pub struct Index {
    pub network_policies: netpol::Policies,
    pub firewalls: Firewalls,
    pub exposure: Exposure,
    pub routing: Routing,
    pub authz: authz::Policies,
    pub namespaces: Namespaces,
    pub pods: Vec<Pod>,
    pods_by_namespace: BTreeMap<String, Vec<usize>>,
    pods_by_label: BTreeMap<(String, String), Vec<usize>>,
    /// Objects that would not exist on the cluster, and why.
    pub rejected: Vec<(ObjectRef, String)>,
    /// The control plane found in the objects (ServiceMeshControlPlane + ServiceMeshMemberRoll).
    pub control_plane: Option<ControlPlane>,
    /// The object that configures the mesh (ServiceMeshControlPlane or Istio), if any.
    pub mesh_config: Option<ObjectRef>,
    services_seen: BTreeSet<(String, String)>,
}

impl Index {
    /// Indexes the output's objects and what the platform adds: the OpenShift Service Mesh
    /// control plane's NetworkPolicies, gateways and namespace labels, the context's namespace
    /// labels and pods.
    pub fn build(objects: impl IntoIterator<Item = Value>, ctx: &Context) -> Index {
        let mut index = Index::default();
        let mut smcp = None;
        let mut smmr = None;
        for value in objects {
            let Some(reference) = ObjectRef::of(&value, Origin::Output) else { continue };
            match (reference.group(), reference.kind.as_str()) {
                ("maistra.io", "ServiceMeshControlPlane") => {
                    index.mesh_config = Some(reference.clone());
                    smcp = Some(value.clone());
                }
                ("maistra.io", "ServiceMeshMemberRoll") => smmr = Some(value.clone()),
                ("sailoperator.io" | "operator.istio.io" | "install.istio.io", "Istio" | "IstioOperator") => {
                    index.mesh_config = Some(reference.clone());
                }
                _ => {}
            }
            index.add(reference, &value, ctx);
        }
        let control_plane = ctx.control_plane.clone().or_else(|| {
            (ctx.flavor == MeshFlavor::Ossm2)
                .then(|| smcp.as_ref().and_then(|s| ControlPlane::from_objects(s, smmr.as_ref())))
                .flatten()
        });
        if let Some(cp) = &control_plane {
            for policy in cp.network_policies() {
                if let Some(reference) = ControlPlane::reference(&policy) {
                    index.add(reference, &policy, ctx);
                }
            }
            for service in cp.gateway_services() {
                if let Some(reference) = ControlPlane::reference(&service) {
                    let key = (reference.namespace.clone().unwrap_or_default(), reference.name.clone());
                    if !index.services_seen.contains(&key) {
                        index.add(reference, &service, ctx);
                    }
                }
            }
            for pod in cp.gateway_pods() {
                index.add_pod(pod);
            }
            for (ns, labels) in cp.namespace_labels() {
                index.namespaces.add(&ns, &labels);
            }
        }
        index.control_plane = control_plane;
        for (ns, labels) in &ctx.namespace_labels {
            index.namespaces.add(ns, labels);
        }
        for pod in &ctx.pods {
            index.add_pod(pod.clone());
        }
        index.routing.finish();
        index
    }

    fn add(&mut self, reference: ObjectRef, value: &Value, ctx: &Context) {
        let rejected = |index: &mut Index, r: ObjectRef, why: String| index.rejected.push((r, why));
        match (reference.group(), reference.kind.as_str()) {
            ("", "Namespace") => self.namespaces.add_object(value),
            ("", "Service") => {
                let service = Service::parse(reference.clone(), value);
                let ports = service.ports.iter().map(|p| p.port).collect();
                self.services_seen.insert((service.namespace.clone(), service.name.clone()));
                self.routing.add_service(reference, ports);
                self.exposure.add_service(service);
            }
            ("apps" | "batch" | "", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "Pod") => {
                if let Some(pod) = Pod::of_workload(value) {
                    self.add_pod(pod);
                }
            }
            ("networking.k8s.io", "NetworkPolicy") => match Policy::parse(reference.clone(), value) {
                Ok(policy) => self.network_policies.add(policy),
                Err(why) => rejected(self, reference, why),
            },
            ("k8s.ovn.org", "EgressFirewall") => {
                self.firewalls.add(Firewall::parse(reference, Kind::Ovn, value, ctx.dns_name_resolver));
            }
            ("network.openshift.io", "EgressNetworkPolicy") => {
                self.firewalls.add(Firewall::parse(reference, Kind::Sdn, value, ctx.dns_name_resolver));
            }
            ("route.openshift.io", "Route") => self.exposure.add_route(Route::parse(reference, value)),
            ("networking.istio.io", "Gateway") => self.routing.add_gateway(Gateway::parse(reference, value)),
            ("networking.istio.io", "VirtualService") => {
                self.routing.add_virtual_service(VirtualService::parse(reference, value));
            }
            ("networking.istio.io", "ServiceEntry") => {
                self.routing.add_service_entry(ServiceEntry::parse(reference, value))
            }
            ("networking.istio.io", "DestinationRule") => {
                self.routing.add_destination_rule(DestinationRule::parse(reference, value));
            }
            ("security.istio.io", "AuthorizationPolicy") => {
                match AuthorizationPolicy::parse(reference.clone(), value) {
                    Ok(Some(policy)) => self.authz.add_policy(policy),
                    Ok(None) => {}
                    Err(why) => rejected(self, reference, why),
                }
            }
            ("security.istio.io", "RequestAuthentication") => {
                match RequestAuthentication::parse(reference.clone(), value) {
                    Ok(Some(ra)) => self.authz.add_authentication(ra),
                    Ok(None) => {}
                    Err(why) => rejected(self, reference, why),
                }
            }
            _ => {}
        }
    }

    /// Adds a pod (a workload's pods share one label set, so one stands for all).
    pub fn add_pod(&mut self, pod: Pod) {
        let i = self.pods.len();
        self.pods_by_namespace.entry(pod.namespace.clone()).or_default().push(i);
        for (k, v) in &pod.labels {
            self.pods_by_label.entry((k.clone(), v.clone())).or_default().push(i);
        }
        self.pods.push(pod);
    }

    pub fn pods_in(&self, namespace: &str) -> Vec<&Pod> {
        self.pods_by_namespace.get(namespace).into_iter().flatten().filter_map(|i| self.pods.get(*i)).collect()
    }

    /// The pods whose labels contain `selector` (a non-empty label set), in any namespace.
    pub fn pods_matching(&self, selector: &Labels) -> Vec<&Pod> {
        let Some((k, v)) = selector.iter().next() else { return Vec::new() };
        self.pods_by_label
            .get(&(k.clone(), v.clone()))
            .into_iter()
            .flatten()
            .filter_map(|i| self.pods.get(*i))
            .filter(|p| selector.iter().all(|(k, v)| p.labels.get(k) == Some(v)))
            .collect()
    }
}
