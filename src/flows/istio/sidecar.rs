//! Sidecar resources: which one configures a workload's proxy, the hosts its egress listeners
//! import, and the outbound policy it sets.
//!
//! Sources (istio/api and istio/istio @1.24.3):
//! - `networking/v1alpha3/sidecar.proto`: `egress[].hosts` are `namespace/dnsName`, the
//!   namespace `*` (any), `.` (the Sidecar's own), `~` (none) or a name, the dnsName `*`, a
//!   left-most `*.` wildcard or exact; `outboundTrafficPolicy` overrides the mesh's;
//! - `pilot/pkg/model/sidecar.go` `convertToSidecarScope`: no egress listener means one with
//!   hosts `*/*`; the Sidecar's `outboundTrafficPolicy`, when set, replaces the mesh's;
//! - `pilot/pkg/model/push_context.go` `getSidecarScope`: a Sidecar of the workload's namespace
//!   whose `workloadSelector` labels the workload carries, those with selectors first, oldest
//!   first, else the namespace's Sidecar without a selector; a namespace without one takes the
//!   root namespace's Sidecar without a selector (`sidecarIndex.meshRootSidecarConfig`).
//!
//! The egress hosts narrow the sidecar's registry view; `exportTo` still applies.

use serde_json::Value;

use super::ObjectRef;
use super::fields::strings;
use super::hosts::host_matches;
use crate::flows::context::OutboundPolicy;
use crate::flows::selector::{Labels, labels_of};

/// A parsed Sidecar.
#[derive(Debug, Clone)]
pub struct Sidecar {
    pub reference: ObjectRef,
    pub namespace: String,
    /// `workloadSelector.labels`; `None`: every workload of the namespace.
    pub selector: Option<Labels>,
    /// The hosts of every egress listener (`*/*` without listeners).
    pub hosts: Vec<String>,
    /// `outboundTrafficPolicy.mode`, when set.
    pub outbound: Option<OutboundPolicy>,
}

impl Sidecar {
    pub fn parse(reference: ObjectRef, value: &Value) -> Sidecar {
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let selector = spec.get("workloadSelector").and_then(|s| s.get("labels")).and_then(labels_of);
        let listeners = spec.get("egress").and_then(Value::as_array).filter(|l| !l.is_empty());
        let hosts = match listeners {
            None => vec!["*/*".to_string()],
            Some(listeners) => listeners.iter().flat_map(|l| strings(l.get("hosts"))).collect(),
        };
        let outbound = match spec.pointer("/outboundTrafficPolicy/mode").and_then(Value::as_str) {
            Some("REGISTRY_ONLY") => Some(OutboundPolicy::RegistryOnly),
            Some("ALLOW_ANY") => Some(OutboundPolicy::AllowAny),
            _ => None,
        };
        Sidecar {
            namespace: reference.namespace.clone().unwrap_or_default(),
            reference,
            selector: selector.filter(|s| !s.is_empty()),
            hosts,
            outbound,
        }
    }

    /// Whether an egress host of the Sidecar imports `host` declared in namespace `namespace`.
    pub fn imports(&self, namespace: &str, host: &str) -> bool {
        self.hosts.iter().any(|entry| {
            let (ns, dns) = entry.split_once('/').unwrap_or(("*", entry.as_str()));
            let ns_ok = match ns {
                "*" => true,
                "~" => false,
                "." => namespace == self.namespace,
                other => other == namespace,
            };
            ns_ok && host_matches(dns, host)
        })
    }
}

/// The Sidecar that configures the proxy of a workload with `labels` in `namespace`, among
/// `sidecars` (in creation order), with `root` the mesh's root namespace.
pub fn sidecar_for<'a>(sidecars: &'a [Sidecar], namespace: &str, labels: &Labels, root: &str) -> Option<&'a Sidecar> {
    let own = || sidecars.iter().filter(|s| s.namespace == namespace);
    own()
        .find(|s| s.selector.as_ref().is_some_and(|sel| sel.iter().all(|(k, v)| labels.get(k) == Some(v))))
        .or_else(|| own().find(|s| s.selector.is_none()))
        .or_else(|| sidecars.iter().find(|s| s.namespace == root && s.selector.is_none()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::flows::Origin;

    fn sidecar(ns: &str, name: &str, spec: Value) -> Sidecar {
        let v = json!({"apiVersion": "networking.istio.io/v1", "kind": "Sidecar", "metadata": {"name": name, "namespace": ns}, "spec": spec});
        Sidecar::parse(ObjectRef::of(&v, Origin::Output).unwrap(), &v)
    }

    #[test]
    fn egress_hosts_import_by_namespace_and_name() {
        let s = sidecar(
            "shop",
            "s",
            json!({"egress": [{"hosts": ["./*", "istio-egress/api.stripe.com", "*/*.partner.example"]}]}),
        );
        assert!(s.imports("shop", "anything.example"));
        assert!(s.imports("istio-egress", "api.stripe.com"));
        assert!(!s.imports("istio-egress", "api.other.com"));
        assert!(s.imports("x", "feeds.partner.example"));
        let none = sidecar("shop", "n", json!({"egress": [{"hosts": ["~/*"]}]}));
        assert!(!none.imports("shop", "a"));
        let all = sidecar("shop", "a", json!({"outboundTrafficPolicy": {"mode": "ALLOW_ANY"}}));
        assert!(all.imports("elsewhere", "a.b"), "no listener: */*");
        assert_eq!(all.outbound, Some(OutboundPolicy::AllowAny));
    }

    #[test]
    fn a_selected_sidecar_wins_over_the_namespace_one_and_the_root_one() {
        let sidecars = vec![
            sidecar("istio-system", "root", json!({})),
            sidecar("shop", "ns", json!({})),
            sidecar("shop", "api", json!({"workloadSelector": {"labels": {"app": "api"}}})),
        ];
        let labels = |v: &str| Labels::from([("app".to_string(), v.to_string())]);
        let pick = |ns: &str, app: &str| {
            sidecar_for(&sidecars, ns, &labels(app), "istio-system").map(|s| s.reference.name.clone())
        };
        assert_eq!(pick("shop", "api").as_deref(), Some("api"));
        assert_eq!(pick("shop", "web").as_deref(), Some("ns"));
        assert_eq!(pick("docs", "web").as_deref(), Some("root"));
    }
}
