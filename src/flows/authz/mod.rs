//! Istio request authentication and authorization on one workload: RequestAuthentication
//! (JWT), AuthorizationPolicy (CUSTOM, DENY, ALLOW) and the CUSTOM (ext-authz) provider.
//!
//! Sources (istio/istio and istio/api @1.24.3; the same at 1.18.7 unless noted):
//! - Filter order on every proxy: CUSTOM (ext_authz) → `jwt_authn` (RequestAuthentication) →
//!   RBAC (DENY, ALLOW): `pilot/pkg/networking/core/listener_builder.go:383-387` (1.18.7:
//!   `core/v1alpha3/listener_builder.go:375-379`; maistra-2.5 the same). So the CUSTOM provider
//!   decides before any token is verified, and never sees a request principal.
//! - Evaluation: a matching CUSTOM policy asks its provider (deny ⇒ denied); then any matching
//!   DENY ⇒ 403; then no ALLOW policy on the workload ⇒ allowed; any matching ALLOW ⇒ allowed;
//!   else 403: `security/v1beta1/authorization_policy.proto` (header).
//! - Scope: the policy's namespace, narrowed by `selector.matchLabels`; in the root namespace
//!   the selector applies in every namespace (same proto, `selector`). `targetRef(s)` attach to
//!   Gateway API gateways and waypoints only, so such a policy applies to none of the workloads
//!   modelled here.
//! - Rules: no `rules` never matches (ALLOW without rules denies all); `[{}]` always matches;
//!   `from`, `to`, `when` are ANDed within a rule, rules are ORed; within a source or operation
//!   every set field must match and `not*` fields must not (proto `Rule`, `Source`, `Operation`).
//! - Values: `*` (present, non-empty), `abc*` (prefix), `*abc` (suffix), else exact
//!   (`pilot/pkg/security/authz/matcher/string.go` `StringMatcherWithPrefix`, `header.go`
//!   `HeaderMatcher`); hosts compare case-insensitively with `:authority` as sent, so
//!   `example.com` does not match `example.com:443` (`header.go` `HostMatcher`; istio.io
//!   `docs/ops/best-practices/security` "Writing Host Match Policies"); request principals split
//!   at the last `/` into issuer and subject patterns (`model/generator.go`
//!   `requestPrincipalGenerator.extendedPrincipal`; 1.18.7 matched the joined `iss/sub` string,
//!   with the same outcome for `*`, `<iss>/*` and exact principals). An absent attribute never
//!   matches a value, so a `not*` field holds for it.
//! - Validation (`pkg/config/validation/validation.go` `ValidateAuthorizationPolicy`): DENY and
//!   CUSTOM need `rules`; CUSTOM needs `provider.name` and may not use `principals`,
//!   `namespaces`, `requestPrincipals` (nor their `not*`) or `when` keys `source.namespace`,
//!   `source.principal`, `request.auth.*`; `when` keys must be known (`model/model.go` `New`).
//!   A refused policy does not exist on the cluster.
//! - RequestAuthentication (`security/v1beta1/request_authentication.proto`;
//!   `pilot/pkg/security/authn/policy_applier.go` `convertToEnvoyJwtConfig`): every rule of every
//!   RequestAuthentication on the workload (own namespace + root namespace, selector ⊆ labels)
//!   joins one JWT configuration for every host and path; a request with no token at any rule's
//!   location passes with no principal; a token that verifies for a rule (issuer equal,
//!   audiences empty or intersecting) gives principal `<iss>/<sub>`; a token that verifies for
//!   none (unknown issuer, wrong audience, bad signature) is rejected with 401 (Envoy
//!   `JwtUnknownIssuer`, envoyproxy/envoy PR #15194). Default locations: `Authorization: Bearer
//!   <token>` and the `access_token` query parameter; `fromHeaders` (with `prefix`),
//!   `fromParams`, `fromCookies` replace them. A header location yields a token when its value
//!   contains the prefix (envoyproxy/envoy `source/extensions/filters/http/jwt_authn/
//!   extractor.cc` `ExtractorImpl::extract`), so `Authorization: Basic x` is no token at all.
//!   `forwardOriginalToken: false` (the default) removes the token before the request goes on.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::Arc;

use serde_json::Value;

use super::net::{Address, Cidr};
use super::pod::Pod;
use super::selector::{Labels, WorkloadSelector, labels_of};
use super::{Cache, Layer, ObjectRef, Outcome, Step};

// ---------------------------------------------------------------------------------------------
// The request

/// A JSON Web Token whose signature verifies with its issuer's keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Jwt {
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
    /// Other claims (`groups`, `azp`, ...), each as a list of strings.
    pub claims: BTreeMap<String, Vec<String>>,
}

impl Jwt {
    pub fn new(issuer: &str, subject: &str, audiences: &[&str]) -> Jwt {
        Jwt {
            issuer: issuer.to_string(),
            subject: subject.to_string(),
            audiences: audiences.iter().map(|a| a.to_string()).collect(),
            claims: BTreeMap::new(),
        }
    }

    pub fn with_claim(mut self, name: &str, values: &[&str]) -> Jwt {
        self.claims.insert(name.to_string(), values.iter().map(|v| v.to_string()).collect());
        self
    }

