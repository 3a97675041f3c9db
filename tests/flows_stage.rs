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
//!   with network policies off: `docs`, which never requested it, reaches it (E802);
//! - `environments/open443`: the same on 443 only, the port the registry holds (E802);
//! - `environments/allowany`: the settings ask for `REGISTRY_ONLY`, a patch sets `ALLOW_ANY` on
//!   the `Istio` object: the cluster runs the patched mode, so egress is open (E802 naming the
//!   object and the patch);
//! - `environments/leak`: a tenant's LoadBalancer Service and a NetworkPolicy admitting anyone to
//!   the pods labelled `app: shop-web` put those pods on the internet (E802);
//! - `environments/ipblock`: the same with a NetworkPolicy admitting `8.0.0.0/8` except
//!   `8.0.0.0/16`: a client of that block reaches the pods (E802), whatever address stands for
//!   the rest of the internet;
//! - `environments/denyapi`: a DENY AuthorizationPolicy selecting `app: shop-api` in `shop`
//!   blocks the requested route to `shop-api`, whose labels the output does not know (E801);
//!   `shop-web`'s Service says its pods' labels, so its route stays open;
//! - `environments/auditjwt`: a patch turns the docs host's DENY token check into AUDIT, which
//!   only logs: a request without a token gets through (E802 naming the policy and the patch);
//! - `environments/notpaths`, `notmethods`, `whenheader`: a patch narrows the docs host's DENY
//!   token check to some paths, some methods, or requests without a header: a request of the
//!   other shape and without a token gets through (E802 naming the policy, the patch and the
//!   request that gets through);
//! - `environments/sidecar`: a Sidecar in `docs` sets `ALLOW_ANY` (E802), one in `shop` imports
//!   only its own namespace, which loses the requested call to `api.stripe.com` (E801);
//! - `environments/unrouted`: a patch renames the shop's host on its Gateway: no object decides
//!   the blocked flow, and the error names the patch that changed the Gateway (E801).

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
    // On each port the ServiceEntry registers: 80 and 443.
    assert_eq!(found.len(), 2, "{report:#}");
    assert!(found.iter().all(|d| d["file"] == "base/tenants/shop/storefront.yaml"), "{report:#}");
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

