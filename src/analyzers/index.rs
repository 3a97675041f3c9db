//! The objects, read once into the views the analyses need.
//!
//! Reading is lenient: a field that is absent, `null` or of another type reads as empty (the
//! schema validation reports wrong types; the analyses must not stop on them). `v1 List`
//! objects are read item by item, as `istioctl analyze` does.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{
    Context, Finding, ISTIO_SUPPRESS_ANNOTATION, KnownService, Object, ObjectRef, Rule, SUPPRESS_ANNOTATION, Workload,
};

pub type Labels<'a> = BTreeMap<&'a str, &'a str>;

/// The string at `key` of `v`, `""` when absent or not a string.
pub fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The array at `key` of `v`, empty when absent or not an array.
pub fn items<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// The strings of the array at `key` of `v` (other items skipped).
pub fn texts<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    items(v, key).iter().filter_map(Value::as_str).collect()
}

/// A number at `key` of `v`.
pub fn number(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

/// A string-to-string map (other values skipped).
pub fn labels(v: Option<&Value>) -> Labels<'_> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v))).collect())
        .unwrap_or_default()
}

/// Whether `selector` (a label set, all of which must match) selects `labels`; an empty selector
/// selects everything.
pub fn selects(selector: &Labels<'_>, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(*k).is_some_and(|l| l == v))
}

/// `k1=v1,k2=v2`, keys sorted: how Kubernetes prints a selector.
pub fn selector_text(selector: &Labels<'_>) -> String {
    selector.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

/// Escapes a JSON pointer token (RFC 6901).
pub fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// What every view knows of its object.
#[derive(Debug)]
pub struct Meta<'a> {
    pub object: ObjectRef,
    /// The namespace the object applies in (the context's default when it names none).
    pub namespace: &'a str,
    pub name: &'a str,
    pub sources: &'a [String],
    suppressions: Vec<(String, String)>,
}

impl<'a> Meta<'a> {
    fn new(value: &'a Value, sources: &'a [String], default_namespace: &'a str) -> Self {
        let metadata = value.get("metadata").unwrap_or(&Value::Null);
        let annotations = metadata.get("annotations");
        let suppressions = [SUPPRESS_ANNOTATION, ISTIO_SUPPRESS_ANNOTATION]
            .into_iter()
            .filter_map(|key| {
                let value = annotations?.get(key)?.as_str()?;
                Some((key.to_string(), value.to_string()))
            })
            .collect();
        let namespace = Some(text(metadata, "namespace")).filter(|s| !s.is_empty()).unwrap_or(default_namespace);
        Meta { object: ObjectRef::of(value), namespace, name: text(metadata, "name"), sources, suppressions }
    }

    /// `namespace/name`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// A finding on this object at `path`.
    pub fn finding(&self, rule: &'static Rule, path: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            message: message.into(),
            object: self.object.clone(),
            path: path.into(),
            sources: self.sources.to_vec(),
            related: Vec::new(),
            annotations: self.suppressions.clone(),
        }
    }
}

#[derive(Debug)]
pub struct ServerTls<'a> {
    pub mode: &'a str,
    pub credential_name: &'a str,
    pub credential_names: Vec<&'a str>,
    pub server_certificate: &'a str,
    pub private_key: &'a str,
    pub tls_certificates: usize,
}

impl ServerTls<'_> {
    /// Whether the server terminates TLS with a certificate of its own.
    pub fn terminates(&self) -> bool {
        matches!(self.mode, "SIMPLE" | "MUTUAL" | "OPTIONAL_MUTUAL")
    }

    /// The credential names, `credentialName` first.
    pub fn credentials(&self) -> Vec<&str> {
        let mut all: Vec<&str> = Vec::new();
        if !self.credential_name.is_empty() {
            all.push(self.credential_name);
        }
        all.extend(self.credential_names.iter().copied().filter(|c| !c.is_empty()));
        all
    }
}

#[derive(Debug)]
pub struct Server<'a> {
    pub index: usize,
    pub port: Option<u64>,
    pub hosts: Vec<&'a str>,
    pub bind: &'a str,
    pub tls: Option<ServerTls<'a>>,
}

#[derive(Debug)]
pub struct Gateway<'a> {
    pub meta: Meta<'a>,
    pub selector: Labels<'a>,
    pub servers: Vec<Server<'a>>,
}

/// A route or mirror destination.
#[derive(Debug)]
pub struct Destination<'a> {
    pub host: &'a str,
    pub subset: &'a str,
    pub port: Option<u64>,
    /// JSON pointer of the destination object.
    pub pointer: String,
    pub mirror: bool,
}

