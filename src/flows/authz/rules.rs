//! The rules of an AuthorizationPolicy: `rules[]` of the object (`from.source`, `to.operation`,
//! `when`) → a parsed [`Rule`], and a rule with the [`Facts`] of one request → whether it
//! matches.
//!
//! Sources (istio/istio and istio/api @1.24.3): `security/v1beta1/authorization_policy.proto`
//! (`Rule`, `Source`, `Operation`, `Condition`: fields ANDed within a rule, rules ORed, `not*`
//! fields must not match); the `when` keys istiod knows (`pilot/pkg/security/authz/model/
//! model.go` `New`); HTTP-only attributes on TCP (`model.go` `rule.checkError`).

use std::net::IpAddr;

use serde_json::Value;

use super::fields::strings;
use super::matching::{
    field, header_matches, host_matches, ip_block_matches, request_principal_matches, string_matches,
};
use super::request::{Jwt, Request};

#[derive(Debug, Clone, Default)]
pub(super) struct Source {
    pub(super) principals: Vec<String>,
    pub(super) not_principals: Vec<String>,
    pub(super) request_principals: Vec<String>,
    pub(super) not_request_principals: Vec<String>,
    pub(super) namespaces: Vec<String>,
    pub(super) not_namespaces: Vec<String>,
    pub(super) ip_blocks: Vec<String>,
    pub(super) not_ip_blocks: Vec<String>,
    pub(super) remote_ip_blocks: Vec<String>,
    pub(super) not_remote_ip_blocks: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Operation {
    pub(super) hosts: Vec<String>,
    pub(super) not_hosts: Vec<String>,
    pub(super) ports: Vec<String>,
    pub(super) not_ports: Vec<String>,
    pub(super) methods: Vec<String>,
    pub(super) not_methods: Vec<String>,
    pub(super) paths: Vec<String>,
    pub(super) not_paths: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Condition {
    pub(super) key: String,
    pub(super) values: Vec<String>,
    pub(super) not_values: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Rule {
    pub(super) from: Vec<Source>,
    pub(super) to: Vec<Operation>,
    pub(super) when: Vec<Condition>,
}

/// What a rule is evaluated against: the request and, after authentication, its token.
pub(super) struct Facts<'a> {
    pub(super) request: &'a Request,
    pub(super) jwt: Option<&'a Jwt>,
}

impl Facts<'_> {
    /// On TCP, HTTP-only attributes do not exist: a DENY rule ignores them (it gets wider), an
    /// ALLOW rule using them is dropped (`pilot/pkg/security/authz/model/model.go`
    /// `rule.checkError`; `builder/builder.go` "skipped rule ... on TCP filter chain").
    pub(super) fn tcp(&self) -> bool {
        self.request.tcp
    }
}

impl Source {
    fn matches(&self, f: &Facts<'_>) -> bool {
        let peer = &f.request.peer;
        let principal = peer.principal.as_slice();
        let namespace = peer.namespace.as_slice();
        let ip_matches = |blocks: &[String], not: &[String], ip: Option<IpAddr>| match ip {
            Some(ip) => {
                (blocks.is_empty() || blocks.iter().any(|b| ip_block_matches(b, &ip)))
                    && !not.iter().any(|b| ip_block_matches(b, &ip))
            }
            None => blocks.is_empty(),
        };
        let request_principal =
            |patterns: &[String]| f.jwt.is_some_and(|jwt| patterns.iter().any(|p| request_principal_matches(p, jwt)));
        field(&self.principals, &self.not_principals, principal, string_matches)
            && field(&self.namespaces, &self.not_namespaces, namespace, string_matches)
            && (f.tcp() || self.request_principals.is_empty() || request_principal(&self.request_principals))
            && (f.tcp() || self.not_request_principals.is_empty() || !request_principal(&self.not_request_principals))
            && ip_matches(&self.ip_blocks, &self.not_ip_blocks, peer.ip)
            && ip_matches(&self.remote_ip_blocks, &self.not_remote_ip_blocks, f.request.remote_ip.or(peer.ip))
    }
}

impl Operation {
    fn matches(&self, r: &Request) -> bool {
        let ports = self.ports.is_empty() && self.not_ports.is_empty()
            || field(&self.ports, &self.not_ports, &[r.port.to_string()], |p, v| p == v);
        if r.tcp {
            return ports;
        }
        ports
            && field(&self.hosts, &self.not_hosts, std::slice::from_ref(&r.host), host_matches)
            && field(&self.methods, &self.not_methods, std::slice::from_ref(&r.method), header_matches)
            && (self.paths.is_empty() && self.not_paths.is_empty()
                || field(&self.paths, &self.not_paths, &[r.path_only().to_string()], string_matches))
    }

