use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::matching::request_principal_matches;
use super::policy::HostKey;
use super::*;
use crate::flows::Origin;
use crate::flows::pod::Pod;
use crate::flows::selector::Labels;

fn policies(objects: &[Value]) -> Policies {
    let mut p = Policies::new();
    for v in objects {
        let r = ObjectRef::of(v, Origin::Output).unwrap();
        match v["kind"].as_str() {
            Some("AuthorizationPolicy") => {
                if let Some(ap) = AuthorizationPolicy::parse(r, v).unwrap() {
                    p.add_policy(ap)
                }
            }
            _ => {
                if let Some(ra) = RequestAuthentication::parse(r, v).unwrap() {
                    p.add_authentication(ra)
                }
            }
        }
    }
    p
}

fn ap(ns: &str, name: &str, spec: Value) -> Value {
    json!({"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec})
}

fn ra(ns: &str, name: &str, spec: Value) -> Value {
    json!({"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": name, "namespace": ns}, "spec": spec})
}

fn gw() -> Pod {
    Pod::new("edge", "gw", Labels::from([("istio".to_string(), "gw".to_string())]))
}

fn run(p: &Policies, request: &Request) -> Outcome {
    outcome(&p.evaluate("istio-system", &BTreeMap::new(), &gw(), request))
}

#[test]
fn host_match_ignores_case_but_not_ports() {
    let p = policies(&[ap(
        "edge",
        "d",
        json!({"action": "DENY", "rules": [{"to": [{"operation": {"hosts": ["a.example"]}}]}]}),
    )]);
    assert_eq!(run(&p, &Request::new("A.EXAMPLE", 8443, "/")), Outcome::Blocked);
    assert_eq!(run(&p, &Request::new("a.example:443", 8443, "/")), Outcome::Allowed);
    let p = policies(&[ap(
        "edge",
        "d",
        json!({"action": "DENY", "rules": [{"to": [{"operation": {"hosts": ["a.example", "a.example:*"]}}]}]}),
    )]);
    assert_eq!(run(&p, &Request::new("a.example:443", 8443, "/")), Outcome::Blocked);
}

#[test]
fn not_request_principals_star_matches_requests_without_a_principal() {
    let p = policies(&[
        ra("edge", "r", json!({"jwtRules": [{"issuer": "iss-a"}, {"issuer": "iss-b"}]})),
        ap("edge", "d", json!({"action": "DENY", "rules": [{"from": [{"source": {"notRequestPrincipals": ["*"]}}]}]})),
    ]);
    assert_eq!(run(&p, &Request::new("h", 8443, "/")), Outcome::Blocked);
    assert_eq!(run(&p, &Request::new("h", 8443, "/").bearer(Jwt::new("iss-a", "u", &[]))), Outcome::Allowed);
    // A valid token of another configured issuer also has a principal.
    assert_eq!(run(&p, &Request::new("h", 8443, "/").bearer(Jwt::new("iss-b", "u", &[]))), Outcome::Allowed);
    // Scoped to one issuer, it does not.
    let scoped = policies(&[
        ra("edge", "r", json!({"jwtRules": [{"issuer": "iss-a"}, {"issuer": "iss-b"}]})),
        ap(
            "edge",
            "d",
            json!({"action": "DENY", "rules": [{"from": [{"source": {"notRequestPrincipals": ["iss-a/*"]}}]}]}),
        ),
    ]);
    assert_eq!(run(&scoped, &Request::new("h", 8443, "/").bearer(Jwt::new("iss-b", "u", &[]))), Outcome::Blocked);
    assert_eq!(run(&scoped, &Request::new("h", 8443, "/").bearer(Jwt::new("iss-a", "u", &[]))), Outcome::Allowed);
}

#[test]
fn request_principal_patterns_split_issuer_and_subject() {
    let j = Jwt::new("https://sso.example/realms/a", "alice", &[]);
    assert!(request_principal_matches("*", &j));
    assert!(request_principal_matches("https://sso.example/realms/a/*", &j));
    assert!(request_principal_matches("https://sso.example/realms/a/alice", &j));
    assert!(!request_principal_matches("https://sso.example/realms/b/*", &j));
    assert!(request_principal_matches("*/alice", &j));
    assert!(request_principal_matches("https://sso.example/realms/a/al*", &j));
    assert!(!request_principal_matches("https://sso.example/realms/a/bob", &j));
}

#[test]
fn tokens_are_rejected_unless_some_rule_verifies_them() {
    let p = policies(&[ra("edge", "r", json!({"jwtRules": [{"issuer": "iss-a", "audiences": ["app"]}]}))]);
    assert_eq!(run(&p, &Request::new("h", 1, "/")), Outcome::Allowed, "no token: no principal, no 401");
    assert_eq!(
        run(&p, &Request::new("h", 1, "/").header("Authorization", "Basic eDp5")),
        Outcome::Allowed,
        "Basic is no token"
    );
    assert_eq!(run(&p, &Request::new("h", 1, "/").invalid_bearer()), Outcome::Blocked);
    assert_eq!(
        run(&p, &Request::new("h", 1, "/").bearer(Jwt::new("iss-x", "u", &["app"]))),
        Outcome::Blocked,
        "unknown issuer"
    );
    assert_eq!(
        run(&p, &Request::new("h", 1, "/").bearer(Jwt::new("iss-a", "u", &["other"]))),
        Outcome::Blocked,
        "audience"
    );
    assert_eq!(run(&p, &Request::new("h", 1, "/").bearer(Jwt::new("iss-a", "u", &["app", "x"]))), Outcome::Allowed);
    // Query parameter default location.
    let mut q = Request::new("h", 1, "/x?access_token=t1");
    q.tokens.insert("t1".into(), Jwt::new("iss-x", "u", &[]));
    assert_eq!(run(&p, &q), Outcome::Blocked);
}

#[test]
fn several_request_authentications_combine() {
    let p = policies(&[
        ra("edge", "a", json!({"jwtRules": [{"issuer": "iss-a"}]})),
        ra("edge", "b", json!({"selector": {"matchLabels": {"istio": "gw"}}, "jwtRules": [{"issuer": "iss-b"}]})),
        ra("other", "c", json!({"jwtRules": [{"issuer": "iss-c"}]})),
    ]);
    assert_eq!(run(&p, &Request::new("h", 1, "/").bearer(Jwt::new("iss-a", "u", &[]))), Outcome::Allowed);
    assert_eq!(run(&p, &Request::new("h", 1, "/").bearer(Jwt::new("iss-b", "u", &[]))), Outcome::Allowed);
    assert_eq!(
        run(&p, &Request::new("h", 1, "/").bearer(Jwt::new("iss-c", "u", &[]))),
        Outcome::Blocked,
        "other namespace"
    );
}

#[test]
fn from_headers_replace_the_default_location() {
    let p = policies(&[ra(
        "edge",
        "r",
        json!({"jwtRules": [{"issuer": "iss-a", "fromHeaders": [{"name": "x-jwt", "prefix": "Token "}]}]}),
    )]);
    // A bearer token in Authorization is not read: no principal, no 401.
    assert_eq!(run(&p, &Request::new("h", 1, "/").bearer(Jwt::new("iss-z", "u", &[]))), Outcome::Allowed);
    assert_eq!(
        run(&p, &Request::new("h", 1, "/").token_in_header("x-jwt", "Token ", Jwt::new("iss-z", "u", &[]))),
        Outcome::Blocked
    );
    let ok = Request::new("h", 1, "/").token_in_header("X-JWT", "Token ", Jwt::new("iss-a", "u", &[]));
    let out = p.evaluate("istio-system", &BTreeMap::new(), &gw(), &ok);
    assert_eq!(outcome(&out), Outcome::Allowed);
    assert!(!out.upstream.unwrap().headers.contains_key("x-jwt"), "not forwarded by default");
}

#[test]
fn forward_original_token_keeps_the_header() {
    let p = policies(&[ra("edge", "r", json!({"jwtRules": [{"issuer": "iss-a", "forwardOriginalToken": true}]}))]);
    let out = p.evaluate(
        "istio-system",
        &BTreeMap::new(),
        &gw(),
        &Request::new("h", 1, "/").bearer(Jwt::new("iss-a", "u", &[])),
    );
    assert!(out.upstream.unwrap().headers.contains_key("authorization"));
}

#[test]
fn custom_runs_before_authentication() {
    let providers = BTreeMap::from([("login".to_string(), Provider::OAuthProxy(OAuthProxy::default()))]);
    let p = policies(&[
        ra("edge", "r", json!({"jwtRules": [{"issuer": "iss-a"}]})),
        ap(
            "edge",
            "login",
            json!({"action": "CUSTOM", "provider": {"name": "login"}, "rules": [{"to": [{"operation": {"hosts": ["h"]}}]}]}),
        ),
    ]);
    // Even a valid token is sent to sign in: the provider decides before jwt_authn.
    let out =
        p.evaluate("istio-system", &providers, &gw(), &Request::new("h", 1, "/").bearer(Jwt::new("iss-a", "u", &[])));
    assert_eq!(outcome(&out), Outcome::Redirected);
    assert_eq!(out.steps.len(), 1, "nothing after the provider's denial");
    // A session passes; the injected ID token then meets the RequestAuthentication.
    let injecting = BTreeMap::from([(
        "login".to_string(),
        Provider::OAuthProxy(OAuthProxy { bearer: vec![], id_token: Some(Jwt::new("iss-b", "u", &["client"])) }),
    )]);
    let out = p.evaluate("istio-system", &injecting, &gw(), &Request::new("h", 1, "/").session());
    assert_eq!(outcome(&out), Outcome::Blocked);
    assert_eq!(out.steps[1].layer, Layer::Authentication);
}

#[test]
fn the_oauth_proxy_accepts_configured_bearer_tokens_only() {
    let proxy = Provider::OAuthProxy(OAuthProxy { bearer: vec![("iss-a".into(), "app".into())], id_token: None });
    let providers = BTreeMap::from([("login".to_string(), proxy)]);
    let p = policies(&[ap("edge", "login", json!({"action": "CUSTOM", "provider": {"name": "login"}, "rules": [{}]}))]);
    let eval = |r: Request| outcome(&p.evaluate("istio-system", &providers, &gw(), &r));
    assert_eq!(eval(Request::new("h", 1, "/").bearer(Jwt::new("iss-a", "u", &["app"]))), Outcome::Allowed);
    assert_eq!(eval(Request::new("h", 1, "/").bearer(Jwt::new("iss-b", "u", &["app"]))), Outcome::Redirected);
    assert_eq!(eval(Request::new("h", 1, "/").header("authorization", "Basic x")), Outcome::Redirected);
    assert_eq!(eval(Request::new("h", 1, "/").session()), Outcome::Allowed);
}

#[test]
fn a_missing_provider_fails_closed() {
    let p = policies(&[ap("edge", "c", json!({"action": "CUSTOM", "provider": {"name": "nobody"}, "rules": [{}]}))]);
    assert_eq!(run(&p, &Request::new("h", 1, "/")), Outcome::Blocked);
}

#[test]
fn header_conditions_with_not_values() {
    let p = policies(&[ap(
        "edge",
        "c",
        json!({"action": "DENY", "rules": [{"when": [{"key": "request.headers[authorization]", "notValues": ["*"]}]}]}),
    )]);
    assert_eq!(run(&p, &Request::new("h", 1, "/")), Outcome::Blocked, "absent header: notValues holds");
    assert_eq!(run(&p, &Request::new("h", 1, "/").header("Authorization", "Basic x")), Outcome::Allowed);
    assert_eq!(run(&p, &Request::new("h", 1, "/").header("Authorization", "")), Outcome::Allowed, "`*` is presence");
}

#[test]
fn claims_and_audiences_conditions() {
    let p = policies(&[
        ra("edge", "r", json!({"jwtRules": [{"issuer": "iss"}]})),
        ap(
            "edge",
            "a",
            json!({"rules": [{"when": [
                {"key": "request.auth.claims[groups]", "values": ["admins"]},
                {"key": "request.auth.audiences", "values": ["app"]}
            ]}]}),
        ),
    ]);
    let with = |groups: &[&str], aud: &[&str]| {
        Request::new("h", 1, "/").bearer(Jwt::new("iss", "u", aud).with_claim("groups", groups))
    };
    assert_eq!(run(&p, &with(&["users", "admins"], &["app"])), Outcome::Allowed);
    assert_eq!(run(&p, &with(&["users"], &["app"])), Outcome::Blocked);
    assert_eq!(run(&p, &with(&["admins"], &["other"])), Outcome::Blocked);
    assert_eq!(run(&p, &Request::new("h", 1, "/")), Outcome::Blocked);
}

#[test]
fn selectors_scope_policies_and_the_root_namespace_is_mesh_wide() {
    let p = policies(&[
        ap("edge", "other-workload", json!({"selector": {"matchLabels": {"app": "x"}}})),
        ap("elsewhere", "other-namespace", json!({})),
    ]);
    assert_eq!(run(&p, &Request::new("h", 1, "/")), Outcome::Allowed);
    let p = policies(&[ap("istio-system", "mesh-wide", json!({"selector": {"matchLabels": {"istio": "gw"}}}))]);
    assert_eq!(run(&p, &Request::new("h", 1, "/")), Outcome::Blocked);
}

#[test]
fn paths_methods_and_ports() {
    let p = policies(&[ap(
        "edge",
        "a",
        json!({"rules": [{"to": [{"operation": {"paths": ["/api/*"], "methods": ["GET"], "ports": ["8443"]}}]}]}),
    )]);
    assert_eq!(run(&p, &Request::new("h", 8443, "/api/x?q=1")), Outcome::Allowed);
    assert_eq!(run(&p, &Request::new("h", 8443, "/web")), Outcome::Blocked);
    assert_eq!(run(&p, &Request::new("h", 8443, "/api/x").method("POST")), Outcome::Blocked);
    assert_eq!(run(&p, &Request::new("h", 443, "/api/x")), Outcome::Blocked, "the proxy's port, not the Service's");
}

#[test]
fn tcp_drops_http_attributes_wider_for_deny_narrower_for_allow() {
    // AZ header note: a DENY on POST without ports denies all TCP traffic.
    let deny = policies(&[ap(
        "edge",
        "d",
        json!({"action": "DENY", "rules": [{"to": [{"operation": {"methods": ["POST"]}}]}]}),
    )]);
    assert_eq!(run(&deny, &Request::new("h", 1, "/")), Outcome::Allowed);
    assert_eq!(run(&deny, &Request::new("h", 1, "/").tcp()), Outcome::Blocked);
    let deny_host = policies(&[ap(
        "edge",
        "d",
        json!({"action": "DENY", "rules": [{"to": [{"operation": {"hosts": ["other"]}}]}]}),
    )]);
    assert_eq!(run(&deny_host, &Request::new("h", 1, "/").tcp()), Outcome::Blocked, "hosts are ignored on TCP");
    let allow = policies(&[ap("edge", "a", json!({"rules": [{"to": [{"operation": {"paths": ["/"]}}]}]}))]);
    assert_eq!(run(&allow, &Request::new("h", 1, "/")), Outcome::Allowed);
    assert_eq!(run(&allow, &Request::new("h", 1, "/").tcp()), Outcome::Blocked, "the HTTP rule is dropped");
    let deny_header = policies(&[ap(
        "edge",
        "d",
        json!({"action": "DENY", "rules": [{"when": [{"key": "request.headers[x-a]", "values": ["b"]}]}]}),
    )]);
    assert_eq!(run(&deny_header, &Request::new("h", 1, "/")), Outcome::Allowed);
    assert_eq!(
        run(&deny_header, &Request::new("h", 1, "/").tcp()),
        Outcome::Blocked,
        "the condition is ignored on TCP"
    );
    let allow_port = policies(&[ap("edge", "a", json!({"rules": [{"to": [{"operation": {"ports": ["1"]}}]}]}))]);
    assert_eq!(run(&allow_port, &Request::new("h", 1, "/").tcp()), Outcome::Allowed);
    // No JWT filter on TCP: a bad token is not even read.
    let ra = policies(&[ra("edge", "r", json!({"jwtRules": [{"issuer": "i"}]}))]);
    assert_eq!(run(&ra, &Request::new("h", 1, "/").invalid_bearer().tcp()), Outcome::Allowed);
}

#[test]
fn refused_policies() {
    for spec in [
        json!({"action": "DENY"}),
        json!({"action": "CUSTOM", "provider": {"name": "p"}}),
        json!({"action": "CUSTOM", "rules": [{}]}),
        json!({"action": "CUSTOM", "provider": {"name": "p"}, "rules": [{"from": [{"source": {"notRequestPrincipals": ["*"]}}]}]}),
        json!({"action": "CUSTOM", "provider": {"name": "p"}, "rules": [{"when": [{"key": "request.auth.claims[iss]", "values": ["x"]}]}]}),
        json!({"rules": [{"when": [{"key": "request.bogus", "values": ["x"]}]}]}),
        json!({"rules": [{"from": []}]}),
        json!({"action": "ALLOW", "provider": {"name": "p"}, "rules": [{}]}),
    ] {
        let v = ap("edge", "bad", spec.clone());
        assert!(AuthorizationPolicy::parse(ObjectRef::of(&v, Origin::Output).unwrap(), &v).is_err(), "{spec}");
    }
}

#[test]
fn host_keys_index_without_losing_matches() {
    assert_eq!(HostKey::of("a.example:*"), Some(HostKey::Exact("a.example".into())));
    assert_eq!(HostKey::of("*.example"), Some(HostKey::Suffix(".example".into())));
    assert_eq!(HostKey::of("a*"), None);
    assert_eq!(HostKey::of("*"), None);
    let p = policies(&[ap(
        "edge",
        "d",
        json!({"action": "DENY", "rules": [{"to": [{"operation": {"hosts": ["*.example"]}}]}]}),
    )]);
    assert_eq!(run(&p, &Request::new("a.example", 1, "/")), Outcome::Blocked);
    assert_eq!(run(&p, &Request::new("a.other", 1, "/")), Outcome::Allowed);
}

#[test]
fn suffix_hosts_are_found_by_every_tail_of_the_host() {
    let deny =
        |host: &str| ap(host, "d", json!({"action": "DENY", "rules": [{"to": [{"operation": {"hosts": [host]}}]}]}));
    let mut objects: Vec<Value> = (0..50).map(|i| deny(&format!("*.t{i}.example"))).collect();
    objects.push(deny("*ample:443"));
    for v in &mut objects {
        v["metadata"]["namespace"] = json!("edge");
    }
    let p = policies(&objects);
    assert_eq!(run(&p, &Request::new("a.t7.example", 1, "/")), Outcome::Blocked);
    assert_eq!(run(&p, &Request::new("A.T49.EXAMPLE", 1, "/")), Outcome::Blocked, "hosts compare without case");
    assert_eq!(run(&p, &Request::new("t7.example", 1, "/")), Outcome::Allowed, "a wildcard needs one more label");
    assert_eq!(run(&p, &Request::new("a.t50.example", 1, "/")), Outcome::Allowed);
    assert_eq!(run(&p, &Request::new("x.example:443", 1, "/")), Outcome::Blocked, "`*ample:443` ends the authority");
    let names = |r: &Request| {
        p.evaluate("istio-system", &BTreeMap::new(), &gw(), r).steps[0]
            .decided_by
            .iter()
            .map(|o| o.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&Request::new("a.t7.example", 1, "/")), ["d"]);
}

#[test]
fn the_first_rule_in_order_that_verifies_a_token_decides_what_goes_on() {
    // `a` (first by name) reads `x-one` then `x-two` and forwards the token; `b` reads
    // `x-one` and removes it. `x-one` holds `b`'s token, `x-two` `a`'s: `a` verifies first.
    let header = |name: &str| json!({"name": name});
    let p = policies(&[
        ra("edge", "b", json!({"jwtRules": [{"issuer": "iss-b", "fromHeaders": [header("x-one")]}]})),
        ra(
            "edge",
            "a",
            json!({"jwtRules": [{"issuer": "iss-a", "fromHeaders": [header("x-one"), header("x-two")], "forwardOriginalToken": true}]}),
        ),
    ]);
    let request = Request::new("h", 1, "/").token_in_header("x-one", "", Jwt::new("iss-b", "u", &[])).token_in_header(
        "x-two",
        "",
        Jwt::new("iss-a", "v", &[]),
    );
    let out = p.evaluate("istio-system", &BTreeMap::new(), &gw(), &request);
    assert_eq!(outcome(&out), Outcome::Allowed);
    assert_eq!(out.steps[0].decided_by.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["a"]);
    assert!(out.steps[0].reason.contains("iss-a"), "{}", out.steps[0].reason);
    let upstream = out.upstream.expect("allowed");
    assert!(upstream.headers.contains_key("x-one") && upstream.headers.contains_key("x-two"));
    let p = policies(&[
        ra("edge", "b", json!({"jwtRules": [{"issuer": "iss"}]})),
        ra(
            "edge",
            "a",
            json!({"jwtRules": [{"issuer": "iss", "fromHeaders": [header("x-token")], "forwardOriginalToken": true}]}),
        ),
    ]);
    // Without `a`'s header, `b` verifies and removes its token.
    let out = p.evaluate(
        "istio-system",
        &BTreeMap::new(),
        &gw(),
        &Request::new("h", 1, "/").bearer(Jwt::new("iss", "u", &[])),
    );
    assert_eq!(out.steps[0].decided_by.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["b"]);
    assert!(!out.upstream.expect("allowed").headers.contains_key("authorization"));
    // A token nobody verifies names every policy that read it, and only those.
    let p = policies(&[
        ra("edge", "b", json!({"jwtRules": [{"issuer": "iss"}]})),
        ra("edge", "c", json!({"jwtRules": [{"issuer": "other", "fromHeaders": [{"name": "x-other"}]}]})),
    ]);
    let out =
        p.evaluate("istio-system", &BTreeMap::new(), &gw(), &Request::new("h", 1, "/").bearer(Jwt::new("x", "u", &[])));
    assert_eq!(outcome(&out), Outcome::Blocked);
    assert_eq!(out.steps[0].decided_by.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["b"]);
}

#[test]
fn tcp_decisions_are_reused_only_for_the_same_workload_port_and_peer() {
    let p = policies(&[ap(
        "edge",
        "d",
        json!({"action": "DENY", "rules": [{"from": [{"source": {"namespaces": ["bad"]}}], "to": [{"operation": {"ports": ["8443"], "hosts": ["x"]}}]}]}),
    )]);
    let peer = |ns: &str| Peer { principal: None, namespace: Some(ns.to_string()), ip: None };
    let tcp = |host: &str, port: u16, ns: &str| Request::new(host, port, "/").peer(peer(ns)).tcp();
    assert_eq!(run(&p, &tcp("a", 8443, "bad")), Outcome::Blocked);
    assert_eq!(run(&p, &tcp("b", 8443, "bad")), Outcome::Blocked, "hosts do not exist on TCP");
    assert_eq!(run(&p, &tcp("a", 9443, "bad")), Outcome::Allowed, "another port");
    assert_eq!(run(&p, &tcp("a", 8443, "good")), Outcome::Allowed, "another peer");
    let other = Pod::new("edge", "gw2", Labels::new());
    let out = p.evaluate("istio-system", &BTreeMap::new(), &other, &tcp("a", 8443, "bad"));
    assert!(out.steps[0].reason.contains("edge/gw2"), "{}", out.steps[0].reason);
    // At L4 a refusal is a closed connection, not an HTTP status.
    assert!(out.steps[0].reason.contains("closes the connection"), "{}", out.steps[0].reason);
    assert!(!out.steps[0].reason.contains("403"), "{}", out.steps[0].reason);
    let http = p.evaluate("istio-system", &BTreeMap::new(), &gw(), &Request::new("a", 8443, "/").peer(peer("bad")));
    assert_eq!(outcome(&http), Outcome::Allowed);
    let deny_all = policies(&[ap("edge", "d", json!({"action": "DENY", "rules": [{}]}))]);
    let refused = deny_all.evaluate("istio-system", &BTreeMap::new(), &gw(), &Request::new("a", 1, "/"));
    assert!(refused.steps[0].reason.starts_with("403 on"), "{}", refused.steps[0].reason);
    // The request goes on as it came.
    let passed = p.evaluate("istio-system", &BTreeMap::new(), &gw(), &tcp("c", 9443, "bad"));
    assert_eq!(passed.upstream, Some(tcp("c", 9443, "bad")));
    assert_eq!(run(&p, &Request::new("a", 8443, "/").peer(peer("bad"))), Outcome::Allowed, "HTTP reads the host");
}

#[test]
fn an_audit_policy_only_logs_and_is_named_when_it_matches() {
    let p = policies(&[ap(
        "edge",
        "was-deny",
        json!({"action": "AUDIT", "rules": [{"from": [{"source": {"notRequestPrincipals": ["*"]}}]}]}),
    )]);
    let out = p.evaluate("istio-system", &BTreeMap::new(), &gw(), &Request::new("h", 443, "/"));
    assert_eq!(outcome(&out), Outcome::Allowed, "AUDIT never denies");
    assert!(out.steps.iter().any(|s| s.decided_by.iter().any(|r| r.name == "was-deny")), "{:?}", out.steps);
}

#[test]
fn connection_sni_matches_the_server_name_on_tcp_and_nothing_without_one() {
    // An ALLOW by SNI (a TLS passthrough host at an egress gateway): the connection's server
    // name decides on TCP, where `hosts` would make the rule match nothing.
    let p = policies(&[ap(
        "edge",
        "a",
        json!({"action": "ALLOW", "selector": {"matchLabels": {"istio": "gw"}},
               "rules": [{"when": [{"key": "connection.sni", "values": ["api.example"]}]}]}),
    )]);
    let tcp = || Request::new("api.example", 8443, "/").tcp();
    assert_eq!(run(&p, &tcp().sni("api.example")), Outcome::Allowed);
    assert_eq!(run(&p, &tcp().sni("other.example")), Outcome::Blocked);
    assert_eq!(run(&p, &tcp()), Outcome::Blocked, "no server name known: no value matches");
}
