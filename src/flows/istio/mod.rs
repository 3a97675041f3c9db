//! Istio routing: Gateway servers, VirtualService binding and routes, `exportTo`, the sidecar's
//! registry view (ServiceEntry under `outboundTrafficPolicy`) and the DestinationRule subsets a
//! route needs.
//!
//! Sources (istio/api and istio/istio @1.24.3, the same at 1.18.7 unless noted):
//! - Gateway (`networking/v1alpha3/gateway.proto`): `selector` picks gateway pods in every
//!   namespace (unless `PILOT_SCOPE_GATEWAY_TO_NAMESPACE`); server `hosts` are
//!   `[namespace/]dnsName`, `*` alone or a left-most `*.` wildcard, `./` the Gateway's namespace,
//!   no namespace = any; `tls.httpsRedirect` answers HTTP with a 301 to HTTPS; `PASSTHROUGH` routes
//!   by SNI with VirtualService `tls` routes. Servers are taken in Gateway creation order (ties
//!   by `name.namespace`: `pilot/pkg/model/config.go` `sortConfigByCreationTime`), and a TLS
//!   server repeating a host already served on the port is skipped (`pilot/pkg/model/gateway.go`
//!   `CheckDuplicates`).
//! - VirtualService (`networking/v1alpha3/virtual_service.proto`): `gateways` entries are
//!   `<ns>/<name>`, a bare name meaning the VirtualService's namespace, `mesh` the sidecars,
//!   omitted = `[mesh]` (`pilot/pkg/model/config.go` `resolveGatewayName`); a VirtualService binds
//!   to a server when one of its hosts matches a server host, the server host's namespace part
//!   admits the VirtualService's namespace, and it is exported to the gateway pod's namespace
//!   (`pilot/pkg/networking/core/gateway.go` `pickMatchingGatewayHosts`); routes are tried in
//!   order, the first match wins; on a gateway the bound VirtualServices' routes are joined in
//!   creation order with catch-all routes last (`pilot/pkg/networking/core/route/route.go`
//!   `SortVHostRoutes`); on sidecars a second VirtualService for a host is dropped. A request no
//!   route matches gets 404; a route to a subset no visible DestinationRule defines points to a
//!   cluster that does not exist (503).
//! - `exportTo` (`pkg/config/visibility/visibility.go`): empty = the mesh default; `.` = own
//!   namespace; `*` = every namespace; `~` = none; other entries name namespaces.
//! - `outboundTrafficPolicy` (`mesh/v1alpha1/config.proto`): `REGISTRY_ONLY` drops traffic to a
//!   host and port outside the sidecar's registry view (502 `block_all` for HTTP,
//!   `BlackHoleCluster` otherwise: `pilot/pkg/networking/core/httproute.go`
//!   `buildCatchAllVirtualHost`); `ALLOW_ANY` passes it through.
//! - DestinationRule lookup for a proxy in namespace P and a host of namespace S: P's own rules,
//!   else rules of S exported to P, else rules of the root namespace exported to P
//!   (`pilot/pkg/model/push_context.go` `destinationRule`, `setDestinationRules`,
//!   `getExportedDestinationRuleFromNamespace`). Rules for one host in one namespace are merged
//!   (subsets joined, the oldest rule's `exportTo` kept) up to Istio 1.23
//!   (`pilot/pkg/model/destination_rule.go` `mergeDestinationRule` @1.18.7); from 1.24 only
//!   rules with equal `exportTo` merge, a superset also merges into the smaller one, the others
//!   stay apart (same function @1.24.3, `ENABLE_ENHANCED_DESTINATIONRULE_MERGE`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use regex::Regex;
use serde_json::Value;

use super::context::{IstioVersion, Pod};
use super::selector::{WorkloadSelector, labels_of};
use super::{Cache, ObjectRef};

/// The name Istio gives the sidecars in `gateways` lists.
pub const MESH: &str = "mesh";

/// Whether a host pattern (`*`, `*.example.com`, `a.example.com`) matches a host name: Istio
/// wildcards match any number of labels (`host.Name.Matches`).
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    if pattern == "*" {
        return true;
    }
    match pattern.strip_prefix('*') {
        Some(suffix) => host.ends_with(&suffix) && host.len() > suffix.len(),
        None => pattern == host,
    }
}

