use serde_json::json;

use super::*;
use crate::flows::Origin;

fn firewall(kind: Kind, name: &str, rules: Value, resolver: bool) -> Firewalls {
    let api = match kind {
        Kind::Ovn => "k8s.ovn.org/v1",
        Kind::Sdn => "network.openshift.io/v1",
    };
    let k = match kind {
        Kind::Ovn => "EgressFirewall",
        Kind::Sdn => "EgressNetworkPolicy",
    };
    let v =
        json!({"apiVersion": api, "kind": k, "metadata": {"name": name, "namespace": "t"}, "spec": {"egress": rules}});
    let mut all = Firewalls::new();
    all.add(Firewall::parse(ObjectRef::of(&v, Origin::Output).unwrap(), kind, &v, resolver));
    all
}

fn host(name: &str) -> Destination<'_> {
    Destination::External { name: Some(name), address: Address::AnyV4 }
}

fn check(f: &Firewalls, plugin: NetworkPlugin, d: &Destination<'_>, port: u16) -> Outcome {
    f.check(plugin, &[], "t", d, Port::Number(port), Protocol::Tcp).verdict
}

#[test]
fn first_match_wins() {
    let f = firewall(
        Kind::Ovn,
        "default",
        json!([{"type": "Allow", "to": {"dnsName": "feeds.example"}}, {"type": "Deny", "to": {"cidrSelector": "0.0.0.0/0"}}]),
        false,
    );
    assert_eq!(check(&f, NetworkPlugin::OvnKubernetes, &host("feeds.example"), 443), Outcome::Allowed);
    assert_eq!(check(&f, NetworkPlugin::OvnKubernetes, &host("FEEDS.example."), 443), Outcome::Allowed);
    assert_eq!(check(&f, NetworkPlugin::OvnKubernetes, &host("other.example"), 443), Outcome::Blocked);
    // The v6 family is not covered by 0.0.0.0/0.
    let v6 = Destination::External { name: Some("other.example"), address: Address::AnyV6 };
    assert_eq!(check(&f, NetworkPlugin::OvnKubernetes, &v6, 443), Outcome::Allowed);
}

#[test]
fn only_the_plugins_own_kind_is_enforced() {
    let f = firewall(Kind::Ovn, "default", json!([{"type": "Deny", "to": {"cidrSelector": "0.0.0.0/0"}}]), false);
    assert_eq!(check(&f, NetworkPlugin::OpenShiftSdn, &host("x.example"), 443), Outcome::Allowed);
    assert_eq!(check(&f, NetworkPlugin::Other, &host("x.example"), 443), Outcome::Allowed);
    assert_eq!(check(&f, NetworkPlugin::OvnKubernetes, &host("x.example"), 443), Outcome::Blocked);
}

#[test]
fn cluster_destinations_are_never_filtered() {
    let f = firewall(Kind::Ovn, "default", json!([{"type": "Deny", "to": {"cidrSelector": "0.0.0.0/0"}}]), false);
    assert_eq!(check(&f, NetworkPlugin::OvnKubernetes, &Destination::InCluster, 443), Outcome::Allowed);
    let pod_net = [Cidr::parse("10.128.0.0/14").unwrap()];
    let pod = Destination::External { name: None, address: Address::Ip("10.128.2.7".parse().unwrap()) };
    assert_eq!(
        f.check(NetworkPlugin::OvnKubernetes, &pod_net, "t", &pod, Port::Number(8443), Protocol::Tcp).verdict,
        Outcome::Allowed
    );
}