#[derive(Debug)]
pub struct VirtualService<'a> {
    pub meta: Meta<'a>,
    pub hosts: Vec<&'a str>,
    pub gateways: Vec<&'a str>,
    pub export_to: Vec<&'a str>,
    pub destinations: Vec<Destination<'a>>,
    /// The header keys of `http[].match[]` (`headers` before `withoutHeaders`), in order, with
    /// the JSON pointer of each.
    pub match_headers: Vec<(&'a str, String)>,
}

impl VirtualService<'_> {
    /// Bound to the mesh: no `gateways`, or `mesh` among them.
    pub fn on_mesh(&self) -> bool {
        self.gateways.is_empty() || self.gateways.contains(&"mesh")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsLevel {
    Destination,
    Port,
    Subset,
    SubsetPort,
}

#[derive(Debug)]
pub struct TlsSetting<'a> {
    pub level: TlsLevel,
    /// JSON pointer of the `tls` object.
    pub pointer: String,
    pub mode: &'a str,
    pub ca_certificates: &'a str,
    pub credential_name: &'a str,
    pub port: Option<u64>,
    pub subset: &'a str,
}

#[derive(Debug)]
pub struct DestinationRule<'a> {
    pub meta: Meta<'a>,
    pub host: &'a str,
    pub workload_selector: bool,
    pub export_to: Vec<&'a str>,
    pub subsets: Vec<&'a str>,
    pub tls: Vec<TlsSetting<'a>>,
}

#[derive(Debug)]
pub struct ServiceEntry<'a> {
    pub meta: Meta<'a>,
    pub hosts: Vec<&'a str>,
    pub export_to: Vec<&'a str>,
    pub resolution: &'a str,
    pub endpoints: usize,
    pub ports: Vec<u64>,
}

#[derive(Debug)]
pub struct ServicePort<'a> {
    pub port: u64,
    /// The numeric target port; 0 when absent or named.
    pub target_port: u64,
    /// `TCP` when absent (the API server's default).
    pub protocol: &'a str,
}

#[derive(Debug)]
pub struct Service<'a> {
    pub meta: Meta<'a>,
    /// `None`: the Service selects no pods (its endpoints are managed otherwise).
    pub selector: Option<Labels<'a>>,
    pub ports: Vec<ServicePort<'a>>,
    /// The `networking.istio.io/exportTo` annotation (`""` when absent).
    pub export_to: &'a str,
}

#[derive(Debug)]
pub struct Policy<'a> {
    pub meta: Meta<'a>,
    /// `spec.selector.matchLabels`; `None` without `spec.selector`.
    pub selector: Option<Labels<'a>>,
    /// Whether `targetRef` or `targetRefs` is set.
    pub targeted: bool,
}

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

fn group(value: &Value) -> &str {
    let api_version = text(value, "apiVersion");
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
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

fn read_gateway<'a>(meta: Meta<'a>, spec: &'a Value) -> Gateway<'a> {
    let servers = items(spec, "servers")
        .iter()
        .enumerate()
        .map(|(index, s)| Server {
            index,
            port: s.get("port").and_then(|p| number(p, "number")),
            hosts: texts(s, "hosts"),
            bind: text(s, "bind"),
            tls: s.get("tls").filter(|t| t.is_object()).map(|t| ServerTls {
                mode: text(t, "mode"),
                credential_name: text(t, "credentialName"),
                credential_names: texts(t, "credentialNames"),
                server_certificate: text(t, "serverCertificate"),
                private_key: text(t, "privateKey"),
                tls_certificates: items(t, "tlsCertificates").len(),
            }),
        })
        .collect();
    Gateway { meta, selector: labels(spec.get("selector")), servers }
}

fn destination<'a>(d: &'a Value, pointer: String, mirror: bool) -> Destination<'a> {
    Destination {
        host: text(d, "host"),
        subset: text(d, "subset"),
        port: d.get("port").and_then(|p| number(p, "number")),
        pointer,
        mirror,
    }
}

