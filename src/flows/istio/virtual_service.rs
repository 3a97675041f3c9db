//! VirtualServices and route matching: a VirtualService object → its hosts, resolved `gateways`
//! and HTTP, TLS and TCP routes; routes and a request ([`Probe`]) → the first route that matches
//! ([`Routed`]).
//!
//! Sources (istio/api and istio/istio @1.24.3): `networking/v1alpha3/virtual_service.proto`
//! (`gateways` entries `<ns>/<name>`, a bare name meaning the VirtualService's namespace, `mesh`
//! the sidecars, omitted = `[mesh]`: `pilot/pkg/model/config.go` `resolveGatewayName`; routes
//! tried in order, the first match wins); catch-all
//! routes last when VirtualServices are joined (`pilot/pkg/networking/core/route/route.go`
//! `SortVHostRoutes`).

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use serde_json::Value;

use super::ObjectRef;
use super::fields::{strings, u16_at};
use super::hosts::host_matches;
use crate::flows::selector::labels_of;

/// The name Istio gives the sidecars in `gateways` lists.
pub const MESH: &str = "mesh";

/// How a [`StringMatch`] condition compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchKind {
    Exact,
    Prefix,
    Regex,
}

/// An Istio `StringMatch`: the conditions it sets (`exact`, `prefix`, `regex`; the API makes
/// them one of, a hand-written object may set several and then each must hold), kept in one
/// small allocation: a build holds one per route match of every VirtualService.
#[derive(Debug, Clone, Default)]
pub struct StringMatch(Box<[(MatchKind, Box<str>)]>);

impl StringMatch {
    fn parse(value: &Value) -> StringMatch {
        let kinds = [("exact", MatchKind::Exact), ("prefix", MatchKind::Prefix), ("regex", MatchKind::Regex)];
        StringMatch(
            kinds
                .into_iter()
                .filter_map(|(key, kind)| value.get(key).and_then(Value::as_str).map(|s| (kind, s.into())))
                .collect(),
        )
    }

    fn matches(&self, v: &str) -> bool {
        self.0.iter().all(|(kind, s)| match kind {
            MatchKind::Exact => v == &**s,
            MatchKind::Prefix => v.starts_with(&**s),
            MatchKind::Regex => Regex::new(&format!("^(?:{s})$")).is_ok_and(|re| re.is_match(v)),
        })
    }

    /// Whether this is `prefix: /` alone: it matches every path.
    fn is_root_prefix(&self) -> bool {
        matches!(&*self.0, [(MatchKind::Prefix, s)] if &**s == "/")
    }
}

/// One `match` entry of an HTTP or TLS route.
#[derive(Debug, Clone, Default)]
pub(super) struct RouteMatch {
    uri: Option<StringMatch>,
    authority: Option<StringMatch>,
    method: Option<StringMatch>,
    headers: Vec<(String, StringMatch)>,
    port: Option<u16>,
    gateways: Vec<String>,
    sni_hosts: Vec<String>,
}

/// A route's destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub host: String,
    pub port: Option<u16>,
    pub subset: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Route {
    pub(super) matches: Vec<RouteMatch>,
    pub(super) destinations: Vec<Destination>,
    pub(super) redirect: bool,
    /// `headers.request.set`.
    pub(super) set_headers: BTreeMap<String, String>,
}

impl Route {
    pub(super) fn is_catch_all(&self) -> bool {
        self.matches.is_empty()
            || self.matches.iter().any(|m| {
                m.headers.is_empty()
                    && m.authority.is_none()
                    && m.method.is_none()
                    && m.uri.as_ref().is_none_or(StringMatch::is_root_prefix)
            })
    }
}

/// A parsed VirtualService.
#[derive(Debug, Clone)]
pub struct VirtualService {
    pub reference: ObjectRef,
    pub namespace: String,
    pub hosts: Vec<String>,
    /// Resolved `<ns>/<name>` or `mesh`.
    pub gateways: Vec<String>,
    pub export_to: Vec<String>,
    /// `export_to` as a set.
    pub(super) export_set: BTreeSet<String>,
    pub(super) http: Vec<Route>,
    pub(super) tls: Vec<Route>,
    pub(super) tcp: Vec<Route>,
}

pub(super) fn resolve_gateway(name: &str, namespace: &str) -> String {
    if name == MESH {
        return MESH.to_string();
    }
    match name.split_once('/') {
        Some((".", n)) => format!("{namespace}/{n}"),
        Some(_) => name.to_string(),
        // A legacy FQDN `name.ns.svc...` or a bare name.
        None => match name.split('.').collect::<Vec<_>>().as_slice() {
            [n, ns, ..] => format!("{ns}/{n}"),
            _ => format!("{namespace}/{name}"),
        },
    }
}

