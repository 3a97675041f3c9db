//! Exposure: how the internet reaches a gateway's pods — an OpenShift Route through the router,
//! or a LoadBalancer Service — and which source the pods then see.
//!
//! Sources:
//! - Route (openshift/api `route/v1/types.go` @2a3d7391): `spec.to` names a Service of the
//!   Route's namespace; `port.targetPort` is a port of the pods behind it, a name being looked
//!   up among the endpoints' (the Service's) port names; a Route with `tls` serves HTTPS (443),
//!   and with `insecureEdgeTerminationPolicy: Redirect` answers HTTP with a redirect. The router
//!   connects to the endpoints (pods) directly, so the pods see the router as the source: a pod
//!   of `openshift-ingress`, or with the HostNetwork strategy the node
//!   (openshift/cluster-ingress-operator `pkg/manifests/assets/router/namespace.yaml`).
//! - Service (kubernetes/api `core/v1/types.go` @v0.29.0): a `LoadBalancer` (or `NodePort`)
//!   Service selects pods of its namespace by `selector`; `targetPort` is a number or a named
//!   container port; `externalTrafficPolicy: Local` keeps the client's address, the default
//!   `Cluster` SNATs it to a node (`ServiceSpec.ExternalTrafficPolicy`; OVN-Kubernetes
//!   `docs/design/service-traffic-policy.md` @6c366bb4).
//! - `external-dns.alpha.kubernetes.io/hostname` lists the names external-dns publishes for a
//!   LoadBalancer Service (kubernetes-sigs/external-dns annotation).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::ObjectRef;
use super::context::{Pod, Protocol};
use super::pod::numbered_ports;
use super::selector::{Labels, labels_of};

/// A port of a pod: a number or a container port's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodPort {
    Number(u16),
    Name(String),
}

impl PodPort {
    fn parse(value: &Value) -> Option<PodPort> {
        match value {
            Value::String(s) => match s.parse::<u16>() {
                Ok(n) => Some(PodPort::Number(n)),
                Err(_) => Some(PodPort::Name(s.clone())),
            },
            v => v.as_u64().and_then(|n| u16::try_from(n).ok()).map(PodPort::Number),
        }
    }

    /// The port number on a pod (`None` when the pod has no port of that name).
    pub fn on(&self, pod: &Pod) -> Option<u16> {
        match self {
            PodPort::Number(n) => Some(*n),
            PodPort::Name(name) => {
                pod.ports.iter().find(|p| p.name.as_deref() == Some(name.as_str())).map(|p| p.number)
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: u16,
    pub target: PodPort,
    pub protocol: Protocol,
}

/// A parsed Service.
#[derive(Debug, Clone)]
pub struct Service {
    pub reference: ObjectRef,
    pub namespace: String,
    pub name: String,
    pub kind: String,
    /// `None`: no selector (endpoints managed by hand).
    pub selector: Option<Labels>,
    pub ports: Vec<ServicePort>,
    pub preserves_source: bool,
    pub dns_names: BTreeSet<String>,
}

impl Service {
    pub fn parse(reference: ObjectRef, value: &Value) -> Service {
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let ports = numbered_ports(spec.get("ports"), "port")
            .map(|(p, port)| ServicePort {
                name: p.get("name").and_then(Value::as_str).map(str::to_string),
                port,
                // ServicePort.targetPort: defaults to the port.
                target: p.get("targetPort").and_then(PodPort::parse).unwrap_or(PodPort::Number(port)),
                protocol: p.get("protocol").and_then(Value::as_str).and_then(Protocol::parse).unwrap_or_default(),
            })
            .collect();
        let dns_names = value
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get("external-dns.alpha.kubernetes.io/hostname"))
            .and_then(Value::as_str)
            .map(|s| s.split(',').map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect())
            .unwrap_or_default();
        Service {
            namespace: reference.namespace.clone().unwrap_or_else(|| "default".to_string()),
            name: reference.name.clone(),
            kind: spec.get("type").and_then(Value::as_str).unwrap_or("ClusterIP").to_string(),
            selector: spec.get("selector").and_then(labels_of),
            ports,
            preserves_source: spec.get("externalTrafficPolicy").and_then(Value::as_str) == Some("Local"),
            dns_names,
            reference,
        }
    }

    /// Whether the Service's endpoints include the pod.
    pub fn selects(&self, pod: &Pod) -> bool {
        pod.namespace == self.namespace
            && self
                .selector
                .as_ref()
                .is_some_and(|s| !s.is_empty() && s.iter().all(|(k, v)| pod.labels.get(k) == Some(v)))
    }

    fn reachable_from_outside(&self) -> bool {
        matches!(self.kind.as_str(), "LoadBalancer" | "NodePort")
    }
}

/// A parsed Route.
#[derive(Debug, Clone)]
pub struct Route {
    pub reference: ObjectRef,
    pub namespace: String,
    pub host: String,
    pub services: Vec<String>,
    pub target: Option<PodPort>,
    pub tls: bool,
    /// `insecureEdgeTerminationPolicy`: `None`, `Allow`, `Redirect`.
    pub insecure: String,
}

impl Route {
    pub fn parse(reference: ObjectRef, value: &Value) -> Route {
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let mut services: Vec<String> = spec
            .get("to")
            .and_then(|t| t.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .into_iter()
            .collect();
        for alt in spec.get("alternateBackends").and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = alt.get("name").and_then(Value::as_str) {
                services.push(name.to_string());
            }
        }
        let tls = spec.get("tls").filter(|t| !t.is_null());
        Route {
            namespace: reference.namespace.clone().unwrap_or_default(),
            host: spec.get("host").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase(),
            services,
            target: spec.get("port").and_then(|p| p.get("targetPort")).and_then(PodPort::parse),
            tls: tls.is_some(),
            insecure: tls
                .and_then(|t| t.get("insecureEdgeTerminationPolicy"))
                .and_then(Value::as_str)
                .unwrap_or("None")
                .to_string(),
            reference,
        }
    }
}

/// Who connects to the pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// The OpenShift router.
    Router,
    /// An internet client through a load balancer; `preserved`: the pods see its own address
    /// (`externalTrafficPolicy: Local`), else a node's.
    Internet { preserved: bool },
}

/// One way in from the internet to some of the given pods.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The Route and Service, or the Service.
    pub objects: Vec<ObjectRef>,
    pub client: Client,
    /// The indexes (into the given pods) of the pods it reaches.
    pub pods: Vec<usize>,
    /// The pods' port.
    pub target: PodPort,
    /// The entry answers with a redirect (a Route's HTTP → HTTPS).
    pub redirect: bool,
    /// A note for messages (e.g. DNS not published).
    pub note: Option<String>,
}

