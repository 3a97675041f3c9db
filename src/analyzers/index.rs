//! The objects, read once into the views the analyses need.
//!
//! Reading is lenient: a field that is absent, `null` or of another type reads as empty (the
//! schema validation reports wrong types; the analyses must not stop on them). `v1 List`
//! objects are read item by item, as `istioctl analyze` does.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::fields::group;
pub use super::fields::{Labels, items, labels, number, selector_text, selects, text, texts};
pub use super::views::{
    Destination, DestinationRule, Gateway, Meta, Policy, Service, ServiceEntry, TlsLevel, VirtualService,
};
use super::views::{read_destination_rule, read_gateway, read_policy, read_service, read_virtual_service};
use super::{Context, KnownService, Object, Workload};

/// Everything the analyses read, by kind.
#[derive(Debug, Default)]
pub struct Index<'a> {
    pub gateways: Vec<Gateway<'a>>,
    pub virtual_services: Vec<VirtualService<'a>>,
    pub destination_rules: Vec<DestinationRule<'a>>,
    pub service_entries: Vec<ServiceEntry<'a>>,
    pub services: Vec<Service<'a>>,
    pub request_authentications: Vec<Policy<'a>>,
    pub authorization_policies: Vec<Policy<'a>>,
    /// Where a secret comes from, by `(namespace, name)`: a Secret object, a cert-manager
    /// Certificate, or the context.
    pub secrets: BTreeMap<(String, String), &'static str>,
    /// The objects' workloads and the context's.
    pub workloads: Vec<Workload>,
    pub known_services: &'a [KnownService],
    /// Gateways by `(namespace, name)`, an index into `gateways`.
    gateway_index: BTreeMap<(&'a str, &'a str), usize>,
    pub complete_namespaces: BTreeSet<&'a str>,
    pub service_namespaces: BTreeSet<&'a str>,
    pub root_namespace: &'a str,
}

impl<'a> Index<'a> {
    pub fn new(objects: &[Object<'a>], context: &'a Context) -> Self {
        let mut index = Index {
            workloads: context.workloads.clone(),
            known_services: &context.services,
            complete_namespaces: context.complete_namespaces.iter().map(String::as_str).collect(),
            service_namespaces: context.service_namespaces.iter().map(String::as_str).collect(),
            root_namespace: context.root_namespace(),
            ..Index::default()
        };
        for (ns, name) in &context.secrets {
            index.secrets.insert((ns.clone(), name.clone()), "a declared existing secret");
        }
        let default_namespace = context.default_namespace();
        for object in objects {
            let value = object.value;
            if text(value, "kind") == "List" && text(value, "apiVersion") == "v1" {
                for item in items(value, "items") {
                    index.add(item, object.sources, default_namespace);
                }
            } else {
                index.add(value, object.sources, default_namespace);
            }
        }
        for (i, g) in index.gateways.iter().enumerate() {
            index.gateway_index.entry((g.meta.namespace, g.meta.name)).or_insert(i);
        }
        index
    }

    fn add(&mut self, value: &'a Value, sources: &'a [String], default_namespace: &'a str) {
        let kind = text(value, "kind");
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let meta = || Meta::new(value, sources, default_namespace);
        match (group(value), kind) {
            ("networking.istio.io", "Gateway") => self.gateways.push(read_gateway(meta(), spec)),
            ("networking.istio.io", "VirtualService") => self.virtual_services.push(read_virtual_service(meta(), spec)),
            ("networking.istio.io", "DestinationRule") => {
                self.destination_rules.push(read_destination_rule(meta(), spec))
            }
            ("networking.istio.io", "ServiceEntry") => self.service_entries.push(ServiceEntry {
                meta: meta(),
                hosts: texts(spec, "hosts"),
                export_to: texts(spec, "exportTo"),
                resolution: text(spec, "resolution"),
                endpoints: items(spec, "endpoints").len(),
                ports: items(spec, "ports").iter().filter_map(|p| number(p, "number")).collect(),
            }),
            ("security.istio.io", "RequestAuthentication") => {
                self.request_authentications.push(read_policy(meta(), spec))
            }
            ("security.istio.io", "AuthorizationPolicy") => self.authorization_policies.push(read_policy(meta(), spec)),
            ("", "Service") => self.services.push(read_service(meta(), value, spec)),
            ("", "Secret") => {
                let m = meta();
                self.secrets.insert((m.namespace.to_string(), m.name.to_string()), "a Secret object");
            }
            ("cert-manager.io", "Certificate") => {
                let m = meta();
                let secret = text(spec, "secretName");
                if !secret.is_empty() {
                    self.secrets.insert((m.namespace.to_string(), secret.to_string()), "a cert-manager Certificate");
                }
            }
            ("", "Pod") => self.add_workload(meta(), value.get("metadata")),
            ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") | ("batch", "Job") => {
                self.add_workload(meta(), spec.get("template").and_then(|t| t.get("metadata")))
            }
            ("batch", "CronJob") => {
                self.add_workload(meta(), spec.pointer("/jobTemplate/spec/template/metadata").filter(|v| v.is_object()))
            }
            _ => {}
        }
    }

    /// A workload from pod metadata: gateway pods are those injected with Istio's `gateway`
    /// template (annotation `inject.istio.io/templates`, a comma list; source: istio/istio
    /// 1.28.10 `pkg/kube/inject/inject.go` `selectTemplates`, and the gateway chart's
    /// `values.yaml`, which sets it to `gateway`).
    fn add_workload(&mut self, meta: Meta<'a>, pod: Option<&'a Value>) {
        let Some(pod) = pod else { return };
        let templates = pod.get("annotations").map_or("", |a| text(a, "inject.istio.io/templates"));
        self.workloads.push(Workload {
            namespace: meta.namespace.to_string(),
            name: meta.name.to_string(),
            labels: labels(pod.get("labels")).into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            gateway: templates.split(',').any(|t| t.trim() == "gateway"),
        })
    }

    /// The Gateway `namespace/name` (the first one, should there be two).
    pub fn gateway(&self, namespace: &str, name: &str) -> Option<&Gateway<'a>> {
        self.gateway_index.get(&(namespace, name)).and_then(|i| self.gateways.get(*i))
    }

    /// The workloads `selector` selects, in any namespace.
    pub fn selected(&self, selector: &Labels<'_>) -> impl Iterator<Item = &Workload> {
        self.workloads.iter().filter(move |w| selects(selector, &w.labels))
    }
}

/// `(namespace, name)` of a `spec.gateways` entry: `ns/name`, or a bare name in `namespace`.
pub fn gateway_reference<'a>(namespace: &'a str, reference: &'a str) -> (&'a str, &'a str) {
    reference.split_once('/').unwrap_or((namespace, reference))
}
