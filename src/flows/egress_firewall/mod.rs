//! Egress firewalls: OVN-Kubernetes `EgressFirewall` (`k8s.ovn.org/v1`) and OpenShift SDN
//! `EgressNetworkPolicy` (`network.openshift.io/v1`).
//!
//! OVN-Kubernetes (ovn-org/ovn-kubernetes @6c366bb4):
//! - `go-controller/pkg/crd/egressfirewall/v1/types.go`: traffic from a pod of the namespace to
//!   an address outside the cluster is checked against the rules in order; no match (or no
//!   object) allows it; a rule is `type: Allow|Deny` with exactly one destination
//!   (`cidrSelector`, `dnsName` or `nodeSelector`) and optional `ports`; a wildcard `dnsName`
//!   (`*.example.com`) matches exactly one more label.
//! - `dist/templates/k8s.ovn.org_egressfirewalls.yaml.j2`: the object must be named `default`;
//!   each port item needs both `port` and `protocol`.
//! - `go-controller/pkg/ovn/egressfirewall.go`: rule priority is the position (earlier wins;
//!   `createEgressFirewallACLOps`); at most 8,000 rules (`addEgressFirewall`,
//!   `go-controller/pkg/types/const.go`); an object with an invalid rule installs no rule at all
//!   (`addEgressFirewall` returns before creating ACLs); CIDR rules never match the cluster
//!   subnets (`getV4ClusterSubnetsExclusion`).
//! - `go-controller/pkg/util/egressfirewall.go` `ValidateAndGetEgressFirewallDestination`:
//!   wildcard names need the DNSNameResolver feature.
//!
//! OpenShift SDN (openshift/api `network/v1/types.go`, text before 4c9a161e; CRD
//! `network/v1/zz_generated.crd-manifests/004_egressnetworkpolicies.crd.yaml` @2a3d7391): the
//! same in-order, first-match, default-allow rules for traffic leaving the cluster, with no
//! `ports`, IPv4 `cidrSelector` only and no wildcard `dnsName`.
//!
//! Host names are matched by name (exact, or the one-label wildcard), not resolved; a CIDR rule
//! matches a host name only through the address family it stands for (see [`Address`]).

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;
use serde_json::Value;

use super::context::{NetworkPlugin, Protocol};
use super::net::{Address, Cidr};
use super::netpol::Port;
use super::selector::{Labels, Selector};
use super::{Layer, ObjectRef, Outcome, Step};

/// OVN-Kubernetes accepts at most this many rules (10000 − 2000 reserved priorities).
const MAX_OVN_RULES: usize = 8000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `k8s.ovn.org` EgressFirewall.
    Ovn,
    /// `network.openshift.io` EgressNetworkPolicy.
    Sdn,
}

#[derive(Debug, Clone)]
enum Target {
    Cidr(Cidr),
    Dns(String),
    Nodes(Selector),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Cidr(c) => write!(f, "{c}"),
            Target::Dns(d) => write!(f, "{d}"),
            Target::Nodes(_) => f.write_str("the selected nodes"),
        }
    }
}

#[derive(Debug, Clone)]
struct Rule {
    allow: bool,
    to: Target,
    ports: Vec<(u16, Protocol)>,
}

/// One parsed egress firewall object.
#[derive(Debug, Clone)]
pub struct Firewall {
    pub reference: ObjectRef,
    pub kind: Kind,
    rules: Vec<Rule>,
    /// Why the object is not in force (refused by its schema or by the controller).
    pub invalid: Option<String>,
}

/// Where traffic goes, as an egress firewall sees it.
#[derive(Debug, Clone, Copy)]
pub enum Destination<'a> {
    /// A host outside the cluster: its name when known, and its address (or the address family
    /// it stands for).
    External { name: Option<&'a str>, address: Address },
    /// A node of the cluster.
    Node { labels: &'a Labels, address: Option<Address> },
    /// A pod or service of the cluster network: never subject to an egress firewall.
    InCluster,
}

impl fmt::Display for Destination<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::External { name: Some(name), address } => write!(f, "{name} ({address})"),
            Destination::External { name: None, address } => write!(f, "{address}"),
            Destination::Node { .. } => f.write_str("a node"),
            Destination::InCluster => f.write_str("the cluster network"),
        }
    }
}

fn dns_pattern() -> Option<Regex> {
    // The CRD's dnsName pattern (types.go `DNSName`).
    Regex::new(r"^(\*\.)?([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+\.?$").ok()
}

fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn parse_rule(kind: Kind, value: &Value, dns_name_resolver: bool) -> Result<Rule, String> {
    let allow = match value.get("type").and_then(Value::as_str) {
        Some("Allow") => true,
        Some("Deny") => false,
        other => return Err(format!("rule type {other:?} is not Allow or Deny")),
    };
    let to = value.get("to").and_then(Value::as_object).ok_or("a rule needs `to`")?;
    let set: Vec<&str> = ["cidrSelector", "dnsName", "nodeSelector"]
        .into_iter()
        .filter(|k| to.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    if set.len() != 1 {
        return Err("`to` needs exactly one of cidrSelector, dnsName, nodeSelector".to_string());
    }
    let target = match set[0] {
        "cidrSelector" => {
            let cidr = Cidr::parse(to.get("cidrSelector").and_then(Value::as_str).unwrap_or_default())?;
            if kind == Kind::Sdn && !cidr.is_v4() {
                return Err(format!("cidrSelector {cidr} is not IPv4 (OpenShift SDN accepts IPv4 only)"));
            }
            Target::Cidr(cidr)
        }
        "dnsName" => {
            let name = to.get("dnsName").and_then(Value::as_str).unwrap_or_default();
            if !dns_pattern().is_some_and(|re| re.is_match(name)) {
                return Err(format!("dnsName {name:?} is not a DNS name"));
            }
            if name.starts_with("*.") {
                match kind {
                    Kind::Sdn => return Err(format!("dnsName {name:?}: OpenShift SDN has no wildcard names")),
                    Kind::Ovn if !dns_name_resolver => {
                        return Err(format!("wildcard dnsName {name:?} needs the DNSNameResolver feature"));
                    }
                    Kind::Ovn => {}
                }
            }
            Target::Dns(normalize(name))
        }
        _ => {
            if kind == Kind::Sdn {
                return Err("OpenShift SDN has no nodeSelector destination".to_string());
            }
            Target::Nodes(Selector::parse(to.get("nodeSelector"))?)
        }
    };
    let mut ports = Vec::new();
    if let Some(list) = value.get("ports").filter(|v| !v.is_null()) {
        if kind == Kind::Sdn {
            return Err("OpenShift SDN rules have no ports".to_string());
        }
        for item in list.as_array().ok_or("ports must be a list")? {
            let port = item
                .get("port")
                .and_then(Value::as_u64)
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p > 0)
                .ok_or("each port item needs a port from 1 to 65535")?;
            let protocol = item
                .get("protocol")
                .and_then(Value::as_str)
                .and_then(Protocol::parse)
                .ok_or("each port item needs a protocol (TCP, UDP or SCTP)")?;
            ports.push((port, protocol));
        }
    }
    Ok(Rule { allow, to: target, ports })
}

impl Firewall {
    /// Parses an EgressFirewall or EgressNetworkPolicy; one that its schema or controller would
    /// refuse is kept with [`Firewall::invalid`] set (it enforces nothing).
    pub fn parse(reference: ObjectRef, kind: Kind, value: &Value, dns_name_resolver: bool) -> Firewall {
        let mut firewall = Firewall { reference, kind, rules: Vec::new(), invalid: None };
        if kind == Kind::Ovn && firewall.reference.name != "default" {
            firewall.invalid =
                Some(format!("an EgressFirewall must be named default, not {:?}", firewall.reference.name));
            return firewall;
        }
        let rules = value.get("spec").and_then(|s| s.get("egress")).and_then(Value::as_array);
        let rules = rules.map(Vec::as_slice).unwrap_or_default();
        if kind == Kind::Ovn && rules.len() > MAX_OVN_RULES {
            firewall.invalid =
                Some(format!("{} rules are more than the {MAX_OVN_RULES} OVN-Kubernetes accepts", rules.len()));
            return firewall;
        }
        for (index, rule) in rules.iter().enumerate() {
            match parse_rule(kind, rule, dns_name_resolver) {
                Ok(rule) => firewall.rules.push(rule),
                Err(why) => {
                    firewall.invalid = Some(format!("rule {}: {why}", index + 1));
                    firewall.rules.clear();
                    return firewall;
                }
            }
        }
        firewall
    }
}