/// Routes and Services, indexed by host and namespace.
#[derive(Debug, Clone, Default)]
pub struct Exposure {
    services: BTreeMap<(String, String), Service>,
    outside_by_namespace: BTreeMap<String, Vec<(String, String)>>,
    routes_by_host: BTreeMap<String, Vec<Route>>,
}

impl Exposure {
    pub fn new() -> Exposure {
        Exposure::default()
    }

    pub fn add_service(&mut self, service: Service) {
        let key = (service.namespace.clone(), service.name.clone());
        if service.reachable_from_outside() {
            self.outside_by_namespace.entry(service.namespace.clone()).or_default().push(key.clone());
        }
        // An object in the output replaces one the platform was modelled to create.
        self.services.insert(key, service);
    }

    pub fn add_route(&mut self, route: Route) {
        self.routes_by_host.entry(route.host.clone()).or_default().push(route);
    }

    pub fn service(&self, namespace: &str, name: &str) -> Option<&Service> {
        self.services.get(&(namespace.to_string(), name.to_string()))
    }

    /// The ways the internet reaches `pods` for `host` on `port` (443 or 80 for Routes; a
    /// Service port for load balancers).
    pub fn entries(&self, host: &str, port: u16, pods: &[&Pod]) -> Vec<Entry> {
        let host = host.to_ascii_lowercase();
        let mut out = Vec::new();
        for route in self.routes_by_host.get(&host).into_iter().flatten() {
            let (serves, redirect) = match (port, route.tls) {
                (443, true) => (true, false),
                (80, false) => (true, false),
                (80, true) => match route.insecure.as_str() {
                    "Allow" => (true, false),
                    "Redirect" => (true, true),
                    _ => (false, false),
                },
                _ => (false, false),
            };
            if !serves {
                continue;
            }
            for name in &route.services {
                let Some(service) = self.service(&route.namespace, name) else { continue };
                let reached: Vec<usize> =
                    pods.iter().enumerate().filter(|(_, p)| service.selects(p)).map(|(i, _)| i).collect();
                if reached.is_empty() {
                    continue;
                }
                let target = match &route.target {
                    // RoutePort.targetPort: a name is one of the endpoints' port names.
                    Some(PodPort::Name(n)) => {
                        service.ports.iter().find(|p| p.name.as_deref() == Some(n.as_str())).map(|p| p.target.clone())
                    }
                    Some(PodPort::Number(n)) => Some(PodPort::Number(*n)),
                    None => service.ports.first().map(|p| p.target.clone()),
                };
                let Some(target) = target else { continue };
                out.push(Entry {
                    objects: vec![route.reference.clone(), service.reference.clone()],
                    client: Client::Router,
                    pods: reached,
                    target,
                    redirect,
                    note: None,
                });
            }
        }
        let namespaces: BTreeSet<&str> = pods.iter().map(|p| p.namespace.as_str()).collect();
        for ns in namespaces {
            for key in self.outside_by_namespace.get(ns).into_iter().flatten() {
                let Some(service) = self.services.get(key) else { continue };
                let Some(service_port) = service.ports.iter().find(|p| p.port == port) else { continue };
                let reached: Vec<usize> =
                    pods.iter().enumerate().filter(|(_, p)| service.selects(p)).map(|(i, _)| i).collect();
                if reached.is_empty() {
                    continue;
                }
                let note = (!service.dns_names.is_empty() && !service.dns_names.contains(&host))
                    .then(|| format!("{host} is not among the DNS names of {}", service.reference));
                out.push(Entry {
                    objects: vec![service.reference.clone()],
                    client: Client::Internet { preserved: service.preserves_source },
                    pods: reached,
                    target: service_port.target.clone(),
                    redirect: false,
                    note,
                });
            }
        }
        out
    }

