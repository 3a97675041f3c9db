//! A Gateway port that the Services in front of the gateway pods do not expose (A620, IST0162).
//!
//! Source: istio/istio 1.28.10 `pkg/config/analysis/analyzers/gateway/gateway.go`
//! (`IngressGatewayPortAnalyzer`).
//!
//! For the workloads the Gateway's selector picks, the Services of each workload's namespace
//! that select it contribute their TCP ports: the numeric `targetPort`, or `port` when the
//! target is named or absent, and also `port` itself. A server port that is none of them gets no
//! traffic. A port without `protocol` is TCP (the API server's default; Istio's offline analysis
//! reads files undefaulted and ignores such ports). A Service with an empty selector selects no
//! pods (Kubernetes: its endpoints are managed elsewhere).
//!
//! Skipped, unlike Istio, when meshedge knows no workload the Gateway selects (Istio then
//! reports IST0101 `selector`) or no Service in front of them (a control plane creates its
//! gateways' Services itself): meshedge does not guess which ports those expose.

use std::collections::{BTreeMap, BTreeSet};

use super::Finding;
use super::index::{Index, Labels, selects};
use super::rules::GATEWAY_PORT_NOT_ON_SERVICE;

/// The ports the Services in front of the pods `selector` picks expose, and how many Services
/// those are.
fn exposed_to(index: &Index, selector: &Labels) -> (BTreeSet<u64>, usize) {
    let mut exposed: BTreeSet<u64> = BTreeSet::new();
    let mut services = 0;
    for workload in index.selected(selector) {
        for svc in index.services.iter().filter(|s| s.meta.namespace == workload.namespace) {
            let Some(selector) = svc.selector.as_ref().filter(|s| !s.is_empty()) else { continue };
            if !selects(selector, &workload.labels) {
                continue;
            }
            services += 1;
            for port in svc.ports.iter().filter(|p| p.protocol == "TCP") {
                exposed.insert(port.port);
                if port.target_port != 0 {
                    exposed.insert(port.target_port);
                }
            }
        }
    }
    (exposed, services)
}

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    // Gateways of one workload share their selector: each selector is looked up once.
    let mut by_selector: BTreeMap<&Labels, (BTreeSet<u64>, usize)> = BTreeMap::new();
    for gateway in &index.gateways {
        let (exposed, services) =
            by_selector.entry(&gateway.selector).or_insert_with(|| exposed_to(index, &gateway.selector));
        if *services == 0 {
            continue;
        }
        for server in &gateway.servers {
            let Some(port) = server.port else { continue };
            if !exposed.contains(&port) {
                out.push(gateway.meta.finding(
                    &GATEWAY_PORT_NOT_ON_SERVICE,
                    format!("/spec/servers/{}/port/number", server.index),
                    format!(
                        "port {port} is exposed by no Service in front of the gateway's pods (they expose {})",
                        exposed.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Context;
    use super::super::testing::*;
    use serde_json::{Value, json};

    fn gateway_service(ns: &str, selector: Value, ports: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "gw", "namespace": ns},
            "spec": {"selector": selector, "ports": ports}})
    }

    fn gw(ports: &[u64]) -> Value {
        let servers: Vec<Value> = ports.iter().map(|p| server(*p, &["x.com"])).collect();
        gateway("istio-ingress", "g", json!({"istio": "ingressgateway"}), json!(servers))
    }

    fn pods() -> Context {
        with_workloads(vec![workload("istio-ingress", "ingressgateway", &[("istio", "ingressgateway")])])
    }

    #[test]
    fn server_ports_must_be_service_or_target_ports() {
        let svc = gateway_service(
            "istio-ingress",
            json!({"istio": "ingressgateway"}),
            json!([{"name": "http2", "port": 80, "targetPort": 8080}, {"name": "https", "port": 443, "targetPort": 8443, "protocol": "TCP"},
                   {"name": "named", "port": 9000, "targetPort": "web"}, {"name": "dns", "port": 53, "protocol": "UDP"}]),
        );
        let found = only("A620", &[gw(&[80, 8443, 9000, 53, 8081]), svc], &pods());
        assert_eq!(
            found,
            [
                ("g".to_string(), "/spec/servers/3/port/number".to_string()),
                ("g".into(), "/spec/servers/4/port/number".into())
            ],
            "53 is UDP, 8081 nowhere"
        );
    }

    #[test]
    fn unknown_pods_or_services_are_not_guessed() {
        let svc = gateway_service("istio-ingress", json!({"istio": "ingressgateway"}), json!([{"port": 80}]));
        assert!(run(&[gw(&[8081]), svc.clone()], &Context::default()).is_empty(), "no workload known");
        assert!(run(&[gw(&[8081])], &pods()).is_empty(), "no Service known");
        let elsewhere = gateway_service("other", json!({"istio": "ingressgateway"}), json!([{"port": 80}]));
        assert!(run(&[gw(&[8081]), elsewhere], &pods()).is_empty(), "Services select pods of their namespace only");
        let empty = gateway_service("istio-ingress", json!({}), json!([{"port": 80}]));
        assert!(run(&[gw(&[8081]), empty], &pods()).is_empty(), "an empty selector selects nothing");
        assert_eq!(only("A620", &[gw(&[8081]), svc], &pods()).len(), 1);
    }
}
