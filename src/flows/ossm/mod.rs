//! The objects OpenShift Service Mesh 2 creates on the cluster itself, which the output does not
//! hold but flows depend on: the NetworkPolicies of a control plane that manages them, the
//! mesh-membership namespace labels, and the gateways declared in the ServiceMeshControlPlane
//! (their Services and pods).
//!
//! Sources (maistra/istio-operator, branch maistra-2.5 @8143614c; the same templates at tag
//! maistra-2.4.6 and in the v2.6 charts):
//! - `pkg/apis/maistra/v2/security.go`: `manageNetworkPolicy` defaults to true; false = the
//!   operator creates no NetworkPolicy.
//! - `resources/helm/v2.5/mesh-config/templates/networkpolicy.yaml`: in the control-plane
//!   namespace, `istio-mesh-<rev>` (every pod; ingress from namespaces labelled
//!   `maistra.io/member-of: <cp ns>`) and `istio-expose-route-<rev>` (pods labelled
//!   `maistra.io/expose-route: "true"`; ingress from namespaces labelled
//!   `network.openshift.io/policy-group: ingress`); `<rev>` is the SMCP name
//!   (`pkg/controller/versions/strategy_v2_5.go`, helm value `revision`).
//! - `pkg/controller/servicemesh/member/ovs_networkpolicy.go`: the member controller copies every
//!   mesh-owned policy of the control-plane namespace that is not annotated
//!   `maistra.io/internal` into each member namespace, labelled `maistra.io/member-of`.
//! - `pkg/controller/servicemesh/member/namespace_reconciler.go` `initializeNetworkingStrategy`:
//!   copies are made for OVN-Kubernetes, OpenShift SDN in NetworkPolicy mode and other plugins;
//!   members and the control-plane namespace are labelled `maistra.io/member-of: <cp ns>`
//!   (`pkg/controller/servicemesh/controlplane/namespace_labels.go` for the latter).
//! - `resources/helm/v2.5/gateways/istio-ingress/templates/networkpolicy.yaml`: every ingress
//!   gateway rendered from the SMCP gets a policy named after it in its namespace, selecting its
//!   labels, admitting everything (`ingress: [{}]`), annotated internal (not copied). The egress
//!   chart has none.
//! - `pkg/controller/versions/strategy_v2_5.go` `renderGateway`: a gateway's labels are
//!   `service.metadata.labels` plus `app: <gateway name>` when missing, over the chart defaults
//!   (`resources/helm/v2.5/gateways/istio-{ingress,egress}/values.yaml`: `app`, `istio`, ports
//!   80→8080 `http2`, 443→8443 `https`); the Service is named after the gateway and selects
//!   those labels (`templates/service.yaml`).
//! - `resources/smcp-templates/v2.5/base`: the built-in `gateways.ingress` / `gateways.egress`
//!   are enabled unless the SMCP says otherwise.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::platform::OssmRendered;

use super::pod::{ContainerPort, Pod};
use super::selector::{Labels, labels_of};
use super::{ObjectRef, Origin};

pub const MEMBER_OF: &str = "maistra.io/member-of";
pub const EXPOSE_ROUTE: &str = "maistra.io/expose-route";
pub const INTERNAL: &str = "maistra.io/internal";

/// A gateway declared in the ServiceMeshControlPlane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmcpGateway {
    pub name: String,
    pub namespace: String,
    pub labels: Labels,
    pub ingress: bool,
    /// The Service's type (`ClusterIP` unless the SMCP sets one).
    pub service_type: String,
}

/// The facts of an OpenShift Service Mesh 2 control plane that shape flows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlPlane {
    pub namespace: String,
    /// The ServiceMeshControlPlane's name (the revision the policy names carry).
    pub name: String,
    pub manage_network_policy: bool,
    /// The ServiceMeshMemberRoll's members.
    pub members: BTreeSet<String>,
    pub gateways: Vec<SmcpGateway>,
    /// Whether the network plugin gets the policies copied into members (every plugin but
    /// OpenShift SDN in subnet or multitenant mode).
    pub copies_policies: bool,
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, k| v.get(k))?.as_str()
}

fn bool_at(value: &Value, path: &[&str]) -> Option<bool> {
    path.iter().try_fold(value, |v, k| v.get(k))?.as_bool()
}