fn parse_routes(list: Option<&Value>, namespace: &str) -> Vec<Route> {
    let mut out = Vec::new();
    for r in list.and_then(Value::as_array).into_iter().flatten() {
        let mut matches = Vec::new();
        for m in r.get("match").and_then(Value::as_array).into_iter().flatten() {
            let headers = m
                .get("headers")
                .and_then(Value::as_object)
                .map(|h| h.iter().map(|(k, v)| (k.to_ascii_lowercase(), StringMatch::parse(v))).collect())
                .unwrap_or_default();
            matches.push(RouteMatch {
                uri: m.get("uri").map(StringMatch::parse),
                authority: m.get("authority").map(StringMatch::parse),
                method: m.get("method").map(StringMatch::parse),
                headers,
                port: u16_at(m.get("port")),
                gateways: strings(m.get("gateways")).iter().map(|g| resolve_gateway(g, namespace)).collect(),
                sni_hosts: strings(m.get("sniHosts")),
            });
        }
        let destinations = r
            .get("route")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|d| d.get("weight").and_then(Value::as_u64) != Some(0))
            .filter_map(|d| {
                let dest = d.get("destination")?;
                Some(Destination {
                    host: dest.get("host")?.as_str()?.to_string(),
                    port: u16_at(dest.get("port").and_then(|p| p.get("number"))),
                    subset: dest.get("subset").and_then(Value::as_str).map(str::to_string),
                })
            })
            .collect();
        let set_headers = r
            .get("headers")
            .and_then(|h| h.get("request"))
            .and_then(|q| q.get("set"))
            .and_then(labels_of)
            .unwrap_or_default();
        out.push(Route {
            matches,
            destinations,
            redirect: r.get("redirect").is_some_and(|v| !v.is_null()),
            set_headers,
        });
    }
    out
}

impl VirtualService {
    pub fn parse(reference: ObjectRef, value: &Value) -> VirtualService {
        let namespace = reference.namespace.clone().unwrap_or_default();
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let mut gateways: Vec<String> =
            strings(spec.get("gateways")).iter().map(|g| resolve_gateway(g, &namespace)).collect();
        if gateways.is_empty() {
            gateways.push(MESH.to_string());
        }
        let export_to = strings(spec.get("exportTo"));
        VirtualService {
            hosts: strings(spec.get("hosts")),
            gateways,
            export_set: export_to.iter().cloned().collect(),
            export_to,
            http: parse_routes(spec.get("http"), &namespace),
            tls: parse_routes(spec.get("tls"), &namespace),
            tcp: parse_routes(spec.get("tcp"), &namespace),
            namespace,
            reference,
        }
    }

    /// The VirtualService's hosts, short names completed in its namespace.
    pub(super) fn full_hosts(&self) -> impl Iterator<Item = String> + '_ {
        self.hosts.iter().map(|h| {
            if h.contains('.') || h.contains('*') {
                h.clone()
            } else {
                format!("{h}.{}.svc.cluster.local", self.namespace)
            }
        })
    }
}

/// The result of routing a request.
#[derive(Debug, Clone)]
pub enum Routed {
    /// Sent on to destinations (weighted), with headers the route sets.
    To { destinations: Vec<Destination>, set_headers: BTreeMap<String, String>, by: Vec<ObjectRef> },
    /// Answered with a redirect.
    Redirect { by: Vec<ObjectRef> },
    /// No route matches (404 for HTTP, reset otherwise).
    NoRoute { by: Vec<ObjectRef> },
}

/// What a request looks like to route matching.
#[derive(Debug, Clone)]
pub struct Probe<'a> {
    pub host: &'a str,
    pub path: &'a str,
    pub method: &'a str,
    pub headers: &'a BTreeMap<String, String>,
    /// The port the route matches on: a gateway server's number or the service port the sidecar
    /// intercepts.
    pub port: u16,
    /// `<ns>/<name>` of the gateway, or `mesh`.
    pub gateway: &'a str,
}

pub(super) fn match_applies(m: &RouteMatch, probe: &Probe<'_>, tls: bool) -> bool {
    let gateways_ok = m.gateways.is_empty() || m.gateways.iter().any(|g| g == probe.gateway);
    let port_ok = m.port.is_none_or(|p| p == probe.port);
    if tls {
        return gateways_ok
            && port_ok
            && (m.sni_hosts.is_empty() || m.sni_hosts.iter().any(|s| host_matches(s, probe.host)));
    }
    let path = probe.path.split_once('?').map_or(probe.path, |(p, _)| p);
    gateways_ok
        && port_ok
        && m.uri.as_ref().is_none_or(|u| u.matches(path))
        && m.authority.as_ref().is_none_or(|a| a.matches(probe.host))
        && m.method.as_ref().is_none_or(|x| x.matches(probe.method))
        && m.headers.iter().all(|(k, v)| probe.headers.get(k).is_some_and(|h| v.matches(h)))
}

/// Which route list applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    Http,
    Tls,
    Tcp,
}

impl RouteKind {
    /// The route list for a port protocol (`HTTP`, `HTTP2`, `GRPC` → http; `HTTPS`, `TLS` → tls).
    pub fn of_protocol(protocol: &str) -> RouteKind {
        match protocol {
            "HTTP" | "HTTP2" | "GRPC" | "GRPC-WEB" => RouteKind::Http,
            "HTTPS" | "TLS" => RouteKind::Tls,
            _ => RouteKind::Tcp,
        }
    }
}
