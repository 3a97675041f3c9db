use serde_json::{Value, json};

use super::*;
use crate::flows::context::{ContainerPort, Network, Pod, Protocol};
use crate::flows::net::Address;
use crate::flows::selector::Labels;
use crate::flows::{ObjectRef, Origin};

fn policies(values: &[Value]) -> Policies {
    let mut out = Policies::new();
    for v in values {
        out.add(Policy::parse(ObjectRef::of(v, Origin::Output).unwrap(), v).unwrap());
    }
    out
}

fn np(ns: &str, name: &str, spec: Value) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec})
}

fn pod(ns: &str, labels: &[(&str, &str)]) -> Pod {
    Pod::new(ns, "p", labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn env<'a>(namespaces: &'a Namespaces, network: &'a Network) -> Env<'a> {
    Env { namespaces, network }
}

fn ip(s: &str) -> Endpoint<'static> {
    Endpoint::External(Address::Ip(s.parse().unwrap()))
}

#[test]
fn policy_types_default_to_ingress_plus_egress_when_egress_rules_exist() {
    let ps = policies(&[np(
        "a",
        "only-egress-rules",
        json!({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}),
    )]);
    let (ns, net) = (Namespaces::new(), Network::kubernetes());
    let p = pod("a", &[]);
    let other = pod("b", &[]);
    assert_eq!(
        ps.ingress(env(&ns, &net), &p, &Endpoint::Pod(&other), Port::Number(80), Protocol::Tcp).verdict,
        Outcome::Blocked
    );
    assert_eq!(
        ps.egress(env(&ns, &net), &p, &ip("10.1.1.1"), Port::Number(80), Protocol::Tcp).verdict,
        Outcome::Allowed
    );
    assert_eq!(
        ps.egress(env(&ns, &net), &p, &ip("192.0.2.1"), Port::Number(80), Protocol::Tcp).verdict,
        Outcome::Blocked
    );
    // Without an egress section, egress is not isolated.
    let ingress_only = policies(&[np("a", "i", json!({"podSelector": {}}))]);
    assert_eq!(
        ingress_only.egress(env(&ns, &net), &p, &ip("192.0.2.1"), Port::Number(80), Protocol::Tcp).verdict,
        Outcome::Allowed
    );
}

#[test]
fn explicit_policy_types_isolate_without_rules() {
    let ps = policies(&[np("a", "deny-egress", json!({"podSelector": {}, "policyTypes": ["Egress"]}))]);
    let (ns, net) = (Namespaces::new(), Network::kubernetes());
    let p = pod("a", &[]);
    assert_eq!(ps.egress(env(&ns, &net), &p, &ip("192.0.2.1"), Port::Any, Protocol::Tcp).verdict, Outcome::Blocked);
    assert_eq!(ps.ingress(env(&ns, &net), &p, &ip("192.0.2.1"), Port::Any, Protocol::Tcp).verdict, Outcome::Allowed);
}

#[test]
fn policies_only_add_allows() {
    let deny = np("a", "deny", json!({"podSelector": {}, "policyTypes": ["Ingress"]}));
    let allow = np("a", "allow", json!({"podSelector": {}, "ingress": [{"ports": [{"port": 8080}]}]}));
    let ps = policies(&[deny, allow]);
    let (ns, net) = (Namespaces::new(), Network::kubernetes());
    let step = ps.ingress(env(&ns, &net), &pod("a", &[]), &ip("198.51.100.1"), Port::Number(8080), Protocol::Tcp);
    assert_eq!(step.verdict, Outcome::Allowed);
    assert_eq!(step.decided_by.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["allow"]);
    let step = ps.ingress(env(&ns, &net), &pod("a", &[]), &ip("198.51.100.1"), Port::Number(8081), Protocol::Tcp);
    assert_eq!(step.verdict, Outcome::Blocked);
    assert_eq!(step.decided_by.len(), 2, "every isolating policy decides a block");
}

#[test]
fn a_policy_selects_only_pods_of_its_namespace() {
    let ps = policies(&[np("a", "deny", json!({"podSelector": {}}))]);
    let (ns, net) = (Namespaces::new(), Network::kubernetes());
    assert_eq!(
        ps.ingress(env(&ns, &net), &pod("b", &[]), &ip("198.51.100.1"), Port::Any, Protocol::Tcp).verdict,
        Outcome::Allowed
    );
}

#[test]
fn named_ports_resolve_on_the_destination_pod() {
    let ps = policies(&[np("a", "named", json!({"podSelector": {}, "ingress": [{"ports": [{"port": "https"}]}]}))]);
    let (ns, net) = (Namespaces::new(), Network::kubernetes());
    let gw = pod("a", &[]).with_ports(vec![ContainerPort::tcp("https", 8443)]);
    let bare = pod("a", &[]);
    let src = ip("198.51.100.1");
    assert_eq!(ps.ingress(env(&ns, &net), &gw, &src, Port::Number(8443), Protocol::Tcp).verdict, Outcome::Allowed);
    assert_eq!(ps.ingress(env(&ns, &net), &gw, &src, Port::Number(443), Protocol::Tcp).verdict, Outcome::Blocked);
    assert_eq!(ps.ingress(env(&ns, &net), &gw, &src, Port::Number(8443), Protocol::Udp).verdict, Outcome::Blocked);
    assert_eq!(ps.ingress(env(&ns, &net), &bare, &src, Port::Number(8443), Protocol::Tcp).verdict, Outcome::Blocked);
    // Egress to an address outside the cluster: a named port never matches.
    let eg = policies(&[np(
        "a",
        "named",
        json!({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"ports": [{"port": "https"}]}]}),
    )]);
    assert_eq!(eg.egress(env(&ns, &net), &gw, &src, Port::Number(8443), Protocol::Tcp).verdict, Outcome::Blocked);
    assert_eq!(
        eg.egress(env(&ns, &net), &bare, &Endpoint::Pod(&gw), Port::Number(8443), Protocol::Tcp).verdict,
        Outcome::Allowed
    );
}

