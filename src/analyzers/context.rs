//! What the analyses need to know that the objects do not say ([`Context`]), given by the
//! caller and completed from the objects themselves ([`Context::note`]): the gateway pods an
//! OpenShift Service Mesh control plane declares (its built-in `spec.gateways.ingress|egress`
//! and `spec.gateways.additionalIngress|additionalEgress` of the ServiceMeshControlPlane, whose
//! pods the operator creates), and the namespaces of the
//! gateway Deployments meshedge emits as namespaces whose workloads and Services are all known
//! (a tenant's own gateway, labelled with its tenant, shares the tenant's namespace, whose
//! Services meshedge does not know).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::fields::Labels;
use crate::flows::ossm::ControlPlane;

/// The names of the gateways an OpenShift Service Mesh control plane has built in.
const BUILT_IN: [&str; 2] = ["istio-ingressgateway", "istio-egressgateway"];

/// A workload (a set of pods) the analyses may match selectors against.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Workload {
    pub namespace: String,
    /// A name for messages (the Deployment, or the gateway's name).
    pub name: String,
    /// The pods' labels.
    pub labels: Labels,
    /// Whether the pods are gateway proxies (they read `credentialName` from DestinationRules).
    pub gateway: bool,
}

/// A Service that exists without an object among the analysed ones (one a control plane
/// creates for its gateways).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct KnownService {
    pub namespace: String,
    pub name: String,
    pub ports: Vec<u32>,
}

/// What the analyses need to know that the objects do not say. Everything is optional: with
/// the default, analyses that need workloads skip rather than guess.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Workloads besides those of the objects' own pod templates (Deployments, StatefulSets,
    /// DaemonSets, ReplicaSets, Jobs, CronJobs, Pods): the gateway pods the control plane
    /// deploys.
    pub workloads: Vec<Workload>,
    /// Namespaces whose workloads are all known (objects plus `workloads`): the gateway
    /// namespaces no tenant may use.
    pub complete_namespaces: BTreeSet<String>,
    /// Secrets that exist without an object among the analysed ones (`(namespace, name)`): the
    /// existing secrets requests name.
    pub secrets: BTreeSet<(String, String)>,
    /// Services besides the objects' own.
    pub services: Vec<KnownService>,
    /// Namespaces whose Services are all known (objects plus `services`): route destinations in
    /// them are checked (A610).
    pub service_namespaces: BTreeSet<String>,
    /// The mesh's root namespace (`meshConfig.rootNamespace`; the control plane's namespace on
    /// OpenShift Service Mesh). Default `istio-system`, Istio's default.
    pub root_namespace: Option<String>,
    /// The namespace of objects that name none. Default `default` (what `kubectl apply` uses
    /// without `-n`).
    pub default_namespace: Option<String>,
    /// Whether the proxies verify a server against their CA bundle when a TLS origination names
    /// no CA (istiod's default on the target, or its flag in the control plane meshedge writes):
    /// then TLS without `caCertificates` is verified, and A606, A608 and A609 do not apply.
    pub proxies_verify_without_ca: bool,
}