    fn uses_http(&self) -> bool {
        [&self.hosts, &self.not_hosts, &self.methods, &self.not_methods, &self.paths, &self.not_paths]
            .iter()
            .any(|l| !l.is_empty())
    }
}

/// `request.auth.claims[a][b]` → `["a", "b"]`.
fn bracketed(key: &str, prefix: &str) -> Option<Vec<String>> {
    let rest = key.strip_prefix(prefix)?;
    let mut out = Vec::new();
    let mut rest = rest;
    while let Some(inner) = rest.strip_prefix('[') {
        let end = inner.find(']')?;
        out.push(inner[..end].to_string());
        rest = &inner[end + 1..];
    }
    (rest.is_empty() && !out.is_empty()).then_some(out)
}

impl Condition {
    fn known(&self) -> bool {
        matches!(
            self.key.as_str(),
            "destination.ip"
                | "destination.port"
                | "connection.sni"
                | "source.ip"
                | "remote.ip"
                | "source.namespace"
                | "source.principal"
                | "request.auth.principal"
                | "request.auth.audiences"
                | "request.auth.presenter"
        ) || self.key.starts_with("experimental.envoy.filters.")
            || bracketed(&self.key, "request.headers").is_some_and(|p| p.len() == 1)
            || bracketed(&self.key, "request.auth.claims").is_some()
    }

    fn uses_http(&self) -> bool {
        self.key.starts_with("request.")
    }

    fn matches(&self, f: &Facts<'_>) -> bool {
        if f.tcp() && self.uses_http() {
            return true;
        }
        let r = f.request;
        let exact = |p: &str, v: &str| p == v;
        match self.key.as_str() {
            "destination.port" => field(&self.values, &self.not_values, &[r.port.to_string()], exact),
            "source.ip" | "remote.ip" => {
                let ip = if self.key == "source.ip" { r.peer.ip } else { r.remote_ip.or(r.peer.ip) };
                match ip {
                    Some(ip) => {
                        (self.values.is_empty() || self.values.iter().any(|b| ip_block_matches(b, &ip)))
                            && !self.not_values.iter().any(|b| ip_block_matches(b, &ip))
                    }
                    None => self.values.is_empty(),
                }
            }
            "connection.sni" => {
                field(&self.values, &self.not_values, &r.sni.iter().cloned().collect::<Vec<_>>(), string_matches)
            }
            "source.namespace" => field(
                &self.values,
                &self.not_values,
                &r.peer.namespace.iter().cloned().collect::<Vec<_>>(),
                string_matches,
            ),
            "source.principal" => field(
                &self.values,
                &self.not_values,
                &r.peer.principal.iter().cloned().collect::<Vec<_>>(),
                string_matches,
            ),
            "request.auth.principal" => {
                let principal: Vec<String> = f.jwt.map(|j| format!("{}/{}", j.issuer, j.subject)).into_iter().collect();
                field(&self.values, &self.not_values, &principal, string_matches)
            }
            "request.auth.audiences" => field(
                &self.values,
                &self.not_values,
                &f.jwt.map(|j| j.audiences.clone()).unwrap_or_default(),
                string_matches,
            ),
            "request.auth.presenter" => {
                let azp = f.jwt.map(|j| j.claim(&["azp".to_string()])).unwrap_or_default();
                field(&self.values, &self.not_values, &azp, string_matches)
            }
            key => {
                if let Some(name) = bracketed(key, "request.headers") {
                    let value: Vec<String> = name
                        .first()
                        .and_then(|n| r.headers.get(&n.to_ascii_lowercase()))
                        .cloned()
                        .into_iter()
                        .collect();
                    field(&self.values, &self.not_values, &value, header_matches)
                } else if let Some(path) = bracketed(key, "request.auth.claims") {
                    let claims = f.jwt.map(|j| j.claim(&path)).unwrap_or_default();
                    field(&self.values, &self.not_values, &claims, string_matches)
                } else {
                    // Attributes the model does not hold (destination.ip, ...).
                    field(&self.values, &self.not_values, &[], string_matches)
                }
            }
        }
    }
}

impl Rule {
    pub(super) fn uses_http(&self) -> bool {
        self.from.iter().any(|s| !s.request_principals.is_empty() || !s.not_request_principals.is_empty())
            || self.to.iter().any(Operation::uses_http)
            || self.when.iter().any(Condition::uses_http)
    }

