//! The views of the objects the analyses read ([`super::index`]): one struct per kind, borrowing
//! from the object, and how each kind is read into its view.

use serde_json::Value;

use super::fields::{Labels, items, labels, number, owned, text, texts};
use super::{Finding, ISTIO_SUPPRESS_ANNOTATION, Object, ResourceRef, Rule, SUPPRESS_ANNOTATION, Trace};
use crate::pointer::escape;

/// What every view knows of its object.
#[derive(Debug, Clone)]
pub struct Meta {
    pub object: ResourceRef,
    /// The namespace the object applies in (the context's default when it names none).
    pub namespace: String,
    pub name: String,
    /// Where the object came from.
    pub trace: Trace,
    suppressions: Vec<(String, String)>,
}

impl Meta {
    pub(super) fn new(value: &Value, object: &Object<'_>, default_namespace: &str) -> Self {
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
        Meta {
            object: ResourceRef::of(value),
            namespace: namespace.to_string(),
            name: owned(metadata, "name"),
            trace: Trace::of(value, object),
            suppressions,
        }
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
            trace: self.trace.clone(),
            related: Vec::new(),
            annotations: self.suppressions.clone(),
        }
    }
}

#[derive(Debug)]
pub struct ServerTls {
    pub mode: String,
    pub credential_name: String,
    pub credential_names: Vec<String>,
    pub server_certificate: String,
    pub private_key: String,
    pub tls_certificates: usize,
}

impl ServerTls {
    /// Whether the server terminates TLS with a certificate of its own.
    pub fn terminates(&self) -> bool {
        matches!(self.mode.as_str(), "SIMPLE" | "MUTUAL" | "OPTIONAL_MUTUAL")
    }

    /// The credential names, `credentialName` first.
    pub fn credentials(&self) -> Vec<&str> {
        let mut all: Vec<&str> = Vec::new();
        if !self.credential_name.is_empty() {
            all.push(&self.credential_name);
        }
        all.extend(self.credential_names.iter().map(String::as_str).filter(|c| !c.is_empty()));
        all
    }
}

#[derive(Debug)]
pub struct Server {
    pub index: usize,
    pub port: Option<u64>,
    pub hosts: Vec<String>,
    pub bind: String,
    pub tls: Option<ServerTls>,
}

#[derive(Debug)]
pub struct Gateway {
    pub meta: Meta,
    pub selector: Labels,
    pub servers: Vec<Server>,
}

/// A route or mirror destination.
#[derive(Debug)]
pub struct Destination {
    pub host: String,
    pub subset: String,
    pub port: Option<u64>,
    /// JSON pointer of the destination object.
    pub pointer: String,
    pub mirror: bool,
}

#[derive(Debug)]
pub struct VirtualService {
    pub meta: Meta,
    pub hosts: Vec<String>,
    pub gateways: Vec<String>,
    pub export_to: Vec<String>,
    pub destinations: Vec<Destination>,
    /// The header keys of `http[].match[]` (`headers` before `withoutHeaders`), in order, with
    /// the JSON pointer of each.
    pub match_headers: Vec<(String, String)>,
}

