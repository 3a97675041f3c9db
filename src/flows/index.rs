//! The objects of a build, parsed once and indexed for every layer: NetworkPolicies by
//! namespace, egress firewalls by namespace, Routes by host, Services by namespace and name,
//! Gateway servers, VirtualServices and ServiceEntries by host, DestinationRules by namespace,
//! AuthorizationPolicies by namespace and host, RequestAuthentications by namespace, pods by
//! namespace and label. An object the platform would refuse is kept aside with the reason
//! ([`Index::rejected`]): it decides nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::platform;

use super::authz;
use super::context::{Context, OutboundPolicy, Pod};
use super::egress_firewall::{Firewall, Firewalls, Kind};
use super::exposure::Exposure;
use super::istio::Routing;
use super::mesh;
use super::netpol::{self, Namespaces};
use super::ossm::ControlPlane;
use super::read::{Read, Role, role};
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
    /// The outbound policy that object sets ([`super::mesh::outbound_policy`]): the cluster runs
    /// it, whatever the settings said before the patches.
    pub outbound: Option<OutboundPolicy>,
    /// The mesh's federation objects (ServiceMeshPeer, ExportedServiceSet, ImportedServiceSet),
    /// in the value form: a handful per peer.
    pub federation: Vec<(ObjectRef, Value)>,
    services_seen: BTreeSet<(String, String)>,
    /// Per namespace, the fewest labels a pod needs for each NetworkPolicy and
    /// AuthorizationPolicy selector there to select it (non-empty ones only).
    selector_labels: BTreeMap<String, BTreeSet<Labels>>,
    /// Per namespace, the Services with a selector: (name, selector).
    service_selectors: BTreeMap<String, Vec<(String, Labels)>>,
}

/// Whether flows read objects of this `apiVersion` and kind. [`Index::build`] passes over the
/// others, so a caller holding objects in another form need not read those into the value form.
pub fn reads(api_version: &str, kind: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    role(group, kind).is_some()
}

impl Index {
    /// Indexes the output's objects and what the platform adds: the OpenShift Service Mesh
    /// control plane's NetworkPolicies, gateways and namespace labels, the context's namespace
    /// labels and pods.
    pub fn build(objects: impl IntoIterator<Item = Value>, ctx: &Context) -> Index {
        Index::build_read(objects.into_iter().filter_map(Read::of), ctx)
    }