    /// The LoadBalancer and NodePort Services selecting any pod of `pods`.
    pub fn outside_services(&self, pods: &[&Pod]) -> Vec<&Service> {
        let namespaces: BTreeSet<&str> = pods.iter().map(|p| p.namespace.as_str()).collect();
        namespaces
            .into_iter()
            .flat_map(|ns| self.outside_by_namespace.get(ns).into_iter().flatten())
            .filter_map(|k| self.services.get(k))
            .filter(|s| pods.iter().any(|p| s.selects(p)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::flows::Origin;
    use crate::flows::context::ContainerPort;

    fn svc(ns: &str, name: &str, spec: Value) -> Service {
        let v = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns,
            "annotations": {"external-dns.alpha.kubernetes.io/hostname": "a.example,b.example"}}, "spec": spec});
        Service::parse(ObjectRef::of(&v, Origin::Output).unwrap(), &v)
    }

    fn route(ns: &str, host: &str, spec: Value) -> Route {
        let mut spec = spec;
        spec["host"] = json!(host);
        let v = json!({"apiVersion": "route.openshift.io/v1", "kind": "Route", "metadata": {"name": "r", "namespace": ns}, "spec": spec});
        Route::parse(ObjectRef::of(&v, Origin::Output).unwrap(), &v)
    }

    fn gw() -> Pod {
        Pod::new("edge", "gw", Labels::from([("istio".to_string(), "gw".to_string())]))
            .with_ports(vec![ContainerPort::tcp("https", 8443)])
    }

    #[test]
    fn a_route_reaches_the_pods_of_its_service_on_the_named_port() {
        let mut e = Exposure::new();
        e.add_service(svc(
            "edge",
            "gw",
            json!({"selector": {"istio": "gw"}, "ports": [{"name": "https", "port": 443, "targetPort": 8443}]}),
        ));
        e.add_route(route("edge", "a.example", json!({"to": {"kind": "Service", "name": "gw"}, "port": {"targetPort": "https"}, "tls": {"termination": "passthrough", "insecureEdgeTerminationPolicy": "Redirect"}})));
        let pod = gw();
        let entries = e.entries("a.example", 443, &[&pod]);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].client, Client::Router);
        assert_eq!(entries[0].target.on(&pod), Some(8443));
        assert!(e.entries("a.example", 80, &[&pod])[0].redirect);
        assert!(e.entries("b.example", 443, &[&pod]).is_empty());
        // A Route in another namespace reaches nothing.
        let mut other = Exposure::new();
        other.add_service(svc(
            "edge",
            "gw",
            json!({"selector": {"istio": "gw"}, "ports": [{"name": "https", "port": 443, "targetPort": 8443}]}),
        ));
        other.add_route(route("elsewhere", "a.example", json!({"to": {"kind": "Service", "name": "gw"}, "tls": {}})));
        assert!(other.entries("a.example", 443, &[&pod]).is_empty());
    }

    #[test]
    fn a_load_balancer_keeps_or_hides_the_client_address() {
        let pod = gw();
        for (policy, preserved) in [(json!("Local"), true), (json!(null), false), (json!("Cluster"), false)] {
            let mut e = Exposure::new();
            e.add_service(svc("edge", "gw", json!({"type": "LoadBalancer", "externalTrafficPolicy": policy, "selector": {"istio": "gw"}, "ports": [{"port": 443, "targetPort": "https"}]})));
            let entries = e.entries("a.example", 443, &[&pod]);
            assert_eq!(entries[0].client, Client::Internet { preserved });
            assert_eq!(entries[0].target.on(&pod), Some(8443));
            assert!(entries[0].note.is_none());
            assert!(e.entries("c.example", 443, &[&pod])[0].note.is_some(), "not a published DNS name");
        }
        let mut cluster_ip = Exposure::new();
        cluster_ip.add_service(svc("edge", "gw", json!({"selector": {"istio": "gw"}, "ports": [{"port": 443}]})));
        assert!(cluster_ip.entries("a.example", 443, &[&pod]).is_empty());
    }
}
