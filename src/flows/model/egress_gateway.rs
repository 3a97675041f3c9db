//! Egress past the sidecar: through an egress gateway reached as a cluster Service, and out of
//! the cluster through the leaving pod's NetworkPolicy and egress firewall.

use super::*;

impl Model {
    /// Through an egress gateway reached as a cluster Service.
    pub(super) fn via_gateway(
        &self,
        client: &Pod,
        probe: &EgressProbe,
        hop: &Destination,
        steps: Vec<Step>,
    ) -> Vec<Path> {
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
            // Both hops to an egress gateway carry the host as the TLS server name (the hop's
            // DestinationRule `sni`, or the client's own TLS passed through).
            request = request.sni(&probe.host);
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
    pub(super) fn leave_cluster(&self, pod: &Pod, host: &str, port: u16, steps: Vec<Step>) -> Vec<Path> {
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
}
