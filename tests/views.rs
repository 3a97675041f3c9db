//! `meshedge explain` and `meshedge graph` from the command line: provenance and patches of an
//! object, the picture of the edge in every format, and the usage errors of both.

mod common;

use std::collections::BTreeSet;

use assert_cmd::Command;
use regex::Regex;
use serde_json::Value;

fn meshedge() -> Command {
    Command::cargo_bin("meshedge").unwrap()
}

fn run(args: &[&str]) -> std::process::Output {
    meshedge().args(args).arg("--root").arg(common::repo_root()).output().unwrap()
}

fn stdout(args: &[&str]) -> String {
    let output = run(args);
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// A usage error: exit 2, nothing on stdout, the code in stderr; stderr returned.
fn usage_error(args: &[&str], code: &str) -> String {
    let output = run(args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?}: stdout {}", String::from_utf8_lossy(&output.stdout));
    assert!(stderr.contains(&format!("error[{code}]")), "{args:?}: {stderr}");
    stderr
}

const PATCHED: &str = "Deployment/istio-internal/internal-ingressgateway";

#[test]
fn explain_lists_the_patches_of_an_object_in_order_with_values_before_and_after() {
    let text = stdout(&["explain", "prod", PATCHED]);
    // The merge patch is the entry after its comment in the manifest.
    let manifest =
        std::fs::read_to_string(common::repo_root().join("environments/prod/meshedge.yaml")).expect("the manifest");
    let comment =
        manifest.lines().position(|l| l.contains("three replicas of the internal gateway")).expect("the comment");
    let at = format!("1. environments/prod/meshedge.yaml#patches[1] (environments/prod/meshedge.yaml:{}:", comment + 2);
    let merge = text.find(&at);
    let json = text.find("2. environments/prod/patches/hardening.yaml#1 (environments/prod/patches/hardening.yaml:13");
    assert!(merge.is_some() && json.is_some() && merge < json, "in layer order:\n{text}");
    assert!(text.contains("merge /spec/replicas\n       before: 2\n       after:  3\n"), "{text}");
    assert!(text.contains("add /spec/strategy\n       before: (absent)\n       after:  {\"rollingUpdate\""), "{text}");
    assert!(text.contains("EdgeRequest reports (base/tenants/reports/reports.yaml:5)"), "{text}");
    assert!(text.contains("environments/prod/meshedge.yaml"), "{text}");
    // The pods of the gateway are the flow model's, not the Deployment's: it decides no flow.
    assert!(text.contains("flows it decides\n  none\n"), "{text}");
}

#[test]
fn explain_json_gives_the_same_for_tools() {
    let json: Value = serde_json::from_str(&stdout(&["explain", "prod", PATCHED, "--format", "json"])).unwrap();
    assert_eq!(json["environment"], "prod");
    assert_eq!(json["object"]["kind"], "Deployment");
    assert_eq!(json["object"]["namespace"], "istio-internal");
    let patches = json["patches"].as_array().unwrap();
    assert_eq!(patches.len(), 2, "{json}");
    assert_eq!(patches[0]["op"], "merge");
    assert_eq!(patches[0]["pointer"], "/spec/replicas");
    assert_eq!((&patches[0]["before"], &patches[0]["after"]), (&Value::from(2), &Value::from(3)));
    assert_eq!(patches[0]["location"]["file"], "environments/prod/meshedge.yaml");
    assert_eq!(patches[1]["op"], "add");
    assert_eq!(patches[1]["before"], Value::Null, "absent before");
    assert_eq!(patches[1]["after"]["type"], "RollingUpdate");
    assert_eq!(json["layers"], serde_json::json!(["base", "environments/prod"]));
    assert_eq!(json["flows"], serde_json::json!([]), "the gateway's pods, not its Deployment, decide flows");
    let requests = json["requests"].as_array().unwrap();
    assert!(requests.iter().any(|r| r["kind"] == "EdgeRequest" && r["line"].is_u64()), "{json}");
}

#[test]
fn explain_an_unpatched_plain_resource_and_a_cluster_object_by_prefix() {
    let build = stdout(&["build", "dev", "--format", "json"]);
    let list: Value = serde_json::from_str(&build).unwrap();
    let namespace = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["kind"] == "Namespace"
                && o["metadata"]["annotations"]["meshedge.io/source"]
                    .as_str()
                    .is_some_and(|s| s.contains("/resources/"))
        })
        .expect("a Namespace from base/resources");
    let name = namespace["metadata"]["name"].as_str().unwrap();
    let text = stdout(&["explain", "dev", &format!("namespace/{name}")]);
    assert!(text.starts_with(&format!("Namespace/{name} (v1) in dev\n")), "{text}");
    assert!(text.contains("plain resources:\n    base/resources/"), "{text}");
    assert!(text.contains("no patch changed it"), "{text}");
}

