use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::Accepted;

fn accepted(pairs: &[(&str, Option<&[&str]>)]) -> Accepted {
    let mut accepted = Accepted::default();
    for (issuer, audiences) in pairs {
        accepted.add(issuer, audiences.map(|a| a.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>()));
    }
    accepted
}

fn rules(accepted: &Accepted) -> Value {
    serde_json::to_value(accepted.deny_rules("h.example.com")).unwrap()
}

#[test]
fn a_host_accepts_its_own_issuer_and_audiences_only() {
    let value = rules(&accepted(&[("https://a", Some(&["app"]))]));
    let hosts = json!([{"operation": {"hosts": ["h.example.com", "h.example.com:*"]}}]);
    assert_eq!(
        value,
        json!([
            {"from": [{"source": {"notRequestPrincipals": ["https://a/*"]}}], "to": hosts},
            {
                "from": [{"source": {"requestPrincipals": ["https://a/*"]}}],
                "to": hosts,
                "when": [{"key": "request.auth.audiences", "notValues": ["app"]}]
            }
        ])
    );
}

#[test]
fn the_login_audience_joins_the_hosts_own_issuer() {
    // The ID token of the login flow: the OIDC issuer, audience the client id.
    let value = rules(&accepted(&[("https://a", Some(&["app"])), ("https://a", Some(&["client"]))]));
    assert_eq!(value[0]["from"][0]["source"]["notRequestPrincipals"], json!(["https://a/*"]));
    assert_eq!(value[1]["when"][0]["notValues"], json!(["app", "client"]));
    assert_eq!(value.as_array().map(Vec::len), Some(2));
}

#[test]
fn each_issuer_keeps_its_own_audiences() {
    let value = rules(&accepted(&[("https://a", Some(&["app"])), ("https://sso", Some(&["client"]))]));
    assert_eq!(value[0]["from"][0]["source"]["notRequestPrincipals"], json!(["https://a/*", "https://sso/*"]));
    assert_eq!(value[1]["from"][0]["source"]["requestPrincipals"], json!(["https://a/*"]));
    assert_eq!(value[1]["when"][0]["notValues"], json!(["app"]));
    assert_eq!(value[2]["from"][0]["source"]["requestPrincipals"], json!(["https://sso/*"]));
    assert_eq!(value[2]["when"][0]["notValues"], json!(["client"]));
}

#[test]
fn any_audience_needs_no_audience_rule() {
    let value = rules(&accepted(&[("https://a", None), ("https://a", Some(&["client"]))]));
    assert_eq!(value.as_array().map(Vec::len), Some(1), "{value}");
}

/// `*.shop.example.com:*` is the literal suffix `.shop.example.com:*` to Istio's host matcher,
/// so the port forms of a wildcard host are named as every authority but the gateway's other
/// hosts': an exact name in both forms (its own policy decides it), a wildcard without a port.
#[test]
fn the_port_forms_of_a_wildcard_host_are_every_authority_but_the_other_hosts() {
    let others = ["api.shop.example.com", "*.other.example.com"];
    let to = [super::login::every_authority_but(others.into_iter())];
    let value = serde_json::to_value(accepted(&[("https://a", Some(&["app"]))]).deny_rules_to(&to)).unwrap();
    let operation = json!({"operation": {
        "hosts": ["*"],
        "notHosts": ["*.other.example.com", "api.shop.example.com", "api.shop.example.com:*"]
    }});
    assert_eq!(value[0]["from"][0]["source"]["notRequestPrincipals"], json!(["https://a/*"]));
    assert_eq!(value[0]["to"], json!([operation]));
    assert_eq!(value[1]["to"], json!([operation]));
    assert_eq!(value[1]["when"][0]["notValues"], json!(["app"]));
    // Without other hosts: every authority.
    let alone = super::login::every_authority_but(std::iter::empty());
    assert_eq!(alone, json!({"operation": {"hosts": ["*"]}}));
}
