//! What the analyses need to know that the objects do not say ([`Context`]), read from the
//! objects themselves: the gateway pods an OpenShift Service Mesh control plane declares
//! (`spec.gateways.additionalIngress|additionalEgress` of the ServiceMeshControlPlane, whose
//! pods the operator creates), and the namespaces of the gateway Deployments meshedge emits as
//! namespaces whose workloads and Services are all known (a tenant's own gateway, labelled with
//! its tenant, shares the tenant's namespace, whose Services meshedge does not know).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::analyzers::{Context, Workload};

fn labels(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

/// The context of a set of final objects.
pub fn of<'a>(objects: impl Iterator<Item = &'a Value>) -> Context {
    let mut context = Context::default();
    for value in objects {
        let kind = value.get("kind").and_then(Value::as_str).unwrap_or_default();
        if kind == "ServiceMeshControlPlane" {
            let control_plane = value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("istio-system");
            context.root_namespace.get_or_insert_with(|| control_plane.to_string());
            for section in ["additionalIngress", "additionalEgress"] {
                let gateways = value.pointer(&format!("/spec/gateways/{section}")).and_then(Value::as_object);
                for (name, gateway) in gateways.into_iter().flatten() {
                    let namespace =
                        gateway.get("namespace").and_then(Value::as_str).unwrap_or(control_plane).to_string();
                    context.complete_namespaces.insert(namespace.clone());
                    context.workloads.push(Workload {
                        namespace,
                        name: name.clone(),
                        labels: labels(gateway.pointer("/runtime/pod/metadata/labels")),
                        gateway: true,
                    });
                }
            }
        }
        let tenant = value.pointer("/metadata/annotations/meshedge.io~1tenant").is_some()
            || value.pointer("/metadata/labels/meshedge.io~1tenant").is_some();
        let gateway_pods = value.pointer("/spec/template/metadata/annotations/inject.istio.io~1templates")
            == Some(&Value::String("gateway".into()));
        if kind == "Deployment" && gateway_pods && !tenant {
            let namespace =
                value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default().to_string();
            context.complete_namespaces.insert(namespace.clone());
            context.service_namespaces.insert(namespace);
        }
    }
    context
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