    /// The claim values a `request.auth.claims[...]` condition reads.
    fn claim(&self, path: &[String]) -> Vec<String> {
        match path {
            [name] if name == "iss" => vec![self.issuer.clone()],
            [name] if name == "sub" => vec![self.subject.clone()],
            [name] if name == "aud" => self.audiences.clone(),
            [name] => self.claims.get(name).cloned().unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

/// The mTLS peer of a request (the workload that opened the connection).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Peer {
    /// `<trust domain>/ns/<ns>/sa/<sa>`, when the peer presents a mesh certificate.
    pub principal: Option<String>,
    pub namespace: Option<String>,
    /// `source.ip`: the direct peer's address.
    pub ip: Option<IpAddr>,
}

impl Peer {
    /// The identity of a mesh workload.
    pub fn workload(pod: &Pod, trust_domain: &str) -> Peer {
        Peer { principal: Some(pod.principal(trust_domain)), namespace: Some(pod.namespace.clone()), ip: None }
    }
}

/// An HTTP request as a proxy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `:authority` as the client sent it (`example.com` or `example.com:443`).
    pub host: String,
    /// The port the proxy receives the request on (`destination.port`; a gateway's container
    /// port, not its Service port).
    pub port: u16,
    /// The path, with the query string if any.
    pub path: String,
    pub method: String,
    /// Request headers, names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The well-formed, signed tokens among the strings the request carries; any other string at
    /// a token location is an invalid token.
    pub tokens: BTreeMap<String, Jwt>,
    /// A valid login session (the OAuth proxy's cookie).
    pub session: bool,
    pub peer: Peer,
    /// `remote.ip`: the original client address.
    pub remote_ip: Option<IpAddr>,
    /// A TCP connection (TLS passthrough, opaque TCP): no HTTP attribute exists.
    pub tcp: bool,
}

impl Request {
    pub fn new(host: &str, port: u16, path: &str) -> Request {
        Request {
            host: host.to_string(),
            port,
            path: path.to_string(),
            method: "GET".to_string(),
            headers: BTreeMap::new(),
            tokens: BTreeMap::new(),
            session: false,
            peer: Peer::default(),
            remote_ip: None,
            tcp: false,
        }
    }

    /// The same connection seen as plain TCP (no HTTP attributes).
    pub fn tcp(mut self) -> Request {
        self.tcp = true;
        self
    }

    pub fn method(mut self, method: &str) -> Request {
        self.method = method.to_string();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.insert(name.to_ascii_lowercase(), value.to_string());
        self
    }

    /// Sends a valid token as `Authorization: Bearer <token>`.
    pub fn bearer(self, jwt: Jwt) -> Request {
        self.token_in_header("authorization", "Bearer ", jwt)
    }

    /// Sends a valid token in a header, after `prefix`.
    pub fn token_in_header(mut self, name: &str, prefix: &str, jwt: Jwt) -> Request {
        let opaque = format!("jwt-{}-{}", self.tokens.len(), jwt.issuer);
        self.headers.insert(name.to_ascii_lowercase(), format!("{prefix}{opaque}"));
        self.tokens.insert(opaque, jwt);
        self
    }

    /// Sends a token that verifies nowhere, as `Authorization: Bearer <token>`.
    pub fn invalid_bearer(self) -> Request {
        self.header("authorization", "Bearer invalid-token")
    }

    pub fn session(mut self) -> Request {
        self.session = true;
        self
    }

    pub fn peer(mut self, peer: Peer) -> Request {
        self.peer = peer;
        self
    }

    fn path_only(&self) -> &str {
        self.path.split_once('?').map_or(self.path.as_str(), |(p, _)| p)
    }

    fn query(&self, name: &str) -> Option<&str> {
        let (_, query) = self.path.split_once('?')?;
        query.split('&').find_map(|pair| pair.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get("cookie")?
            .split(';')
            .find_map(|c| c.trim().split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
    }
}

// ---------------------------------------------------------------------------------------------
// The CUSTOM provider

/// How a CUSTOM (ext-authz) provider decides, as the evaluation models it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    /// Allows every request it is asked about.
    Allow,
    /// Denies every request; `redirect`: the denial sends the client to a login flow.
    Deny { redirect: bool },
    /// Allows iff a header has a value (the istio.io sample ext-authz server allows
    /// `x-ext-authz: allow`: `tasks/security/authorization/authz-custom`).
    HeaderEquals { header: String, value: String },
    /// An OAuth proxy running a login flow.
    OAuthProxy(OAuthProxy),
}

/// oauth2-proxy as an `envoyExtAuthzHttp` provider (oauth2-proxy/oauth2-proxy @v7.6.0):
/// a request with a session is allowed; a request whose `Authorization: Bearer` token verifies
/// for one of `bearer` is allowed without a session (`--skip-jwt-bearer-tokens`,
/// `--extra-jwt-issuers`: `docs/docs/configuration/overview.md`; `pkg/middleware/
/// jwt_session.go` `getJwtSession`); anything else (no header, `Basic x`, a token of another
/// issuer) has no session and is sent to sign in (`oauthproxy.go` `Proxy`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OAuthProxy {
    /// (issuer, audience) pairs of bearer tokens accepted without a session.
    pub bearer: Vec<(String, String)>,
    /// The token added to an allowed session request as `Authorization: Bearer`
    /// (`--set-authorization-header` with `authorization` in the provider's
    /// `headersToUpstreamOnAllow`); the ID token, whose audience is the OIDC client.
    pub id_token: Option<Jwt>,
}

/// A provider's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Decision {
    Allow,
    Deny { redirect: bool },
}

