//! The flows stage end to end, on the small repository `tests/data/flowstage` (upstream Istio
//! 1.24 on Kubernetes 1.31, a public gateway on its own load balancer, an egress gateway,
//! network policies enforced; tenants `shop` and `docs`, the latter's host behind `jwt`):
//!
//! - `environments/ok`: every requested flow gets through, every other flow is shut;
//! - `environments/deny`: a plain DENY AuthorizationPolicy on the shop's host at its gateway
//!   blocks a requested flow: `build`, `generate` and `check` fail naming it (E801);
//! - `environments/denyall`: a deny-all NetworkPolicy in `shop` beside meshedge's policies,
//!   which admit the flows: nothing changes (NetworkPolicies only add allows);
//! - `environments/open`: a plain ServiceEntry registers `api.stripe.com` for every namespace
//!   with network policies off: `docs`, which never requested it, reaches it (E802).

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/flowstage")
}

fn meshedge(args: &[&str]) -> Output {
    Command::cargo_bin("meshedge").unwrap().args(args).arg("--root").arg(root()).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn flows_json(env: &str) -> Value {
    let output = meshedge(&["flows", env, "--format", "json"]);
    serde_json::from_str(&stdout(&output)).unwrap_or_else(|e| panic!("{env}: {e}: {}", stderr(&output)))
}

/// The flow of the JSON report with this `from`, `to` and credential.
fn find<'a>(report: &'a Value, from: &str, to: &str, credential: Option<&str>) -> &'a Value {
    report["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["from"] == from && f["to"] == to && f["credential"].as_str() == credential)
        .unwrap_or_else(|| panic!("no flow {from} → {to} ({credential:?}) in {report:#}"))
}