/// The keys a host name is looked up under: itself, then each wildcard suffix, then `*`.
fn lookup_keys(host: &str) -> Vec<String> {
    let host = host.to_ascii_lowercase();
    let mut keys = vec![host.clone()];
    let mut rest = host.as_str();
    while let Some(i) = rest.find('.') {
        keys.push(format!("*{}", &rest[i..]));
        rest = &rest[i + 1..];
    }
    keys.push("*".to_string());
    keys
}

/// Whether an `exportTo` list makes an object of namespace `own` visible in `client`.
pub fn exported(export_to: &[String], defaults: &[String], own: &str, client: &str) -> bool {
    let list = if export_to.is_empty() { defaults } else { export_to };
    list.iter().any(|e| match e.as_str() {
        "*" => true,
        "~" => false,
        "." => own == client,
        ns => ns == client,
    })
}

/// [`exported`] for an `exportTo` list held as a set: a lookup, however many namespaces it
/// lists.
fn exported_set(export_to: &BTreeSet<String>, defaults: &[String], own: &str, client: &str) -> bool {
    if export_to.is_empty() {
        return exported(&[], defaults, own, client);
    }
    // `~` never matches; a namespace is never named `*`, `.` or `~`.
    export_to.contains("*") || (own == client && export_to.contains(".")) || export_to.contains(client)
}

/// `name.namespace`: the order of objects created in the same second.
fn creation_key(r: &ObjectRef) -> String {
    format!("{}.{}", r.name, r.namespace.as_deref().unwrap_or_default())
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

fn u16_at(value: Option<&Value>) -> Option<u16> {
    value.and_then(Value::as_u64).and_then(|n| u16::try_from(n).ok())
}

/// The TLS of a Gateway server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerTls {
    /// `SIMPLE`, `MUTUAL`, `PASSTHROUGH`, `ISTIO_MUTUAL`, `AUTO_PASSTHROUGH`, `OPTIONAL_MUTUAL`;
    /// empty for a plain-text server.
    pub mode: String,
    pub credential_name: Option<String>,
    pub ca_cert_credential_name: Option<String>,
    pub https_redirect: bool,
}

/// A Gateway server.
#[derive(Debug, Clone)]
pub struct Server {
    pub port: u16,
    pub protocol: String,
    /// `(namespace part, host pattern)`; namespace `*` = any.
    pub hosts: Vec<(String, String)>,
    pub tls: ServerTls,
}

impl Server {
    /// An HTTPS or TLS server (the TLS mode only matters for those; an HTTP server's `tls`
    /// carries `httpsRedirect` at most).
    fn speaks_tls(&self) -> bool {
        matches!(self.protocol.as_str(), "HTTPS" | "TLS")
    }

    /// The server forwards TLS untouched, routing by SNI (`PASSTHROUGH`, the mode's default
    /// value, and `AUTO_PASSTHROUGH`).
    pub fn passes_tls_through(&self) -> bool {
        self.speaks_tls() && matches!(self.tls.mode.as_str(), "PASSTHROUGH" | "AUTO_PASSTHROUGH")
    }

    /// The server terminates TLS (`SIMPLE`, `MUTUAL`, `ISTIO_MUTUAL`, `OPTIONAL_MUTUAL`).
    pub fn terminates_tls(&self) -> bool {
        self.speaks_tls() && !self.passes_tls_through()
    }
}

/// A parsed Gateway.
#[derive(Debug, Clone)]
pub struct Gateway {
    pub reference: ObjectRef,
    pub namespace: String,
    pub selector: WorkloadSelector,
    pub servers: Vec<Server>,
}

