//! Egress from a namespace's workloads: the sidecar's registry view, its outbound policy and
//! the mesh's route for the host.

use super::*;

impl Model {
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
        for client in self.workloads(&probe.namespace).iter() {
            paths.extend(self.egress_from(client, probe));
        }
        self.combine(paths, probe.requested)
    }

    pub(super) fn egress_from(&self, client: &Pod, probe: &EgressProbe) -> Vec<Path> {
        let routing = &self.index.routing;
        let defaults = &self.ctx.default_export_to;
        let ns = &client.namespace;
        // A Sidecar narrows the registry view to the hosts its egress listeners import and may
        // set its own outbound policy (`crate::flows::istio::Sidecar`).
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
                crate::flows::OutboundPolicy::RegistryOnly => {
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
                crate::flows::OutboundPolicy::AllowAny => {
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
            gateway: crate::flows::istio::MESH,
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
                    if crate::flows::istio::host_matches(&destination.host, &probe.host)
                        || entry.hosts.iter().any(|h| crate::flows::istio::host_matches(h, &destination.host))
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
}