fn read_virtual_service<'a>(meta: Meta<'a>, spec: &'a Value) -> VirtualService<'a> {
    let mut destinations = Vec::new();
    // Istio's order: tcp, tls, http routes; then http mirrors
    // (pkg/config/analysis/analyzers/virtualservice/util.go, 1.28.10).
    for section in ["tcp", "tls", "http"] {
        for (i, rule) in items(spec, section).iter().enumerate() {
            for (j, route) in items(rule, "route").iter().enumerate() {
                let d = route.get("destination").unwrap_or(&Value::Null);
                destinations.push(destination(d, format!("/spec/{section}/{i}/route/{j}/destination"), false));
            }
        }
    }
    let mut match_headers = Vec::new();
    for (i, rule) in items(spec, "http").iter().enumerate() {
        if let Some(m) = rule.get("mirror").filter(|m| m.is_object()) {
            destinations.push(destination(m, format!("/spec/http/{i}/mirror"), true));
        }
        for (j, m) in items(rule, "mirrors").iter().enumerate() {
            let d = m.get("destination").unwrap_or(&Value::Null);
            destinations.push(destination(d, format!("/spec/http/{i}/mirrors/{j}/destination"), true));
        }
        for (j, m) in items(rule, "match").iter().enumerate() {
            for field in ["headers", "withoutHeaders"] {
                if let Some(headers) = m.get(field).and_then(Value::as_object) {
                    for key in headers.keys() {
                        match_headers.push((key.as_str(), format!("/spec/http/{i}/match/{j}/{field}/{}", token(key))));
                    }
                }
            }
        }
    }
    VirtualService {
        meta,
        hosts: texts(spec, "hosts"),
        gateways: texts(spec, "gateways"),
        export_to: texts(spec, "exportTo"),
        destinations,
        match_headers,
    }
}

fn tls_setting<'a>(
    policy: &'a Value,
    pointer: &str,
    level: TlsLevel,
    port_level: TlsLevel,
    subset: &'a str,
    out: &mut Vec<TlsSetting<'a>>,
) {
    let setting = |tls: &'a Value, pointer: String, level: TlsLevel, port: Option<u64>| TlsSetting {
        level,
        pointer,
        mode: text(tls, "mode"),
        ca_certificates: text(tls, "caCertificates"),
        credential_name: text(tls, "credentialName"),
        port,
        subset,
    };
    if let Some(tls) = policy.get("tls").filter(|t| t.is_object()) {
        out.push(setting(tls, format!("{pointer}/tls"), level, None));
    }
    for (i, p) in items(policy, "portLevelSettings").iter().enumerate() {
        if let Some(tls) = p.get("tls").filter(|t| t.is_object()) {
            let port = p.get("port").and_then(|p| number(p, "number"));
            out.push(setting(tls, format!("{pointer}/portLevelSettings/{i}/tls"), port_level, port));
        }
    }
}

fn read_destination_rule<'a>(meta: Meta<'a>, spec: &'a Value) -> DestinationRule<'a> {
    let mut tls = Vec::new();
    if let Some(policy) = spec.get("trafficPolicy") {
        tls_setting(policy, "/spec/trafficPolicy", TlsLevel::Destination, TlsLevel::Port, "", &mut tls);
    }
    let mut subsets = Vec::new();
    for (i, subset) in items(spec, "subsets").iter().enumerate() {
        let name = text(subset, "name");
        subsets.push(name);
        if let Some(policy) = subset.get("trafficPolicy") {
            let pointer = format!("/spec/subsets/{i}/trafficPolicy");
            tls_setting(policy, &pointer, TlsLevel::Subset, TlsLevel::SubsetPort, name, &mut tls);
        }
    }
    DestinationRule {
        meta,
        host: text(spec, "host"),
        workload_selector: spec.get("workloadSelector").is_some_and(|w| !w.is_null()),
        export_to: texts(spec, "exportTo"),
        subsets,
        tls,
    }
}

fn read_service<'a>(meta: Meta<'a>, value: &'a Value, spec: &'a Value) -> Service<'a> {
    let ports = items(spec, "ports")
        .iter()
        .filter_map(|p| {
            Some(ServicePort {
                port: number(p, "port")?,
                target_port: number(p, "targetPort").unwrap_or_default(),
                protocol: Some(text(p, "protocol")).filter(|s| !s.is_empty()).unwrap_or("TCP"),
            })
        })
        .collect();
    let selector = spec.get("selector").filter(|s| s.is_object()).map(|s| labels(Some(s)));
    let export_to = value.pointer("/metadata/annotations").map_or("", |a| text(a, "networking.istio.io/exportTo"));
    Service { meta, selector, ports, export_to }
}

fn read_policy<'a>(meta: Meta<'a>, spec: &'a Value) -> Policy<'a> {
    let selector = spec.get("selector").filter(|s| s.is_object()).map(|s| labels(s.get("matchLabels")));
    let targeted = ["targetRef", "targetRefs"].iter().any(|k| spec.get(*k).is_some_and(|v| !v.is_null()));
    Policy { meta, selector, targeted }
}
