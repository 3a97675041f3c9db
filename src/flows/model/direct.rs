//! Direct: `internet → namespace/<ns>`, around the gateways.

use super::*;

impl Model {
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
        // The addresses the namespace's ipBlock peers admit: the internet is every address, and
        // the most open of them decides.
        for ip in self.index.network_policies.ingress_block_addresses(&probe.namespace) {
            if !self.ctx.internet.contains(&ip) {
                clients.push((
                    Endpoint::External(Address::Ip(ip)),
                    "a LoadBalancer Service with externalTrafficPolicy Local (a client of an ipBlock)",
                ));
            }
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
        for pod in self.workloads(&probe.namespace).iter() {
            for (source, how) in &clients {
                let exposure = Step::new(
                    Layer::Exposure,
                    Outcome::Allowed,
                    Vec::new(),
                    format!("the internet may reach namespace {} through {how}", probe.namespace),
                );
                let np = self.index.network_policies.ingress(self.env(), pod, source, Port::Any, Protocol::Tcp);
                paths.push((vec![exposure, np], None));
            }
        }
        self.combine(paths, probe.requested)
    }
}
