//! Routing on JWT claims at a gateway whose pods no RequestAuthentication selects (A607,
//! IST0149).
//!
//! Source: istio/istio 1.28.10 `pkg/config/analysis/analyzers/virtualservice/jwtclaimroute.go`
//! and `pkg/jwt/routing.go` (`ToRoutingClaim`).
//!
//! - The claim key is the first `http[].match[]` header key (`headers`, then `withoutHeaders`)
//!   that starts with `@request.auth.claims` (ASCII case ignored) followed by `.name` (at least
//!   one character) or `[name]`; a bare `@request.auth.claims` is no claim.
//! - For each referenced Gateway that exists (a missing one is A601's), each workload the
//!   Gateway's selector picks needs a RequestAuthentication whose `selector.matchLabels` (absent:
//!   every pod) selects it, from `istio-system` or the workload's own namespace — where Istio's
//!   analyzer looks — or from the mesh root namespace, whose policies apply to every workload
//!   (this only removes findings where the root namespace is not `istio-system`).
//! - Workloads are those meshedge knows (pod templates among the objects, gateway pods the
//!   control plane declares). With none, nothing is reported: Istio's offline analysis invents a
//!   default ingress pod instead.

use super::Finding;
use super::index::{Index, gateway_reference, selects};
use super::rules::JWT_CLAIMS_WITHOUT_AUTHN;

const CLAIMS: &str = "@request.auth.claims";