#[test]
fn protocol_defaults_to_tcp() {
    let ps = policies(&[np("a", "p", json!({"podSelector": {}, "ingress": [{"ports": [{"port": 53}]}]}))]);
    let (ns, net) = (Namespaces::new(), Network::kubernetes());
    let src = ip("198.51.100.1");
    assert_eq!(
        ps.ingress(env(&ns, &net), &pod("a", &[]), &src, Port::Number(53), Protocol::Tcp).verdict,
        Outcome::Allowed
    );
    assert_eq!(
        ps.ingress(env(&ns, &net), &pod("a", &[]), &src, Port::Number(53), Protocol::Udp).verdict,
        Outcome::Blocked
    );
}

#[test]
fn node_traffic_matches_namespace_only_peers_of_the_host_network_namespace() {
    let peers = json!({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {}}]}]});
    let with_pods = json!({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {}}]}]});
    let mut ns = Namespaces::new();
    ns.add("openshift-host-network", &Labels::new());
    let ovn = Network::openshift_ovn();
    let other = Network::kubernetes();
    let gw = pod("a", &[]);
    let node = Endpoint::Node(None);
    let ps = policies(&[np("a", "ns-only", peers)]);
    assert_eq!(ps.ingress(env(&ns, &ovn), &gw, &node, Port::Any, Protocol::Tcp).verdict, Outcome::Allowed);
    assert_eq!(ps.ingress(env(&ns, &other), &gw, &node, Port::Any, Protocol::Tcp).verdict, Outcome::Blocked);
    let ps = policies(&[np("a", "pod-based", with_pods)]);
    assert_eq!(ps.ingress(env(&ns, &ovn), &gw, &node, Port::Any, Protocol::Tcp).verdict, Outcome::Blocked);
}

#[test]
fn unknown_addresses_match_only_whole_family_blocks() {
    let ps = policies(&[np(
        "a",
        "p",
        json!({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]}]}),
    )]);
    let (ns, net) = (Namespaces::new(), Network::kubernetes());
    let p = pod("a", &[]);
    assert_eq!(
        ps.egress(env(&ns, &net), &p, &Endpoint::External(Address::AnyV4), Port::Any, Protocol::Tcp).verdict,
        Outcome::Allowed
    );
    assert_eq!(
        ps.egress(env(&ns, &net), &p, &Endpoint::External(Address::AnyV6), Port::Any, Protocol::Tcp).verdict,
        Outcome::Blocked
    );
    assert_eq!(ps.egress(env(&ns, &net), &p, &ip("10.2.3.4"), Port::Any, Protocol::Tcp).verdict, Outcome::Blocked);
}

#[test]
fn refused_policies_do_not_parse() {
    for spec in [
        json!({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]}),
        json!({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/16"]}}]}]}),
        json!({"podSelector": {}, "ingress": [{"ports": [{"port": "https", "endPort": 9000}]}]}),
        json!({"podSelector": {}, "ingress": [{"ports": [{"port": 9000, "endPort": 80}]}]}),
        json!({"podSelector": {}, "ingress": [{"ports": [{"port": 80, "protocol": "ICMP"}]}]}),
        json!({"podSelector": {}, "ingress": [{"from": [{}]}]}),
        json!({"podSelector": {}, "policyTypes": ["Both"]}),
    ] {
        let v = np("a", "bad", spec.clone());
        assert!(Policy::parse(ObjectRef::of(&v, Origin::Output).unwrap(), &v).is_err(), "{spec}");
    }
}