#[test]
fn flows_json_has_the_shape_of_the_spec_and_the_right_verdicts() {
    let output = meshedge(&["flows", "ok", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["environment"], "ok");
    let keys = ["direction", "from", "to", "backend", "credential", "requested", "verdict", "decidedBy", "request"];
    for flow in report["flows"].as_array().unwrap() {
        for key in flow.as_object().unwrap().keys() {
            assert!(keys.contains(&key.as_str()), "unexpected key {key} in {flow}");
        }
        for object in flow["decidedBy"].as_array().unwrap() {
            for key in object.as_object().unwrap().keys() {
                assert!(["apiVersion", "kind", "namespace", "name"].contains(&key.as_str()), "{object}");
            }
        }
        assert_eq!(flow["requested"].as_bool(), Some(flow.get("request").is_some()), "{flow}");
    }
    let api = find(&report, "internet", "shop.apps.example.com:443", None);
    assert_eq!(api["verdict"], "allowed");
    assert_eq!(api["direction"], "ingress");
    assert_eq!(api["request"]["file"], "base/tenants/shop/storefront.yaml");
    assert_eq!(api["request"]["line"], 7);
    let token = find(&report, "internet", "docs.apps.example.com:443", Some("token"));
    assert_eq!((token["verdict"].as_str(), token["requested"].as_bool()), (Some("allowed"), Some(true)));
    let none = find(&report, "internet", "docs.apps.example.com:443", Some("none"));
    assert_eq!((none["verdict"].as_str(), none["requested"].as_bool()), (Some("blocked"), Some(false)));
    let foreign = find(&report, "internet", "docs.apps.example.com:443", Some("foreign-token"));
    assert_eq!(foreign["verdict"], "blocked");
    assert_eq!(foreign["decidedBy"][0]["kind"], "RequestAuthentication");
    let stripe = find(&report, "namespace/shop", "api.stripe.com:80", None);
    assert_eq!((stripe["verdict"].as_str(), stripe["requested"].as_bool()), (Some("allowed"), Some(true)));
    assert_eq!(stripe["request"]["line"], 12);
    // Known to the environment, not requested by docs: shut by the registry view.
    let unrequested = find(&report, "namespace/docs", "api.stripe.com:80", None);
    assert_eq!((unrequested["verdict"].as_str(), unrequested["requested"].as_bool()), (Some("blocked"), Some(false)));
    assert!(unrequested.get("request").is_none());
    let internet = find(&report, "namespace/shop", "internet:443", None);
    assert_eq!(internet["verdict"], "blocked");
    let direct = find(&report, "internet", "namespace/docs", None);
    assert_eq!(direct["direction"], "direct");
    assert_eq!(direct["verdict"], "blocked");
    assert_eq!(direct["decidedBy"][0]["name"], "meshedge-ingress-from-mesh");
}

#[test]
fn flows_text_is_a_table_by_tenant() {
    let output = meshedge(&["flows", "ok"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let docs = text.find("\ntenant docs\n").expect("a docs section");
    let shop = text.find("\ntenant shop\n").expect("a shop section");
    assert!(docs < shop, "tenants sorted: {text}");
    let line = text.lines().find(|l| l.contains("shop.apps.example.com:443 /api")).unwrap();
    assert!(line.trim_start().starts_with("✓ allowed"), "{line}");
    assert!(line.contains("requested"), "{line}");
    let line = text.lines().find(|l| l.contains("docs.apps.example.com:443") && l.contains("credential none")).unwrap();
    assert!(line.trim_start().starts_with("✗ blocked"), "{line}");
    assert!(line.contains("not requested") && line.contains("AuthorizationPolicy/istio-docs/"), "{line}");
    assert!(!text.contains("E801") && !text.contains("E802"), "{text}");
}

#[test]
fn flows_mermaid_draws_the_allowed_flows_only() {
    let output = meshedge(&["flows", "ok", "--format", "mermaid"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("flowchart LR\n"), "{text}");
    assert!(text.contains("[\"service/shop/shop-api:8080\"]"), "{text}");
    assert!(text.contains("[\"api.stripe.com:80\"]"), "requested by shop: {text}");
    assert!(!text.contains("internet:443"), "blocked flows are not drawn: {text}");
    let id = |label: &str| {
        let line =
            text.lines().find(|l| l.ends_with(&format!("[\"{label}\"]"))).unwrap_or_else(|| panic!("{label}: {text}"));
        line.trim().split('[').next().unwrap().to_string()
    };
    let (docs, stripe, shop) = (id("namespace/docs"), id("api.stripe.com:80"), id("namespace/shop"));
    assert!(text.contains(&format!("{shop} --> {stripe}\n")), "{text}");
    assert!(!text.contains(&format!("{docs} --> {stripe}")), "docs never requested stripe: {text}");
}

#[test]
fn a_plain_deny_policy_on_a_requested_host_fails_the_build_naming_it() {
    for command in [&["build", "deny"][..], &["check", "deny"][..]] {
        let output = meshedge(command);
        assert_eq!(output.status.code(), Some(1), "{command:?}");
        let err = stderr(&output);
        if command[0] == "build" {
            assert!(output.stdout.is_empty(), "nothing on stdout on error");
        }
        assert!(err.contains("E801"), "{command:?}: {err}");
        assert!(err.contains("AuthorizationPolicy/istio-ingress/deny-shop"), "{err}");
        assert!(err.contains("shop.apps.example.com:443"), "{err}");
        assert!(err.contains("base/tenants/shop/storefront.yaml:7"), "the request's file and line: {err}");
        assert!(err.contains("help:"), "{err}");
        if command[0] == "build" {
            assert!(err.contains("environments/deny/resources/deny-shop.yaml"), "the object's file: {err}");
        }
    }
    // `flows` prints every flow, then fails with the same error.
    let output = meshedge(&["flows", "deny"]);
    assert_eq!(output.status.code(), Some(1));
    let line = stdout(&output).lines().find(|l| l.contains("shop.apps.example.com:443 /api")).unwrap().to_string();
    assert!(line.contains("✗ blocked") && line.contains("deny-shop") && line.contains("E801"), "{line}");
    assert!(stderr(&output).contains("E801"));
}

#[test]
fn a_deny_all_network_policy_beside_the_allowing_ones_blocks_nothing() {
    let output = meshedge(&["build", "denyall"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("name: deny-all"), "the policy is in the output");
    let report = flows_json("denyall");
    for flow in report["flows"].as_array().unwrap() {
        if flow["requested"] == true {
            assert_eq!(flow["verdict"], "allowed", "{flow}");
        }
    }
}

#[test]
fn an_unrequested_open_flow_fails_the_build_naming_the_object_that_opens_it() {
    let output = meshedge(&["build", "open"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(err.contains("E802"), "{err}");
    assert!(err.contains("namespace/docs → api.stripe.com:80"), "{err}");
    assert!(err.contains("ServiceEntry/istio-egress/stripe-everywhere"), "{err}");
    assert!(err.contains("environments/open/resources/export-stripe.yaml"), "{err}");
    assert!(err.contains("help:"), "{err}");
    // The check report carries it with the request's place.
    let output = meshedge(&["check", "open", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let found: Vec<&Value> =
        report["environments"][0]["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "E802").collect();
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["file"], "base/tenants/shop/storefront.yaml");
}

#[test]
fn generate_fails_as_build_does() {
    let env = root().join("environments/deny");
    let output = Command::cargo_bin("meshedge")
        .unwrap()
        .env_clear()
        .env("ARGOCD_APP_SOURCE_PATH", "environments/deny")
        .arg("generate")
        .current_dir(&env)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("E801"));
}

#[test]
fn the_small_repository_builds_with_every_flow_as_requested() {
    for env in ["ok", "denyall"] {
        let output = meshedge(&["check", env]);
        assert_eq!(output.status.code(), Some(0), "{env}: {}{}", stdout(&output), stderr(&output));
    }
}

/// `check` keeps only the violations of the flows, `flows` the whole report: the violations are
/// the same, in the same order, and `build` fails on exactly those.
#[test]
fn keeping_only_the_violations_hands_over_the_violations_of_the_report() {
    use meshedge::compiler::{self, Options};
    use meshedge::source::FsSource;
    let source = FsSource::new(root());
    let mut seen_some = false;
    for env in ["ok", "deny", "denyall", "open"] {
        let dir = format!("environments/{env}");
        let compile = |options: &Options| {
            compiler::compile_with(&source, &dir, options).unwrap_or_else(|f| panic!("{env}: {}", f.render()))
        };
        let report = compile(&Options { report_flows: true, ..Default::default() });
        let only = compile(&Options { report_flows: true, flow_violations_only: true, ..Default::default() });
        assert!(report.flows.is_some() && only.flows.is_none(), "{env}");
        let all: Vec<_> = report.flow_violations.iter().cloned().collect();
        let kept: Vec<_> = only.flow_violations.iter().cloned().collect();
        assert_eq!(all, kept, "{env}");
        seen_some |= !all.is_empty();
        let build = compiler::compile_with(&source, &dir, &Options::default());
        match build {
            Ok(_) => assert!(all.is_empty(), "{env}: build passes with violations"),
            Err(failed) => {
                let failed: Vec<_> = failed.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
                assert_eq!(failed, all, "{env}");
            }
        }
    }
    assert!(seen_some, "some environment breaks its requests");
}
