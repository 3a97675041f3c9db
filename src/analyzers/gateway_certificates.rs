//! Two Gateways on one gateway workload that serve TLS with the same certificate (A619,
//! IST0138).
//!
//! Source: istio/istio 1.28.10 `pkg/config/analysis/analyzers/gateway/certificate.go`.
//!
//! For Gateway G, every other Gateway H whose selector holds all of G's labels (an empty G
//! selector: every Gateway), in any namespace (`PILOT_SCOPE_GATEWAY_TO_NAMESPACE` is off by
//! default): a TLS server of G and one of H with the same `credentialName`, or, both without
//! one, the same `serverCertificate` and `privateKey`. `istioctl` prints one message per pair of
//! servers; meshedge reports G once per certificate, naming at most [`NAMED`] of the other
//! Gateways and counting the rest, so that N Gateways sharing one certificate give N findings,
//! not N².

use std::collections::{BTreeMap, BTreeSet};

use super::index::{Index, Labels};
use super::rules::GATEWAY_DUPLICATE_CERTIFICATE;
use super::{Finding, NAMED, named};

fn subset(small: &Labels, large: &Labels) -> bool {
    small.iter().all(|(k, v)| large.get(k) == Some(v))
}

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    let gateways = &index.gateways;
    // certificate → (gateway, server)
    let mut by_certificate: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (g, gateway) in gateways.iter().enumerate() {
        for server in &gateway.servers {
            let Some(tls) = &server.tls else { continue };
            let key = if !tls.credential_name.is_empty() {
                format!("secret `{}`", tls.credential_name)
            } else if !tls.server_certificate.is_empty() && !tls.private_key.is_empty() {
                format!("files `{}` and `{}`", tls.server_certificate, tls.private_key)
            } else {
                continue;
            };
            by_certificate.entry(key).or_default().push((g, server.index));
        }
    }
    for (certificate, users) in &by_certificate {
        // The users grouped by selector: whether H's selector holds all of G's labels is asked
        // once per distinct selector, not once per pair of Gateways.
        let mut by_selector: BTreeMap<&Labels, BTreeSet<usize>> = BTreeMap::new();
        for &(g, _) in users {
            by_selector.entry(&gateways[g].selector).or_default().insert(g);
        }
        let mut reported: BTreeSet<usize> = BTreeSet::new();
        for &(g, s) in users {
            // One finding per Gateway and certificate, at its first server with it.
            if !reported.insert(g) {
                continue;
            }
            let others: Vec<usize> = by_selector
                .iter()
                .filter(|(selector, _)| subset(&gateways[g].selector, selector))
                .flat_map(|(_, members)| members.iter().copied().filter(|&h| h != g))
                .collect();
            if others.is_empty() {
                continue;
            }
            // Named in name order, whatever the order the objects came in.
            let mut others = others;
            others.sort_by_key(|&h| gateways[h].meta.full_name());
            let names: Vec<String> = others.iter().take(NAMED).map(|&h| gateways[h].meta.full_name()).collect();
            let field = if certificate.starts_with("secret") { "credentialName" } else { "serverCertificate" };
            let (word, verb) = if others.len() == 1 { ("Gateway", "does") } else { ("Gateways", "do") };
            let mut finding = gateways[g].meta.finding(
                &GATEWAY_DUPLICATE_CERTIFICATE,
                format!("/spec/servers/{s}/tls/{field}"),
                format!(
                    "Gateway {} serves TLS with {certificate}, as {word} {} on the same workload {verb}",
                    gateways[g].meta.full_name(),
                    named(&names, others.len(), false)
                ),
            );
            finding.related.extend(others.iter().take(NAMED).map(|&h| gateways[h].meta.object.clone()));
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Context;
    use super::super::testing::*;
    use serde_json::{Value, json};

    fn tls_gw(ns: &str, name: &str, selector: Value, tls: Value) -> Value {
        let mut s = server(443, &[&format!("{name}.example.com")]);
        s["tls"] = tls;
        let mut redirect = server(80, &[&format!("{name}.example.com")]);
        redirect["tls"] = json!({"httpsRedirect": true});
        gateway(ns, name, selector, json!([s, redirect]))
    }

    fn cred(name: &str) -> Value {
        json!({"mode": "SIMPLE", "credentialName": name})
    }

    #[test]
    fn shared_certificates_on_one_workload() {
        let ctx = Context::default();
        let ingress = || json!({"istio": "ingressgateway"});
        let internal = || json!({"istio": "ingressgateway", "type": "internal"});
        let all = [
            tls_gw("a", "same-1", ingress(), cred("shared")),
            tls_gw("b", "same-2", ingress(), cred("shared")),
            tls_gw("a", "own", ingress(), cred("own")),
            tls_gw("a", "narrow", internal(), cred("narrow-shared")),
            tls_gw("a", "wide", ingress(), cred("narrow-shared")),
            tls_gw("a", "files-1", ingress(), json!({"mode": "SIMPLE", "serverCertificate": "/c", "privateKey": "/k"})),
            tls_gw("a", "files-2", ingress(), json!({"mode": "SIMPLE", "serverCertificate": "/c", "privateKey": "/k"})),
        ];
        // Across namespaces too; only the Gateway with the smaller selector for a narrow/wide pair.
        assert_eq!(names("A619", &all, &ctx), ["files-1", "files-2", "same-1", "same-2", "wide"]);
        let found = only("A619", &all, &ctx);
        assert!(found.contains(&("same-1".to_string(), "/spec/servers/0/tls/credentialName".to_string())));
    }

    #[test]
    fn many_gateways_sharing_one_certificate_give_one_finding_each() {
        // Before, each Gateway was reported once per other Gateway: n² findings.
        let ctx = Context::default();
        let n = 300;
        let all: Vec<Value> = (0..n)
            .map(|i| tls_gw("a", &format!("g{i:03}"), json!({"istio": "ingressgateway"}), cred("shared")))
            .collect();
        let found = findings(&all, &ctx);
        let a619: Vec<_> = found.iter().filter(|f| f.rule.code == "A619").collect();
        assert_eq!(a619.len(), n);
        let first = a619.iter().find(|f| f.object.name == "g000").unwrap();
        assert!(first.message.contains("a/g001, a/g002, a/g003 and 296 more"), "{}", first.message);
        assert_eq!(first.related.len(), super::super::NAMED);
    }

    #[test]
    fn plain_http_and_distinct_certificates_are_fine() {
        let ctx = Context::default();
        let all = [
            gateway("a", "h1", json!({"istio": "ingressgateway"}), json!([server(80, &["a.com"])])),
            gateway("a", "h2", json!({"istio": "ingressgateway"}), json!([server(80, &["b.com"])])),
            tls_gw("a", "one", json!({"istio": "ingressgateway"}), cred("one")),
            tls_gw("a", "two", json!({"istio": "ingressgateway"}), cred("two")),
        ];
        assert!(run(&all, &ctx).is_empty());
    }
}