#[test]
fn ports_need_port_and_protocol() {
    let f = firewall(
        Kind::Ovn,
        "default",
        json!([{"type": "Deny", "to": {"cidrSelector": "0.0.0.0/0"}, "ports": [{"port": 443}]}]),
        false,
    );
    assert!(
        check(&f, NetworkPlugin::OvnKubernetes, &host("x.example"), 443) == Outcome::Allowed,
        "refused object enforces nothing"
    );
    let f = firewall(
        Kind::Ovn,
        "default",
        json!([{"type": "Deny", "to": {"cidrSelector": "0.0.0.0/0"}, "ports": [{"port": 443, "protocol": "TCP"}]}]),
        false,
    );
    assert_eq!(check(&f, NetworkPlugin::OvnKubernetes, &host("x.example"), 443), Outcome::Blocked);
    assert_eq!(check(&f, NetworkPlugin::OvnKubernetes, &host("x.example"), 80), Outcome::Allowed);
    assert_eq!(
        f.check(NetworkPlugin::OvnKubernetes, &[], "t", &host("x.example"), Port::Number(443), Protocol::Udp).verdict,
        Outcome::Allowed
    );
}

#[test]
fn one_invalid_rule_disables_the_whole_object() {
    let f = firewall(
        Kind::Ovn,
        "default",
        json!([{"type": "Deny", "to": {"cidrSelector": "0.0.0.0/0"}}, {"type": "Deny", "to": {"cidrSelector": "bad"}}]),
        false,
    );
    let step = f.check(NetworkPlugin::OvnKubernetes, &[], "t", &host("x.example"), Port::Number(443), Protocol::Tcp);
    assert_eq!(step.verdict, Outcome::Allowed);
    assert_eq!(step.decided_by.len(), 1, "the refused object is named");
}

#[test]
fn wildcards_need_the_resolver_and_match_one_label() {
    let rules = json!([{"type": "Allow", "to": {"dnsName": "*.example.com"}}, {"type": "Deny", "to": {"cidrSelector": "0.0.0.0/0"}}]);
    let without = firewall(Kind::Ovn, "default", rules.clone(), false);
    assert_eq!(check(&without, NetworkPlugin::OvnKubernetes, &host("x.other"), 443), Outcome::Allowed, "not installed");
    let with = firewall(Kind::Ovn, "default", rules, true);
    assert_eq!(check(&with, NetworkPlugin::OvnKubernetes, &host("sub1.example.com"), 443), Outcome::Allowed);
    assert_eq!(check(&with, NetworkPlugin::OvnKubernetes, &host("sub2.sub1.example.com"), 443), Outcome::Blocked);
    assert_eq!(check(&with, NetworkPlugin::OvnKubernetes, &host("example.com"), 443), Outcome::Blocked);
}

#[test]
fn ovn_accepts_at_most_8000_rules() {
    let rule = json!({"type": "Deny", "to": {"cidrSelector": "0.0.0.0/0"}});
    let at_limit = firewall(Kind::Ovn, "default", Value::Array(vec![rule.clone(); 8000]), false);
    assert_eq!(check(&at_limit, NetworkPlugin::OvnKubernetes, &host("x.example"), 443), Outcome::Blocked);
    let over = firewall(Kind::Ovn, "default", Value::Array(vec![rule; 8001]), false);
    assert_eq!(check(&over, NetworkPlugin::OvnKubernetes, &host("x.example"), 443), Outcome::Allowed);
}

#[test]
fn sdn_is_ipv4_only_without_ports() {
    let v6 = firewall(Kind::Sdn, "any", json!([{"type": "Deny", "to": {"cidrSelector": "::/0"}}]), false);
    assert_eq!(check(&v6, NetworkPlugin::OpenShiftSdn, &host("x.example"), 443), Outcome::Allowed);
    let ports = firewall(
        Kind::Sdn,
        "any",
        json!([{"type": "Deny", "to": {"cidrSelector": "0.0.0.0/0"}, "ports": [{"port": 1, "protocol": "TCP"}]}]),
        false,
    );
    assert_eq!(check(&ports, NetworkPlugin::OpenShiftSdn, &host("x.example"), 443), Outcome::Allowed);
    let ok = firewall(Kind::Sdn, "any-name", json!([{"type": "Deny", "to": {"cidrSelector": "0.0.0.0/0"}}]), false);
    assert_eq!(check(&ok, NetworkPlugin::OpenShiftSdn, &host("x.example"), 443), Outcome::Blocked);
}