    pub(super) fn matches(&self, f: &Facts<'_>) -> bool {
        (self.from.is_empty() || self.from.iter().any(|s| s.matches(f)))
            && (self.to.is_empty() || self.to.iter().any(|o| o.matches(f.request)))
            && self.when.iter().all(|c| c.matches(f))
    }
}

fn parse_source(v: &Value) -> Result<Source, String> {
    let s = |k: &str| strings(v.get(k));
    let source = Source {
        principals: s("principals")?,
        not_principals: s("notPrincipals")?,
        request_principals: s("requestPrincipals")?,
        not_request_principals: s("notRequestPrincipals")?,
        namespaces: s("namespaces")?,
        not_namespaces: s("notNamespaces")?,
        ip_blocks: s("ipBlocks")?,
        not_ip_blocks: s("notIpBlocks")?,
        remote_ip_blocks: s("remoteIpBlocks")?,
        not_remote_ip_blocks: s("notRemoteIpBlocks")?,
    };
    let all = [
        &source.principals,
        &source.not_principals,
        &source.request_principals,
        &source.not_request_principals,
        &source.namespaces,
        &source.not_namespaces,
        &source.ip_blocks,
        &source.not_ip_blocks,
        &source.remote_ip_blocks,
        &source.not_remote_ip_blocks,
    ];
    if all.iter().all(|l| l.is_empty()) {
        return Err("`from.source` must not be empty".into());
    }
    if all.iter().any(|l| l.iter().any(String::is_empty)) {
        return Err("empty values are not allowed".into());
    }
    Ok(source)
}

fn parse_operation(v: &Value) -> Result<Operation, String> {
    let s = |k: &str| strings(v.get(k));
    let op = Operation {
        hosts: s("hosts")?,
        not_hosts: s("notHosts")?,
        ports: s("ports")?,
        not_ports: s("notPorts")?,
        methods: s("methods")?,
        not_methods: s("notMethods")?,
        paths: s("paths")?,
        not_paths: s("notPaths")?,
    };
    let all =
        [&op.hosts, &op.not_hosts, &op.ports, &op.not_ports, &op.methods, &op.not_methods, &op.paths, &op.not_paths];
    if all.iter().all(|l| l.is_empty()) {
        return Err("`to.operation` must not be empty".into());
    }
    Ok(op)
}

pub(super) fn parse_rule(v: &Value) -> Result<Rule, String> {
    let mut rule = Rule::default();
    if let Some(from) = v.get("from").filter(|f| !f.is_null()) {
        let from = from.as_array().ok_or("`from` must be a list")?;
        if from.is_empty() {
            return Err("`from` must not be empty".into());
        }
        for item in from {
            rule.from.push(parse_source(item.get("source").ok_or("`from.source` must not be nil")?)?);
        }
    }
    if let Some(to) = v.get("to").filter(|f| !f.is_null()) {
        let to = to.as_array().ok_or("`to` must be a list")?;
        if to.is_empty() {
            return Err("`to` must not be empty".into());
        }
        for item in to {
            rule.to.push(parse_operation(item.get("operation").ok_or("`to.operation` must not be nil")?)?);
        }
    }
    for c in v.get("when").and_then(Value::as_array).into_iter().flatten() {
        let condition = Condition {
            key: c.get("key").and_then(Value::as_str).unwrap_or_default().to_string(),
            values: strings(c.get("values"))?,
            not_values: strings(c.get("notValues"))?,
        };
        if !condition.known() {
            return Err(format!("unknown attribute {:?}", condition.key));
        }
        if condition.values.is_empty() && condition.not_values.is_empty() {
            return Err(format!("condition {:?} needs values or notValues", condition.key));
        }
        rule.when.push(condition);
    }
    Ok(rule)
}