    /// [`Index::build`] of objects already parsed ([`Read::of`]), in the order given.
    pub fn build_read(objects: impl IntoIterator<Item = Read>, ctx: &Context) -> Index {
        let mut index = Index::default();
        let mut smcp = None;
        let mut smmr = None;
        for read in objects {
            match read {
                Read::Value(reference, value) => match role(reference.group(), &reference.kind) {
                    Some(Role::ControlPlane) => {
                        index.outbound = mesh::outbound_policy(&reference, &value);
                        index.mesh_config = Some(reference);
                        smcp = Some(value);
                    }
                    Some(Role::MemberRoll) => smmr = Some(value),
                    Some(Role::MeshConfig) => {
                        index.outbound = mesh::outbound_policy(&reference, &value);
                        index.mesh_config = Some(reference);
                    }
                    _ => index.add_read(Read::Value(reference, value), ctx),
                },
                read => index.add_read(read, ctx),
            }
        }
        let control_plane = ctx.control_plane.clone().or_else(|| {
            platform::smcp_reconciled_by_operator(ctx.flavor)
                .then(|| smcp.as_ref().and_then(|s| ControlPlane::from_objects(s, smmr.as_ref())))
                .flatten()
        });
        if let Some(cp) = &control_plane {
            // The mesh's policies are parsed once, in the control plane's namespace, and shared
            // by their copies in every member namespace (which differ in their namespace only).
            let namespaces = cp.policy_namespaces();
            let parsed: Vec<Read> = cp
                .mesh_policies(&cp.namespace)
                .into_iter()
                .filter_map(|policy| Read::parse(ControlPlane::reference(&policy)?, policy))
                .collect();
            for ns in &namespaces {
                for read in &parsed {
                    let copy = match read {
                        Read::NetworkPolicy(reference, policy) => {
                            let mut reference = reference.clone();
                            reference.namespace = Some(ns.clone());
                            Read::NetworkPolicy(
                                reference,
                                policy.as_ref().map(|p| p.in_namespace(ns)).map_err(Clone::clone),
                            )
                        }
                        // The operator's policies are NetworkPolicies.
                        _ => continue,
                    };
                    index.add_read(copy, ctx);
                }
            }
            for policy in cp.gateway_policies() {
                if let Some(reference) = ControlPlane::reference(&policy) {
                    index.add(reference, policy, ctx);
                }
            }
            for service in cp.gateway_services() {
                if let Some(reference) = ControlPlane::reference(&service) {
                    let key = (reference.namespace.clone().unwrap_or_default(), reference.name.clone());
                    if !index.services_seen.contains(&key) {
                        index.add(reference, service, ctx);
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
        for (service, pods) in &ctx.gateways {
            let Some(reference) = ObjectRef::of(service, Origin::Platform) else { continue };
            let key = (reference.namespace.clone().unwrap_or_default(), reference.name.clone());
            if !index.services_seen.contains(&key) {
                index.add(reference, service.clone(), ctx);
                for pod in pods {
                    index.add_pod(pod.clone());
                }
            }
        }
        for (ns, labels) in &ctx.namespace_labels {
            index.namespaces.add(ns, labels);
        }
        for pod in &ctx.pods {
            index.add_pod(pod.clone());
        }
        index.routing.finish();
        index
    }

    fn add(&mut self, reference: ObjectRef, value: Value, ctx: &Context) {
        if let Some(read) = Read::parse(reference, value) {
            self.add_read(read, ctx);
        }
    }

    fn add_read(&mut self, read: Read, ctx: &Context) {
        let rejected = |index: &mut Index, r: ObjectRef, why: String| index.rejected.push((r, why));
        match read {
            Read::Value(reference, value) => match role(reference.group(), &reference.kind) {
                Some(Role::Namespace) => self.namespaces.add_object(&value),
                Some(Role::OvnFirewall) => {
                    self.firewalls.add(Firewall::parse(reference, Kind::Ovn, &value, ctx.dns_name_resolver));
                }
                Some(Role::SdnFirewall) => {
                    self.firewalls.add(Firewall::parse(reference, Kind::Sdn, &value, ctx.dns_name_resolver));
                }
                Some(Role::Federation) => self.federation.push((reference, value)),
                // Read by `build_read`.
                _ => {}
            },
            Read::Service(reference, service) => {
                if let Some(selector) = service.selector.as_ref().filter(|s| !s.is_empty()) {
                    self.service_selectors
                        .entry(service.namespace.clone())
                        .or_default()
                        .push((service.name.clone(), selector.clone()));
                }
                let ports = service.ports.iter().map(|p| p.port).collect();
                self.services_seen.insert((service.namespace.clone(), service.name.clone()));
                self.routing.add_service(reference, ports);
                self.exposure.add_service(service);
            }
            Read::Workload(pod, _) => {
                if let Some(pod) = pod {
                    self.add_pod(pod);
                }
            }
            Read::NetworkPolicy(reference, policy) => match policy {
                Ok(policy) => {
                    if let Some(labels) = policy.pod_selector_witness().filter(|l| !l.is_empty()) {
                        self.selector_labels.entry(policy.namespace.clone()).or_default().insert(labels);
                    }
                    self.network_policies.add(policy)
                }
                Err(why) => rejected(self, reference, why),
            },
            Read::Route(route) => self.exposure.add_route(route),
            Read::Gateway(gateway) => self.routing.add_gateway(gateway),
            Read::VirtualService(vs) => self.routing.add_virtual_service(vs),
            Read::ServiceEntry(se) => self.routing.add_service_entry(se),
            Read::DestinationRule(dr) => self.routing.add_destination_rule(dr),
            Read::Sidecar(sidecar) => self.routing.add_sidecar(sidecar),
            Read::AuthorizationPolicy(reference, policy) => match policy {
                Ok(Some(policy)) => {
                    if !policy.selector_labels().is_empty() {
                        let labels = policy.selector_labels().clone();
                        self.selector_labels.entry(policy.namespace.clone()).or_default().insert(labels);
                    }
                    self.authz.add_policy(policy)
                }
                Ok(None) => {}
                Err(why) => rejected(self, reference, why),
            },
            Read::RequestAuthentication(reference, ra) => match ra {
                Ok(Some(ra)) => self.authz.add_authentication(ra),
                Ok(None) => {}
                Err(why) => rejected(self, reference, why),
            },
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

    /// The fewest labels that make a pod of `namespace` selected by each NetworkPolicy and
    /// AuthorizationPolicy selector of `namespaces` (the pod's own, and the root namespace whose
    /// AuthorizationPolicies apply everywhere).
    pub fn selector_labels<'a>(&'a self, namespaces: &[&str]) -> BTreeSet<&'a Labels> {
        namespaces.iter().filter_map(|ns| self.selector_labels.get(*ns)).flatten().collect()
    }

    /// The Services of `namespace` with a selector, as (name, selector).
    pub fn service_selectors(&self, namespace: &str) -> &[(String, Labels)] {
        self.service_selectors.get(namespace).map_or(&[], Vec::as_slice)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kinds_flows_read() {
        for (api_version, kind) in [
            ("v1", "Namespace"),
            ("v1", "Service"),
            ("apps/v1", "Deployment"),
            ("networking.k8s.io/v1", "NetworkPolicy"),
            ("k8s.ovn.org/v1", "EgressFirewall"),
            ("network.openshift.io/v1", "EgressNetworkPolicy"),
            ("route.openshift.io/v1", "Route"),
            ("networking.istio.io/v1beta1", "Gateway"),
            ("networking.istio.io/v1", "VirtualService"),
            ("networking.istio.io/v1beta1", "ServiceEntry"),
            ("networking.istio.io/v1beta1", "DestinationRule"),
            ("networking.istio.io/v1", "Sidecar"),
            ("security.istio.io/v1", "AuthorizationPolicy"),
            ("security.istio.io/v1beta1", "RequestAuthentication"),
            ("maistra.io/v2", "ServiceMeshControlPlane"),
            ("maistra.io/v1", "ServiceMeshMemberRoll"),
            ("sailoperator.io/v1", "Istio"),
        ] {
            assert!(reads(api_version, kind), "{api_version} {kind}");
        }
        for (api_version, kind) in [
            ("rbac.authorization.k8s.io/v1", "Role"),
            ("cert-manager.io/v1", "Certificate"),
            ("v1", "ConfigMap"),
            ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"),
            ("networking.k8s.io/v1", "Service"),
        ] {
            assert!(!reads(api_version, kind), "{api_version} {kind}");
        }
    }
}
