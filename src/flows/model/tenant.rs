//! Between tenants: another tenant's workload calling a tenant's backend directly, and a
//! workload around its sidecar using an egress gateway for a host its namespace did not request.

use super::*;

/// `namespace/<from> → service/<namespace>/<service>:<port>`, around the gateways.
#[derive(Debug, Clone)]
pub struct TenantProbe {
    /// A namespace of another tenant.
    pub from: String,
    pub namespace: String,
    pub service: String,
    pub port: u16,
    /// The `:authority` values a caller may send: the Service's names and the public hosts
    /// routed to it (the caller chooses).
    pub authorities: Vec<String>,
}

/// `namespace/<namespace> → <host>` straight to the egress gateway's Service (`gateway`, a
/// cluster host name, on `port`), with the workload's mesh certificate but around its sidecar.
#[derive(Debug, Clone)]
pub struct BypassProbe {
    pub namespace: String,
    pub host: String,
    pub gateway: String,
    pub port: u16,
}

impl Model {
    /// [`TenantProbe`]: the NetworkPolicies between the two pods, then the backend's
    /// authorization for each `:authority`, with the caller's mesh identity and without one
    /// (a caller without a sidecar). Never requested: the most open variant counts.
    pub fn evaluate_tenant(&self, probe: &TenantProbe) -> Verdict {
        let destination = Destination {
            host: format!("{}.{}.svc.cluster.local", probe.service, probe.namespace),
            port: Some(probe.port),
            subset: None,
        };
        let (backends, label) = self.backend(&destination);
        let mut paths = Vec::new();
        for client in self.workloads(&probe.from).iter() {
            for (pod, pod_port) in &backends {
                let network = self.index.network_policies.connection(
                    self.env(),
                    &Endpoint::Pod(client),
                    &Endpoint::Pod(pod),
                    Port::Number(*pod_port),
                    Protocol::Tcp,
                );
                for authority in &probe.authorities {
                    for peer in [Peer::workload(client, &self.ctx.trust_domain), Peer::default()] {
                        let mut request = Request::new(authority, *pod_port, "/");
                        request.peer = peer;
                        let mut steps = network.clone();
                        steps.extend(self.authorize(pod, &request).steps);
                        paths.push((steps, Some(label.clone())));
                    }
                }
            }
        }
        self.combine(paths, false)
    }

    /// [`BypassProbe`]: the egress gateway's Service reached as a cluster Service with the
    /// workload's identity, then the gateway's servers, authorization and routes as for the
    /// sidecar's hop. Never requested.
    pub fn evaluate_bypass(&self, probe: &BypassProbe) -> Verdict {
        let hop = Destination { host: probe.gateway.clone(), port: Some(probe.port), subset: None };
        let egress = EgressProbe {
            namespace: probe.namespace.clone(),
            host: probe.host.clone(),
            port: probe.port,
            requested: false,
        };
        let mut paths = Vec::new();
        for client in self.workloads(&probe.namespace).iter() {
            let around = Step::new(
                Layer::Routing,
                Outcome::Allowed,
                Vec::new(),
                format!(
                    "a pod of {} whose traffic its sidecar does not redirect connects to {}:{} with its mesh certificate",
                    probe.namespace, probe.gateway, probe.port
                ),
            );
            paths.extend(self.via_gateway(client, &egress, &hop, vec![around]));
        }
        self.combine(paths, false)
    }
}
