//! The Istio configuration of the cluster, indexed by host and namespace ([`Routing`]): Gateways,
//! VirtualServices, ServiceEntries, DestinationRules and Services → the server that takes a host
//! on a gateway, the VirtualServices bound to it or to the sidecars, the route a request takes,
//! and the ServiceEntries a namespace sees.
//!
//! Sources (istio/istio @1.24.3): servers in Gateway creation order (`pilot/pkg/model/config.go`
//! `sortConfigByCreationTime`); binding a VirtualService to a server by host, the server host's
//! namespace part and `exportTo` (`pilot/pkg/networking/core/gateway.go`
//! `pickMatchingGatewayHosts`); on sidecars a second VirtualService for a host is dropped.

use std::collections::{BTreeMap, BTreeSet};

use super::destination_rule::{Buckets, DestinationRule};
use super::fields::creation_key;
use super::gateway::{Gateway, ServerMatch};
use super::hosts::{exported_set, host_matches, lookup_keys};
use super::service_entry::ServiceEntry;
use super::sidecar::{Sidecar, sidecar_for};
use super::virtual_service::{MESH, Probe, Route, RouteKind, Routed, VirtualService, match_applies};
use super::{Cache, ObjectRef};
use crate::flows::context::Pod;
use crate::flows::selector::WorkloadSelector;

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
    pub(super) destination_rules: Vec<DestinationRule>,
    /// Services of the cluster, by FQDN, with their namespace and ports.
    services: BTreeMap<String, (ObjectRef, Vec<u16>)>,
    /// Sidecar resources, in the order added.
    pub sidecars: Vec<Sidecar>,
    /// The distinct non-empty selectors of the Gateways, by their first label: a selector
    /// matches a pod only if the pod carries that label, so a pod looks up its own labels.
    gateway_selectors: BTreeMap<String, BTreeMap<String, BTreeSet<WorkloadSelector>>>,
    /// DestinationRules by namespace and host, and by host.
    pub(super) dr_by_namespace: BTreeMap<String, BTreeMap<String, Vec<usize>>>,
    /// DestinationRules by (host, subset name).
    pub(super) dr_by_subset: BTreeMap<(String, String), Vec<usize>>,
    /// Consolidated rules by (namespace, host key, version merges, private default).
    pub(super) buckets: Cache<(String, String, bool, bool), Buckets>,
}

impl Routing {
    pub fn new() -> Routing {
        Routing::default()
    }

    pub fn add_sidecar(&mut self, sidecar: Sidecar) {
        self.sidecars.push(sidecar);
    }

    /// The Sidecar that configures a workload's proxy ([`super::sidecar_for`]).
    pub fn sidecar_for(&self, pod: &Pod, root: &str) -> Option<&Sidecar> {
        sidecar_for(&self.sidecars, &pod.namespace, &pod.labels, root)
    }

    /// Whether some Sidecar sets `ALLOW_ANY` for the workloads it configures.
    pub fn sidecars_allow_any(&self) -> bool {
        self.sidecars.iter().any(|s| s.outbound == Some(crate::flows::context::OutboundPolicy::AllowAny))
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
        self.gateway_selectors.clear();
        for gateway in &self.gateways {
            if let Some((k, v)) = gateway.selector.0.iter().next() {
                let by_value = self.gateway_selectors.entry(k.clone()).or_default();
                by_value.entry(v.clone()).or_default().insert(gateway.selector.clone());
            }
        }
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
        pod.labels.iter().any(|(k, v)| {
            let selectors = self.gateway_selectors.get(k).and_then(|by_value| by_value.get(v));
            selectors.into_iter().flatten().any(|s| s.matches(&pod.labels))
        })
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

    pub(super) fn vs_candidates(&self, host: &str) -> Vec<&VirtualService> {
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
}