impl VirtualService {
    /// Bound to the mesh: no `gateways`, or `mesh` among them.
    pub fn on_mesh(&self) -> bool {
        self.gateways.is_empty() || self.gateways.iter().any(|g| g == "mesh")
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
pub struct TlsSetting {
    pub level: TlsLevel,
    /// JSON pointer of the `tls` object.
    pub pointer: String,
    pub mode: String,
    pub ca_certificates: String,
    pub credential_name: String,
    pub port: Option<u64>,
    pub subset: String,
}

#[derive(Debug)]
pub struct DestinationRule {
    pub meta: Meta,
    pub host: String,
    pub workload_selector: bool,
    pub export_to: Vec<String>,
    pub subsets: Vec<String>,
    pub tls: Vec<TlsSetting>,
}

#[derive(Debug)]
pub struct ServiceEntry {
    pub meta: Meta,
    pub hosts: Vec<String>,
    pub export_to: Vec<String>,
    pub resolution: String,
    pub endpoints: usize,
    pub ports: Vec<u64>,
}

#[derive(Debug)]
pub struct ServicePort {
    pub port: u64,
    /// The numeric target port; 0 when absent or named.
    pub target_port: u64,
    /// `TCP` when absent (the API server's default).
    pub protocol: String,
}

#[derive(Debug)]
pub struct Service {
    pub meta: Meta,
    /// `None`: the Service selects no pods (its endpoints are managed otherwise).
    pub selector: Option<Labels>,
    pub ports: Vec<ServicePort>,
    /// The `networking.istio.io/exportTo` annotation (`""` when absent).
    pub export_to: String,
}

#[derive(Debug)]
pub struct Policy {
    pub meta: Meta,
    /// `spec.selector.matchLabels`; `None` without `spec.selector`.
    pub selector: Option<Labels>,
    /// Whether `targetRef` or `targetRefs` is set.
    pub targeted: bool,
}

pub(super) fn read_gateway(meta: Meta, spec: &Value) -> Gateway {
    let servers = items(spec, "servers")
        .iter()
        .enumerate()
        .map(|(index, s)| Server {
            index,
            port: s.get("port").and_then(|p| number(p, "number")),
            hosts: texts(s, "hosts"),
            bind: owned(s, "bind"),
            tls: s.get("tls").filter(|t| t.is_object()).map(|t| ServerTls {
                mode: owned(t, "mode"),
                credential_name: owned(t, "credentialName"),
                credential_names: texts(t, "credentialNames"),
                server_certificate: owned(t, "serverCertificate"),
                private_key: owned(t, "privateKey"),
                tls_certificates: items(t, "tlsCertificates").len(),
            }),
        })
        .collect();
    Gateway { meta, selector: labels(spec.get("selector")), servers }
}

fn destination(d: &Value, pointer: String, mirror: bool) -> Destination {
    Destination {
        host: owned(d, "host"),
        subset: owned(d, "subset"),
        port: d.get("port").and_then(|p| number(p, "number")),
        pointer,
        mirror,
    }
}

pub(super) fn read_virtual_service(meta: Meta, spec: &Value) -> VirtualService {
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
                        match_headers.push((key.clone(), format!("/spec/http/{i}/match/{j}/{field}/{}", escape(key))));
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

fn tls_setting(
    policy: &Value,
    pointer: &str,
    level: TlsLevel,
    port_level: TlsLevel,
    subset: &str,
    out: &mut Vec<TlsSetting>,
) {
    let setting = |tls: &Value, pointer: String, level: TlsLevel, port: Option<u64>| TlsSetting {
        level,
        pointer,
        mode: owned(tls, "mode"),
        ca_certificates: owned(tls, "caCertificates"),
        credential_name: owned(tls, "credentialName"),
        port,
        subset: subset.to_string(),
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

pub(super) fn read_destination_rule(meta: Meta, spec: &Value) -> DestinationRule {
    let mut tls = Vec::new();
    if let Some(policy) = spec.get("trafficPolicy") {
        tls_setting(policy, "/spec/trafficPolicy", TlsLevel::Destination, TlsLevel::Port, "", &mut tls);
    }
    let mut subsets = Vec::new();
    for (i, subset) in items(spec, "subsets").iter().enumerate() {
        let name = text(subset, "name");
        subsets.push(name.to_string());
        if let Some(policy) = subset.get("trafficPolicy") {
            let pointer = format!("/spec/subsets/{i}/trafficPolicy");
            tls_setting(policy, &pointer, TlsLevel::Subset, TlsLevel::SubsetPort, name, &mut tls);
        }
    }
    DestinationRule {
        meta,
        host: owned(spec, "host"),
        workload_selector: spec.get("workloadSelector").is_some_and(|w| !w.is_null()),
        export_to: texts(spec, "exportTo"),
        subsets,
        tls,
    }
}

pub(super) fn read_service(meta: Meta, value: &Value, spec: &Value) -> Service {
    let ports = items(spec, "ports")
        .iter()
        .filter_map(|p| {
            Some(ServicePort {
                port: number(p, "port")?,
                target_port: number(p, "targetPort").unwrap_or_default(),
                protocol: Some(text(p, "protocol")).filter(|s| !s.is_empty()).unwrap_or("TCP").to_string(),
            })
        })
        .collect();
    let selector = spec.get("selector").filter(|s| s.is_object()).map(|s| labels(Some(s)));
    let export_to =
        value.pointer("/metadata/annotations").map_or("", |a| text(a, "networking.istio.io/exportTo")).to_string();
    Service { meta, selector, ports, export_to }
}

pub(super) fn read_policy(meta: Meta, spec: &Value) -> Policy {
    let selector = spec.get("selector").filter(|s| s.is_object()).map(|s| labels(s.get("matchLabels")));
    let targeted = ["targetRef", "targetRefs"].iter().any(|k| spec.get(*k).is_some_and(|v| !v.is_null()));
    Policy { meta, selector, targeted }
}