impl Provider {
    /// Decides, and applies to the request what an allow adds upstream.
    fn decide(&self, request: &mut Request) -> (Decision, String) {
        match self {
            Provider::Allow => (Decision::Allow, "the provider allows every request".into()),
            Provider::Deny { redirect } => (Decision::Deny { redirect: *redirect }, "the provider denies".into()),
            Provider::HeaderEquals { header, value } => {
                if request.headers.get(&header.to_ascii_lowercase()) == Some(value) {
                    (Decision::Allow, format!("the provider allows `{header}: {value}`"))
                } else {
                    (Decision::Deny { redirect: false }, format!("the provider allows only `{header}: {value}`"))
                }
            }
            Provider::OAuthProxy(proxy) => {
                if request.session {
                    if let Some(id_token) = &proxy.id_token {
                        let replaced = request.clone().bearer(id_token.clone());
                        *request = replaced;
                    }
                    return (Decision::Allow, "the login session is valid".into());
                }
                let bearer = request.headers.get("authorization").and_then(|v| v.strip_prefix("Bearer "));
                if let Some(jwt) = bearer.and_then(|t| request.tokens.get(t)) {
                    let accepted = proxy
                        .bearer
                        .iter()
                        .any(|(iss, aud)| *iss == jwt.issuer && jwt.audiences.iter().any(|a| a == aud));
                    if accepted {
                        return (
                            Decision::Allow,
                            format!("the bearer token of {} is accepted without a session", jwt.issuer),
                        );
                    }
                }
                (Decision::Deny { redirect: true }, "no login session: the client is sent to sign in".into())
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Matching

/// `StringMatcherWithPrefix`: `*` non-empty, `x*` prefix, `*x` suffix, else exact.
fn string_matches(pattern: &str, value: &str) -> bool {
    if pattern == "*" {
        !value.is_empty()
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        value.ends_with(suffix)
    } else if let Some(prefix) = pattern.strip_suffix('*') {
        value.starts_with(prefix)
    } else {
        pattern == value
    }
}

/// `HeaderMatcher`: like [`string_matches`] but `*` is presence (an empty value matches).
fn header_matches(pattern: &str, value: &str) -> bool {
    if pattern == "*" { true } else { string_matches(pattern, value) }
}

/// `HostMatcher`: [`header_matches`] without regard to case.
fn host_matches(pattern: &str, host: &str) -> bool {
    header_matches(&pattern.to_ascii_lowercase(), &host.to_ascii_lowercase())
}

/// `requestPrincipalGenerator.extendedPrincipal`: issuer and subject patterns split at the last
/// `/` of the pattern.
fn request_principal_matches(pattern: &str, jwt: &Jwt) -> bool {
    let any = |v: &str| !v.is_empty();
    let (iss, sub) = (jwt.issuer.as_str(), jwt.subject.as_str());
    let split = pattern.rfind('/').map(|i| (&pattern[..i], &pattern[i + 1..]));
    if pattern == "*" {
        return any(iss) && any(sub);
    }
    if let Some(rest) = pattern.strip_prefix('*') {
        return match split {
            Some((p_iss, p_sub)) => (if p_iss == "*" { any(iss) } else { iss.ends_with(&p_iss[1..]) }) && sub == p_sub,
            None => any(iss) && sub.ends_with(rest),
        };
    }
    if let Some(rest) = pattern.strip_suffix('*') {
        return match split {
            Some((p_iss, p_sub)) => {
                iss == p_iss && (if p_sub == "*" { any(sub) } else { sub.starts_with(&p_sub[..p_sub.len() - 1]) })
            }
            None => iss.starts_with(rest) && any(sub),
        };
    }
    match split {
        Some((p_iss, p_sub)) => iss == p_iss && sub == p_sub,
        None => iss == pattern && sub.is_empty(),
    }
}

fn ip_block_matches(block: &str, ip: &IpAddr) -> bool {
    let cidr = if block.contains('/') {
        Cidr::parse(block)
    } else {
        Cidr::parse(&format!("{block}/{}", if ip.is_ipv4() { 32 } else { 128 }))
    };
    cidr.is_ok_and(|c| c.contains(&Address::Ip(*ip)))
}

/// `values`/`notValues` of one attribute: with values, some must match; with notValues, none
/// may. An absent attribute matches no value.
fn field(values: &[String], not_values: &[String], attribute: &[String], matches: impl Fn(&str, &str) -> bool) -> bool {
    let hit = |patterns: &[String]| patterns.iter().any(|p| attribute.iter().any(|a| matches(p, a)));
    (values.is_empty() || hit(values)) && (not_values.is_empty() || !hit(not_values))
}

#[derive(Debug, Clone, Default)]
struct Source {
    principals: Vec<String>,
    not_principals: Vec<String>,
    request_principals: Vec<String>,
    not_request_principals: Vec<String>,
    namespaces: Vec<String>,
    not_namespaces: Vec<String>,
    ip_blocks: Vec<String>,
    not_ip_blocks: Vec<String>,
    remote_ip_blocks: Vec<String>,
    not_remote_ip_blocks: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct Operation {
    hosts: Vec<String>,
    not_hosts: Vec<String>,
    ports: Vec<String>,
    not_ports: Vec<String>,
    methods: Vec<String>,
    not_methods: Vec<String>,
    paths: Vec<String>,
    not_paths: Vec<String>,
}

#[derive(Debug, Clone)]
struct Condition {
    key: String,
    values: Vec<String>,
    not_values: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct Rule {
    from: Vec<Source>,
    to: Vec<Operation>,
    when: Vec<Condition>,
}

/// What a rule is evaluated against: the request and, after authentication, its token.
struct Facts<'a> {
    request: &'a Request,
    jwt: Option<&'a Jwt>,
}

impl Facts<'_> {
    /// On TCP, HTTP-only attributes do not exist: a DENY rule ignores them (it gets wider), an
    /// ALLOW rule using them is dropped (`pilot/pkg/security/authz/model/model.go`
    /// `rule.checkError`; `builder/builder.go` "skipped rule ... on TCP filter chain").
    fn tcp(&self) -> bool {
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
                    // Attributes the model does not hold (destination.ip, connection.sni, ...).
                    field(&self.values, &self.not_values, &[], string_matches)
                }
            }
        }
    }
}

impl Rule {
    fn uses_http(&self) -> bool {
        self.from.iter().any(|s| !s.request_principals.is_empty() || !s.not_request_principals.is_empty())
            || self.to.iter().any(Operation::uses_http)
            || self.when.iter().any(Condition::uses_http)
    }

