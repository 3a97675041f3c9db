//! Analyzers: the checks `meshedge check` runs on the final objects (generated, plain and
//! patched alike), with the verdicts of `istioctl analyze` (Istio 1.25 and later) where one
//! corresponds, plus meshedge's own edge checks. docs/analyses.md describes each rule and its
//! upstream source; [`rules`] lists the codes.
//!
//! Input: Kubernetes objects in the generic value form with the input files they came from
//! ([`Object`]), and what the objects themselves cannot say ([`Context`]: the gateway pods the
//! control plane runs, secrets that exist outside the repository, namespaces whose workloads or
//! Services are all known). Output: [`Finding`]s, each with its code, the object it is reported
//! on and the JSON pointer of the field at fault, so the caller can turn it into a file and line.
//! [`suppress`] drops the findings users suppressed, and says which rule suppressed each.
//!
//! Nothing here panics on any input: a field of the wrong type counts as absent (the schema
//! validation reports it), and every analysis takes time about linear in the number of objects (indexed by
//! key; a conflict among many objects names a few of them and counts the rest).

mod authorization_workloads;
mod context;
mod destinationrule_ca;
mod destinationrule_credential;
mod fields;
mod gateway_certificates;
mod gateway_conflicts;
mod gateway_credentials;
mod gateway_service_ports;
pub(crate) mod host;
mod index;
pub mod rules;
mod serviceentry_dns;
pub mod suppress;
mod trace;
mod unique;
mod views;
mod virtualservice_destinations;
mod virtualservice_gateways;
mod virtualservice_jwt_claims;
mod virtualservice_mesh_hosts;
mod virtualservice_subsets;

use serde_json::Value;

pub use crate::diagnostic::{ResourceRef, Severity};
pub use context::{Context, KnownService, Workload, default_ingress_gateway};
pub use index::Index;
pub use rules::{RULES, Rule};
pub use trace::{Trace, origin_file, under};
pub use unique::unique;

use crate::diagnostic::{Code, Explain};

/// The annotation users suppress findings on an object with: a comma-separated list of codes
/// (meshedge's `A6xx` or Istio's `IST0xxx`), or `*`.
pub const SUPPRESS_ANNOTATION: &str = "meshedge.io/check-suppress";
/// Istio's own suppression annotation, honoured the same way.
/// Source: istio/api `annotation/annotations.yaml` (`galley.istio.io/analyze-suppress`).
pub const ISTIO_SUPPRESS_ANNOTATION: &str = "galley.istio.io/analyze-suppress";

/// One object to analyse: its value, the repo-relative input files it came from, and, for a
/// built object, its identity before a patch renamed it and the patches applied to it.
#[derive(Debug, Clone, Copy)]
pub struct Object<'a> {
    pub value: &'a Value,
    pub sources: &'a [String],
    pub origin: Option<&'a ResourceRef>,
    pub patched_by: &'a [String],
}

impl<'a> Object<'a> {
    pub fn new(value: &'a Value, sources: &'a [String]) -> Self {
        Object { value, sources, origin: None, patched_by: &[] }
    }
}

impl ResourceRef {
    /// The identity of `value` (empty strings for missing fields; no namespace when it names
    /// none).
    pub fn of(value: &Value) -> Self {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
        let metadata = value.get("metadata");
        ResourceRef {
            api_version: text(value.get("apiVersion")),
            kind: text(value.get("kind")),
            namespace: metadata
                .and_then(|m| m.get("namespace"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            name: text(metadata.and_then(|m| m.get("name"))),
        }
    }
}

/// One finding of an analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    /// A short lowercase sentence naming the hosts, objects and values at fault.
    pub message: String,
    /// The object the finding is reported on (the one to fix, or to annotate to suppress it).
    pub object: ResourceRef,
    /// JSON pointer (RFC 6901) of the field at fault in `object`; `""` for the whole object.
    pub path: String,
    /// Where `object` came from.
    pub trace: Trace,
    /// Other objects that take part (the other Gateway of a conflict, ...), sorted.
    pub related: Vec<ResourceRef>,
    /// The suppression annotations of `object` ([`SUPPRESS_ANNOTATION`],
    /// [`ISTIO_SUPPRESS_ANNOTATION`]) as written: (annotation, value).
    pub annotations: Vec<(String, String)>,
}

impl Finding {
    pub fn code(&self) -> &'static str {
        self.rule.code
    }

    pub fn istio(&self) -> Option<&'static str> {
        self.rule.istio
    }

    pub fn severity(&self) -> Severity {
        self.rule.id.severity()
    }

    fn sort_key(&self) -> (Severity, &str, &ResourceRef, &str, &str) {
        (self.severity(), self.rule.code, &self.object, &self.path, &self.message)
    }
}

/// A finding becomes a diagnostic once the caller has placed it in the input.
impl Explain for Finding {
    fn code(&self) -> Code {
        self.rule.id
    }

