//! A ServiceEntry with a wildcard host, DNS resolution and no endpoints (A614, IST0106).
//!
//! Source: istio/istio 1.28.10 `pkg/config/validation/validation.go` `ValidateServiceEntry`
//! (for `DNS` and `DNS_ROUND_ROBIN` without `endpoints`, every host must pass `ValidateFQDN`,
//! which a `*` label fails; 1.18.7 has the same rule). Istio's webhook refuses the object;
//! `istioctl analyze` reports it as IST0106. With endpoints, Envoy resolves the endpoints'
//! addresses instead, and the wildcard host is fine.

use super::Finding;
use super::index::Index;
use super::rules::SERVICEENTRY_WILDCARD_DNS;

pub fn run(index: &Index, out: &mut Vec<Finding>) {
    for se in &index.service_entries {
        if !matches!(se.resolution.as_str(), "DNS" | "DNS_ROUND_ROBIN") || se.endpoints > 0 {
            continue;
        }
        for (i, host) in se.hosts.iter().enumerate() {
            if host.contains('*') {
                out.push(se.meta.finding(
                    &SERVICEENTRY_WILDCARD_DNS,
                    format!("/spec/hosts/{i}"),
                    format!(
                        "host `{host}` is a wildcard, which resolution {} cannot resolve without endpoints",
                        se.resolution
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
    use serde_json::json;

    #[test]
    fn wildcards_need_endpoints_or_another_resolution() {
        let ctx = Context::default();
        let entry = |name: &str, spec: serde_json::Value| se("istio-egress", name, spec);
        let all = [
            entry("dns", json!({"hosts": ["api.example.com", "*.example.com"], "resolution": "DNS"})),
            entry("round-robin", json!({"hosts": ["*.example.com"], "resolution": "DNS_ROUND_ROBIN"})),
            entry("none", json!({"hosts": ["*.example.com"], "resolution": "NONE"})),
            entry("unset", json!({"hosts": ["*.example.com"]})),
            entry(
                "endpoints",
                json!({"hosts": ["*.example.com"], "resolution": "DNS", "endpoints": [{"address": "proxy.example.com"}]}),
            ),
            entry("named", json!({"hosts": ["api.example.com"], "resolution": "DNS"})),
        ];
        assert_eq!(
            only("A614", &all, &ctx),
            [("dns".to_string(), "/spec/hosts/1".to_string()), ("round-robin".into(), "/spec/hosts/0".into())]
        );
    }
}
