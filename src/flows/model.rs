//! The façade: one flow through every layer, in path order.
//!
//! A flow often has variants the objects cannot tell apart: several gateway pods, several ways
//! in (a Route and a LoadBalancer), several source addresses (an internet client seen as itself
//! or as a node), both `:authority` forms (`host` and `host:port`), weighted destinations, both
//! address families of an external host. A **requested** flow must work for all of them, so its
//! verdict is the least open variant's; an **unrequested** flow is open when any variant gets
//! through, so its verdict is the most open variant's. Legitimate clients send `:authority`
//! without the port, so a requested flow is evaluated with that form only; an unrequested one
//! with both (a client chooses).

use std::borrow::Cow;

use serde_json::Value;

use super::authz::{Jwt, Outcomes, Peer, Request};
use super::context::{Context, NetworkPlugin, Pod, Protocol};
use super::egress_firewall::Destination as FirewallDestination;
use super::exposure::{Client, PodPort};
use super::index::Index;
use super::istio::{Destination, Probe, RouteKind, Routed, ServerMatch};
use super::net::Address;
use super::netpol::{Endpoint, Env, Port};
use super::read::Read;
use super::selector::Labels;
use super::{Layer, ObjectRef, Outcome, Step, Verdict, least_open, most_open};

/// What a client presents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// Nothing.
    None,
    /// A valid token (`Authorization: Bearer`).
    Token(Jwt),
    /// A bearer token that verifies nowhere.
    InvalidToken,
    /// A login session (the OAuth proxy's cookie).
    Session,
    /// An `Authorization` header with this value and no token (e.g. `Basic x`).
    Header(String),
    /// A TLS client certificate issued by the CA held in the named secret.
    ClientCertificate(String),
}

/// `internet → <host>:<port>` for a path.
#[derive(Debug, Clone)]
pub struct IngressProbe {
    pub host: String,
    /// The port the client connects to (443, or 80 for plain HTTP).
    pub port: u16,
    pub path: String,
    pub credential: Credential,
    pub requested: bool,
}

/// `namespace/<ns> → <host>:<port>`.
#[derive(Debug, Clone)]
pub struct EgressProbe {
    pub namespace: String,
    pub host: String,
    /// The port the application connects to (with TLS origination at the egress gateway, the
    /// plain-HTTP port the mesh routes, not the external host's TLS port).
    pub port: u16,
    pub requested: bool,
}

/// `internet → namespace/<ns>`, bypassing the gateways.
#[derive(Debug, Clone)]
pub struct DirectProbe {
    pub namespace: String,
    pub requested: bool,
    /// Whether tenants can expose their pods through a Route of their own (no admission rule
    /// refuses it).
    pub via_router: bool,
}

/// The indexed objects and the platform facts.
#[derive(Debug)]
pub struct Model {
    index: Index,
    ctx: Context,
    router_pod: Option<Pod>,
}

/// One evaluated path: its steps and the backend it reaches.
type Path = (Vec<Step>, Option<String>);

impl Model {
    /// Indexes the objects (in the generic value form) with the context's facts.
    pub fn new(objects: impl IntoIterator<Item = Value>, ctx: Context) -> Model {
        Model::from_read(objects.into_iter().filter_map(Read::of), ctx)
    }