impl Gateway {
    pub fn parse(reference: ObjectRef, value: &Value) -> Gateway {
        let namespace = reference.namespace.clone().unwrap_or_default();
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let selector = WorkloadSelector(spec.get("selector").and_then(labels_of).unwrap_or_default());
        let mut servers = Vec::new();
        for s in spec.get("servers").and_then(Value::as_array).into_iter().flatten() {
            let Some(port) = u16_at(s.get("port").and_then(|p| p.get("number"))) else { continue };
            let hosts = strings(s.get("hosts"))
                .into_iter()
                .map(|h| match h.split_once('/') {
                    Some((".", host)) => (namespace.clone(), host.to_string()),
                    Some((ns, host)) => (ns.to_string(), host.to_string()),
                    None => ("*".to_string(), h),
                })
                .collect();
            let tls = s.get("tls").unwrap_or(&Value::Null);
            servers.push(Server {
                port,
                protocol: s
                    .get("port")
                    .and_then(|p| p.get("protocol"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_ascii_uppercase(),
                hosts,
                tls: ServerTls {
                    mode: tls
                        .get("mode")
                        .and_then(Value::as_str)
                        .unwrap_or(if tls.is_null() { "" } else { "PASSTHROUGH" })
                        .to_string(),
                    credential_name: tls.get("credentialName").and_then(Value::as_str).map(str::to_string),
                    ca_cert_credential_name: tls
                        .get("caCertCredentialName")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    https_redirect: tls.get("httpsRedirect").and_then(Value::as_bool).unwrap_or(false),
                },
            });
        }
        Gateway { reference, namespace, selector, servers }
    }

    /// The Gateway's name as VirtualServices refer to it.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.reference.name)
    }
}

/// The server of a Gateway that takes a host on a port.
#[derive(Debug, Clone)]
pub struct ServerMatch<'a> {
    pub gateway: &'a Gateway,
    pub server: &'a Server,
    /// The server host that matched: (namespace part, pattern).
    pub host: (String, String),
}

#[derive(Debug, Clone, Default)]
pub struct StringMatch {
    exact: Option<String>,
    prefix: Option<String>,
    regex: Option<String>,
}

impl StringMatch {
    fn parse(value: &Value) -> StringMatch {
        let s = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_string);
        StringMatch { exact: s("exact"), prefix: s("prefix"), regex: s("regex") }
    }

    fn matches(&self, v: &str) -> bool {
        self.exact.as_ref().is_none_or(|e| e == v)
            && self.prefix.as_ref().is_none_or(|p| v.starts_with(p.as_str()))
            && self.regex.as_ref().is_none_or(|r| Regex::new(&format!("^(?:{r})$")).is_ok_and(|re| re.is_match(v)))
    }
}

/// One `match` entry of an HTTP or TLS route.
#[derive(Debug, Clone, Default)]
struct RouteMatch {
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
struct Route {
    matches: Vec<RouteMatch>,
    destinations: Vec<Destination>,
    redirect: bool,
    /// `headers.request.set`.
    set_headers: BTreeMap<String, String>,
}

impl Route {
    fn is_catch_all(&self) -> bool {
        self.matches.is_empty()
            || self.matches.iter().any(|m| {
                m.headers.is_empty()
                    && m.authority.is_none()
                    && m.method.is_none()
                    && m.uri
                        .as_ref()
                        .is_none_or(|u| u.prefix.as_deref() == Some("/") && u.exact.is_none() && u.regex.is_none())
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
    export_set: BTreeSet<String>,
    http: Vec<Route>,
    tls: Vec<Route>,
    tcp: Vec<Route>,
}

fn resolve_gateway(name: &str, namespace: &str) -> String {
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
    fn full_hosts(&self) -> impl Iterator<Item = String> + '_ {
        self.hosts.iter().map(|h| {
            if h.contains('.') || h.contains('*') {
                h.clone()
            } else {
                format!("{h}.{}.svc.cluster.local", self.namespace)
            }
        })
    }
}

/// A ServiceEntry port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SePort {
    pub number: u16,
    pub protocol: String,
    pub target_port: Option<u16>,
}

/// A parsed ServiceEntry.
#[derive(Debug, Clone)]
pub struct ServiceEntry {
    pub reference: ObjectRef,
    pub namespace: String,
    pub hosts: Vec<String>,
    pub ports: Vec<SePort>,
    pub export_to: Vec<String>,
    /// `export_to` as a set.
    export_set: BTreeSet<String>,
    pub mesh_external: bool,
}

impl ServiceEntry {
    pub fn parse(reference: ObjectRef, value: &Value) -> ServiceEntry {
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let ports = spec
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                Some(SePort {
                    number: u16_at(p.get("number"))?,
                    protocol: p.get("protocol").and_then(Value::as_str).unwrap_or("TCP").to_ascii_uppercase(),
                    target_port: u16_at(p.get("targetPort")),
                })
            })
            .collect();
        let export_to = strings(spec.get("exportTo"));
        ServiceEntry {
            namespace: reference.namespace.clone().unwrap_or_default(),
            hosts: strings(spec.get("hosts")),
            ports,
            export_set: export_to.iter().cloned().collect(),
            export_to,
            mesh_external: spec.get("location").and_then(Value::as_str) == Some("MESH_EXTERNAL"),
            reference,
        }
    }
}