    fn message(&self) -> String {
        self.message.clone()
    }

    fn help(&self) -> Option<String> {
        Some(self.rule.help.to_string())
    }

    fn istio(&self) -> Option<&'static str> {
        self.rule.istio
    }
}

/// Runs every analysis over what `index` gathered, completed with `context`; the findings are
/// sorted (errors first, then by code, object, field and message) and free of duplicates.
pub fn run(mut index: Index, context: Context) -> Vec<Finding> {
    index.seal(context);
    let index = &index;
    let mut out = Vec::new();
    virtualservice_gateways::run(index, &mut out);
    virtualservice_destinations::run(index, &mut out);
    virtualservice_subsets::run(index, &mut out);
    virtualservice_mesh_hosts::run(index, &mut out);
    virtualservice_jwt_claims::run(index, &mut out);
    gateway_conflicts::run(index, &mut out);
    gateway_credentials::run(index, &mut out);
    gateway_certificates::run(index, &mut out);
    gateway_service_ports::run(index, &mut out);
    destinationrule_ca::run(index, &mut out);
    destinationrule_credential::run(index, &mut out);
    serviceentry_dns::run(index, &mut out);
    authorization_workloads::run(index, &mut out);
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.dedup();
    out
}

/// Runs every analysis over `objects` (see [`run`]).
pub fn analyse(objects: &[Object<'_>], context: &Context) -> Vec<Finding> {
    let mut index = Index::new(context.default_namespace());
    for object in objects {
        index.add(object);
    }
    run(index, context.clone())
}

/// How many other objects a finding names at most; the rest are counted ("and 997 more"), so a
/// finding's size does not grow with the number of objects that take part.
pub const NAMED: usize = 3;

/// `names` (at most [`NAMED`] of them, as given) followed by "and N more" for the rest of `total`
/// (`at_least`: `total` is a lower bound).
pub fn named(names: &[String], total: usize, at_least: bool) -> String {
    let shown = &names[..names.len().min(NAMED)];
    let mut text = shown.join(", ");
    let more = total.saturating_sub(shown.len());
    if more > 0 {
        text.push_str(if at_least { " and at least " } else { " and " });
        text.push_str(&format!("{more} more"));
    }
    text
}

#[cfg(test)]
pub(crate) mod testing {
    //! Builders for the analyzers' unit tests.

    use super::*;
    use serde_json::json;

    /// Runs the analyses over `values` and returns `(code, object name, path)` per finding.
    pub fn run(values: &[Value], context: &Context) -> Vec<(&'static str, String, String)> {
        findings(values, context).into_iter().map(|f| (f.rule.code, f.object.name, f.path)).collect()
    }

    pub fn findings(values: &[Value], context: &Context) -> Vec<Finding> {
        let sources = vec!["in.yaml".to_string()];
        let objects: Vec<Object> = values.iter().map(|v| Object::new(v, &sources)).collect();
        analyse(&objects, context)
    }

    /// The findings of one code only.
    pub fn only(code: &str, values: &[Value], context: &Context) -> Vec<(String, String)> {
        run(values, context).into_iter().filter(|(c, ..)| *c == code).map(|(_, n, p)| (n, p)).collect()
    }

    pub fn names(code: &str, values: &[Value], context: &Context) -> Vec<String> {
        let mut names: Vec<String> = only(code, values, context).into_iter().map(|(n, _)| n).collect();
        names.sort();
        names
    }

    pub fn gateway(ns: &str, name: &str, selector: Value, servers: Value) -> Value {
        json!({"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
            "metadata": {"name": name, "namespace": ns}, "spec": {"selector": selector, "servers": servers}})
    }

    pub fn server(port: u64, hosts: &[&str]) -> Value {
        json!({"port": {"number": port, "name": format!("p{port}"), "protocol": "HTTP"}, "hosts": hosts})
    }

    pub fn vs(ns: &str, name: &str, spec: Value) -> Value {
        json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": name, "namespace": ns}, "spec": spec})
    }

    pub fn dr(ns: &str, name: &str, spec: Value) -> Value {
        json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
            "metadata": {"name": name, "namespace": ns}, "spec": spec})
    }

    pub fn se(ns: &str, name: &str, spec: Value) -> Value {
        json!({"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
            "metadata": {"name": name, "namespace": ns}, "spec": spec})
    }

    pub fn service(ns: &str, name: &str, ports: &[u64]) -> Value {
        let ports: Vec<Value> = ports.iter().map(|p| json!({"name": format!("p{p}"), "port": p})).collect();
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": {"ports": ports}})
    }

    pub fn workload(ns: &str, name: &str, labels: &[(&str, &str)]) -> Workload {
        Workload {
            namespace: ns.to_string(),
            name: name.to_string(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            gateway: true,
        }
    }

    /// A context knowing the given gateway workloads.
    pub fn with_workloads(workloads: Vec<Workload>) -> Context {
        Context { workloads, ..Context::default() }
    }
}
