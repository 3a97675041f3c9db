//! The objects, read once into the views the analyses need.
//!
//! Reading is lenient: a field that is absent, `null` or of another type reads as empty (the
//! schema validation reports wrong types; the analyses must not stop on them). `v1 List`
//! objects are read item by item, as `istioctl analyze` does.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::platform;

use super::fields::group;
pub use super::fields::{Labels, items, labels, number, owned, selector_text, selects, text, texts};
pub use super::views::{
    Destination, DestinationRule, Gateway, Meta, Policy, Service, ServiceEntry, TlsLevel, VirtualService,
};
use super::views::{read_destination_rule, read_gateway, read_policy, read_service, read_virtual_service};
use super::{Context, KnownService, Object, Workload};

/// Everything the analyses read, by kind: gathered one object at a time ([`Index::add`]), so
/// that no object has to stay in the value form, then completed with the caller's [`Context`]
/// ([`Index::seal`]).
#[derive(Debug, Default)]
pub struct Index {
    pub gateways: Vec<Gateway>,
    pub virtual_services: Vec<VirtualService>,
    pub destination_rules: Vec<DestinationRule>,
    pub service_entries: Vec<ServiceEntry>,
    pub services: Vec<Service>,
    pub request_authentications: Vec<Policy>,
    pub authorization_policies: Vec<Policy>,
    /// Where a secret comes from, by `(namespace, name)`: a Secret object, a cert-manager
    /// Certificate, or the context.
    pub secrets: BTreeMap<(String, String), &'static str>,
    /// The objects' workloads, and once sealed the context's.
    pub workloads: Vec<Workload>,
    /// What the objects say of the context; once sealed, with the caller's.
    pub context: Context,
    /// The namespace of objects that name none.
    default_namespace: String,
    /// Gateways by `(namespace, name)`, an index into `gateways` (once sealed).
    gateway_index: BTreeMap<(String, String), usize>,
}

impl Index {
    /// An empty index; objects that name no namespace are in `default_namespace`.
    pub fn new(default_namespace: &str) -> Self {
        Index { default_namespace: default_namespace.to_string(), ..Index::default() }
    }

    /// Takes what the analyses need of one object (each item of a `v1 List`).
    pub fn add(&mut self, object: &Object<'_>) {
        let value = object.value;
        if platform::is_list(text(value, "apiVersion"), text(value, "kind")) {
            for item in items(value, "items") {
                self.add_one(item, object);
            }
        } else {
            self.add_one(value, object);
        }
    }

    /// Makes room for what `others` gathered, so that appending them ([`Index::extend`]) moves
    /// each list once instead of growing it step by step.
    pub fn reserve_for<'a>(&mut self, others: impl Iterator<Item = &'a Index> + Clone) {
        let sum = |f: fn(&Index) -> usize| others.clone().map(f).sum::<usize>();
        self.gateways.reserve(sum(|i| i.gateways.len()));
        self.virtual_services.reserve(sum(|i| i.virtual_services.len()));
        self.destination_rules.reserve(sum(|i| i.destination_rules.len()));
        self.service_entries.reserve(sum(|i| i.service_entries.len()));
        self.services.reserve(sum(|i| i.services.len()));
        self.request_authentications.reserve(sum(|i| i.request_authentications.len()));
        self.authorization_policies.reserve(sum(|i| i.authorization_policies.len()));
        self.workloads.reserve(sum(|i| i.workloads.len()));
    }

    /// Appends what `other` gathered (from later objects).
    pub fn extend(&mut self, other: Index) {
        let Index {
            gateways,
            virtual_services,
            destination_rules,
            service_entries,
            services,
            request_authentications,
            authorization_policies,
            secrets,
            workloads,
            context,
            ..
        } = other;
        self.gateways.extend(gateways);
        self.virtual_services.extend(virtual_services);
        self.destination_rules.extend(destination_rules);
        self.service_entries.extend(service_entries);
        self.services.extend(services);
        self.request_authentications.extend(request_authentications);
        self.authorization_policies.extend(authorization_policies);
        for (key, from) in secrets {
            self.secrets.entry(key).or_insert(from);
        }
        self.workloads.extend(workloads);
        self.context.absorb(context);
    }

    /// Completes the index with the caller's `given` context (which comes first), for the
    /// analyses.
    pub(super) fn seal(&mut self, given: Context) {
        let found = std::mem::replace(&mut self.context, given);
        self.context.absorb(found);
        for (ns, name) in &self.context.secrets {
            self.secrets.entry((ns.clone(), name.clone())).or_insert("a declared existing secret");
        }
        // The context's workloads first, as they were given.
        let own = std::mem::take(&mut self.workloads);
        self.workloads = self.context.workloads.clone();
        self.workloads.extend(own);
        self.gateway_index.clear();
        for (i, g) in self.gateways.iter().enumerate() {
            self.gateway_index.entry((g.meta.namespace.clone(), g.meta.name.clone())).or_insert(i);
        }
    }

    pub fn known_services(&self) -> &[KnownService] {
        &self.context.services
    }

    pub fn root_namespace(&self) -> &str {
        self.context.root_namespace()
    }

    /// Namespaces whose workloads are all known.
    pub fn complete_namespace(&self, namespace: &str) -> bool {
        self.context.complete_namespaces.contains(namespace)
    }

    /// Namespaces whose Services are all known.
    pub fn service_namespace(&self, namespace: &str) -> bool {
        self.context.service_namespaces.contains(namespace)
    }

    fn add_one(&mut self, value: &Value, object: &Object<'_>) {
        self.context.note(value);
        let kind = text(value, "kind");
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let meta = || Meta::new(value, object, &self.default_namespace);
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
                resolution: owned(spec, "resolution"),
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
                self.secrets.entry((m.namespace, m.name)).or_insert("a Secret object");
            }
            ("cert-manager.io", "Certificate") => {
                let m = meta();
                let secret = text(spec, "secretName");
                if !secret.is_empty() {
                    self.secrets.entry((m.namespace, secret.to_string())).or_insert("a cert-manager Certificate");
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
    fn add_workload(&mut self, meta: Meta, pod: Option<&Value>) {
        let Some(pod) = pod else { return };
        let templates = pod.get("annotations").map_or("", |a| text(a, "inject.istio.io/templates"));
        self.workloads.push(Workload {
            namespace: meta.namespace,
            name: meta.name,
            labels: labels(pod.get("labels")),
            gateway: templates.split(',').any(|t| t.trim() == "gateway"),
        })
    }

    /// The Gateway `namespace/name` (the first one, should there be two).
    pub fn gateway(&self, namespace: &str, name: &str) -> Option<&Gateway> {
        self.gateway_index.get(&(namespace.to_string(), name.to_string())).and_then(|i| self.gateways.get(*i))
    }

    /// The workloads `selector` selects, in any namespace.
    pub fn selected(&self, selector: &Labels) -> impl Iterator<Item = &Workload> {
        self.workloads.iter().filter(move |w| selects(selector, &w.labels))
    }
}

/// `(namespace, name)` of a `spec.gateways` entry: `ns/name`, or a bare name in `namespace`.
pub fn gateway_reference<'a>(namespace: &'a str, reference: &'a str) -> (&'a str, &'a str) {
    reference.split_once('/').unwrap_or((namespace, reference))
}