/// A parsed DestinationRule.
#[derive(Debug, Clone)]
pub struct DestinationRule {
    pub reference: ObjectRef,
    pub namespace: String,
    pub host: String,
    pub subsets: Vec<String>,
    pub export_to: Vec<String>,
    pub workload_selector: bool,
}

impl DestinationRule {
    pub fn parse(reference: ObjectRef, value: &Value) -> DestinationRule {
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let namespace = reference.namespace.clone().unwrap_or_default();
        let host = spec.get("host").and_then(Value::as_str).unwrap_or_default();
        let host = if host.contains('.') || host.contains('*') {
            host.to_string()
        } else {
            format!("{host}.{namespace}.svc.cluster.local")
        };
        DestinationRule {
            subsets: spec
                .get("subsets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| s.get("name").and_then(Value::as_str).map(str::to_string))
                .collect(),
            export_to: strings(spec.get("exportTo")),
            workload_selector: spec.get("workloadSelector").is_some_and(|v| !v.is_null()),
            host: host.to_ascii_lowercase(),
            namespace,
            reference,
        }
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

fn match_applies(m: &RouteMatch, probe: &Probe<'_>, tls: bool) -> bool {
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

/// The Istio configuration of the cluster, indexed by host and namespace.
#[derive(Debug, Default)]
pub struct Routing {
    gateways: Vec<Gateway>,
    /// (gateway, server, host index) by lower-case host pattern.
    servers_by_host: BTreeMap<String, Vec<(usize, usize, usize)>>,
    virtual_services: Vec<VirtualService>,
    vs_by_host: BTreeMap<String, Vec<usize>>,
    service_entries: Vec<ServiceEntry>,
    se_by_host: BTreeMap<String, Vec<usize>>,
    destination_rules: Vec<DestinationRule>,
    /// Services of the cluster, by FQDN, with their namespace and ports.
    services: BTreeMap<String, (ObjectRef, Vec<u16>)>,
    /// The distinct non-empty selectors of the Gateways.
    gateway_selectors: BTreeSet<WorkloadSelector>,
    /// DestinationRules by namespace and host, and by host.
    dr_by_namespace: BTreeMap<String, BTreeMap<String, Vec<usize>>>,
    /// DestinationRules by (host, subset name).
    dr_by_subset: BTreeMap<(String, String), Vec<usize>>,
    /// Consolidated rules by (namespace, host key, version merges, private default).
    buckets: Cache<(String, String, bool, bool), Buckets>,
}

/// DestinationRules of one host in one namespace's bucket, merged as the Istio version does.
#[derive(Debug, Clone)]
struct Consolidated {
    export_to: BTreeSet<String>,
    /// The rule whose `exportTo` the entry carries (index into the rules).
    export_from: usize,
    /// Subset name → the rule that contributes it (the first; later duplicates are dropped).
    subsets: BTreeMap<String, usize>,
}

impl Consolidated {
    fn visible_to(&self, client: &str) -> bool {
        self.export_to.is_empty() || self.export_to.contains("*") || self.export_to.contains(client)
    }
}

/// A namespace's rules for one host: those its own proxies use, and those it exports, with
/// the exported entries indexed by the namespaces they reach.
#[derive(Debug, Clone, Default)]
struct Buckets {
    local: Vec<Consolidated>,
    exported: Vec<Consolidated>,
    /// Exported entries visible everywhere.
    exported_public: Vec<usize>,
    /// Exported entries by the namespaces they list.
    exported_to: BTreeMap<String, Vec<usize>>,
    /// Exported entries by the subsets they hold.
    exported_by_subset: BTreeMap<String, Vec<usize>>,
}

impl Buckets {
    fn visible_exported(&self, client: &str) -> impl Iterator<Item = &Consolidated> {
        let mut indexes: Vec<usize> = self.exported_public.clone();
        indexes.extend(self.exported_to.get(client).into_iter().flatten().copied());
        indexes.sort_unstable();
        indexes.dedup();
        indexes.into_iter().filter_map(|i| self.exported.get(i))
    }
}

/// Whether a proxy can route to a subset of a host, and the rules that decide it.
#[derive(Debug, Clone, Default)]
pub struct SubsetLookup {
    pub found: bool,
    /// Found: the rule that defines the subset for the proxy. Missing: the rules that define it
    /// elsewhere and the rules whose `exportTo` hides them.
    pub decided_by: Vec<ObjectRef>,
    /// Some rule defines the subset, the proxy just does not see it.
    pub hidden: bool,
}

impl Routing {
    pub fn new() -> Routing {
        Routing::default()
    }

    pub fn add_gateway(&mut self, gateway: Gateway) {
        let g = self.gateways.len();
        for (s, server) in gateway.servers.iter().enumerate() {
            for (h, (_, host)) in server.hosts.iter().enumerate() {
                self.servers_by_host.entry(host.to_ascii_lowercase()).or_default().push((g, s, h));
            }
        }
        self.gateways.push(gateway);
    }

    pub fn add_virtual_service(&mut self, vs: VirtualService) {
        let i = self.virtual_services.len();
        let hosts: BTreeSet<String> = vs.full_hosts().map(|h| h.to_ascii_lowercase()).collect();
        for h in hosts {
            self.vs_by_host.entry(h).or_default().push(i);
        }
        self.virtual_services.push(vs);
    }

    pub fn add_service_entry(&mut self, se: ServiceEntry) {
        let i = self.service_entries.len();
        for h in &se.hosts {
            self.se_by_host.entry(h.to_ascii_lowercase()).or_default().push(i);
        }
        self.service_entries.push(se);
    }

    pub fn add_destination_rule(&mut self, dr: DestinationRule) {
        self.destination_rules.push(dr);
    }

    /// A Kubernetes Service, known by `<name>.<ns>.svc.cluster.local`.
    pub fn add_service(&mut self, reference: ObjectRef, ports: Vec<u16>) {
        let fqdn =
            format!("{}.{}.svc.cluster.local", reference.name, reference.namespace.as_deref().unwrap_or_default());
        self.services.insert(fqdn, (reference, ports));
    }

    /// Sorts what depends on creation order; call once after adding.
    pub fn finish(&mut self) {
        let gkeys: Vec<String> = self.gateways.iter().map(|g| creation_key(&g.reference)).collect();
        for list in self.servers_by_host.values_mut() {
            list.sort_by(|a, b| gkeys.get(a.0).cmp(&gkeys.get(b.0)).then(a.1.cmp(&b.1)));
        }
        self.destination_rules.sort_by_cached_key(|d| creation_key(&d.reference));
        self.gateway_selectors = self.gateways.iter().map(|g| g.selector.clone()).filter(|s| !s.0.is_empty()).collect();
        self.dr_by_namespace.clear();
        self.dr_by_subset.clear();
        for (i, dr) in self.destination_rules.iter().enumerate() {
            self.dr_by_namespace.entry(dr.namespace.clone()).or_default().entry(dr.host.clone()).or_default().push(i);
            for subset in &dr.subsets {
                self.dr_by_subset.entry((dr.host.clone(), subset.clone())).or_default().push(i);
            }
        }
        if let Ok(mut cache) = self.buckets.lock() {
            cache.clear();
        }
    }

    /// The Gateway server that takes `host` on `port` at a gateway pod: the most specific
    /// matching host, the oldest Gateway first.
    pub fn server_for(&self, pod: &Pod, host: &str, port: u16, scope_to_namespace: bool) -> Option<ServerMatch<'_>> {
        for key in lookup_keys(host) {
            for (g, s, h) in self.servers_by_host.get(&key).into_iter().flatten() {
                let Some(gateway) = self.gateways.get(*g) else { continue };
                let Some(server) = gateway.servers.get(*s) else { continue };
                if server.port != port
                    || !gateway.selector.matches(&pod.labels)
                    || (scope_to_namespace && gateway.namespace != pod.namespace)
                {
                    continue;
                }
                if let Some(host) = server.hosts.get(*h) {
                    return Some(ServerMatch { gateway, server, host: host.clone() });
                }
            }
        }
        None
    }

    /// Whether some Gateway selects the pod (it runs a gateway).
    pub fn is_gateway_pod(&self, pod: &Pod) -> bool {
        self.gateway_selectors.iter().any(|s| s.matches(&pod.labels))
    }

    /// Every Gateway server that names `host` (on any port, for any pods), in creation order.
    pub fn servers_naming(&self, host: &str) -> Vec<ServerMatch<'_>> {
        let mut out = Vec::new();
        for key in lookup_keys(host) {
            for (g, s, h) in self.servers_by_host.get(&key).into_iter().flatten() {
                if let (Some(gateway), Some(server)) =
                    (self.gateways.get(*g), self.gateways.get(*g).and_then(|x| x.servers.get(*s)))
                {
                    if let Some(host) = server.hosts.get(*h) {
                        out.push(ServerMatch { gateway, server, host: host.clone() });
                    }
                }
            }
        }
        out
    }

    fn vs_candidates(&self, host: &str) -> Vec<&VirtualService> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for key in lookup_keys(host) {
            for i in self.vs_by_host.get(&key).into_iter().flatten() {
                if seen.insert(*i) {
                    if let Some(vs) = self.virtual_services.get(*i) {
                        out.push(vs);
                    }
                }
            }
        }
        out.sort_by_key(|v| creation_key(&v.reference));
        out
    }

    /// The VirtualServices bound to a gateway server for `host`, as the gateway pod in
    /// `proxy_namespace` sees them.
    pub fn bound(
        &self,
        matched: &ServerMatch<'_>,
        host: &str,
        proxy_namespace: &str,
        defaults: &[String],
    ) -> Vec<&VirtualService> {
        let key = matched.gateway.key();
        let (server_ns, pattern) = &matched.host;
        self.vs_candidates(host)
            .into_iter()
            .filter(|vs| {
                vs.gateways.contains(&key)
                    && (server_ns == "*" || *server_ns == vs.namespace)
                    && exported_set(&vs.export_set, defaults, &vs.namespace, proxy_namespace)
                    && vs
                        .full_hosts()
                        .any(|h| host_matches(&h, host) && (host_matches(pattern, &h) || host_matches(&h, pattern)))
            })
            .collect()
    }

    /// The VirtualService the sidecars of `client` use for `host` (the oldest visible one bound to
    /// `mesh`).
    pub fn mesh_virtual_service(&self, client: &str, host: &str, defaults: &[String]) -> Option<&VirtualService> {
        self.vs_candidates(host).into_iter().find(|vs| {
            vs.gateways.iter().any(|g| g == MESH)
                && exported_set(&vs.export_set, defaults, &vs.namespace, client)
                && vs.full_hosts().any(|h| host_matches(&h, host))
        })
    }

    /// Routes a request through VirtualServices (joined in order, catch-all routes last).
    pub fn route(&self, vss: &[&VirtualService], probe: &Probe<'_>, kind: RouteKind) -> Routed {
        let by: Vec<ObjectRef> = vss.iter().map(|v| v.reference.clone()).collect();
        let mut routes: Vec<&Route> = Vec::new();
        for vs in vss {
            routes.extend(match kind {
                RouteKind::Http => vs.http.iter(),
                RouteKind::Tls => vs.tls.iter(),
                RouteKind::Tcp => vs.tcp.iter(),
            });
        }
        if kind == RouteKind::Http && vss.len() > 1 {
            let (rest, catch_all): (Vec<&Route>, Vec<&Route>) = routes.into_iter().partition(|r| !r.is_catch_all());
            routes = rest.into_iter().chain(catch_all).collect();
        }
        let tls = kind != RouteKind::Http;
        for route in routes {
            if route.matches.is_empty() || route.matches.iter().any(|m| match_applies(m, probe, tls)) {
                if route.redirect {
                    return Routed::Redirect { by };
                }
                return Routed::To {
                    destinations: route.destinations.clone(),
                    set_headers: route.set_headers.clone(),
                    by,
                };
            }
        }
        Routed::NoRoute { by }
    }

    /// The ServiceEntries for `host` visible from `client`, oldest first.
    pub fn service_entries(&self, client: &str, host: &str, defaults: &[String]) -> Vec<&ServiceEntry> {
        let mut out: Vec<&ServiceEntry> = Vec::new();
        for key in lookup_keys(host) {
            for i in self.se_by_host.get(&key).into_iter().flatten() {
                if let Some(se) = self.service_entries.get(*i) {
                    if exported_set(&se.export_set, defaults, &se.namespace, client)
                        && !out.iter().any(|o| std::ptr::eq(*o, se))
                    {
                        out.push(se);
                    }
                }
            }
        }
        out.sort_by_key(|s| creation_key(&s.reference));
        out
    }

    /// Every ServiceEntry naming `host`, visible or not.
    pub fn service_entries_naming(&self, host: &str) -> Vec<&ServiceEntry> {
        lookup_keys(host)
            .iter()
            .flat_map(|k| self.se_by_host.get(k).into_iter().flatten())
            .filter_map(|i| self.service_entries.get(*i))
            .collect()
    }

    /// A Kubernetes Service by FQDN.
    pub fn service(&self, fqdn: &str) -> Option<&(ObjectRef, Vec<u16>)> {
        self.services.get(&fqdn.to_ascii_lowercase())
    }

    /// The namespace a host belongs to for DestinationRule lookup: a Service's, or the oldest
    /// visible ServiceEntry's.
    fn host_namespace(&self, client: &str, host: &str, defaults: &[String]) -> Option<String> {
        if let Some((r, _)) = self.service(host) {
            return r.namespace.clone();
        }
        let parts: Vec<&str> = host.split('.').collect();
        if parts.len() >= 4 && parts.get(2) == Some(&"svc") {
            return parts.get(1).map(|s| s.to_string());
        }
        self.service_entries(client, host, defaults).first().map(|s| s.namespace.clone())
    }

    /// A namespace's consolidated rules for `host` (computed once per namespace and host).
    fn buckets(&self, namespace: &str, host: &str, version: IstioVersion, defaults: &[String]) -> Arc<Buckets> {
        let private_default = defaults.iter().any(|d| d == ".");
        // The most specific host match among the namespace's rules.
        let found = self
            .dr_by_namespace
            .get(namespace)
            .and_then(|hosts| lookup_keys(host).into_iter().find_map(|k| hosts.get(&k).map(|list| (k, list))));
        let Some((key, indexes)) = found else { return Arc::new(Buckets::default()) };
        let merges = version.merges_destination_rules_by_host();
        let cache_key = (namespace.to_string(), key, merges, private_default);
        if let Some(hit) = self.buckets.lock().ok().and_then(|c| c.get(&cache_key).cloned()) {
            return hit;
        }
        let mut buckets = Buckets::default();
        for i in indexes {
            let Some(dr) = self.destination_rules.get(*i) else { continue };
            let export_to: BTreeSet<String> = if dr.workload_selector {
                BTreeSet::from([".".to_string()])
            } else {
                dr.export_to.iter().cloned().collect()
            };
            if export_to.is_empty()
                || export_to.contains("*")
                || export_to.contains(".")
                || export_to.contains(namespace)
            {
                merge(&mut buckets.local, *i, dr, &export_to, merges);
            }
            let private_only = (export_to.is_empty() && private_default)
                || (export_to.len() == 1 && (export_to.contains(".") || export_to.contains(namespace)));
            if !private_only {
                merge(&mut buckets.exported, *i, dr, &export_to, merges);
            }
        }
        for (e, entry) in buckets.exported.iter().enumerate() {
            for subset in entry.subsets.keys() {
                buckets.exported_by_subset.entry(subset.clone()).or_default().push(e);
            }
            if entry.export_to.is_empty() || entry.export_to.contains("*") {
                buckets.exported_public.push(e);
            } else {
                for ns in &entry.export_to {
                    buckets.exported_to.entry(ns.clone()).or_default().push(e);
                }
            }
        }
        let buckets = Arc::new(buckets);
        if let Ok(mut cache) = self.buckets.lock() {
            cache.insert(cache_key, buckets.clone());
        }
        buckets
    }

    fn rule(&self, index: usize) -> Option<ObjectRef> {
        self.destination_rules.get(index).map(|d| d.reference.clone())
    }

    /// Whether a proxy in `client` can route to `subset` of `host`.
    pub fn subset(
        &self,
        client: &str,
        host: &str,
        subset: &str,
        root: &str,
        version: IstioVersion,
        defaults: &[String],
    ) -> SubsetLookup {
        let host = host.to_ascii_lowercase();
        let found_in = |entries: &mut dyn Iterator<Item = &Consolidated>| {
            for entry in entries {
                if let Some(i) = entry.subsets.get(subset) {
                    return Some(SubsetLookup {
                        found: true,
                        decided_by: self.rule(*i).into_iter().collect(),
                        hidden: false,
                    });
                }
            }
            None
        };
        // The owners' buckets looked at, for the rules that hide the subset when it is missing.
        let mut examined: Vec<Arc<Buckets>> = Vec::new();
        let mut chosen: Option<Option<SubsetLookup>> = None;
        // 1. The proxy's own namespace.
        let own = self.buckets(client, &host, version, defaults);
        if !own.local.is_empty() {
            chosen = Some(found_in(&mut own.local.iter()));
        }
        // 2. The host's namespace, 3. the root namespace: rules exported to the proxy.
        if chosen.is_none() {
            let mut owners = Vec::new();
            if let Some(ns) = self.host_namespace(client, &host, defaults) {
                owners.push(ns);
            }
            owners.push(root.to_string());
            for owner in owners {
                let buckets = self.buckets(&owner, &host, version, defaults);
                if buckets.exported.is_empty() {
                    continue;
                }
                examined.push(buckets.clone());
                let mut visible = buckets.visible_exported(client).peekable();
                if visible.peek().is_some() || !version.merges_destination_rules_by_host() {
                    // From 1.24 a matched host returns its (possibly empty) visible list.
                    chosen = Some(found_in(&mut visible));
                    break;
                }
            }
        }
        if let Some(Some(found)) = chosen {
            return found;
        }
        // Entries that hold the subset but are not exported to the proxy hide it.
        let mut hiders: Vec<ObjectRef> = Vec::new();
        for buckets in &examined {
            for e in buckets.exported_by_subset.get(subset).into_iter().flatten() {
                if let Some(entry) = buckets.exported.get(*e).filter(|entry| !entry.visible_to(client)) {
                    hiders.extend(self.rule(entry.export_from));
                }
            }
        }
        let defining: Vec<ObjectRef> = lookup_keys(&host)
            .iter()
            .flat_map(|k| self.dr_by_subset.get(&(k.clone(), subset.to_string())).into_iter().flatten())
            .filter_map(|i| self.rule(*i))
            .collect();
        let hidden = !defining.is_empty();
        let mut decided_by = hiders;
        for r in defining {
            if !decided_by.contains(&r) {
                decided_by.push(r);
            }
        }
        SubsetLookup { found: false, decided_by, hidden }
    }
}

/// Adds a rule to a bucket as the Istio version merges rules of one host.
fn merge(
    bucket: &mut Vec<Consolidated>,
    index: usize,
    dr: &DestinationRule,
    export_to: &BTreeSet<String>,
    merges: bool,
) {
    let add_subsets = |entry: &mut Consolidated| {
        for s in &dr.subsets {
            entry.subsets.entry(s.clone()).or_insert(index);
        }
    };
    let fresh = || Consolidated {
        export_to: export_to.clone(),
        export_from: index,
        subsets: dr.subsets.iter().map(|s| (s.clone(), index)).collect(),
    };
    if merges {
        match bucket.first_mut() {
            Some(existing) => {
                add_subsets(existing);
                if existing.export_to.is_empty() && !export_to.is_empty() {
                    existing.export_to = export_to.clone();
                    existing.export_from = index;
                }
            }
            None => bucket.push(fresh()),
        }
        return;
    }
    let mut separately = true;
    for existing in bucket.iter_mut() {
        if *export_to == existing.export_to {
            separately = false;
        } else if !existing.export_to.is_empty() && export_to.is_superset(&existing.export_to) {
            separately = true;
        } else {
            continue;
        }
        add_subsets(existing);
    }
    if separately {
        bucket.push(fresh());
    }
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

#[cfg(test)]
mod tests;
