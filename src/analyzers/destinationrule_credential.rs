//! A DestinationRule `credentialName` that sidecars would ignore (A615, meshedge's own).
//!
//! Source: istio/istio 1.28.10 `pilot/pkg/networking/core/cluster_tls.go`
//! (`buildUpstreamClusterTLSContext`: for a sidecar, a SIMPLE or MUTUAL setting with a
//! `credentialName` other than a `configmap://` one in a DestinationRule without
//! `workloadSelector` yields no TLS context at all, so the sidecar connects in plain text;
//! 1.18.7 `cluster_builder.go` does the same). Only gateways read the credential.
//!
//! Reported when such a setting (at any level) is in a DestinationRule without
//! `workloadSelector` that is visible (`exportTo`: absent or `*` = every namespace, `.` = its
//! own) in a namespace that is not known to hold gateways only — a namespace of
//! [`super::Context::complete_namespaces`] whose known workloads are all gateway pods.

use std::collections::BTreeSet;

use super::Finding;
use super::index::Index;
use super::rules::SIDECAR_IGNORED_CREDENTIAL;

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    let gateway_only = |ns: &str| {
        index.complete_namespace(ns) && {
            let mut in_ns = index.workloads.iter().filter(|w| w.namespace == ns).peekable();
            in_ns.peek().is_some() && in_ns.all(|w| w.gateway)
        }
    };
    for dr in index.destination_rules.iter().filter(|dr| !dr.workload_selector) {
        let Some(tls) = dr.tls.iter().find(|t| {
            matches!(t.mode.as_str(), "SIMPLE" | "MUTUAL")
                && !t.credential_name.is_empty()
                && !t.credential_name.starts_with("configmap://")
        }) else {
            continue;
        };
        let ns = dr.meta.namespace.as_str();
        let seen_by = if dr.export_to.is_empty() || dr.export_to.iter().any(|e| e == "*") {
            "every namespace".to_string()
        } else {
            let visible: BTreeSet<&str> =
                dr.export_to.iter().filter(|e| **e != "~").map(|e| if *e == "." { ns } else { e }).collect();
            let sidecars: Vec<&str> = visible.into_iter().filter(|n| !gateway_only(n)).collect();
            if sidecars.is_empty() {
                continue;
            }
            format!("namespace {}", sidecars.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))
        };
        out.push(dr.meta.finding(
            &SIDECAR_IGNORED_CREDENTIAL,
            format!("{}/credentialName", tls.pointer),
            format!(
                "credentialName `{}` for `{}` has no workloadSelector and is visible to {seen_by}, whose sidecars ignore it and send that traffic without TLS",
                tls.credential_name, dr.host
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{Context, Workload};
    use serde_json::{Value, json};

    fn rule(ns: &str, export: Option<&[&str]>, selector: bool) -> Value {
        let mut spec = json!({"host": "api.partner.example", "trafficPolicy": {"portLevelSettings": [
            {"port": {"number": 443}, "tls": {"mode": "MUTUAL", "credentialName": "partner-client"}}]}});
        if let Some(e) = export {
            spec["exportTo"] = json!(e);
        }
        if selector {
            spec["workloadSelector"] = json!({"matchLabels": {"istio": "egressgateway"}});
        }
        dr(ns, "d", spec)
    }

    fn egress_namespace(complete: bool, extra: Option<Workload>) -> Context {
        let mut ctx = with_workloads(vec![workload("istio-egress", "egressgateway", &[("istio", "egressgateway")])]);
        ctx.workloads.extend(extra);
        if complete {
            ctx.complete_namespaces.insert("istio-egress".into());
        }
        ctx
    }

    #[test]
    fn credentials_visible_to_sidecars_are_reported() {
        let gateways = egress_namespace(true, None);
        assert!(only("A615", &[rule("istio-egress", Some(&["istio-egress"]), false)], &gateways).is_empty());
        assert!(only("A615", &[rule("istio-egress", Some(&["."]), false)], &gateways).is_empty());
        assert!(
            only("A615", &[rule("istio-egress", None, true)], &gateways).is_empty(),
            "a workloadSelector makes it gateway-only"
        );
        let found = only("A615", &[rule("istio-egress", None, false)], &gateways);
        assert_eq!(
            found,
            [("d".to_string(), "/spec/trafficPolicy/portLevelSettings/0/tls/credentialName".to_string())]
        );
        assert_eq!(
            only("A615", &[rule("istio-egress", Some(&["istio-egress", "payments"]), false)], &gateways).len(),
            1
        );
        assert_eq!(only("A615", &[rule("istio-egress", Some(&["*"]), false)], &gateways).len(), 1);
        assert!(only("A615", &[rule("istio-egress", Some(&["~"]), false)], &gateways).is_empty());
        let mut configmap = rule("istio-egress", None, false);
        configmap["spec"]["trafficPolicy"]["portLevelSettings"][0]["tls"]["credentialName"] = json!("configmap://ca");
        assert!(only("A615", &[configmap], &gateways).is_empty(), "sidecars read CA config maps");
    }

    #[test]
    fn a_namespace_is_gateway_only_when_known_complete_and_all_gateways() {
        let rule = || rule("istio-egress", Some(&["istio-egress"]), false);
        assert_eq!(only("A615", &[rule()], &egress_namespace(false, None)).len(), 1, "not known complete");
        let app = Workload { gateway: false, ..workload("istio-egress", "app", &[("app", "x")]) };
        assert_eq!(only("A615", &[rule()], &egress_namespace(true, Some(app))).len(), 1, "a sidecar workload there");
        let mut empty = Context::default();
        empty.complete_namespaces.insert("istio-egress".into());
        assert_eq!(only("A615", &[rule()], &empty).len(), 1, "no gateway there at all");
        // A gateway Deployment among the objects counts, by its injection template.
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "gw", "namespace": "istio-egress"},
            "spec": {"template": {"metadata": {"labels": {"istio": "egressgateway"}, "annotations": {"inject.istio.io/templates": "gateway"}}}}});
        assert!(only("A615", &[rule(), deployment], &empty).is_empty());
    }
}