#[test]
fn explain_an_unknown_object_suggests_the_nearest_and_exits_2() {
    let stderr = usage_error(&["explain", "prod", "Deployment/istio-internal/internal-ingresgateway"], "E905");
    assert!(stderr.contains(&format!("`{PATCHED}`")), "{stderr}");
    usage_error(&["explain", "prod", "Gateway/istio-ingress/"], "E906");
    let output = run(&["explain", "nowhere", PATCHED]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("E901"));
}

#[test]
fn explain_an_empty_object_is_a_usage_error_with_the_usage_text() {
    for empty in ["", " ", "/"] {
        let output = run(&["explain", "prod", empty]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{empty:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{empty:?}");
        assert!(stderr.contains("Usage: meshedge explain"), "{empty:?}: {stderr}");
        assert!(!stderr.contains("E905") && !stderr.contains("E906"), "not a search: {stderr}");
    }
    // A name differing only by case is no match; the object is suggested.
    let upper = PATCHED.replace("internal-ingressgateway", "Internal-IngressGateway");
    let stderr = usage_error(&["explain", "prod", &upper], "E905");
    assert!(stderr.contains(&format!("did you mean `{PATCHED}`")), "{stderr}");
}

/// The hosts the Gateways of a build serve, wildcards aside.
fn gateway_hosts(env: &str) -> BTreeSet<String> {
    let list: Value = serde_json::from_str(&stdout(&["build", env, "--format", "json"])).unwrap();
    let mut hosts = BTreeSet::new();
    for gateway in list["items"].as_array().unwrap().iter().filter(|o| o["kind"] == "Gateway") {
        // The east-west gateway of federation (AUTO_PASSTHROUGH) is no edge of the graph.
        let servers = gateway["spec"]["servers"].as_array().into_iter().flatten();
        for server in servers.filter(|s| s["tls"]["mode"] != "AUTO_PASSTHROUGH") {
            for host in server["hosts"].as_array().into_iter().flatten() {
                let host = host.as_str().unwrap();
                let host = host.rsplit('/').next().unwrap();
                if !host.contains('*') {
                    hosts.insert(host.to_string());
                }
            }
        }
    }
    hosts
}

/// What a mermaid flowchart needs to parse, checked on the text: a header, declarations of ids
/// made of letters, digits and `_` with quoted labels that hold no quote, edges between
/// declared nodes with quoted labels.
fn check_mermaid(text: &str) -> Result<(), String> {
    let mut lines = text.lines();
    if lines.next() != Some("flowchart LR") {
        return Err("no `flowchart LR` header".into());
    }
    let label = r#""[^"\n]*""#;
    let node = Regex::new(&format!(
        r#"^  ([A-Za-z][A-Za-z0-9_]*)(\(\[{label}\]\)|\[/{label}/\]|\{{\{{{label}\}}\}}|\[{label}\]|\({label}\))$"#
    ))
    .unwrap();
    let edge =
        Regex::new(&format!(r"^  ([A-Za-z][A-Za-z0-9_]*) (-->|-\.->)(\|{label}\|)? ([A-Za-z][A-Za-z0-9_]*)$")).unwrap();
    let mut declared = BTreeSet::new();
    for line in lines {
        if let Some(c) = node.captures(line) {
            if !declared.insert(c[1].to_string()) {
                return Err(format!("declared twice: {line}"));
            }
            if c[1].eq_ignore_ascii_case("end") {
                return Err(format!("a keyword as id: {line}"));
            }
            let inner = c[2].replace("<br/>", "");
            if inner.contains(['<', '>', '`']) {
                return Err(format!("markup in a label: {line}"));
            }
        } else if let Some(c) = edge.captures(line) {
            for id in [&c[1], &c[4]] {
                if !declared.contains(id) {
                    return Err(format!("edge to an undeclared node `{id}`: {line}"));
                }
            }
        } else {
            return Err(format!("not a declaration or an edge: {line:?}"));
        }
    }
    Ok(())
}

#[test]
fn the_mermaid_checker_refuses_what_mermaid_would() {
    assert!(check_mermaid("flowchart LR\n  a[\"x\"]\n  a --> a\n").is_ok());
    assert!(check_mermaid("flowchart LR\n  a[\"x\"]\n  a --> b\n").is_err(), "undeclared");
    assert!(check_mermaid("flowchart LR\n  a[\"x\"y\"]\n").is_err(), "a quote in a label");
    assert!(check_mermaid("flowchart LR\n  a-b[\"x\"]\n").is_err(), "an id with a dash");
    assert!(check_mermaid("graph\n").is_err());
}

#[test]
fn graph_draws_every_environment_as_valid_mermaid_naming_its_hosts() {
    for env in common::environments() {
        let text = stdout(&["graph", &env]);
        check_mermaid(&text).unwrap_or_else(|e| panic!("{env}: {e}\n{text}"));
        for host in gateway_hosts(&env) {
            assert!(text.contains(&format!("\"{host}")), "{env}: {host} missing\n{text}");
        }
    }
}

#[test]
fn graph_svg_parses_and_names_every_host() {
    for env in common::environments() {
        let svg = stdout(&["graph", &env, "--format", "svg"]);
        let document = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{env}: {e}"));
        assert_eq!(document.root_element().tag_name().name(), "svg");
        let texts: String =
            document.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect::<Vec<_>>().join("\n");
        let hosts = gateway_hosts(&env);
        assert!(!hosts.is_empty(), "{env}");
        for host in hosts {
            assert!(texts.contains(&host), "{env}: {host} not drawn");
        }
    }
}

#[test]
fn graph_dot_is_one_digraph_with_edges_between_declared_nodes() {
    let dot = stdout(&["graph", "prod", "--format", "dot"]);
    assert!(dot.starts_with("digraph meshedge {\n") && dot.ends_with("}\n"), "{dot}");
    let declared: BTreeSet<&str> = dot
        .lines()
        .filter(|l| l.contains(" [label=") && !l.contains(" -> "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for line in dot.lines().filter(|l| l.contains(" -> ")) {
        let mut ends = line.trim().split(" -> ");
        let from = ends.next().unwrap();
        let to = ends.next().unwrap().split([' ', ';']).next().unwrap();
        assert!(declared.contains(from) && declared.contains(to), "{line}");
    }
    assert!(dot.contains("egress IPs: 192.0.2.10, 192.0.2.11"), "prod's egress gateway: {dot}");
    assert!(dot.contains("label=\"sla: gold\""), "SLA classes on the edges: {dot}");
}

#[test]
fn graph_of_one_tenant_keeps_its_hosts_only() {
    let all = stdout(&["graph", "prod"]);
    let shop = stdout(&["graph", "prod", "--tenant", "shop"]);
    check_mermaid(&shop).unwrap();
    assert!(shop.contains("shop.apps.prod.example.com") && shop.contains("namespace shop"), "{shop}");
    assert!(!shop.contains("status.apps.prod.example.com") && !shop.contains("namespace blog"), "{shop}");
    assert!(shop.len() < all.len());
    let stderr = usage_error(&["graph", "prod", "--tenant", "shp"], "E907");
    assert!(stderr.contains("`shop`"), "{stderr}");
    // dev excludes the legacy tenant: said so, not that there is no such tenant.
    let stderr = usage_error(&["graph", "dev", "--tenant", "legacy"], "E907");
    assert!(stderr.contains("tenant `legacy` is excluded in environment `dev`"), "{stderr}");
    assert!(stderr.contains("settings.tenants.exclude"), "{stderr}");
    let output = run(&["graph", "prod", "--format", "png"]);
    assert_eq!(output.status.code(), Some(2), "an unknown format is a usage error");
}

/// The flows an object takes part in deciding, with their verdicts: the policy that opens the
/// admin gateway decides every flow to its host, the foreign issuer's token blocked among them.
#[test]
fn explain_lists_the_flows_an_object_decides() {
    let text = stdout(&["explain", "prod", "NetworkPolicy/istio-internal/meshedge-gateway-admin"]);
    let flows = &text[text.find("flows it decides\n").expect("a flows section")..];
    let host = "internet → shop-admin.internal.prod.example.com:443 / → service/shop/shop-admin:8080";
    assert!(flows.contains(&format!("ingress {host} with credential token: allowed")), "{flows}");
    assert!(flows.contains(&format!("ingress {host} with credential foreign-token: blocked")), "{flows}");
    assert!(!flows.contains("reports.internal.corp.example"), "another gateway's host: {flows}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&[
        "explain",
        "prod",
        "NetworkPolicy/istio-internal/meshedge-gateway-admin",
        "--format",
        "json",
    ]))
    .unwrap();
    let listed = json["flows"].as_array().expect("flows, evaluated");
    assert!(listed.iter().any(|f| f["verdict"] == "allowed" && f["direction"] == "ingress"), "{listed:?}");
}

/// The small repository of the flows stage's tests: `ok` keeps every promise, `deny` blocks the
/// shop's requested host with a plain DENY policy (E801), `open` lets `docs` reach a host it
/// never requested (E802).
fn flowstage(args: &[&str]) -> std::process::Output {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/flowstage");
    meshedge().args(args).arg("--root").arg(root).output().unwrap()
}

fn ok_stdout(output: &std::process::Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn graph_draws_the_blocked_negative_flows_dashed_and_narrows_them_to_a_tenant() {
    let all = ok_stdout(&flowstage(&["graph", "ok"]));
    check_mermaid(&all).unwrap_or_else(|e| panic!("{e}\n{all}"));
    // docs never asked for Stripe, the shop did: the flow is shut, drawn dashed to the shop's node.
    assert!(all.contains("  ns_docs -.->|\"blocked on port 80\"| ext_api_stripe_com_443\n"), "{all}");
    assert!(
        all.contains("-.->|\"blocked on port 443\"| ext_internet_443\n"),
        "the internet outside the registry: {all}"
    );
    // The shop calls Stripe on port 80 as its flow says; the gateway opens TLS to port 443.
    assert!(all.contains("  ns_shop -->|\"api.stripe.com:80\"| egw_"), "{all}");
    assert!(all.contains("-->|\"TLS originated to port 443"), "{all}");
    assert!(all.contains("  clients -.->|\"blocked\"| ns_docs\n"), "straight to the pods: {all}");
    assert!(all.contains("blocked with credential none"), "a jwt host without a token: {all}");
    assert!(!all.contains("requested but blocked") && !all.contains("not requested"), "no violation: {all}");
    let dot = ok_stdout(&flowstage(&["graph", "ok", "--format", "dot"]));
    assert!(
        dot.contains("  ns_docs -> ext_api_stripe_com_443 [label=\"blocked on port 80\", style=dashed];\n"),
        "{dot}"
    );
    let svg = ok_stdout(&flowstage(&["graph", "ok", "--format", "svg"]));
    roxmltree::Document::parse(&svg).unwrap();
    assert!(svg.contains("stroke-dasharray"), "dashed strokes: {svg}");
    let shop = ok_stdout(&flowstage(&["graph", "ok", "--tenant", "shop"]));
    check_mermaid(&shop).unwrap_or_else(|e| panic!("{e}\n{shop}"));
    assert!(shop.contains("  clients -.->|\"blocked\"| ns_shop\n"), "{shop}");
    assert!(!shop.contains("ns_docs"), "another tenant's flows: {shop}");
}

#[test]
fn graph_and_explain_run_when_the_flows_break_the_requests_and_show_it() {
    // E801: the shop's requested host is blocked by a plain DENY policy.
    let output = flowstage(&["graph", "deny"]);
    let graph = ok_stdout(&output);
    check_mermaid(&graph).unwrap_or_else(|e| panic!("{e}\n{graph}"));
    // The blocked route's own edge is dashed; the host's other routes stay solid.
    assert!(
        graph.contains("  host_shop_apps_example_com -.->|\"/api requested but blocked\"| svc_shop_api_"),
        "{graph}"
    );
    assert!(!graph.contains("  host_shop_apps_example_com -->|\"/api\"|"), "{graph}");
    assert!(!graph.contains("requested but blocked\"| host_shop_apps_example_com\n"), "{graph}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("E801"), "stderr names the violation");
    let output = flowstage(&["explain", "deny", "AuthorizationPolicy/istio-ingress/deny-shop"]);
    let text = ok_stdout(&output);
    let flows = &text[text.find("flows it decides\n").expect("a flows section")..];
    let line = flows.lines().find(|l| l.contains("shop.apps.example.com") && l.contains("requested but blocked"));
    assert!(line.is_some_and(|l| l.contains(": blocked — breaks the requests")), "{flows}");
    assert!(!text.contains("not evaluated"), "{text}");
    let json: Value = serde_json::from_str(&ok_stdout(&flowstage(&[
        "explain",
        "deny",
        "AuthorizationPolicy/istio-ingress/deny-shop",
        "--format",
        "json",
    ])))
    .unwrap();
    let listed = json["flows"].as_array().unwrap();
    assert!(listed.iter().any(|f| f["violation"] == "requested but blocked" && f["verdict"] == "blocked"), "{json}");
    // E802: docs reaches a host it never requested, drawn as an open edge.
    let graph = ok_stdout(&flowstage(&["graph", "open"]));
    check_mermaid(&graph).unwrap_or_else(|e| panic!("{e}\n{graph}"));
    // Both ports of the host are open to docs: each flow's port on the edge.
    assert!(
        graph.contains(
            "  ns_docs -->|\"open but not requested on port 443, open but not requested on port 80\"| ext_api_stripe_com_443\n"
        ),
        "{graph}"
    );
}

#[test]
fn graph_groups_the_negative_flows_of_many_namespaces_and_svg_refuses_a_large_graph() {
    let dir = tempfile::tempdir().unwrap();
    meshedge_testkit::synth::write_repo(dir.path(), 30).unwrap();
    let run = |args: &[&str]| meshedge().args(args).arg("--root").arg(dir.path()).output().unwrap();
    let all = ok_stdout(&run(&["graph", "prod"]));
    check_mermaid(&all).unwrap_or_else(|e| panic!("{e}\n{all}"));
    // 30 namespaces × the hosts they did not ask for: more than drawn one by one.
    let dashed = all.lines().filter(|l| l.contains(" -.->")).count();
    assert!(
        all.contains("  ns_[\"other tenant namespaces\"]\n") || all.contains("  ns_(\"other tenant namespaces\")\n"),
        "{all}"
    );
    // 36 tenant namespaces (some tenants have two), the one of t0 asked for its partner host.
    assert!(
        all.contains("  ns_ -.->|\"blocked on port 80 from 35 namespaces\"| ext_t0_partner_example_443\n"),
        "{all}"
    );
    assert!(dashed < meshedge::graph::ONE_BY_ONE, "{dashed} dashed edges");
    let one = ok_stdout(&run(&["graph", "prod", "--tenant", "t0"]));
    assert!(!one.contains("other tenant namespaces"), "one tenant's namespaces one by one: {one}");
    let output = run(&["graph", "prod", "--format", "svg"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error[E908]") && stderr.contains("--tenant"), "{stderr}");
    let svg = ok_stdout(&run(&["graph", "prod", "--format", "svg", "--tenant", "t0"]));
    roxmltree::Document::parse(&svg).unwrap();
}

/// Past mermaid's default limits (500 edges, 50,000 characters), which GitHub renders with, the
/// mermaid format is refused like svg is past its own: one tenant still draws.
#[test]
fn mermaid_refuses_a_graph_over_the_renderers_default_limits() {
    let dir = tempfile::tempdir().unwrap();
    meshedge_testkit::synth::write_repo(dir.path(), 300).unwrap();
    let run = |args: &[&str]| meshedge().args(args).arg("--root").arg(dir.path()).output().unwrap();
    let output = run(&["graph", "prod"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(stderr.contains("error[E913]") && stderr.contains("mermaid"), "{stderr}");
    assert!(stderr.contains("--tenant") && stderr.contains("--format dot"), "{stderr}");
    let dot = ok_stdout(&run(&["graph", "prod", "--format", "dot"]));
    assert!(dot.lines().filter(|l| l.contains("->")).count() > 0);
    let one = ok_stdout(&run(&["graph", "prod", "--tenant", "t0"]));
    assert!(one.encode_utf16().count() <= meshedge::graph::mermaid::MAX_TEXT);
}

#[test]
fn one_tenants_graph_of_a_large_environment_groups_the_hosts_it_did_not_ask_for_and_fits_svg() {
    let dir = tempfile::tempdir().unwrap();
    meshedge_testkit::synth::write_repo(dir.path(), 300).unwrap();
    let run = |args: &[&str]| meshedge().args(args).arg("--root").arg(dir.path()).output().unwrap();
    let one = ok_stdout(&run(&["graph", "prod", "--tenant", "t0"]));
    check_mermaid(&one).unwrap_or_else(|e| panic!("{e}\n{one}"));
    // t0's namespace is blocked from the partner hosts of the 299 other tenants: one edge.
    assert!(one.contains("other external hosts (29"), "{one}");
    assert!(!one.contains("ext_t1_partner_example_443"), "{one}");
    assert!(one.contains("t0.partner.example"), "what t0 asked for is drawn: {one}");
    let output = run(&["graph", "prod", "--format", "svg", "--tenant", "t0"]);
    let svg = ok_stdout(&output);
    roxmltree::Document::parse(&svg).unwrap();
}

#[test]
fn explain_and_graph_word_the_broken_flows_as_what_the_build_would_do_not_as_their_failure() {
    for args in [&["graph", "deny"][..], &["explain", "deny", "AuthorizationPolicy/istio-ingress/deny-shop"]] {
        let output = flowstage(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("error[E801]"), "{args:?}: {stderr}");
        let last = stderr.trim_end().lines().last().unwrap_or_default();
        assert!(last.starts_with("note: the build would fail: ") && last.ends_with(" errors"), "{args:?}: {stderr}");
        assert!(!stderr.lines().any(|l| l.starts_with("error: ")), "{args:?}: {stderr}");
    }
    // The manual page says so.
    let man = String::from_utf8(meshedge().arg("man").output().unwrap().stdout).unwrap();
    assert!(man.contains("the build would fail"), "EXIT STATUS exempts explain and graph");
}

#[test]
fn invisible_and_bidirectional_characters_are_escaped_in_explain_text_json_and_diagnostics() {
    let dir = common::example();
    // A file name is the input text no validation narrows.
    let file = "environments/dev/resources/a\u{202e}b\u{2028}c.yaml";
    common::write(dir.path(), file, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: odd, namespace: shop}\n");
    let json = common::meshedge(dir.path(), &["explain", "dev", "ConfigMap/shop/odd", "--format", "json"]);
    let text = String::from_utf8(json.stdout.clone()).unwrap();
    assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
    assert!(!text.contains('\u{202e}') && !text.contains('\u{2028}'), "{text}");
    assert!(text.contains("a\\u202eb\\u2028c.yaml"), "the same escape as diff's JSON: {text}");
    let plain = common::meshedge(dir.path(), &["explain", "dev", "ConfigMap/shop/odd"]);
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.contains("a\\u{202e}b\\u{2028}c.yaml"), "{text}");
    // A diagnostic naming the file: escaped the same way.
    common::write(dir.path(), file, "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n");
    let build = common::meshedge(dir.path(), &["build", "dev"]);
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert_eq!(build.status.code(), Some(1), "{stderr}");
    assert!(build.stdout.is_empty());
    assert!(!stderr.contains('\u{202e}') && !stderr.contains('\u{2028}'), "{stderr}");
    assert!(stderr.contains("a\\u{202e}b\\u{2028}c.yaml"), "{stderr}");
}