    /// [`Model::new`] of objects already parsed, in the order given.
    ///
    /// The outbound policy is the one the output's control plane object sets (patches included)
    /// when the output holds one: the context's stands for a control plane installed beside it.
    pub fn from_read(objects: impl IntoIterator<Item = Read>, mut ctx: Context) -> Model {
        let index = Index::build_read(objects, &ctx);
        if let Some(outbound) = index.outbound {
            ctx.outbound = outbound;
            ctx.outbound_source = index.mesh_config.clone();
        }
        let router_pod = ctx
            .router
            .as_ref()
            .filter(|r| !r.host_network)
            .map(|r| Pod::new(&r.namespace, "router-default", r.labels.clone()));
        Model { index, ctx, router_pod }
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Objects that would not exist on the cluster (refused by their schema, istiod or the
    /// controller), and why.
    pub fn rejected(&self) -> &[(ObjectRef, String)] {
        &self.index.rejected
    }

    fn env(&self) -> Env<'_> {
        Env { namespaces: &self.index.namespaces, network: &self.ctx.network }
    }

    /// The verdict of a flow from its variants: the least open one for a requested flow, the
    /// most open one otherwise (ties: the first). Only the picked path is made into a verdict.
    fn combine(&self, paths: Vec<Path>, requested: bool) -> Verdict {
        let picked = if requested {
            least_open(paths, |(steps, _)| Verdict::outcome_of(steps))
        } else {
            most_open(paths, |(steps, _)| Verdict::outcome_of(steps))
        };
        match picked {
            Some((steps, backend)) => {
                let mut v = Verdict::from_steps(steps);
                v.backend = backend;
                v
            }
            None => {
                Verdict::from_steps(vec![Step::new(Layer::Routing, Outcome::Blocked, Vec::new(), "no path exists")])
            }
        }
    }

    /// The workloads of a namespace that are not gateways: the output's, those its Services
    /// select where the output has no workload for them, and the pods the namespace may run
    /// without the output declaring them (tenants deploy their own).
    ///
    /// A pod known only by a Service's selector, or not at all, may carry more labels than the
    /// objects say; a label selector of its namespace may select it or not. Each such pod comes
    /// as variants ([`Model::possible`]): with the labels known, and with those plus the fewest
    /// labels each NetworkPolicy or AuthorizationPolicy selector there needs. A requested flow
    /// must work for each variant, an unrequested one is open when one variant gets through.
    fn workloads(&self, namespace: &str) -> Vec<Cow<'_, Pod>> {
        let mut pods: Vec<Cow<'_, Pod>> = self
            .index
            .pods_in(namespace)
            .into_iter()
            .filter(|p| !self.index.routing.is_gateway_pod(p))
            .map(Cow::Borrowed)
            .collect();
        let known = pods.len();
        for (name, selector) in self.index.service_selectors(namespace) {
            let declared = pods[..known].iter().any(|p| selector.iter().all(|(k, v)| p.labels.get(k) == Some(v)));
            if !declared {
                pods.extend(self.possible(namespace, name, selector).into_iter().map(Cow::Owned));
            }
        }
        pods.extend(self.possible(namespace, "workload", &Labels::new()).into_iter().map(Cow::Owned));
        pods.retain(|p| !self.index.routing.is_gateway_pod(p));
        pods
    }

    /// A pod of `namespace` whose labels include `known` and may include others: one variant
    /// with `known`, and one per selector of the namespace (and of the root namespace's
    /// AuthorizationPolicies) that `known` does not contradict, with the labels it needs added.
    fn possible(&self, namespace: &str, name: &str, known: &Labels) -> Vec<Pod> {
        let mut out = vec![Pod::new(namespace, name, known.clone())];
        for extra in self.index.selector_labels(&[namespace, &self.ctx.root_namespace]) {
            if extra.iter().any(|(k, v)| known.get(k).is_some_and(|w| w != v)) {
                continue;
            }
            let mut labels = known.clone();
            labels.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
            if labels == *known {
                continue;
            }
            let shown: Vec<String> = extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push(Pod::new(namespace, &format!("{name}[{}]", shown.join(",")), labels));
        }
        out
    }