/// Whether a header name routes on a JWT claim.
pub fn is_claim(header: &str) -> bool {
    let Some(prefix) = header.get(..CLAIMS.len()) else { return false };
    if !prefix.eq_ignore_ascii_case(CLAIMS) {
        return false;
    }
    let rest = &header[CLAIMS.len()..];
    (rest.starts_with('.') && rest.len() > 1) || (rest.starts_with('[') && rest.ends_with(']') && rest.len() > 2)
}

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    for vs in &index.virtual_services {
        let Some((claim, pointer)) = vs.match_headers.iter().find(|(k, _)| is_claim(k)) else { continue };
        let ns = vs.meta.namespace.as_str();
        for reference in vs.gateways.iter().filter(|g| **g != "mesh") {
            let (gns, gname) = gateway_reference(ns, reference);
            let Some(gateway) = index.gateway(gns, gname) else { continue };
            for workload in index.selected(&gateway.selector) {
                let namespaces = ["istio-system", index.root_namespace(), workload.namespace.as_str()];
                let covered = index.request_authentications.iter().any(|ra| {
                    namespaces.contains(&ra.meta.namespace.as_str())
                        && ra.selector.as_ref().is_none_or(|s| selects(s, &workload.labels))
                });
                if !covered {
                    let mut finding = vs.meta.finding(
                        &JWT_CLAIMS_WITHOUT_AUTHN,
                        pointer.clone(),
                        format!(
                            "routes on JWT claim `{claim}` at gateway `{gns}/{gname}`, but no RequestAuthentication selects its pods `{}/{}`",
                            workload.namespace, workload.name
                        ),
                    );
                    finding.related.push(gateway.meta.object.clone());
                    out.push(finding);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{Context, Workload};
    use super::is_claim;
    use serde_json::{Value, json};

    #[test]
    fn claim_keys_follow_istio_grammar() {
        for yes in [
            "@request.auth.claims.foo",
            "@request.auth.claims.a.b",
            "@REQUEST.auth.claims[groups]",
            "@request.auth.claims[a][b]",
        ] {
            assert!(is_claim(yes), "{yes}");
        }
        for no in [
            "@request.auth.claims",
            "@request.auth.claims.",
            "@request.auth.claims[]",
            "@request.auth.claimsx",
            "x-claims",
            "@request.auth",
        ] {
            assert!(!is_claim(no), "{no}");
        }
    }

    fn ra(ns: &str, name: &str, selector: Option<Value>) -> Value {
        let mut spec = json!({"jwtRules": [{"issuer": "https://issuer"}]});
        if let Some(s) = selector {
            spec["selector"] = json!({"matchLabels": s});
        }
        json!({"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication",
            "metadata": {"name": name, "namespace": ns}, "spec": spec})
    }

    fn routing(header_field: &str, key: &str, gateways: &[&str]) -> Value {
        vs(
            "shop",
            "foo",
            json!({"hosts": ["foo.com"], "gateways": gateways,
            "http": [{"match": [{header_field: {key: {"exact": "x"}}}], "route": [{"destination": {"host": "web"}}]}]}),
        )
    }

    fn setup(extra: Vec<Value>) -> Vec<Value> {
        let mut all =
            vec![gateway("istio-ingress", "gw", json!({"istio": "ingressgateway"}), json!([server(80, &["foo.com"])]))];
        all.extend(extra);
        all
    }

    fn pods() -> Context {
        with_workloads(vec![workload("istio-ingress", "ingressgateway", &[("istio", "ingressgateway"), ("app", "gw")])])
    }

    #[test]
    fn claim_routing_needs_a_request_authentication_on_the_gateway_pods() {
        let ctx = pods();
        let claim = || routing("headers", "@request.auth.claims.foo", &["istio-ingress/gw"]);
        // No RequestAuthentication at all.
        let found = only("A607", &setup(vec![claim()]), &ctx);
        assert_eq!(found, [("foo".to_string(), "/spec/http/0/match/0/headers/@request.auth.claims.foo".to_string())]);
        // In istio-system without selector: covers.
        assert!(only("A607", &setup(vec![claim(), ra("istio-system", "all", None)]), &ctx).is_empty());
        // In the workload's namespace, selecting it: covers.
        let own = ra("istio-ingress", "own", Some(json!({"istio": "ingressgateway"})));
        assert!(only("A607", &setup(vec![claim(), own]), &ctx).is_empty());
        // Selecting other pods, or in an unrelated namespace: does not cover.
        let other = ra("istio-ingress", "other", Some(json!({"istio": "egressgateway"})));
        assert_eq!(only("A607", &setup(vec![claim(), other]), &ctx).len(), 1);
        assert_eq!(only("A607", &setup(vec![claim(), ra("shop", "tenant", None)]), &ctx).len(), 1);
        // The root namespace covers every workload.
        let mut rooted = ctx.clone();
        rooted.root_namespace = Some("mesh-root".into());
        assert!(only("A607", &setup(vec![claim(), ra("mesh-root", "root", None)]), &rooted).is_empty());
        assert_eq!(only("A607", &setup(vec![claim(), ra("mesh-root", "root", None)]), &ctx).len(), 1);
    }

    #[test]
    fn which_routes_count() {
        let ctx = pods();
        let cases = [
            (routing("headers", "@request.auth.claims", &["istio-ingress/gw"]), 0),
            (routing("headers", "@request.auth.claims[groups]", &["istio-ingress/gw"]), 1),
            (routing("withoutHeaders", "@request.auth.claims.sub", &["istio-ingress/gw"]), 1),
            (routing("headers", "@request.auth.claims.sub", &["mesh"]), 0),
            (routing("headers", "@request.auth.claims.sub", &["istio-ingress/missing"]), 0),
        ];
        for (vs, expected) in cases {
            assert_eq!(only("A607", &setup(vec![vs.clone()]), &ctx).len(), expected, "{vs}");
        }
    }

    #[test]
    fn without_known_workloads_nothing_is_guessed_and_each_pod_counts() {
        let claim = routing("headers", "@request.auth.claims.foo", &["istio-ingress/gw"]);
        assert!(only("A607", &setup(vec![claim.clone()]), &Context::default()).is_empty());
        let two = with_workloads(vec![
            workload("istio-ingress", "a", &[("istio", "ingressgateway")]),
            Workload { gateway: true, ..workload("other-ns", "b", &[("istio", "ingressgateway")]) },
            workload("istio-ingress", "unrelated", &[("istio", "egressgateway")]),
        ]);
        let found = findings(&setup(vec![claim]), &two);
        assert_eq!(found.len(), 2, "one per selected workload: {found:?}");
        assert!(found[0].message.contains("`istio-ingress/a`") && found[1].message.contains("`other-ns/b`"));
    }
}
