//! Ingress: `internet → host:port` for a path, from the ways in to the backend's policies.

use super::*;
use crate::flows::authz::{MAX_VARIANTS, Variant};

/// A verdict reached with a variant of the probed request: the policies whose values made the
/// variant are named, and the reason says which request gets through.
fn with_variant(verdict: Verdict, variant: &Variant, base_path: &str) -> Verdict {
    let mut steps = vec![Step::new(
        Layer::Authorization,
        Outcome::Allowed,
        variant.origin.clone(),
        format!("{} is a request these policies do not close", variant.describe(base_path)),
    )];
    let backend = verdict.backend.clone();
    let reason = verdict.reason.clone();
    steps.extend(verdict.steps);
    let mut out = Verdict::from_steps(steps);
    out.backend = backend;
    if out.verdict == Outcome::Allowed {
        let names: Vec<&str> = variant.origin.iter().map(|o| o.name.as_str()).collect();
        let verb = if names.len() == 1 { "policy {} does" } else { "policies {} do" };
        out.reason = format!(
            "{} gets through: {} not close it",
            variant.describe(base_path),
            verb.replace("{}", &names.join(", "))
        );
    } else {
        out.reason = format!("{}: {reason}", variant.describe(base_path));
    }
    out
}

impl Model {
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
        let base = self.combine(self.ingress_paths(probe, &pods, None), probe.requested);
        if probe.requested || base.verdict == Outcome::Allowed {
            return base;
        }
        // A flow nobody requested is open when any shape of request gets through: the paths,
        // methods and headers the host's closing policies tell apart, each tried in turn.
        let mut variants: Vec<Variant> = Vec::new();
        for pod in &pods {
            for v in self.index.authz.variants(&self.ctx.root_namespace, pod, &probe.host, &probe.path) {
                if variants.len() < MAX_VARIANTS && !variants.contains(&v) {
                    variants.push(v);
                }
            }
        }
        let mut best = base;
        for variant in &variants {
            let verdict = self.combine(self.ingress_paths(probe, &pods, Some(variant)), false);
            // Only a shape that gets through counts: the verdict of a shut flow stays that of
            // the request as probed.
            if verdict.verdict == Outcome::Allowed {
                best = with_variant(verdict, variant, &probe.path);
                break;
            }
        }
        best
    }

    /// The paths of `probe` (changed by `variant`) through each gateway pod, each way in and
    /// each `:authority` form.
    fn ingress_paths(&self, probe: &IngressProbe, pods: &[&Pod], variant: Option<&Variant>) -> Vec<Path> {
        let routing = &self.index.routing;
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
                    for (rest, backend) in self.through_gateway(probe, pod, &server, authority, pod_port, variant) {
                        let mut steps = front.clone();
                        steps.extend(rest);
                        paths.push((steps, backend));
                    }
                }
            }
        }
        paths
    }

    /// The ways in to a gateway pod, each with its exposure and NetworkPolicy steps and the pod
    /// port it arrives on.
    pub(super) fn exposure_paths(
        &self,
        probe: &IngressProbe,
        pod: &Pod,
        server: &ServerMatch<'_>,
    ) -> Vec<(Vec<Step>, u16)> {
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
    pub(super) fn through_gateway(
        &self,
        probe: &IngressProbe,
        pod: &Pod,
        server: &ServerMatch<'_>,
        authority: &str,
        pod_port: u16,
        variant: Option<&Variant>,
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
            let mut request = self.request(probe, authority, pod_port);
            if let Some(v) = variant {
                v.apply(&mut request);
            }
            request
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
            path: &request.path,
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
    pub(super) fn client_certificate(&self, probe: &IngressProbe, server: &ServerMatch<'_>) -> Step {
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
        let presented = match &probe.credential {
            Credential::ClientCertificate(ca) => Some(ca),
            _ => probe.client_certificate.as_ref(),
        };
        match presented {
            Some(ca) if trusted.contains(ca) => Step::new(
                Layer::Routing,
                Outcome::Allowed,
                by,
                format!("the client certificate chains to {ca}, which {} trusts", server.gateway.reference),
            ),
            Some(ca) => Step::new(
                Layer::Routing,
                Outcome::Blocked,
                by,
                format!(
                    "{} verifies client certificates against {}, not {ca}{ignored}",
                    server.gateway.reference,
                    trusted.join(" or ")
                ),
            ),
            None if tls.mode == "OPTIONAL_MUTUAL" => {
                Step::new(Layer::Routing, Outcome::Allowed, by, "a client certificate is optional")
            }
            None => Step::new(
                Layer::Routing,
                Outcome::Blocked,
                by,
                format!("{} requires a client certificate", server.gateway.reference),
            ),
        }
    }
}