    /// How a client of an exposure reaches the pods, as NetworkPolicy sees it.
    fn sources(&self, client: Client) -> Result<Vec<Endpoint<'_>>, String> {
        match client {
            Client::Router => match (&self.ctx.router, &self.router_pod) {
                (None, _) => Err("the cluster has no OpenShift router to serve Routes".into()),
                (Some(r), _) if r.host_network => Ok(vec![Endpoint::Node(None)]),
                (Some(_), Some(pod)) => Ok(vec![Endpoint::Pod(pod)]),
                (Some(_), None) => Err("the router is not modelled".into()),
            },
            Client::Internet { preserved: true } => Ok(self.internet()),
            Client::Internet { preserved: false } => {
                // SNAT to a node: on OVN-Kubernetes the node's address belongs to the host-network
                // namespace; elsewhere it is implementation-defined, so both readings count.
                let mut out = vec![Endpoint::Node(None)];
                if self.ctx.network.host_network_namespace.is_none() {
                    out.extend(self.internet());
                }
                Ok(out)
            }
        }
    }

    fn internet(&self) -> Vec<Endpoint<'_>> {
        self.ctx.internet.iter().map(|ip| Endpoint::External(Address::Ip(*ip))).collect()
    }

    fn request(&self, probe: &IngressProbe, authority: &str, port: u16) -> Request {
        let request = Request::new(authority, port, &probe.path);
        match &probe.credential {
            Credential::None | Credential::ClientCertificate(_) => request,
            Credential::Token(jwt) => request.bearer(jwt.clone()),
            Credential::InvalidToken => request.invalid_bearer(),
            Credential::Session => request.header("cookie", "_oauth2_proxy=session").session(),
            Credential::Header(value) => request.header("authorization", value),
        }
    }

    fn authorize(&self, pod: &Pod, request: &Request) -> Outcomes {
        self.index.authz.evaluate(&self.ctx.root_namespace, &self.ctx.providers, pod, request)
    }

    // ----------------------------------------------------------------------------------------
    // Ingress

    /// `internet → host:port` for a path: exposure, NetworkPolicy at the gateway, the gateway's
    /// TLS, authentication and authorization there, routing, the hop to the backend and the
    /// backend's own policies.
    pub fn evaluate_ingress(&self, probe: &IngressProbe) -> Verdict {
        let routing = &self.index.routing;
        let servers: Vec<ServerMatch<'_>> =
            routing.servers_naming(&probe.host).into_iter().filter(|s| s.server.port == probe.port).collect();
        if servers.is_empty() {
            return Verdict::from_steps(vec![Step::new(
                Layer::Routing,
                Outcome::Blocked,
                Vec::new(),
                format!("no Gateway server takes {}:{}", probe.host, probe.port),
            )]);
        }
        let mut pods: Vec<&Pod> = Vec::new();
        for s in &servers {
            for pod in self.index.pods_matching(&s.gateway.selector.0) {
                if (!self.ctx.scope_gateway_to_namespace || pod.namespace == s.gateway.namespace)
                    && !pods.iter().any(|p| std::ptr::eq(*p, pod))
                {
                    pods.push(pod);
                }
            }
        }
        if pods.is_empty() {
            let by: Vec<ObjectRef> = servers.iter().map(|s| s.gateway.reference.clone()).collect();
            return Verdict::from_steps(vec![Step::new(
                Layer::Routing,
                Outcome::Blocked,
                by,
                "no pod runs the gateway these Gateways select",
            )]);
        }
        let authorities = if probe.requested {
            vec![probe.host.clone()]
        } else {
            vec![probe.host.clone(), format!("{}:{}", probe.host, probe.port)]
        };
        let mut paths = Vec::new();
        for pod in pods {
            let Some(server) = routing.server_for(pod, &probe.host, probe.port, self.ctx.scope_gateway_to_namespace)
            else {
                continue;
            };
            for (front, pod_port) in self.exposure_paths(probe, pod, &server) {
                for authority in &authorities {
                    for (rest, backend) in self.through_gateway(probe, pod, &server, authority, pod_port) {
                        let mut steps = front.clone();
                        steps.extend(rest);
                        paths.push((steps, backend));
                    }
                }
            }
        }
        self.combine(paths, probe.requested)
    }

    /// The ways in to a gateway pod, each with its exposure and NetworkPolicy steps and the pod
    /// port it arrives on.
    fn exposure_paths(&self, probe: &IngressProbe, pod: &Pod, server: &ServerMatch<'_>) -> Vec<(Vec<Step>, u16)> {
        let entries = self.index.exposure.entries(&probe.host, probe.port, &[pod]);
        // Without exposure, the port the gateway's Service would lead to.
        let fallback = match probe.port {
            443 => 8443,
            80 => 8080,
            p => p,
        };
        if entries.is_empty() {
            let step = Step::new(
                Layer::Exposure,
                Outcome::Blocked,
                vec![server.gateway.reference.clone()],
                format!(
                    "no Route or LoadBalancer Service brings {}:{} to pod {}/{}",
                    probe.host, probe.port, pod.namespace, pod.name
                ),
            );
            return vec![(vec![step], fallback)];
        }
        let mut out = Vec::new();
        for entry in entries {
            let Some(pod_port) = entry.target.on(pod) else {
                let name = match &entry.target {
                    PodPort::Name(n) => n.clone(),
                    PodPort::Number(n) => n.to_string(),
                };
                out.push((
                    vec![Step::new(
                        Layer::Exposure,
                        Outcome::Blocked,
                        entry.objects.clone(),
                        format!("pod {}/{} has no port {name}", pod.namespace, pod.name),
                    )],
                    fallback,
                ));
                continue;
            };
            let names: Vec<String> = entry.objects.iter().map(|o| o.to_string()).collect();
            let mut reason =
                format!("{} lead(s) to pod {}/{} port {pod_port}", names.join(" → "), pod.namespace, pod.name);
            if let Some(note) = &entry.note {
                reason.push_str(&format!(" ({note})"));
            }
            let verdict = if entry.redirect { Outcome::Redirected } else { Outcome::Allowed };
            if entry.redirect {
                reason.push_str(": HTTP is redirected to HTTPS");
            }
            let exposure = Step::new(Layer::Exposure, verdict, entry.objects.clone(), reason);
            match self.sources(entry.client) {
                Err(why) => {
                    out.push((vec![Step::new(Layer::Exposure, Outcome::Blocked, entry.objects.clone(), why)], pod_port))
                }
                Ok(sources) => {
                    for source in sources {
                        let np = self.index.network_policies.ingress(
                            self.env(),
                            pod,
                            &source,
                            Port::Number(pod_port),
                            Protocol::Tcp,
                        );
                        out.push((vec![exposure.clone(), np], pod_port));
                    }
                }
            }
        }
        out
    }

    /// From the gateway's TLS to the backend.
    fn through_gateway(
        &self,
        probe: &IngressProbe,
        pod: &Pod,
        server: &ServerMatch<'_>,
        authority: &str,
        pod_port: u16,
    ) -> Vec<Path> {
        let routing = &self.index.routing;
        let gateway = server.gateway.reference.clone();
        let tls = &server.server.tls;
        let mut steps = Vec::new();
        let terminates = server.server.terminates_tls();
        if terminates && (tls.mode == "MUTUAL" || tls.mode == "OPTIONAL_MUTUAL") {
            steps.push(self.client_certificate(probe, server));
        }
        let passthrough = server.server.passes_tls_through();
        let request = if passthrough {
            // TLS passes through untouched: the gateway sees a TCP connection.
            Request::new(&probe.host, pod_port, "/").tcp()
        } else {
            self.request(probe, authority, pod_port)
        };
        let outcomes = self.authorize(pod, &request);
        steps.extend(outcomes.steps);
        let Some(upstream) = outcomes.upstream else { return vec![(steps, None)] };
        // The redirect is the virtual host's `require_tls`, after the HTTP filters
        // (istio/istio `pilot/pkg/networking/core/gateway.go:467-468` @1.24.3).
        if server.server.protocol == "HTTP" && tls.https_redirect {
            steps.push(Step::new(
                Layer::Routing,
                Outcome::Redirected,
                vec![gateway],
                format!("{} answers HTTP with a redirect to HTTPS", server.gateway.reference),
            ));
            return vec![(steps, None)];
        }
        let bound = routing.bound(server, &probe.host, &pod.namespace, &self.ctx.default_export_to);
        if bound.is_empty() {
            steps.push(Step::new(
                Layer::Routing,
                Outcome::Blocked,
                vec![gateway],
                format!(
                    "no VirtualService exported to {} binds {} on {}",
                    pod.namespace, probe.host, server.gateway.reference
                ),
            ));
            return vec![(steps, None)];
        }
        let kind = if passthrough { RouteKind::Tls } else { RouteKind::Http };
        let route_probe = Probe {
            host: if passthrough { &probe.host } else { authority },
            path: &probe.path,
            method: &upstream.method,
            headers: &upstream.headers,
            port: server.server.port,
            gateway: &server.gateway.key(),
        };
        match routing.route(&bound, &route_probe, kind) {
            Routed::NoRoute { mut by } => {
                by.push(gateway);
                steps.push(Step::new(
                    Layer::Routing,
                    Outcome::Blocked,
                    by,
                    format!("no route of the bound VirtualServices matches {}{}", probe.host, probe.path),
                ));
                vec![(steps, None)]
            }
            Routed::Redirect { by } => {
                steps.push(Step::new(Layer::Routing, Outcome::Redirected, by, "the route answers with a redirect"));
                vec![(steps, None)]
            }
            Routed::To { destinations, set_headers, by } => {
                let mut by_all = vec![gateway];
                by_all.extend(by.iter().cloned());
                let mut out = Vec::new();
                for destination in destinations {
                    let mut s = steps.clone();
                    s.push(Step::new(
                        Layer::Routing,
                        Outcome::Allowed,
                        by_all.clone(),
                        format!(
                            "{} routes {}{} to {}",
                            server.gateway.reference, probe.host, probe.path, destination.host
                        ),
                    ));
                    if let Some(step) = self.subset_step(&pod.namespace, &destination, &by) {
                        let blocked = step.verdict != Outcome::Allowed;
                        s.push(step);
                        if blocked {
                            out.push((s, None));
                            continue;
                        }
                    }
                    let (backends, label) = self.backend(&destination);
                    for (backend_pod, backend_port) in backends {
                        let mut s = s.clone();
                        s.extend(self.index.network_policies.connection(
                            self.env(),
                            &Endpoint::Pod(pod),
                            &Endpoint::Pod(&backend_pod),
                            Port::Number(backend_port),
                            Protocol::Tcp,
                        ));
                        let mut r = upstream.clone();
                        r.port = backend_port;
                        r.peer = Peer::workload(pod, &self.ctx.trust_domain);
                        for (k, v) in &set_headers {
                            r.headers.insert(k.to_ascii_lowercase(), v.clone());
                        }
                        s.extend(self.authorize(&backend_pod, &r).steps);
                        out.push((s, Some(label.clone())));
                    }
                }
                out
            }
        }
    }

    /// A MUTUAL server verifies client certificates against the CA of
    /// `tls.caCertCredentialName` (from Istio 1.28), else of secret `<credentialName>-cacert`,
    /// else of the credential itself (istio/istio `pilot/pkg/credentials/kube/secrets.go`
    /// `GetCaCert` @1.18.7 and @1.24.3; `pilot/pkg/model/credentials/resource.go` `SdsCaSuffix`).
    fn client_certificate(&self, probe: &IngressProbe, server: &ServerMatch<'_>) -> Step {
        let tls = &server.server.tls;
        let by = vec![server.gateway.reference.clone()];
        let mut trusted = Vec::new();
        match (&tls.ca_cert_credential_name, self.ctx.istio.has_ca_cert_credential_name()) {
            (Some(ca), true) => trusted.push(ca.clone()),
            _ => {
                if let Some(c) = &tls.credential_name {
                    trusted.push(format!("{c}-cacert"));
                    trusted.push(c.clone());
                }
            }
        }
        let ignored = match (&tls.ca_cert_credential_name, self.ctx.istio.has_ca_cert_credential_name()) {
            (Some(ca), false) => format!(" (caCertCredentialName {ca:?} does not exist before Istio 1.28)"),
            _ => String::new(),
        };
        match &probe.credential {
            Credential::ClientCertificate(ca) if trusted.contains(ca) => Step::new(
                Layer::Routing,
                Outcome::Allowed,
                by,
                format!("the client certificate chains to {ca}, which {} trusts", server.gateway.reference),
            ),
            Credential::ClientCertificate(ca) => Step::new(
                Layer::Routing,
                Outcome::Blocked,
                by,
                format!(
                    "{} verifies client certificates against {}, not {ca}{ignored}",
                    server.gateway.reference,
                    trusted.join(" or ")
                ),
            ),
            _ if tls.mode == "OPTIONAL_MUTUAL" => {
                Step::new(Layer::Routing, Outcome::Allowed, by, "a client certificate is optional")
            }
            _ => Step::new(
                Layer::Routing,
                Outcome::Blocked,
                by,
                format!("{} requires a client certificate", server.gateway.reference),
            ),
        }
    }

    /// Whether the subset a destination names exists for a proxy of `namespace`.
    fn subset_step(&self, namespace: &str, destination: &Destination, route_by: &[ObjectRef]) -> Option<Step> {
        let subset = destination.subset.as_ref()?;
        let lookup = self.index.routing.subset(
            namespace,
            &destination.host,
            subset,
            &self.ctx.root_namespace,
            self.ctx.istio,
            &self.ctx.default_export_to,
        );
        let mut by: Vec<ObjectRef> = route_by.to_vec();
        by.extend(lookup.decided_by.iter().cloned());
        if lookup.found {
            return Some(Step::new(
                Layer::Routing,
                Outcome::Allowed,
                by,
                format!("subset {subset} of {} is defined for proxies of {namespace}", destination.host),
            ));
        }
        let detail = if !lookup.hidden {
            String::new()
        } else if self.ctx.istio.merges_destination_rules_by_host() {
            format!(
                " (Istio {} merges the DestinationRules of a host in one namespace and keeps the oldest one's exportTo)",
                self.ctx.istio
            )
        } else {
            " (the rules defining it are not exported here)".to_string()
        };
        Some(Step::new(
            Layer::Routing,
            Outcome::Blocked,
            by,
            format!(
                "503: no DestinationRule visible in {namespace} defines subset {subset} of {}{detail}",
                destination.host
            ),
        ))
    }

    /// The pods behind a route destination (variants, see [`Model::workloads`]) with the port
    /// each listens on, and the backend's name: the output's workloads the destination's
    /// Service selects, else pods with the Service's selector, else the context's pod for it,
    /// else a pod with unknown labels.
    fn backend(&self, destination: &Destination) -> (Vec<(Pod, u16)>, String) {
        let host = destination.host.to_ascii_lowercase();
        let parts: Vec<&str> = host.split('.').collect();
        let (name, namespace) = match parts.as_slice() {
            [name, ns, "svc", ..] => (name.to_string(), ns.to_string()),
            [name, ns] => (name.to_string(), ns.to_string()),
            _ => (host.clone(), String::new()),
        };
        let port = destination.port.unwrap_or(80);
        let label = format!("service/{namespace}/{name}:{port}");
        if let Some(service) = self.index.exposure.service(&namespace, &name) {
            let target = service
                .ports
                .iter()
                .find(|p| Some(p.port) == destination.port)
                .or(service.ports.first())
                .map(|p| p.target.clone());
            if let Some(target) = target {
                let mut pods: Vec<Pod> =
                    self.index.pods_in(&namespace).into_iter().filter(|p| service.selects(p)).cloned().collect();
                if pods.is_empty() {
                    let known = service.selector.clone().unwrap_or_default();
                    pods = self.possible(&namespace, &name, &known);
                }
                let out = pods
                    .into_iter()
                    .map(|pod| {
                        let number = target.on(&pod).unwrap_or(port);
                        (pod, number)
                    })
                    .collect();
                return (out, label);
            }
        }
        if let Some(pod) = self.ctx.backends.get(&(namespace.clone(), name.clone())) {
            return (vec![(pod.clone(), port)], label);
        }
        let pods = self.possible(&namespace, &name, &Labels::new());
        (pods.into_iter().map(|p| (p, port)).collect(), label)
    }

    // ----------------------------------------------------------------------------------------
    // Egress

    /// The ports of `host` that the sidecars of `namespace` hold in their registry view: every
    /// port the host's ServiceEntries exported to the namespace declare. A flow nobody requested
    /// is probed on each of them, not only on the port a request would use.
    pub fn registered_ports(&self, namespace: &str, host: &str) -> std::collections::BTreeSet<u16> {
        let entries = self.index.routing.service_entries(namespace, host, &self.ctx.default_export_to);
        entries.iter().flat_map(|se| se.ports.iter().map(|p| p.number)).collect()
    }

    /// `namespace/<ns> → host:port`: the sidecar's registry view and routes, the hop to the
    /// egress gateway and its routes, and the NetworkPolicies and egress firewall of whichever
    /// pod finally leaves the cluster.
    pub fn evaluate_egress(&self, probe: &EgressProbe) -> Verdict {
        let mut paths = Vec::new();
        for client in self.workloads(&probe.namespace) {
            paths.extend(self.egress_from(&client, probe));
        }
        self.combine(paths, probe.requested)
    }

    fn egress_from(&self, client: &Pod, probe: &EgressProbe) -> Vec<Path> {
        let routing = &self.index.routing;
        let defaults = &self.ctx.default_export_to;
        let ns = &client.namespace;
        // A Sidecar narrows the registry view to the hosts its egress listeners import and may
        // set its own outbound policy (`super::istio::Sidecar`).
        let sidecar = routing.sidecar_for(client, &self.ctx.root_namespace);
        let outbound = sidecar.and_then(|s| s.outbound).unwrap_or(self.ctx.outbound);
        let mut entries = routing.service_entries(ns, &probe.host, defaults);
        let mut unimported = Vec::new();
        if let Some(sidecar) = sidecar {
            let (kept, dropped): (Vec<_>, Vec<_>) =
                entries.into_iter().partition(|se| sidecar.imports(&se.namespace, &probe.host));
            entries = kept;
            unimported = dropped;
        }
        let declared = entries.iter().find_map(|se| se.ports.iter().find(|p| p.number == probe.port).map(|p| (*se, p)));
        let Some((entry, port)) = declared else {
            let hidden: Vec<ObjectRef> = routing
                .service_entries_naming(&probe.host)
                .into_iter()
                .filter(|se| !entries.iter().any(|e| std::ptr::eq(*e, *se)))
                .map(|se| se.reference.clone())
                .collect();
            let mut by: Vec<ObjectRef> = match sidecar {
                Some(s) if s.outbound.is_some() || !unimported.is_empty() => vec![s.reference.clone()],
                _ => Vec::new(),
            };
            if sidecar.is_none_or(|s| s.outbound.is_none()) {
                by.extend(self.ctx.outbound_source.clone().or_else(|| self.index.mesh_config.clone()));
            }
            by.extend(hidden.iter().cloned());
            by.extend(unimported.iter().map(|se| se.reference.clone()));
            let hidden_names: Vec<String> = hidden.iter().map(|r| r.to_string()).collect();
            let why = if let (Some(s), false) = (sidecar, unimported.is_empty()) {
                format!(
                    "{}:{} is not imported by the egress hosts of {} for namespace {ns}",
                    probe.host, probe.port, s.reference
                )
            } else if hidden_names.is_empty() {
                format!("{}:{} is not in the registry of namespace {ns}", probe.host, probe.port)
            } else if entries.is_empty() {
                format!(
                    "{}:{} is not in the registry of namespace {ns}: {} is not exported there",
                    probe.host,
                    probe.port,
                    hidden_names.join(", ")
                )
            } else {
                format!(
                    "{} declares no port {} for {ns}",
                    entries.iter().map(|e| e.reference.to_string()).collect::<Vec<_>>().join(", "),
                    probe.port
                )
            };
            return match outbound {
                super::OutboundPolicy::RegistryOnly => {
                    vec![(
                        vec![Step::new(
                            Layer::Routing,
                            Outcome::Blocked,
                            by,
                            format!("{why}, and the outbound policy is REGISTRY_ONLY"),
                        )],
                        None,
                    )]
                }
                super::OutboundPolicy::AllowAny => {
                    let step =
                        Step::new(Layer::Routing, Outcome::Allowed, by, format!("{why}; ALLOW_ANY passes it through"));
                    self.leave_cluster(client, &probe.host, probe.port, vec![step])
                }
            };
        };
        let target_port = port.target_port.unwrap_or(port.number);
        let registered = Step::new(
            Layer::Routing,
            Outcome::Allowed,
            vec![entry.reference.clone()],
            format!("{} registers {}:{} for namespace {ns}", entry.reference, probe.host, probe.port),
        );
        let kind = RouteKind::of_protocol(&port.protocol);
        let Some(vs) = routing.mesh_virtual_service(ns, &probe.host, defaults) else {
            return self.leave_cluster(client, &probe.host, target_port, vec![registered]);
        };
        let headers = Default::default();
        let route_probe = Probe {
            host: &probe.host,
            path: "/",
            method: "GET",
            headers: &headers,
            port: probe.port,
            gateway: super::istio::MESH,
        };
        match routing.route(&[vs], &route_probe, kind) {
            Routed::NoRoute { by } if kind == RouteKind::Http => vec![(
                vec![
                    registered,
                    Step::new(
                        Layer::Routing,
                        Outcome::Blocked,
                        by,
                        format!("404: no route of {} matches port {} from the mesh", vs.reference, probe.port),
                    ),
                ],
                None,
            )],
            Routed::NoRoute { .. } => self.leave_cluster(client, &probe.host, target_port, vec![registered]),
            Routed::Redirect { by } => vec![(
                vec![
                    registered,
                    Step::new(Layer::Routing, Outcome::Redirected, by, "the route answers with a redirect"),
                ],
                None,
            )],
            Routed::To { destinations, by, .. } => {
                let mut out = Vec::new();
                for destination in destinations {
                    let mut steps = vec![registered.clone()];
                    steps.push(Step::new(
                        Layer::Routing,
                        Outcome::Allowed,
                        by.clone(),
                        format!(
                            "{} routes {}:{} from the mesh to {}",
                            vs.reference, probe.host, probe.port, destination.host
                        ),
                    ));
                    if let Some(step) = self.subset_step(ns, &destination, &by) {
                        let blocked = step.verdict != Outcome::Allowed;
                        steps.push(step);
                        if blocked {
                            out.push((steps, None));
                            continue;
                        }
                    }
                    if super::istio::host_matches(&destination.host, &probe.host)
                        || entry.hosts.iter().any(|h| super::istio::host_matches(h, &destination.host))
                    {
                        out.extend(self.leave_cluster(
                            client,
                            &probe.host,
                            destination.port.unwrap_or(target_port),
                            steps,
                        ));
                    } else {
                        out.extend(self.via_gateway(client, probe, &destination, steps));
                    }
                }
                out
            }
        }
    }

    /// Through an egress gateway reached as a cluster Service.
    fn via_gateway(&self, client: &Pod, probe: &EgressProbe, hop: &Destination, steps: Vec<Step>) -> Vec<Path> {
        let routing = &self.index.routing;
        let host = hop.host.to_ascii_lowercase();
        let parts: Vec<&str> = host.split('.').collect();
        let service = match parts.as_slice() {
            [name, ns, "svc", ..] => self.index.exposure.service(ns, name),
            _ => None,
        };
        let Some(service) = service else {
            let mut s = steps;
            s.push(Step::new(
                Layer::Routing,
                Outcome::Blocked,
                Vec::new(),
                format!("{} is no Service of the cluster", hop.host),
            ));
            return vec![(s, None)];
        };
        let service_port = service.ports.iter().find(|p| Some(p.port) == hop.port).or(service.ports.first());
        let Some(service_port) = service_port else {
            let mut s = steps;
            s.push(Step::new(
                Layer::Routing,
                Outcome::Blocked,
                vec![service.reference.clone()],
                format!("{} has no port {:?}", service.reference, hop.port),
            ));
            return vec![(s, None)];
        };
        let gateways: Vec<&Pod> =
            self.index.pods_in(&service.namespace).into_iter().filter(|p| service.selects(p)).collect();
        if gateways.is_empty() {
            let mut s = steps;
            s.push(Step::new(
                Layer::Routing,
                Outcome::Blocked,
                vec![service.reference.clone()],
                format!("no pod is behind {}", service.reference),
            ));
            return vec![(s, None)];
        }
        let mut out = Vec::new();
        for gateway in gateways {
            let mut s = steps.clone();
            let pod_port = service_port.target.on(gateway).unwrap_or(service_port.port);
            s.extend(self.index.network_policies.connection(
                self.env(),
                &Endpoint::Pod(client),
                &Endpoint::Pod(gateway),
                Port::Number(pod_port),
                Protocol::Tcp,
            ));
            let Some(server) =
                routing.server_for(gateway, &probe.host, service_port.port, self.ctx.scope_gateway_to_namespace)
            else {
                s.push(Step::new(
                    Layer::Routing,
                    Outcome::Blocked,
                    vec![service.reference.clone()],
                    format!(
                        "no Gateway server on pod {}/{} takes {}:{}",
                        gateway.namespace, gateway.name, probe.host, service_port.port
                    ),
                ));
                out.push((s, None));
                continue;
            };
            let passthrough = server.server.passes_tls_through();
            let mut request =
                Request::new(&probe.host, pod_port, "/").peer(Peer::workload(client, &self.ctx.trust_domain));
            if passthrough {
                request = request.tcp();
            }
            let outcomes = self.authorize(gateway, &request);
            s.extend(outcomes.steps);
            match outcomes.upstream {
                Some(u) => request = u,
                None => {
                    out.push((s, None));
                    continue;
                }
            }
            let bound = routing.bound(&server, &probe.host, &gateway.namespace, &self.ctx.default_export_to);
            let kind = if passthrough {
                RouteKind::Tls
            } else if matches!(server.server.protocol.as_str(), "HTTP" | "HTTPS" | "HTTP2" | "GRPC") {
                RouteKind::Http
            } else {
                RouteKind::Tcp
            };
            let key = server.gateway.key();
            let route_probe = Probe {
                host: &probe.host,
                path: "/",
                method: &request.method,
                headers: &request.headers,
                port: server.server.port,
                gateway: &key,
            };
            match routing.route(&bound, &route_probe, kind) {
                Routed::To { destinations, by, .. } if !bound.is_empty() => {
                    for destination in destinations {
                        let mut d = s.clone();
                        let mut by_all = vec![server.gateway.reference.clone()];
                        by_all.extend(by.iter().cloned());
                        d.push(Step::new(
                            Layer::Routing,
                            Outcome::Allowed,
                            by_all,
                            format!(
                                "{} takes {} and routes it to {}",
                                server.gateway.reference, probe.host, destination.host
                            ),
                        ));
                        if let Some(step) = self.subset_step(&gateway.namespace, &destination, &by) {
                            let blocked = step.verdict != Outcome::Allowed;
                            d.push(step);
                            if blocked {
                                out.push((d, None));
                                continue;
                            }
                        }
                        let port = destination.port.unwrap_or(service_port.port);
                        out.extend(self.leave_cluster(gateway, &destination.host, port, d));
                    }
                }
                Routed::Redirect { by } => {
                    s.push(Step::new(
                        Layer::Routing,
                        Outcome::Redirected,
                        by,
                        "the egress route answers with a redirect",
                    ));
                    out.push((s, None));
                }
                other => {
                    let mut by = vec![server.gateway.reference.clone()];
                    if let Routed::NoRoute { by: vs } | Routed::To { by: vs, .. } = other {
                        by.extend(vs);
                    }
                    s.push(Step::new(
                        Layer::Routing,
                        Outcome::Blocked,
                        by,
                        format!("no VirtualService route on {} sends {} on", server.gateway.reference, probe.host),
                    ));
                    out.push((s, None));
                }
            }
        }
        out
    }

    /// A pod connects to an external host: its NetworkPolicy egress and its namespace's egress
    /// firewall, for each address family the host may resolve to.
    fn leave_cluster(&self, pod: &Pod, host: &str, port: u16, steps: Vec<Step>) -> Vec<Path> {
        let addresses = match host.parse() {
            Ok(ip) => vec![Address::Ip(ip)],
            Err(_) => vec![Address::AnyV4, Address::AnyV6],
        };
        let mut out = Vec::new();
        for address in addresses {
            let mut s = steps.clone();
            s.push(self.index.network_policies.egress(
                self.env(),
                pod,
                &Endpoint::External(address),
                Port::Number(port),
                Protocol::Tcp,
            ));
            if self.ctx.network.plugin != NetworkPlugin::Other {
                s.push(self.index.firewalls.check(
                    self.ctx.network.plugin,
                    &self.ctx.network.cluster_networks,
                    &pod.namespace,
                    &FirewallDestination::External { name: Some(host), address },
                    Port::Number(port),
                    Protocol::Tcp,
                ));
            }
            out.push((s, None));
        }
        out
    }

    // ----------------------------------------------------------------------------------------
    // Direct

    /// `internet → namespace/<ns>`: whether any pod of the namespace (gateways aside) accepts a
    /// connection from the internet on any port, through a LoadBalancer or NodePort Service the
    /// tenant may create (the client as itself or as a node) or a Route.
    pub fn evaluate_direct(&self, probe: &DirectProbe) -> Verdict {
        let mut clients: Vec<(Endpoint<'_>, &str)> = Vec::new();
        for source in self.internet() {
            clients.push((source, "a LoadBalancer Service with externalTrafficPolicy Local"));
        }
        clients.push((Endpoint::Node(None), "a LoadBalancer or NodePort Service (SNAT to a node)"));
        if probe.via_router {
            if let Ok(sources) = self.sources(Client::Router) {
                for source in sources {
                    clients.push((source, "a Route of the tenant's own"));
                }
            }
        }
        let mut paths = Vec::new();
        for pod in self.workloads(&probe.namespace) {
            for (source, how) in &clients {
                let exposure = Step::new(
                    Layer::Exposure,
                    Outcome::Allowed,
                    Vec::new(),
                    format!("the internet may reach namespace {} through {how}", probe.namespace),
                );
                let np = self.index.network_policies.ingress(self.env(), &pod, source, Port::Any, Protocol::Tcp);
                paths.push((vec![exposure, np], None));
            }
        }
        self.combine(paths, probe.requested)
    }
}
