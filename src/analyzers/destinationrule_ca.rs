//! DestinationRules that originate TLS without a CA to verify the server: at the destination
//! level (A606, IST0128), per port (A608, IST0129), per subset (A609, meshedge's own).
//!
//! Source: istio/istio 1.28.10 `pkg/config/analysis/analyzers/destinationrule/ca-certificates.go`
//! (unchanged since 1.24; 1.18 had no `credentialName` exemption).
//!
//! A TLS setting in mode SIMPLE or MUTUAL without `caCertificates` is reported, unless it has a
//! `credentialName` *and* the DestinationRule has a `workloadSelector` (then the credential's
//! CA verifies the server). `insecureSkipVerify` exempts nothing: it turns verification off.
//! Istio checks `spec.trafficPolicy.tls` and `spec.trafficPolicy.portLevelSettings[].tls`
//! only; the traffic of a subset uses the subset's own `trafficPolicy` when it sets TLS, so
//! meshedge checks `spec.subsets[].trafficPolicy` (and its port-level settings) the same way,
//! under its own code.
//!
//! Where the proxies verify a server against their CA bundle when no CA is named
//! ([`super::Context::proxies_verify_without_ca`], a fact of the target platform), none of this
//! applies.

use super::Finding;
use super::index::{Index, TlsLevel};
use super::rules::{DESTINATION_TLS_UNVERIFIED, PORT_TLS_UNVERIFIED, SUBSET_TLS_UNVERIFIED};

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    if index.context.proxies_verify_without_ca {
        return;
    }
    for dr in &index.destination_rules {
        for tls in &dr.tls {
            // A credential verifies the server only in a DestinationRule with a workloadSelector.
            let exempt = !tls.credential_name.is_empty() && dr.workload_selector;
            let unverified =
                matches!(tls.mode.as_str(), "SIMPLE" | "MUTUAL") && tls.ca_certificates.is_empty() && !exempt;
            if !unverified {
                continue;
            }
            let port = tls.port.map(|p| format!(" at port {p}")).unwrap_or_default();
            let (rule, place) = match tls.level {
                TlsLevel::Destination => (&DESTINATION_TLS_UNVERIFIED, String::new()),
                TlsLevel::Port => (&PORT_TLS_UNVERIFIED, port),
                TlsLevel::Subset | TlsLevel::SubsetPort => {
                    (&SUBSET_TLS_UNVERIFIED, format!(" for subset `{}`{port}", tls.subset))
                }
            };
            out.push(dr.meta.finding(
                rule,
                format!("{}/mode", tls.pointer),
                format!(
                    "{} TLS to `{}`{place} has no caCertificates: the server's certificate is not verified",
                    tls.mode, dr.host
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Context;
    use super::super::testing::*;
    use serde_json::{Value, json};

    fn rule(spec: Value) -> Value {
        let mut spec = spec;
        spec["host"] = json!("api.example.com");
        dr("egress", "d", spec)
    }

    fn top(tls: Value) -> Value {
        json!({"trafficPolicy": {"tls": tls}})
    }

    fn port(tls: Value) -> Value {
        json!({"trafficPolicy": {"portLevelSettings": [{"port": {"number": 443}, "tls": tls}]}})
    }

    fn codes(spec: Value) -> Vec<&'static str> {
        run(&[rule(spec)], &Context::default()).into_iter().map(|(c, ..)| c).filter(|c| *c != "A615").collect()
    }

    #[test]
    fn levels_modes_and_exemptions_follow_istio() {
        let selector = json!({"matchLabels": {"istio": "egressgateway"}});
        let cases: Vec<(Value, Vec<&str>)> = vec![
            (top(json!({"mode": "SIMPLE"})), vec!["A606"]),
            (top(json!({"mode": "MUTUAL"})), vec!["A606"]),
            (port(json!({"mode": "SIMPLE"})), vec!["A608"]),
            (port(json!({"mode": "MUTUAL"})), vec!["A608"]),
            (top(json!({"mode": "SIMPLE", "credentialName": "c"})), vec!["A606"]),
            (
                {
                    let mut s = top(json!({"mode": "SIMPLE", "credentialName": "c"}));
                    s["workloadSelector"] = selector.clone();
                    s
                },
                vec![],
            ),
            (port(json!({"mode": "SIMPLE", "credentialName": "c"})), vec!["A608"]),
            (
                {
                    let mut s = port(json!({"mode": "SIMPLE", "credentialName": "c"}));
                    s["workloadSelector"] = selector.clone();
                    s
                },
                vec![],
            ),
            (
                json!({"trafficPolicy": {"tls": {"mode": "MUTUAL"}, "portLevelSettings": [{"port": {"number": 8443}, "tls": {"mode": "SIMPLE"}}]}}),
                vec!["A606", "A608"],
            ),
            (
                json!({"trafficPolicy": {"tls": {"mode": "SIMPLE", "caCertificates": "/ca.pem"}, "portLevelSettings": [{"port": {"number": 8443}, "tls": {"mode": "MUTUAL", "caCertificates": "/ca.pem"}}]}}),
                vec![],
            ),
            (top(json!({"mode": "SIMPLE", "insecureSkipVerify": true})), vec!["A606"]),
            (top(json!({"mode": "ISTIO_MUTUAL"})), vec![]),
            (top(json!({"mode": "DISABLE"})), vec![]),
            (top(json!({"mode": "SIMPLE", "workloadSelector": "misplaced"})), vec!["A606"]),
        ];
        for (spec, expected) in cases {
            assert_eq!(codes(spec.clone()), expected, "{spec}");
        }
    }

    #[test]
    fn subsets_are_checked_under_their_own_code() {
        let spec = json!({"subsets": [
            {"name": "gold", "trafficPolicy": {"tls": {"mode": "SIMPLE"}}},
            {"name": "silver", "trafficPolicy": {"portLevelSettings": [{"port": {"number": 443}, "tls": {"mode": "MUTUAL"}}]}},
            {"name": "bronze", "trafficPolicy": {"tls": {"mode": "SIMPLE", "caCertificates": "/ca.pem"}}},
            {"name": "plain"}
        ]});
        let mut found = findings(&[rule(spec)], &Context::default());
        found.retain(|f| f.rule.code == "A609");
        let got: Vec<(&str, &str)> = found.iter().map(|f| (f.rule.code, f.path.as_str())).collect();
        assert_eq!(
            got,
            [
                ("A609", "/spec/subsets/0/trafficPolicy/tls/mode"),
                ("A609", "/spec/subsets/1/trafficPolicy/portLevelSettings/0/tls/mode")
            ]
        );
        assert!(found[1].message.contains("subset `silver` at port 443"), "{}", found[1].message);
    }
}