impl ControlPlane {
    /// Reads a `maistra.io/v2` ServiceMeshControlPlane and its ServiceMeshMemberRoll.
    pub fn from_objects(smcp: &Value, smmr: Option<&Value>) -> Option<ControlPlane> {
        let namespace = str_at(smcp, &["metadata", "namespace"])?.to_string();
        let name = str_at(smcp, &["metadata", "name"])?.to_string();
        let spec = smcp.get("spec").unwrap_or(&Value::Null);
        let manage_network_policy = bool_at(spec, &["security", "manageNetworkPolicy"]).unwrap_or(true);
        let members = smmr
            .and_then(|r| r.get("spec"))
            .and_then(|s| s.get("members"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let mut gateways = Vec::new();
        let gateways_spec = spec.get("gateways").unwrap_or(&Value::Null);
        if bool_at(gateways_spec, &["enabled"]).unwrap_or(true) {
            let mut add = |name: &str, config: &Value, ingress: bool, default_enabled: bool| {
                if !bool_at(config, &["enabled"]).unwrap_or(default_enabled) {
                    return;
                }
                let mut labels = if ingress {
                    Labels::from([
                        ("app".into(), "istio-ingressgateway".into()),
                        ("istio".into(), "ingressgateway".into()),
                    ])
                } else {
                    Labels::from([
                        ("app".into(), "istio-egressgateway".into()),
                        ("istio".into(), "egressgateway".into()),
                    ])
                };
                let own = config.get("service").and_then(|s| s.get("metadata")).and_then(|m| m.get("labels"));
                let own = own.and_then(labels_of).unwrap_or_default();
                if !own.contains_key("app") {
                    labels.insert("app".into(), name.to_string());
                }
                labels.extend(own);
                gateways.push(SmcpGateway {
                    name: name.to_string(),
                    namespace: str_at(config, &["namespace"]).unwrap_or(&namespace).to_string(),
                    labels,
                    ingress,
                    service_type: str_at(config, &["service", "type"]).unwrap_or("ClusterIP").to_string(),
                });
            };
            add("istio-ingressgateway", gateways_spec.get("ingress").unwrap_or(&Value::Null), true, true);
            add("istio-egressgateway", gateways_spec.get("egress").unwrap_or(&Value::Null), false, true);
            for (key, ingress) in [("additionalIngress", true), ("additionalEgress", false)] {
                if let Some(map) = gateways_spec.get(key).and_then(Value::as_object) {
                    for (name, config) in map {
                        add(name, config, ingress, false);
                    }
                }
            }
        }
        Some(ControlPlane { namespace, name, manage_network_policy, members, gateways, copies_policies: true })
    }

    /// The namespaces of the mesh: the control plane's and the members.
    pub fn mesh_namespaces(&self) -> BTreeSet<String> {
        let mut all = self.members.clone();
        all.insert(self.namespace.clone());
        all
    }

    /// `maistra.io/member-of: <cp ns>` on the control-plane namespace and every member.
    pub fn namespace_labels(&self) -> BTreeMap<String, Labels> {
        self.mesh_namespaces()
            .into_iter()
            .map(|ns| (ns, Labels::from([(MEMBER_OF.to_string(), self.namespace.clone())])))
            .collect()
    }

    /// The NetworkPolicies the operator creates (none when it does not manage them): those of
    /// [`ControlPlane::policy_namespaces`], each namespace's [`ControlPlane::mesh_policies`] in
    /// turn, then [`ControlPlane::gateway_policies`].
    pub fn network_policies(&self) -> Vec<Value> {
        let mut out: Vec<Value> = self.policy_namespaces().iter().flat_map(|ns| self.mesh_policies(ns)).collect();
        out.extend(self.gateway_policies());
        out
    }

    /// The namespaces that hold the mesh's own policies: the control plane's, and every member
    /// when the policies are copied there; none when the operator does not manage policies.
    pub fn policy_namespaces(&self) -> Vec<String> {
        if !self.manage_network_policy {
            Vec::new()
        } else if self.copies_policies {
            self.mesh_namespaces().into_iter().collect()
        } else {
            vec![self.namespace.clone()]
        }
    }

    /// `istio-mesh-<rev>` and `istio-expose-route-<rev>` as they are in namespace `ns` (the copies
    /// differ from the control plane's in their namespace and labels only).
    pub fn mesh_policies(&self, ns: &str) -> [Value; 2] {
        let mut labels = Labels::from([("app".to_string(), "istio".to_string())]);
        if ns != self.namespace {
            labels.insert(MEMBER_OF.to_string(), self.namespace.clone());
        }
        [
            policy(
                ns,
                &format!("istio-mesh-{}", self.name),
                labels.clone(),
                Labels::new(),
                Spec {
                    pod_selector: Some(Selector::default()),
                    ingress: vec![IngressRule {
                        from: Some(vec![Peer {
                            namespace_selector: Some(Selector::labels(MEMBER_OF, &self.namespace)),
                        }]),
                    }],
                },
            ),
            policy(
                ns,
                &format!("istio-expose-route-{}", self.name),
                labels,
                Labels::new(),
                Spec {
                    pod_selector: Some(Selector::labels(EXPOSE_ROUTE, "true")),
                    ingress: vec![IngressRule {
                        from: Some(vec![Peer {
                            namespace_selector: Some(Selector::labels("network.openshift.io/policy-group", "ingress")),
                        }]),
                    }],
                },
            ),
        ]
    }

    /// The policies of the SMCP's ingress gateways, each in its namespace (none when the operator
    /// does not manage policies).
    pub fn gateway_policies(&self) -> Vec<Value> {
        if !self.manage_network_policy {
            return Vec::new();
        }
        self.gateways
            .iter()
            .filter(|g| g.ingress)
            .map(|gw| {
                policy(
                    &gw.namespace,
                    &gw.name,
                    gw.labels.clone(),
                    Labels::from([(INTERNAL.to_string(), "true".to_string())]),
                    Spec {
                        pod_selector: Some(Selector { match_labels: gw.labels.clone() }),
                        ingress: vec![IngressRule { from: None }],
                    },
                )
            })
            .collect()
    }

    /// The Services of the SMCP's gateways (chart ports 80→8080 `http2`, 443→8443 `https`).
    pub fn gateway_services(&self) -> Vec<Value> {
        self.gateways
            .iter()
            .map(|gw| {
                serde_json::json!({
                    "apiVersion": OssmRendered::GatewayService.api_version(),
                    "kind": OssmRendered::GatewayService.kind(),
                    "metadata": {"name": gw.name, "namespace": gw.namespace, "labels": gw.labels},
                    "spec": {
                        "type": gw.service_type,
                        "selector": gw.labels,
                        "ports": [
                            {"name": "http2", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                            {"name": "https", "port": 443, "targetPort": 8443, "protocol": "TCP"},
                        ],
                    },
                })
            })
            .collect()
    }

    /// The pods of the SMCP's gateways.
    pub fn gateway_pods(&self) -> Vec<Pod> {
        self.gateways
            .iter()
            .map(|gw| {
                Pod::new(&gw.namespace, &gw.name, gw.labels.clone())
                    .with_ports(vec![ContainerPort::tcp("http2", 8080), ContainerPort::tcp("https", 8443)])
                    .with_service_account(&format!("{}-service-account", gw.name))
            })
            .collect()
    }

    /// The reference of an object this control plane creates.
    pub fn reference(value: &Value) -> Option<ObjectRef> {
        ObjectRef::of(value, Origin::Platform)
    }
}

// The NetworkPolicy shape the operator's templates render (typed, serialized once).

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Selector {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    match_labels: Labels,
}

impl Selector {
    fn labels(key: &str, value: &str) -> Selector {
        Selector { match_labels: Labels::from([(key.to_string(), value.to_string())]) }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Peer {
    namespace_selector: Option<Selector>,
}

#[derive(Debug, Clone, Serialize)]
struct IngressRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<Vec<Peer>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pod_selector: Option<Selector>,
    ingress: Vec<IngressRule>,
}

#[derive(Debug, Clone, Serialize)]
struct Metadata {
    name: String,
    namespace: String,
    labels: Labels,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: Labels,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct NetworkPolicy {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    spec: Spec,
}

fn policy(namespace: &str, name: &str, labels: Labels, annotations: Labels, spec: Spec) -> Value {
    let object = NetworkPolicy {
        api_version: OssmRendered::NetworkPolicy.api_version(),
        kind: OssmRendered::NetworkPolicy.kind(),
        metadata: Metadata { name: name.to_string(), namespace: namespace.to_string(), labels, annotations },
        spec,
    };
    // Plain structs of strings and maps always serialize.
    serde_json::to_value(object).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests;