    fn matches(&self, f: &Facts<'_>) -> bool {
        (self.from.is_empty() || self.from.iter().any(|s| s.matches(f)))
            && (self.to.is_empty() || self.to.iter().any(|o| o.matches(f.request)))
            && self.when.iter().all(|c| c.matches(f))
    }
}

// ---------------------------------------------------------------------------------------------
// Policies

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Allow,
    Deny,
    Custom,
    Audit,
}

/// A parsed AuthorizationPolicy.
#[derive(Debug, Clone)]
pub struct AuthorizationPolicy {
    pub reference: ObjectRef,
    pub namespace: String,
    pub action: Action,
    pub provider: Option<String>,
    selector: WorkloadSelector,
    /// `None`: no rules (never matches).
    rules: Option<Vec<Rule>>,
}

fn strings(value: Option<&Value>) -> Result<Vec<String>, String> {
    match value.filter(|v| !v.is_null()) {
        None => Ok(Vec::new()),
        Some(v) => v
            .as_array()
            .ok_or("expected a list of strings")?
            .iter()
            .map(|s| s.as_str().map(str::to_string).ok_or_else(|| "expected a list of strings".to_string()))
            .collect(),
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

fn parse_rule(v: &Value) -> Result<Rule, String> {
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

fn selector_of(spec: &Value) -> Result<Option<WorkloadSelector>, String> {
    let targeted = ["targetRef", "targetRefs"].iter().any(|k| spec.get(*k).is_some_and(|v| !v.is_null()));
    if targeted {
        return Ok(None);
    }
    match spec.get("selector").and_then(|s| s.get("matchLabels")).filter(|v| !v.is_null()) {
        None => Ok(Some(WorkloadSelector::default())),
        Some(m) => labels_of(m)
            .map(|l| Some(WorkloadSelector(l)))
            .ok_or_else(|| "selector.matchLabels must map strings".to_string()),
    }
}

impl AuthorizationPolicy {
    /// Parses an AuthorizationPolicy. `Ok(None)`: a policy attached by `targetRef(s)` (to no
    /// workload modelled here); `Err`: what istiod's validation refuses.
    pub fn parse(reference: ObjectRef, value: &Value) -> Result<Option<AuthorizationPolicy>, String> {
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let action = match spec.get("action").and_then(Value::as_str).unwrap_or("ALLOW") {
            "ALLOW" => Action::Allow,
            "DENY" => Action::Deny,
            "CUSTOM" => Action::Custom,
            "AUDIT" => Action::Audit,
            other => return Err(format!("unknown action {other:?}")),
        };
        let provider = spec.get("provider").and_then(|p| p.get("name")).and_then(Value::as_str).map(str::to_string);
        let rules = match spec.get("rules").and_then(Value::as_array) {
            Some(list) if !list.is_empty() => Some(list.iter().map(parse_rule).collect::<Result<Vec<_>, _>>()?),
            _ => None,
        };
        match action {
            Action::Deny | Action::Custom if rules.is_none() => {
                return Err(format!("{action:?} without rules is refused"));
            }
            Action::Custom if provider.as_deref().unwrap_or_default().is_empty() => {
                return Err("CUSTOM needs provider.name".into());
            }
            Action::Allow | Action::Deny | Action::Audit if provider.is_some() => {
                return Err("provider is only for CUSTOM".into());
            }
            _ => {}
        }
        if action == Action::Custom {
            for rule in rules.iter().flatten() {
                for s in &rule.from {
                    if !(s.principals.is_empty()
                        && s.not_principals.is_empty()
                        && s.namespaces.is_empty()
                        && s.not_namespaces.is_empty()
                        && s.request_principals.is_empty()
                        && s.not_request_principals.is_empty())
                    {
                        return Err("CUSTOM rules may not use principals, namespaces or request principals".into());
                    }
                }
                if let Some(c) = rule.when.iter().find(|c| {
                    c.key == "source.namespace" || c.key == "source.principal" || c.key.starts_with("request.auth.")
                }) {
                    return Err(format!("CUSTOM rules may not use {}", c.key));
                }
            }
        }
        let Some(selector) = selector_of(spec)? else { return Ok(None) };
        let namespace = reference.namespace.clone().unwrap_or_default();
        Ok(Some(AuthorizationPolicy { reference, namespace, action, provider, selector, rules }))
    }

    fn matches(&self, f: &Facts<'_>) -> bool {
        let usable = |r: &&Rule| !(f.tcp() && self.action == Action::Allow && r.uses_http());
        self.rules.as_ref().is_some_and(|rules| rules.iter().filter(usable).any(|r| r.matches(f)))
    }

    /// The host keys under which the policy is indexed: `None` when some rule can match any
    /// host.
    fn host_keys(&self) -> Option<BTreeSet<HostKey>> {
        let mut keys = BTreeSet::new();
        for rule in self.rules.as_ref()? {
            if rule.to.is_empty() {
                return None;
            }
            for op in &rule.to {
                if op.hosts.is_empty() {
                    return None;
                }
                for h in &op.hosts {
                    keys.insert(HostKey::of(h)?);
                }
            }
        }
        Some(keys)
    }
}

/// Where a host pattern is indexed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum HostKey {
    /// The host part (before any `:`), lower case.
    Exact(String),
    /// `*<suffix>`, lower case.
    Suffix(String),
}

impl HostKey {
    /// `None` for a pattern that can match hosts of any name (`*`, `abc*`).
    fn of(pattern: &str) -> Option<HostKey> {
        let p = pattern.to_ascii_lowercase();
        if p == "*" {
            return None;
        }
        if let Some(suffix) = p.strip_prefix('*') {
            return Some(HostKey::Suffix(suffix.to_string()));
        }
        let exact = p.strip_suffix('*').unwrap_or(&p);
        // `host:*` and `host:443` index under `host`; a prefix without a `:` could match longer
        // names.
        match exact.split_once(':') {
            Some((host, _)) => Some(HostKey::Exact(host.to_string())),
            None if p.ends_with('*') => None,
            None => Some(HostKey::Exact(exact.to_string())),
        }
    }
}

/// A parsed RequestAuthentication.
#[derive(Debug, Clone)]
pub struct RequestAuthentication {
    pub reference: ObjectRef,
    pub namespace: String,
    selector: WorkloadSelector,
    rules: Vec<JwtRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Location {
    Header { name: String, prefix: String },
    Param(String),
    Cookie(String),
}

#[derive(Debug, Clone)]
struct JwtRule {
    issuer: String,
    audiences: Vec<String>,
    locations: Vec<Location>,
    forward: bool,
}

impl RequestAuthentication {
    /// Parses a RequestAuthentication; `Ok(None)` for one attached by `targetRef(s)`.
    pub fn parse(reference: ObjectRef, value: &Value) -> Result<Option<RequestAuthentication>, String> {
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let mut rules = Vec::new();
        for rule in spec.get("jwtRules").and_then(Value::as_array).into_iter().flatten() {
            let issuer = rule
                .get("issuer")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .ok_or("a JWT rule needs an issuer")?;
            let mut locations = Vec::new();
            for h in rule.get("fromHeaders").and_then(Value::as_array).into_iter().flatten() {
                let name = h.get("name").and_then(Value::as_str).ok_or("fromHeaders needs a name")?;
                let prefix = h.get("prefix").and_then(Value::as_str).unwrap_or_default();
                locations.push(Location::Header { name: name.to_ascii_lowercase(), prefix: prefix.to_string() });
            }
            for p in strings(rule.get("fromParams"))? {
                locations.push(Location::Param(p));
            }
            for c in strings(rule.get("fromCookies"))? {
                locations.push(Location::Cookie(c));
            }
            if locations.is_empty() {
                // JWTRule: "Authorization: Bearer <token>" and the access_token query parameter.
                locations.push(Location::Header { name: "authorization".into(), prefix: "Bearer ".into() });
                locations.push(Location::Param("access_token".into()));
            }
            rules.push(JwtRule {
                issuer: issuer.to_string(),
                audiences: strings(rule.get("audiences"))?,
                locations,
                forward: rule.get("forwardOriginalToken").and_then(Value::as_bool).unwrap_or(false),
            });
        }
        let Some(selector) = selector_of(spec)? else { return Ok(None) };
        let namespace = reference.namespace.clone().unwrap_or_default();
        Ok(Some(RequestAuthentication { reference, namespace, selector, rules }))
    }
}

/// The tokens a request carries at a location.
fn extract(request: &Request, location: &Location) -> Option<String> {
    match location {
        Location::Header { name, prefix } => {
            let value = request.headers.get(name)?;
            if prefix.is_empty() {
                Some(value.clone())
            } else {
                let at = value.find(prefix.as_str())?;
                Some(value[at + prefix.len()..].trim().to_string())
            }
        }
        Location::Param(name) => request.query(name).map(str::to_string),
        Location::Cookie(name) => request.cookie(name).map(str::to_string),
    }
}

/// The outcome of authentication.
#[derive(Debug, Clone)]
struct Authenticated {
    jwt: Option<Jwt>,
    /// The header to remove before the request goes on (a verified, not forwarded token).
    strip: Option<String>,
    /// The RequestAuthentication whose rule verified the token.
    by: Option<ObjectRef>,
}

/// A rejected token: why, and the RequestAuthentications that read it and accepted it not.
#[derive(Debug, Clone)]
struct Rejected {
    why: String,
    by: Vec<ObjectRef>,
}

/// The JWT configuration of one workload: every rule of every RequestAuthentication on it,
/// indexed by the locations the rules read and by issuer.
#[derive(Debug, Default)]
struct JwtConfig {
    policies: Vec<ObjectRef>,
    /// Every rule, with the index of its policy.
    rules: Vec<(usize, JwtRule)>,
    /// Each distinct location, with the rules that read it (in rule order).
    locations: Vec<(Location, Vec<usize>)>,
    /// Rules by issuer.
    by_issuer: BTreeMap<String, Vec<usize>>,
}

impl JwtConfig {
    fn new(policies: Vec<ObjectRef>, rules: Vec<(usize, JwtRule)>) -> JwtConfig {
        let mut reading: BTreeMap<&Location, Vec<usize>> = BTreeMap::new();
        let mut by_issuer: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, (_, rule)) in rules.iter().enumerate() {
            by_issuer.entry(rule.issuer.clone()).or_default().push(i);
            for location in &rule.locations {
                let readers = reading.entry(location).or_default();
                if readers.last() != Some(&i) {
                    readers.push(i);
                }
            }
        }
        let locations = reading.into_iter().map(|(l, readers)| (l.clone(), readers)).collect();
        JwtConfig { policies, rules, locations, by_issuer }
    }

    /// Envoy's requirement `p1 OR ... OR AND(pi OR allow_missing)`: a request passes when some
    /// rule verifies a token it carries, or when it carries none at any rule's location.
    ///
    /// Of several rules that verify a token, the first in order (policies by namespace and
    /// name, their rules and each rule's locations in order) gives the principal and decides
    /// whether the token goes on. Verifying looks only at the locations that hold a token and at
    /// the rules of the token's issuer, however many issuers the workload knows.
    fn authenticate(&self, request: &Request) -> Result<Authenticated, Rejected> {
        let mut presented: Vec<&[usize]> = Vec::new();
        let mut failure = String::new();
        // (rule, position of the location in the rule, location, token)
        let mut best: Option<(usize, usize, &Location, &Jwt)> = None;
        for (location, reading) in &self.locations {
            let Some(token) = extract(request, location) else { continue };
            presented.push(reading);
            let Some(jwt) = request.tokens.get(&token) else {
                failure = "the token does not verify (malformed or bad signature)".into();
                continue;
            };
            // `reading` and the issuer's rules are both in rule order.
            let candidates: Vec<usize> = self
                .by_issuer
                .get(&jwt.issuer)
                .into_iter()
                .flatten()
                .copied()
                .filter(|r| reading.binary_search(r).is_ok())
                .collect();
            if candidates.is_empty() {
                if failure.is_empty() {
                    failure = format!("no rule configures the issuer {:?}", jwt.issuer);
                }
                continue;
            }
            let verifying = candidates.iter().copied().find(|r| {
                self.rules.get(*r).is_some_and(|(_, rule)| {
                    rule.audiences.is_empty() || jwt.audiences.iter().any(|a| rule.audiences.contains(a))
                })
            });
            match verifying {
                Some(r) => {
                    let position =
                        self.rules.get(r).and_then(|(_, rule)| rule.locations.iter().position(|l| l == location));
                    let key = (r, position.unwrap_or(usize::MAX));
                    if best.is_none_or(|(br, bp, _, _)| key < (br, bp)) {
                        best = Some((key.0, key.1, location, jwt));
                    }
                }
                None => {
                    let wanted: Vec<&String> = candidates
                        .iter()
                        .filter_map(|r| self.rules.get(*r))
                        .flat_map(|(_, rule)| rule.audiences.iter())
                        .collect();
                    failure = format!("the token's audiences {:?} are not among {:?}", jwt.audiences, wanted);
                }
            }
        }
        if let Some((r, _, location, jwt)) = best {
            let Some((owner, rule)) = self.rules.get(r) else {
                return Ok(Authenticated { jwt: Some(jwt.clone()), strip: None, by: None });
            };
            let strip = match (location, rule.forward) {
                (Location::Header { name, .. }, false) => Some(name.clone()),
                _ => None,
            };
            return Ok(Authenticated { jwt: Some(jwt.clone()), strip, by: self.policies.get(*owner).cloned() });
        }
        if presented.is_empty() {
            return Ok(Authenticated { jwt: None, strip: None, by: None });
        }
        // Every policy with a rule reading a location that held a token had its say.
        let readers: BTreeSet<usize> = presented
            .iter()
            .flat_map(|reading| reading.iter())
            .filter_map(|r| self.rules.get(*r))
            .map(|(o, _)| *o)
            .collect();
        Err(Rejected { why: failure, by: readers.into_iter().filter_map(|i| self.policies.get(i).cloned()).collect() })
    }
}

/// The AuthorizationPolicies and RequestAuthentications of the cluster, indexed by namespace
/// and host.
#[derive(Debug, Default)]
pub struct Policies {
    policies: Vec<AuthorizationPolicy>,
    authentications: Vec<RequestAuthentication>,
    by_namespace: BTreeMap<String, NamespaceIndex>,
    jwt_cache: Cache<(String, Labels), JwtConfig>,
    /// The ALLOW policies applying to a workload, by its namespace and labels.
    allow_cache: Cache<(String, Labels), Vec<ObjectRef>>,
    /// Decisions on TCP connections: their steps and whether the connection goes on.
    tcp_cache: Cache<TcpKey, (Vec<Step>, bool)>,
}

/// What a decision on a TCP connection depends on: the workload (namespace, name for messages,
/// labels), the port and the peer (principal, namespace, address) and the original client.
type TcpKey = (String, String, Labels, u16, Option<String>, Option<String>, Option<IpAddr>, Option<IpAddr>);

#[derive(Debug, Default)]
struct NamespaceIndex {
    by_host: BTreeMap<String, Vec<usize>>,
    /// Policies for `*<suffix>` hosts, by suffix.
    by_suffix: BTreeMap<String, Vec<usize>>,
    any_host: Vec<usize>,
    /// ALLOW policies by selector: whether any ALLOW applies is a question of selectors only.
    allow_selectors: BTreeMap<WorkloadSelector, Vec<usize>>,
    authentications: Vec<usize>,
}

/// The result of authentication and authorization on one workload.
#[derive(Debug, Clone)]
pub struct Outcomes {
    /// One step per phase that has policies: CUSTOM, authentication, DENY, ALLOW.
    pub steps: Vec<Step>,
    /// The request as the workload passes it on, when every step allows it.
    pub upstream: Option<Request>,
}

impl Policies {
    pub fn new() -> Policies {
        Policies::default()
    }

    pub fn add_policy(&mut self, policy: AuthorizationPolicy) {
        let index = self.policies.len();
        let ns = self.by_namespace.entry(policy.namespace.clone()).or_default();
        match policy.host_keys() {
            None => ns.any_host.push(index),
            Some(keys) => {
                for key in keys {
                    match key {
                        HostKey::Exact(host) => ns.by_host.entry(host).or_default().push(index),
                        HostKey::Suffix(suffix) => ns.by_suffix.entry(suffix).or_default().push(index),
                    }
                }
            }
        }
        if policy.action == Action::Allow {
            ns.allow_selectors.entry(policy.selector.clone()).or_default().push(index);
        }
        self.policies.push(policy);
        if let Ok(mut cache) = self.allow_cache.lock() {
            cache.clear();
        }
        if let Ok(mut cache) = self.tcp_cache.lock() {
            cache.clear();
        }
    }

    pub fn add_authentication(&mut self, authentication: RequestAuthentication) {
        let index = self.authentications.len();
        self.by_namespace.entry(authentication.namespace.clone()).or_default().authentications.push(index);
        self.authentications.push(authentication);
        if let Ok(mut cache) = self.jwt_cache.lock() {
            cache.clear();
        }
    }

    /// The namespaces whose policies apply to a workload of `namespace`.
    fn scopes<'a>(
        &'a self,
        namespace: &'a str,
        root: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a NamespaceIndex)> + 'a {
        let mut names = vec![namespace];
        if root != namespace {
            names.push(root);
        }
        names.into_iter().filter_map(move |n| self.by_namespace.get(n).map(|i| (n, i)))
    }

    fn applies(&self, selector: &WorkloadSelector, policy_namespace: &str, pod: &Pod, root: &str) -> bool {
        (policy_namespace == pod.namespace || policy_namespace == root) && selector.matches(&pod.labels)
    }

    /// The policies that may match a request for `host`, applying to `pod`, sorted.
    fn candidates(&self, pod: &Pod, root: &str, host: &str, tcp: bool) -> Vec<&AuthorizationPolicy> {
        if tcp {
            // Hosts are HTTP attributes: every policy of the scope may apply.
            let mut out: Vec<&AuthorizationPolicy> = self
                .scopes(&pod.namespace, root)
                .flat_map(|(_, ns)| {
                    ns.any_host.iter().chain(ns.by_host.values().flatten()).chain(ns.by_suffix.values().flatten())
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .filter_map(|i| self.policies.get(*i))
                .filter(|p| self.applies(&p.selector, &p.namespace, pod, root))
                .collect();
            out.sort_by(|a, b| a.reference.cmp(&b.reference));
            return out;
        }
        let host = host.to_ascii_lowercase();
        let bare = host.split_once(':').map_or(host.as_str(), |(h, _)| h);
        let mut picked = BTreeSet::new();
        for (_, ns) in self.scopes(&pod.namespace, root) {
            picked.extend(ns.any_host.iter().copied());
            picked.extend(ns.by_host.get(bare).into_iter().flatten().copied());
            if !ns.by_suffix.is_empty() {
                // Every tail of the host, with and without the port, is a suffix it ends with.
                for name in [host.as_str(), bare] {
                    for (at, _) in name.char_indices() {
                        picked.extend(name.get(at..).and_then(|tail| ns.by_suffix.get(tail)).into_iter().flatten());
                    }
                }
            }
        }
        let mut out: Vec<&AuthorizationPolicy> = picked
            .into_iter()
            .filter_map(|i| self.policies.get(i))
            .filter(|p| self.applies(&p.selector, &p.namespace, pod, root))
            .collect();
        out.sort_by(|a, b| a.reference.cmp(&b.reference));
        out
    }

    /// The ALLOW policies applying to a workload (computed once per namespace and label set).
    fn allow_policies(&self, pod: &Pod, root: &str) -> Arc<Vec<ObjectRef>> {
        let key = (pod.namespace.clone(), pod.labels.clone());
        if let Some(hit) = self.allow_cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let mut out = Vec::new();
        for (ns_name, ns) in self.scopes(&pod.namespace, root) {
            for (selector, indexes) in &ns.allow_selectors {
                if self.applies(selector, ns_name, pod, root) {
                    out.extend(indexes.iter().filter_map(|i| self.policies.get(*i)).map(|p| p.reference.clone()));
                }
            }
        }
        out.sort();
        let out = Arc::new(out);
        if let Ok(mut cache) = self.allow_cache.lock() {
            cache.insert(key, out.clone());
        }
        out
    }

    fn jwt_config(&self, pod: &Pod, root: &str) -> Arc<JwtConfig> {
        let key = (pod.namespace.clone(), pod.labels.clone());
        if let Some(hit) = self.jwt_cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let mut policies = Vec::new();
        let mut rules = Vec::new();
        let mut applying: Vec<&RequestAuthentication> = Vec::new();
        for (_, ns) in self.scopes(&pod.namespace, root) {
            applying.extend(
                ns.authentications
                    .iter()
                    .filter_map(|i| self.authentications.get(*i))
                    .filter(|a| self.applies(&a.selector, &a.namespace, pod, root)),
            );
        }
        applying.sort_by(|a, b| a.reference.cmp(&b.reference));
        for a in applying {
            let owner = policies.len();
            policies.push(a.reference.clone());
            rules.extend(a.rules.iter().cloned().map(|r| (owner, r)));
        }
        let config = Arc::new(JwtConfig::new(policies, rules));
        if let Ok(mut cache) = self.jwt_cache.lock() {
            cache.insert(key, config.clone());
        }
        config
    }

    /// Authenticates and authorizes `request` on `pod` (a gateway or a sidecar), in the proxy's
    /// filter order.
    pub fn evaluate(
        &self,
        root: &str,
        providers: &BTreeMap<String, Provider>,
        pod: &Pod,
        request: &Request,
    ) -> Outcomes {
        if !request.tcp {
            return self.decide(root, providers, pod, request);
        }
        // On TCP no HTTP attribute exists (no host, no CUSTOM provider, no token): the decision
        // depends on the workload, the port and the peer only, and is taken once for them.
        let key: TcpKey = (
            pod.namespace.clone(),
            pod.name.clone(),
            pod.labels.clone(),
            request.port,
            request.peer.principal.clone(),
            request.peer.namespace.clone(),
            request.peer.ip,
            request.remote_ip,
        );
        if let Some(hit) = self.tcp_cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            let (steps, passes) = hit.as_ref();
            return Outcomes { steps: steps.clone(), upstream: passes.then(|| request.clone()) };
        }
        let outcomes = self.decide(root, providers, pod, request);
        if let Ok(mut cache) = self.tcp_cache.lock() {
            cache.insert(key, Arc::new((outcomes.steps.clone(), outcomes.upstream.is_some())));
        }
        outcomes
    }

    /// [`Policies::evaluate`], computed.
    fn decide(&self, root: &str, providers: &BTreeMap<String, Provider>, pod: &Pod, request: &Request) -> Outcomes {
        let mut steps = Vec::new();
        let mut request = request.clone();
        let candidates = self.candidates(pod, root, &request.host, request.tcp);
        let workload = format!("{}/{}", pod.namespace, pod.name);

        // 1. CUSTOM, before authentication: no principal is known yet. An HTTP provider is not
        // consulted on TCP (`builder.go` "ignored CUSTOM action with HTTP provider on TCP").
        let custom: Vec<&AuthorizationPolicy> = candidates
            .iter()
            .copied()
            .filter(|p| {
                !request.tcp && p.action == Action::Custom && p.matches(&Facts { request: &request, jwt: None })
            })
            .collect();
        if let Some(first) = custom.first() {
            let by: Vec<ObjectRef> = custom.iter().map(|p| p.reference.clone()).collect();
            let name = first.provider.clone().unwrap_or_default();
            let (verdict, why) = match providers.get(&name) {
                None => (Outcome::Blocked, format!("provider {name:?} is not modelled: the check fails closed")),
                Some(provider) => match provider.decide(&mut request) {
                    (Decision::Allow, why) => (Outcome::Allowed, why),
                    (Decision::Deny { redirect: true }, why) => (Outcome::Redirected, why),
                    (Decision::Deny { redirect: false }, why) => (Outcome::Blocked, why),
                },
            };
            let reason = format!("CUSTOM policy {} asks provider {name:?} on {workload}: {why}", first.reference.name);
            let done = verdict != Outcome::Allowed;
            steps.push(Step::new(Layer::Authorization, verdict, by, reason));
            if done {
                return Outcomes { steps, upstream: None };
            }
        }

        // 2. Authentication (an HTTP filter: none on TCP).
        let config = if request.tcp { Arc::new(JwtConfig::default()) } else { self.jwt_config(pod, root) };
        let authenticated = match config.authenticate(&request) {
            Ok(a) => {
                if !config.policies.is_empty() {
                    let why = match &a.jwt {
                        Some(jwt) => format!("the token of {} verifies on {workload}", jwt.issuer),
                        None => format!("no token at any location the RequestAuthentications of {workload} read"),
                    };
                    // The policy whose rule verified the token; none decides a request without one.
                    steps.push(Step::new(Layer::Authentication, Outcome::Allowed, a.by.iter().cloned().collect(), why));
                }
                a
            }
            Err(rejected) => {
                steps.push(Step::new(
                    Layer::Authentication,
                    Outcome::Blocked,
                    rejected.by,
                    format!("401 on {workload}: {}", rejected.why),
                ));
                return Outcomes { steps, upstream: None };
            }
        };
        let facts = Facts { request: &request, jwt: authenticated.jwt.as_ref() };

        // 3. DENY.
        let denying: Vec<ObjectRef> = candidates
            .iter()
            .filter(|p| p.action == Action::Deny && p.matches(&facts))
            .map(|p| p.reference.clone())
            .collect();
        if !denying.is_empty() {
            let names: Vec<&str> = denying.iter().map(|r| r.name.as_str()).collect();
            steps.push(Step::new(
                Layer::Authorization,
                Outcome::Blocked,
                denying.clone(),
                format!("403 on {workload}: DENY policy {} matches", names.join(", ")),
            ));
            return Outcomes { steps, upstream: None };
        }

        // 4. ALLOW.
        let allows = self.allow_policies(pod, root);
        if !allows.is_empty() {
            let allowing: Vec<ObjectRef> = candidates
                .iter()
                .filter(|p| p.action == Action::Allow && p.matches(&facts))
                .map(|p| p.reference.clone())
                .collect();
            if allowing.is_empty() {
                steps.push(Step::new(
                    Layer::Authorization,
                    Outcome::Blocked,
                    allows.to_vec(),
                    format!("403 on {workload}: ALLOW policies apply and none matches"),
                ));
                return Outcomes { steps, upstream: None };
            }
            let names: Vec<&str> = allowing.iter().map(|r| r.name.as_str()).collect();
            steps.push(Step::new(
                Layer::Authorization,
                Outcome::Allowed,
                allowing.clone(),
                format!("ALLOW policy {} matches on {workload}", names.join(", ")),
            ));
        }
        let mut upstream = request.clone();
        if let Some(header) = authenticated.strip {
            upstream.headers.remove(&header);
        }
        Outcomes { steps, upstream: Some(upstream) }
    }
}

/// The outcome of [`Policies::evaluate`] as one verdict of the phases.
pub fn outcome(outcomes: &Outcomes) -> Outcome {
    outcomes.steps.iter().map(|s| s.verdict).find(|v| *v != Outcome::Allowed).unwrap_or(Outcome::Allowed)
}

#[cfg(test)]
mod tests;
