//! The workload of a gateway that meshedge deploys itself (`deploy: true`), by Istio's gateway
//! injection: a ServiceAccount, a Deployment whose `istio-proxy` container the injector fills
//! in, the Service in front of it, and a Role that lets the gateway read its TLS secrets.

use crate::platform::{Kind, Target};
use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use crate::generate::sink::Generated;
use crate::objects::{EXTERNAL_DNS_HOSTNAME, Labels, Manifest, ServicePortSpec, ServiceSpec, Spec};

/// The container ports behind the Service's 80 and 443: the gateway listens there (istiod maps a
/// Gateway server's port to the `targetPort` of the gateway's Service).
pub(crate) const HTTP_TARGET_PORT: u32 = 8080;
pub(crate) const HTTPS_TARGET_PORT: u32 = 8443;

pub struct GatewayWorkload<'a> {
    pub name: &'a str,
    pub namespace: &'a str,
    pub selector: &'a Labels,
    pub node_selector: &'a BTreeMap<String, String>,
    pub service_type: &'static str,
    /// Hosts for external-dns on the Service (comma-separated).
    pub announce_hosts: Option<&'a str>,
    pub tenant: Option<&'a str>,
    /// The platform, for the API versions.
    pub target: &'a Target,
}

/// The API version of `kind` on the workload's target (core and apps kinds are served everywhere).
fn api(w: &GatewayWorkload, kind: Kind) -> &'static str {
    w.target.api_version(kind).map_or("", |api| api.as_str())
}

pub(crate) fn generate(w: &GatewayWorkload, sources: &BTreeSet<String>, out: &mut Generated) {
    let ns = Some(w.namespace);
    out.push(
        Manifest::new(api(w, Kind::ServiceAccount), "ServiceAccount", ns, w.name, serde_json::Map::new()),
        sources,
        w.tenant,
    );

    let mut pod_labels = w.selector.clone();
    pod_labels.insert("sidecar.istio.io/inject".into(), "true".into());
    let mut pod_spec = json!({
        "serviceAccountName": w.name,
        "containers": [{
            "name": "istio-proxy",
            "image": "auto",
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]},
                "runAsNonRoot": true
            }
        }]
    });
    if !w.node_selector.is_empty() {
        pod_spec["nodeSelector"] = json!(w.node_selector);
    }
    let deployment = json!({
        "replicas": 2,
        "selector": {"matchLabels": w.selector},
        "template": {
            "metadata": {"annotations": {"inject.istio.io/templates": "gateway"}, "labels": pod_labels},
            "spec": pod_spec
        }
    });
    out.push(
        Manifest::new(api(w, Kind::Deployment), "Deployment", ns, w.name, Spec { spec: deployment }),
        sources,
        w.tenant,
    );

    let spec = ServiceSpec {
        service_type: w.service_type,
        selector: w.selector.clone(),
        ports: vec![
            ServicePortSpec { name: "http2".into(), port: 80, target_port: HTTP_TARGET_PORT, protocol: "TCP" },
            ServicePortSpec { name: "https".into(), port: 443, target_port: HTTPS_TARGET_PORT, protocol: "TCP" },
        ],
    };
    let mut service = Manifest::new(api(w, Kind::Service), "Service", ns, w.name, Spec { spec });
    if let Some(hosts) = w.announce_hosts {
        service = service.annotation(EXTERNAL_DNS_HOSTNAME, hosts);
    }
    out.push(service, sources, w.tenant);

    let role = json!({"rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "watch", "list"]}]});
    out.push(Manifest::new(api(w, Kind::Role), "Role", ns, w.name, role), sources, w.tenant);
    let binding = json!({
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": w.name},
        "subjects": [{"kind": "ServiceAccount", "name": w.name}]
    });
    out.push(Manifest::new(api(w, Kind::RoleBinding), "RoleBinding", ns, w.name, binding), sources, w.tenant);
}
