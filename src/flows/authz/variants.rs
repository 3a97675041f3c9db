//! The shapes of request that the closing policies of a host tell apart: the CUSTOM and DENY
//! AuthorizationPolicies applying to a workload for a host → the request [`Variant`]s (paths,
//! methods, headers) under which some rule of theirs may stop matching, so that a flow probed
//! with the route's prefix and `GET` alone does not miss a request the policies let through.
//!
//! Per policy field (istio/api @1.24.3 `security/v1beta1/authorization_policy.proto`
//! `Operation`, `Condition`; matching as in [`super::matching`]):
//! - `paths` / `notPaths`: a path inside each value (under the route's prefix for a suffix
//!   pattern) and one outside every value;
//! - `methods` / `notMethods`: each method named, and one that none names;
//! - `when` on `request.headers[<name>]`: the header absent, with a value no pattern names, and
//!   with each `notValues` value (not `Authorization`: the credential of each flow is that).
//!
//! An unauthenticated request carries no claim, so `request.auth.*` conditions need no variant.
//! Cost: the variants are bounded by the values the host's policies name ([`MAX_VARIANTS`]),
//! never by the number of hosts.

use std::collections::{BTreeMap, BTreeSet};

use super::policy::Action;
use super::request::Request;
use super::rules::Condition;
use super::{ObjectRef, Policies};
use crate::flows::pod::Pod;

/// At most this many variants per host and workload: single changes first, then the pairs of a
/// path and a method (fields of one operation are ANDed, its rules ORed, so a pair can be what
/// escapes two rules at once).
pub const MAX_VARIANTS: usize = 64;

/// Methods a client may send, in the order a method "none names" is picked.
const METHODS: [&str; 9] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE"];

/// One change to the probed request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variant {
    pub path: Option<String>,
    pub method: Option<String>,
    /// Headers set (`Some`) or removed (`None`), names in lower case.
    pub headers: Vec<(String, Option<String>)>,
    /// The policies whose values made the variant.
    pub origin: Vec<ObjectRef>,
}

impl Variant {
    /// Changes `request` into this variant.
    pub fn apply(&self, request: &mut Request) {
        if let Some(path) = &self.path {
            request.path = path.clone();
        }
        if let Some(method) = &self.method {
            request.method = method.clone();
        }
        for (name, value) in &self.headers {
            match value {
                Some(v) => request.headers.insert(name.clone(), v.clone()),
                None => request.headers.remove(name),
            };
        }
    }

    /// `POST /public/x` (with the headers changed), as a diagnostic names the request.
    pub fn describe(&self, base_path: &str) -> String {
        let mut out =
            format!("{} {}", self.method.as_deref().unwrap_or("GET"), self.path.as_deref().unwrap_or(base_path));
        for (name, value) in &self.headers {
            match value {
                Some(v) => out.push_str(&format!(" with {name}: {v}")),
                None => out.push_str(&format!(" without {name}")),
            }
        }
        out
    }
}

/// Records that `by` names `key`.
fn note<K: Ord>(map: &mut BTreeMap<K, Vec<ObjectRef>>, key: K, by: &ObjectRef) {
    let list = map.entry(key).or_default();
    if !list.contains(by) {
        list.push(by.clone());
    }
}

/// `prefix` + `tail`, with one `/` between them.
fn join(prefix: &str, tail: &str) -> String {
    if prefix.ends_with('/') { format!("{prefix}{tail}") } else { format!("{prefix}/{tail}") }
}

/// A path a pattern matches (`None` for `*`, which every path matches).
fn inside(pattern: &str, prefix: &str) -> Option<String> {
    if pattern == "*" {
        None
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        Some(join(prefix, &format!("probe{suffix}")))
    } else if let Some(start) = pattern.strip_suffix('*') {
        Some(format!("{start}probe"))
    } else {
        Some(pattern.to_string())
    }
}

/// A value a header pattern matches.
fn header_value(pattern: &str) -> String {
    if pattern == "*" {
        "probe".to_string()
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        format!("probe{suffix}")
    } else if let Some(start) = pattern.strip_suffix('*') {
        format!("{start}probe")
    } else {
        pattern.to_string()
    }
}