#[test]
fn a_patched_outbound_policy_decides_egress_and_the_error_names_the_patch() {
    let output = meshedge(&["build", "allowany"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(err.contains("E802"), "{err}");
    assert!(err.contains("namespace/docs → internet:443"), "{err}");
    assert!(err.contains("Istio/default"), "the object that sets the mode: {err}");
    assert!(err.contains("environments/allowany/meshedge.yaml#patches[0]"), "the patch: {err}");
    assert!(err.contains("environments/allowany/meshedge.yaml:11"), "the patch's line: {err}");
    let report = flows_json("allowany");
    let internet = find(&report, "namespace/docs", "internet:443", None);
    assert_eq!(internet["verdict"], "allowed", "{internet}");
    assert!(internet["decidedBy"].as_array().unwrap().iter().any(|o| o["kind"] == "Istio"), "{internet}");
}

#[test]
fn a_label_selected_network_policy_behind_a_tenant_load_balancer_opens_the_namespace() {
    let output = meshedge(&["build", "leak"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("E802") && err.contains("internet → namespace/shop"), "{err}");
    assert!(err.contains("NetworkPolicy/shop/web-from-anywhere"), "{err}");
    assert!(err.contains("environments/leak/resources/leak.yaml"), "{err}");
    let report = flows_json("leak");
    assert_eq!(find(&report, "internet", "namespace/docs", None)["verdict"], "blocked", "docs has no such policy");
}

#[test]
fn a_label_selected_deny_policy_on_a_requested_backend_blocks_it() {
    let output = meshedge(&["build", "denyapi"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("E801") && err.contains("/api → service/shop/shop-api:8080"), "{err}");
    assert!(err.contains("AuthorizationPolicy/shop/deny-api"), "{err}");
    assert_eq!(err.matches("error[E801]").count(), 1, "the web pods' labels are known: {err}");
    let report = flows_json("denyapi");
    let web = report["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["to"] == "shop.apps.example.com:443" && f["backend"] == "service/shop/shop-web:8080")
        .unwrap();
    assert_eq!(web["verdict"], "allowed", "{web}");
}

#[test]
fn an_unrequested_host_is_probed_on_every_port_the_registry_holds() {
    let output = meshedge(&["build", "open443"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("E802") && err.contains("namespace/docs → api.stripe.com:443"), "{err}");
    assert!(err.contains("ServiceEntry/istio-egress/stripe-tls-everywhere"), "{err}");
    let report = flows_json("open443");
    assert_eq!(find(&report, "namespace/docs", "api.stripe.com:80", None)["verdict"], "blocked");
    assert_eq!(find(&report, "namespace/docs", "api.stripe.com:443", None)["verdict"], "allowed");
}

#[test]
fn a_token_check_patched_to_audit_lets_requests_without_a_token_through_and_names_the_patch() {
    let output = meshedge(&["build", "auditjwt"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("E802") && err.contains("docs.apps.example.com:443"), "{err}");
    assert!(err.contains("with credential none"), "{err}");
    assert!(err.contains("AuthorizationPolicy/istio-docs/docs-apps-example-com-jwt"), "the AUDIT policy: {err}");
    assert!(err.contains("environments/auditjwt/meshedge.yaml:8"), "the patch: {err}");
}

#[test]
fn sidecars_narrow_the_registry_view_and_override_the_outbound_policy() {
    let output = meshedge(&["build", "sidecar"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("E801") && err.contains("namespace/shop → api.stripe.com:80"), "{err}");
    assert!(err.contains("Sidecar/shop/default"), "{err}");
    assert!(err.contains("E802") && err.contains("namespace/docs → internet:443"), "{err}");
    assert!(err.contains("Sidecar/docs/default"), "{err}");
}

#[test]
fn a_flow_no_object_decides_names_the_patches_of_the_objects_flows_read() {
    let output = meshedge(&["build", "unrouted"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("E801") && err.contains("no Gateway server takes shop.apps.example.com:443"), "{err}");
    assert!(err.contains("environments/unrouted/meshedge.yaml#patches[0] patches Gateway/istio-ingress/"), "{err}");
    assert!(err.contains("environments/unrouted/meshedge.yaml:8"), "{err}");
}

/// `check` keeps only the violations of the flows, `flows` the whole report: the violations are
/// the same, in the same order, and `build` fails on exactly those.
#[test]
fn keeping_only_the_violations_hands_over_the_violations_of_the_report() {
    use meshedge::compiler::{self, Options};
    use meshedge::source::FsSource;
    let source = FsSource::new(root());
    let mut seen_some = false;
    for env in [
        "ok", "deny", "denyall", "open", "allowany", "leak", "denyapi", "open443", "auditjwt", "sidecar", "unrouted",
        "notpaths", "ipblock",
    ] {
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

#[test]
fn widened_isolation_policies_fail_the_build_naming_the_patches() {
    // `environments/widepeers`: the docs' ALLOW policy patched to admit every namespace, and the
    // egress gateway's policy for api.partner.example patched to admit any caller.
    let output = meshedge(&["build", "widepeers"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(err.contains("E802") && err.contains("namespace/shop → service/docs/docs-web:8080"), "{err}");
    assert!(err.contains("AuthorizationPolicy/docs/meshedge-tenant-peers"), "{err}");
    assert!(err.contains("environments/widepeers/meshedge.yaml:12"), "the patch: {err}");
    assert!(
        err.contains("namespace/shop → api.partner.example:443 → service/istio-egress/istio-egressgateway:443"),
        "{err}"
    );
    assert!(err.contains("AuthorizationPolicy/istio-egress/api-partner-example-clients"), "{err}");
    assert!(err.contains("help:"), "{err}");
    // Unpatched, both are blocked.
    let report = flows_json("ok");
    let to_docs = find(&report, "namespace/shop", "service/docs/docs-web:8080", None);
    assert_eq!((to_docs["direction"].as_str(), to_docs["verdict"].as_str()), (Some("tenant"), Some("blocked")));
    assert_eq!(to_docs["requested"], false);
    let bypass = find(&report, "namespace/shop", "api.partner.example:443", None);
    assert_eq!(bypass["verdict"], "blocked", "{bypass:#}");
}

#[test]
fn a_token_check_narrowed_by_path_method_or_header_leaves_the_other_requests_open() {
    for (env, request) in
        [("notpaths", "GET /public/probe"), ("notmethods", "POST /"), ("whenheader", "GET / with x-internal: yes")]
    {
        let output = meshedge(&["build", env]);
        assert_eq!(output.status.code(), Some(1), "{env}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "{env}");
        let err = stderr(&output);
        assert!(err.contains("E802") && err.contains("docs.apps.example.com:443"), "{env}: {err}");
        assert!(err.contains("with credential none"), "{env}: {err}");
        assert!(err.contains(&format!("{request} gets through")), "{env}: the request: {err}");
        assert!(err.contains("policy docs-apps-example-com-jwt does not close it"), "{env}: {err}");
        assert!(err.contains(&format!("environments/{env}/meshedge.yaml:8")), "{env}: the patch: {err}");
    }
}

#[test]
fn a_network_policy_admitting_one_block_of_the_internet_opens_the_namespace_to_it() {
    let output = meshedge(&["build", "ipblock"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(err.contains("E802") && err.contains("internet → namespace/shop"), "{err}");
    assert!(err.contains("NetworkPolicy/shop/web-from-partners"), "{err}");
    assert!(err.contains("environments/ipblock/resources/blocks.yaml"), "{err}");
    let report = flows_json("ipblock");
    assert_eq!(find(&report, "internet", "namespace/docs", None)["verdict"], "blocked", "docs has no such policy");
}