fn labels_of(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

impl Context {
    pub fn root_namespace(&self) -> &str {
        self.root_namespace.as_deref().unwrap_or("istio-system")
    }

    pub fn default_namespace(&self) -> &str {
        self.default_namespace.as_deref().unwrap_or("default")
    }

    /// Learns what `value`, one of the analysed objects, says of the context.
    pub fn note(&mut self, value: &Value) {
        let kind = value.get("kind").and_then(Value::as_str).unwrap_or_default();
        if kind == "ServiceMeshControlPlane" {
            let control_plane = value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("istio-system");
            self.root_namespace.get_or_insert_with(|| control_plane.to_string());
            // The built-in gateways (`gateways.ingress`, `gateways.egress`), enabled unless the
            // control plane says otherwise, as the flows model reads them (sources there).
            let built_in = ControlPlane::from_objects(value, None).map(|cp| cp.gateways).unwrap_or_default();
            for gateway in built_in.into_iter().filter(|g| BUILT_IN.contains(&g.name.as_str())) {
                self.complete_namespaces.insert(gateway.namespace.clone());
                self.workloads.push(Workload {
                    namespace: gateway.namespace,
                    name: gateway.name,
                    labels: gateway.labels,
                    gateway: true,
                });
            }
            for section in ["additionalIngress", "additionalEgress"] {
                let gateways = value.pointer(&format!("/spec/gateways/{section}")).and_then(Value::as_object);
                for (name, gateway) in gateways.into_iter().flatten() {
                    let namespace =
                        gateway.get("namespace").and_then(Value::as_str).unwrap_or(control_plane).to_string();
                    self.complete_namespaces.insert(namespace.clone());
                    self.workloads.push(Workload {
                        namespace,
                        name: name.clone(),
                        labels: labels_of(gateway.pointer("/runtime/pod/metadata/labels")),
                        gateway: true,
                    });
                }
            }
        }
        if kind == "Deployment" {
            let tenant = value.pointer("/metadata/annotations/meshedge.io~1tenant").is_some()
                || value.pointer("/metadata/labels/meshedge.io~1tenant").is_some();
            let gateway_pods = value.pointer("/spec/template/metadata/annotations/inject.istio.io~1templates")
                == Some(&Value::String("gateway".into()));
            if gateway_pods && !tenant {
                let namespace =
                    value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default().to_string();
                self.complete_namespaces.insert(namespace.clone());
                self.service_namespaces.insert(namespace);
            }
        }
    }

    /// Adds what `other` knows (learnt from later objects); a root namespace already known stays.
    pub fn absorb(&mut self, other: Context) {
        self.workloads.extend(other.workloads);
        self.complete_namespaces.extend(other.complete_namespaces);
        self.secrets.extend(other.secrets);
        self.services.extend(other.services);
        self.service_namespaces.extend(other.service_namespaces);
        if self.root_namespace.is_none() {
            self.root_namespace = other.root_namespace;
        }
        if self.default_namespace.is_none() {
            self.default_namespace = other.default_namespace;
        }
        self.proxies_verify_without_ca |= other.proxies_verify_without_ca;
    }
}

/// The ingress gateway pods `istioctl analyze` assumes offline (no cluster): labels
/// `istio=ingressgateway` in `istio-system`. Source: istio/istio 1.24.6
/// `pkg/config/analysis/local/defaults.go` (`AddDefaultResources`). A bare directory of plain
/// manifests is analysed with it, as `istioctl analyze --use-kube=false` would.
pub fn default_ingress_gateway() -> Workload {
    Workload {
        namespace: "istio-system".into(),
        name: "istio-ingressgateway".into(),
        labels: BTreeMap::from([("istio".to_string(), "ingressgateway".to_string())]),
        gateway: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_control_planes_gateways_are_known_workloads_built_in_ones_too() {
        let smcp = json!({"apiVersion": "maistra.io/v2", "kind": "ServiceMeshControlPlane",
            "metadata": {"name": "basic", "namespace": "istio-system"},
            "spec": {"gateways": {
                "egress": {"namespace": "istio-egress"},
                "ingress": {"enabled": false},
                "additionalIngress": {"internal": {"namespace": "istio-internal",
                    "runtime": {"pod": {"metadata": {"labels": {"istio": "internal"}}}}}}}}});
        let mut context = Context::default();
        context.note(&smcp);
        let names: Vec<(&str, &str)> =
            context.workloads.iter().map(|w| (w.namespace.as_str(), w.name.as_str())).collect();
        assert_eq!(names, [("istio-egress", "istio-egressgateway"), ("istio-internal", "internal")]);
        assert!(context.workloads.iter().all(|w| w.gateway));
        assert_eq!(context.workloads[0].labels.get("istio").map(String::as_str), Some("egressgateway"));
        let complete: Vec<&str> = context.complete_namespaces.iter().map(String::as_str).collect();
        assert_eq!(complete, ["istio-egress", "istio-internal"]);
        assert_eq!(context.root_namespace(), "istio-system");
    }
}
