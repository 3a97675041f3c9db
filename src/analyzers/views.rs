//! The views of the objects the analyses read ([`super::index`]): one struct per kind, borrowing
//! from the object, and how each kind is read into its view.

use serde_json::Value;

use super::fields::{Labels, items, labels, number, text, texts};
use super::{Finding, ISTIO_SUPPRESS_ANNOTATION, ObjectRef, Rule, SUPPRESS_ANNOTATION};
use crate::pointer::escape;

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
    pub(super) fn new(value: &'a Value, sources: &'a [String], default_namespace: &'a str) -> Self {
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

pub(super) fn read_gateway<'a>(meta: Meta<'a>, spec: &'a Value) -> Gateway<'a> {
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

pub(super) fn read_virtual_service<'a>(meta: Meta<'a>, spec: &'a Value) -> VirtualService<'a> {
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
                        match_headers.push((key.as_str(), format!("/spec/http/{i}/match/{j}/{field}/{}", escape(key))));
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

pub(super) fn read_destination_rule<'a>(meta: Meta<'a>, spec: &'a Value) -> DestinationRule<'a> {
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

pub(super) fn read_service<'a>(meta: Meta<'a>, value: &'a Value, spec: &'a Value) -> Service<'a> {
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

pub(super) fn read_policy<'a>(meta: Meta<'a>, spec: &'a Value) -> Policy<'a> {
    let selector = spec.get("selector").filter(|s| s.is_object()).map(|s| labels(s.get("matchLabels")));
    let targeted = ["targetRef", "targetRefs"].iter().any(|k| spec.get(*k).is_some_and(|v| !v.is_null()));
    Policy { meta, selector, targeted }
}