/// `request.headers[<name>]` → the name, lower case.
fn header_name(condition: &Condition) -> Option<String> {
    let inner = condition.key.strip_prefix("request.headers[")?.strip_suffix(']')?;
    Some(inner.to_ascii_lowercase())
}

impl Policies {
    /// The variants of an HTTP request for `host` on `pod` that the CUSTOM and DENY policies
    /// applying there tell apart, for a route of prefix `prefix` (the request `GET <prefix>` is
    /// not among them).
    pub fn variants(&self, root: &str, pod: &Pod, host: &str, prefix: &str) -> Vec<Variant> {
        let mut paths: BTreeMap<String, Vec<ObjectRef>> = BTreeMap::new();
        let mut methods: BTreeMap<String, Vec<ObjectRef>> = BTreeMap::new();
        let mut headers: BTreeMap<(String, Option<String>), Vec<ObjectRef>> = BTreeMap::new();
        let mut named_methods: BTreeSet<String> = BTreeSet::new();
        let mut path_origin: Vec<ObjectRef> = Vec::new();
        for policy in self.candidates(pod, root, host, false) {
            if !matches!(policy.action, Action::Custom | Action::Deny) {
                continue;
            }
            let by = &policy.reference;
            for rule in policy.rules.iter().flatten() {
                for op in &rule.to {
                    for value in op.paths.iter().chain(&op.not_paths) {
                        if let Some(path) = inside(value, prefix) {
                            note(&mut paths, path, by);
                        }
                        if !path_origin.contains(by) {
                            path_origin.push(by.clone());
                        }
                    }
                    for method in op.methods.iter().chain(&op.not_methods) {
                        named_methods.insert(method.to_ascii_uppercase());
                        note(&mut methods, method.to_ascii_uppercase(), by);
                    }
                }
                for condition in &rule.when {
                    // The `Authorization` header is the credential each flow is probed with.
                    let Some(name) = header_name(condition).filter(|n| n != "authorization") else { continue };
                    note(&mut headers, (name.clone(), None), by);
                    if !condition.values.is_empty() {
                        note(&mut headers, (name.clone(), Some("meshedge-probe".to_string())), by);
                    }
                    for value in &condition.not_values {
                        note(&mut headers, (name.clone(), Some(header_value(value))), by);
                    }
                }
            }
        }
        if !path_origin.is_empty() {
            // One path outside every value: the values name their own paths, this one none.
            paths.entry(join(prefix, "meshedge-probe")).or_insert(path_origin);
        }
        if !named_methods.is_empty() {
            let unnamed = METHODS.iter().find(|m| !named_methods.contains(**m)).map_or("PROBE", |m| m);
            let origin: Vec<ObjectRef> =
                methods.values().flatten().cloned().collect::<BTreeSet<_>>().into_iter().collect();
            methods.entry(unnamed.to_string()).or_insert(origin);
        }
        paths.remove(prefix);
        methods.remove("GET");
        let mut out: Vec<Variant> = Vec::new();
        let mut push = |v: Variant| {
            if out.len() < MAX_VARIANTS && !out.contains(&v) {
                out.push(v);
            }
        };
        for (path, origin) in &paths {
            push(Variant { path: Some(path.clone()), origin: origin.clone(), ..Variant::default() });
        }
        for (method, origin) in &methods {
            push(Variant { method: Some(method.clone()), origin: origin.clone(), ..Variant::default() });
        }
        for ((name, value), origin) in &headers {
            push(Variant {
                headers: vec![(name.clone(), value.clone())],
                origin: origin.clone(),
                ..Variant::default()
            });
        }
        for (path, path_by) in &paths {
            for (method, method_by) in &methods {
                let mut origin = path_by.clone();
                origin.extend(method_by.iter().filter(|o| !path_by.contains(o)).cloned());
                push(Variant { path: Some(path.clone()), method: Some(method.clone()), headers: Vec::new(), origin });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_gives_a_path_it_matches_under_the_prefix() {
        assert_eq!(inside("/public/*", "/"), Some("/public/probe".to_string()));
        assert_eq!(inside("*.js", "/app"), Some("/app/probe.js".to_string()));
        assert_eq!(inside("/healthz", "/"), Some("/healthz".to_string()));
        assert_eq!(inside("*", "/"), None);
        assert_eq!(header_value("yes"), "yes");
        assert_eq!(header_value("int*"), "intprobe");
    }
}
