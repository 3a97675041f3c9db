//! Gateway servers that terminate TLS without a certificate (A616, IST0106) or from a secret
//! nothing provides (A617, meshedge's own).
//!
//! Sources (istio/istio 1.28.10): `pkg/config/validation/validation.go` `validateTLSOptions`
//! (SIMPLE, MUTUAL and OPTIONAL_MUTUAL need `credentialName`, `credentialNames`, `tlsCertificates`
//! or `serverCertificate` and `privateKey`; the webhook refuses the Gateway otherwise) and
//! `pkg/config/analysis/analyzers/gateway/secret.go` (the secret is read in the namespace of the
//! gateway pod; `ns/name` names another namespace).
//!
//! A617 counts as sources a Secret object, a cert-manager Certificate whose `spec.secretName` is
//! the credential, and the existing secrets the context declares, each in the namespace of every
//! known workload the Gateway selects. Without a known workload nothing is reported. Istio
//! reports a missing Secret as IST0101 (`credentialName`); meshedge also accepts the
//! Certificate that will create it, and warns instead, since secrets are often managed outside
//! the repository.

use std::collections::BTreeSet;

use super::Finding;
use super::index::Index;
use super::rules::{GATEWAY_CREDENTIAL_UNKNOWN, GATEWAY_TLS_WITHOUT_CERTIFICATE};

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    for gateway in &index.gateways {
        let namespaces: BTreeSet<&str> = index.selected(&gateway.selector).map(|w| w.namespace.as_str()).collect();
        for server in &gateway.servers {
            let Some(tls) = server.tls.as_ref().filter(|t| t.terminates()) else { continue };
            let hosts = server.hosts.join(", ");
            let credentials = tls.credentials();
            let files = !tls.server_certificate.is_empty() && !tls.private_key.is_empty();
            if credentials.is_empty() && !files && tls.tls_certificates == 0 {
                out.push(gateway.meta.finding(
                    &GATEWAY_TLS_WITHOUT_CERTIFICATE,
                    format!("/spec/servers/{}/tls", server.index),
                    format!(
                        "{} TLS for [{hosts}] has no certificate: no credentialName and no certificate files",
                        tls.mode
                    ),
                ));
                continue;
            }
            for credential in credentials {
                for ns in &namespaces {
                    let (secret_ns, name) = credential.split_once('/').unwrap_or((ns, credential));
                    if !index.secrets.contains_key(&(secret_ns.to_string(), name.to_string())) {
                        let field =
                            if credential == tls.credential_name { "credentialName" } else { "credentialNames" };
                        out.push(gateway.meta.finding(
                            &GATEWAY_CREDENTIAL_UNKNOWN,
                            format!("/spec/servers/{}/tls/{field}", server.index),
                            format!(
                                "[{hosts}] is served with TLS from secret `{name}`, but no Secret, cert-manager Certificate or declared secret provides it in namespace `{secret_ns}`, where the gateway's pods read it"
                            ),
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Context;
    use super::super::testing::*;
    use serde_json::{Value, json};

    fn tls(tls: Value) -> Value {
        let mut s = server(443, &["shop.example.com"]);
        s["port"]["protocol"] = json!("HTTPS");
        s["tls"] = tls;
        gateway("istio-ingress", "g", json!({"istio": "ingressgateway"}), json!([s]))
    }

    fn certificate(ns: &str, secret: &str) -> Value {
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "c", "namespace": ns},
            "spec": {"secretName": secret, "dnsNames": ["shop.example.com"], "issuerRef": {"name": "ca"}}})
    }

    fn secret(ns: &str, name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns}})
    }

    fn pods() -> Context {
        with_workloads(vec![workload("istio-ingress", "ingressgateway", &[("istio", "ingressgateway")])])
    }

    #[test]
    fn terminating_tls_needs_some_certificate() {
        let ctx = Context::default();
        for mode in ["SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"] {
            assert_eq!(
                only("A616", &[tls(json!({"mode": mode}))], &ctx),
                [("g".to_string(), "/spec/servers/0/tls".to_string())]
            );
        }
        for ok in [
            json!({"mode": "PASSTHROUGH"}),
            json!({"mode": "ISTIO_MUTUAL"}),
            json!({"httpsRedirect": true}),
            json!({"mode": "SIMPLE", "credentialName": "x"}),
            json!({"mode": "SIMPLE", "credentialNames": ["x", "y"]}),
            json!({"mode": "SIMPLE", "serverCertificate": "/c.pem", "privateKey": "/k.pem"}),
            json!({"mode": "SIMPLE", "tlsCertificates": [{"serverCertificate": "/c.pem", "privateKey": "/k.pem"}]}),
        ] {
            assert!(only("A616", &[tls(ok.clone())], &ctx).is_empty(), "{ok}");
        }
        assert_eq!(only("A616", &[tls(json!({"mode": "SIMPLE", "serverCertificate": "/c.pem"}))], &ctx).len(), 1);
    }

    #[test]
    fn credentials_need_a_source_in_the_gateway_pods_namespace() {
        let ctx = pods();
        let cred = || tls(json!({"mode": "SIMPLE", "credentialName": "shop-tls"}));
        assert_eq!(
            only("A617", &[cred()], &ctx),
            [("g".to_string(), "/spec/servers/0/tls/credentialName".to_string())]
        );
        assert!(only("A617", &[cred(), certificate("istio-ingress", "shop-tls")], &ctx).is_empty());
        assert!(only("A617", &[cred(), secret("istio-ingress", "shop-tls")], &ctx).is_empty());
        assert_eq!(only("A617", &[cred(), certificate("shop", "shop-tls")], &ctx).len(), 1, "wrong namespace");
        let mut declared = pods();
        declared.secrets.insert(("istio-ingress".into(), "shop-tls".into()));
        assert!(only("A617", &[cred()], &declared).is_empty());
        // An explicit namespace.
        let other = tls(json!({"mode": "SIMPLE", "credentialName": "certs/shop-tls"}));
        assert!(only("A617", &[other.clone(), secret("certs", "shop-tls")], &ctx).is_empty());
        assert_eq!(only("A617", &[other, secret("istio-ingress", "shop-tls")], &ctx).len(), 1);
        // credentialNames, each.
        let two = tls(json!({"mode": "MUTUAL", "credentialNames": ["rsa", "ecdsa"]}));
        let found = only("A617", &[two, secret("istio-ingress", "rsa")], &ctx);
        assert_eq!(found, [("g".to_string(), "/spec/servers/0/tls/credentialNames".to_string())]);
    }

    #[test]
    fn without_known_gateway_pods_nothing_is_guessed() {
        let cred = tls(json!({"mode": "SIMPLE", "credentialName": "shop-tls"}));
        assert!(only("A617", std::slice::from_ref(&cred), &Context::default()).is_empty());
        let elsewhere = with_workloads(vec![workload("istio-ingress", "egress", &[("istio", "egressgateway")])]);
        assert!(only("A617", &[cred], &elsewhere).is_empty());
    }
}