fn target_matches(target: &Target, destination: &Destination<'_>) -> bool {
    match (target, destination) {
        (Target::Cidr(cidr), Destination::External { address, .. }) => cidr.contains(address),
        (Target::Cidr(cidr), Destination::Node { address: Some(address), .. }) => cidr.contains(address),
        (Target::Dns(rule), Destination::External { name: Some(name), .. }) => {
            let name = normalize(name);
            match rule.strip_prefix("*.") {
                // One label, no more: "*.example.com" matches "a.example.com" only.
                Some(suffix) => name
                    .strip_suffix(suffix)
                    .and_then(|head| head.strip_suffix('.'))
                    .is_some_and(|label| !label.is_empty() && !label.contains('.')),
                None => name == *rule,
            }
        }
        (Target::Nodes(selector), Destination::Node { labels, .. }) => selector.matches(labels),
        _ => false,
    }
}

fn ports_match(ports: &[(u16, Protocol)], port: Port, protocol: Protocol) -> bool {
    ports.is_empty()
        || ports.iter().any(|(p, q)| {
            *q == protocol
                && match port {
                    Port::Any => true,
                    Port::Number(n) => n == *p,
                }
        })
}

/// The egress firewalls of the cluster, by namespace.
#[derive(Debug, Clone, Default)]
pub struct Firewalls {
    by_namespace: BTreeMap<String, Vec<Firewall>>,
}

impl Firewalls {
    pub fn new() -> Firewalls {
        Firewalls::default()
    }

    pub fn add(&mut self, firewall: Firewall) {
        let ns = firewall.reference.namespace.clone().unwrap_or_default();
        let list = self.by_namespace.entry(ns).or_default();
        list.push(firewall);
        list.sort_by(|a, b| a.reference.name.cmp(&b.reference.name));
    }

    /// Whether a pod of `namespace` may reach `destination` on `port`/`protocol`.
    pub fn check(
        &self,
        plugin: NetworkPlugin,
        cluster_networks: &[Cidr],
        namespace: &str,
        destination: &Destination<'_>,
        port: Port,
        protocol: Protocol,
    ) -> Step {
        let allowed = |by: Vec<ObjectRef>, why: String| Step::new(Layer::EgressFirewall, Outcome::Allowed, by, why);
        let in_cluster = match destination {
            Destination::InCluster => true,
            Destination::External { address: Address::Ip(ip), .. } => {
                cluster_networks.iter().any(|c| c.contains_ip(ip))
            }
            _ => false,
        };
        if in_cluster {
            return allowed(Vec::new(), "egress firewalls apply only to traffic leaving the cluster".to_string());
        }
        let enforced = match plugin {
            NetworkPlugin::OvnKubernetes => Some(Kind::Ovn),
            NetworkPlugin::OpenShiftSdn => Some(Kind::Sdn),
            NetworkPlugin::Other => None,
        };
        let all = self.by_namespace.get(namespace).map(Vec::as_slice).unwrap_or_default();
        // One object per namespace is in force: for OVN its name is fixed; OpenShift documents
        // one EgressNetworkPolicy per project, the first by name is read.
        let Some(firewall) = all.iter().find(|f| Some(f.kind) == enforced && f.invalid.is_none()) else {
            let ignored: Vec<String> = all
                .iter()
                .map(|f| match &f.invalid {
                    Some(why) if Some(f.kind) == enforced => format!("{} is not in force ({why})", f.reference),
                    _ => format!("{} is not enforced by this network plugin", f.reference),
                })
                .collect();
            let why = if ignored.is_empty() {
                format!("no egress firewall in namespace {namespace}")
            } else {
                format!("no egress firewall in force in namespace {namespace}: {}", ignored.join("; "))
            };
            return allowed(all.iter().filter(|f| f.invalid.is_some()).map(|f| f.reference.clone()).collect(), why);
        };
        for (index, rule) in firewall.rules.iter().enumerate() {
            if target_matches(&rule.to, destination) && ports_match(&rule.ports, port, protocol) {
                let (verdict, word) = if rule.allow { (Outcome::Allowed, "Allow") } else { (Outcome::Blocked, "Deny") };
                return Step::new(
                    Layer::EgressFirewall,
                    verdict,
                    vec![firewall.reference.clone()],
                    format!(
                        "rule {} of {} ({word} {}) is the first to match {destination} {protocol} {port}",
                        index + 1,
                        firewall.reference,
                        rule.to
                    ),
                );
            }
        }
        allowed(
            vec![firewall.reference.clone()],
            format!("no rule of {} matches {destination} {protocol} {port}", firewall.reference),
        )
    }
}

#[cfg(test)]
mod tests;
