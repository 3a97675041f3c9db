//! WASM extensions at the ingress gateways, end to end: the WasmPlugin a build emits for a
//! gateway's extension that a host opts into, and the errors of a bad extension or opt-in (exit
//! status 1, nothing on stdout, the code and `--> file:line:col` on stderr).

mod common;

use std::process::Output;

use assert_cmd::Command;
use common::TempRepo;
use serde_json::Value;

const TENANT: &str =
    "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: shop\nspec:\n  namespaces: [shop]\n";

/// The base layer; `public` carries `extensions` written as `extensions` (indented under the
/// gateway), `internal` offers `sso`.
fn base(extensions: &str) -> String {
    format!(
        r#"apiVersion: meshedge.io/v1alpha1
kind: Layer
metadata:
  name: base
settings:
  mesh:
    flavor: ossm2
    controlPlane:
      manage: false
  cluster:
    openshiftVersion: "4.16"
  ingress:
    defaultGateway: public
    gateways:
      - name: public
        namespace: istio-ingress
        selector: {{istio: ingressgateway}}
        domain: apps.example.com
        allowedHosts: ["*.apps.example.com"]
        certificateIssuer: {{kind: ClusterIssuer, name: public-ca}}
{extensions}
      - name: internal
        namespace: istio-internal
        selector: {{istio: internal-ingressgateway}}
        domain: internal.example.com
        allowedHosts: ["*.internal.example.com"]
        certificateIssuer: {{kind: ClusterIssuer, name: internal-ca}}
        extensions:
          - name: sso
            image: quay.io/example/sso-filter:1.0
"#
    )
}

const WAF: &str = "        extensions:\n          - name: waf\n            image: ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0\n            phase: AUTHN\n            config:\n              default_directives: crs\n";

/// The request: `shop` and `shop-api` on `public`, the first item ending with `extra`.
fn request(extra: &str) -> String {
    format!(
        "apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  ingress:\n    - host: shop\n      routes:\n        - {{path: /, service: web, port: 8080}}\n{extra}    - host: shop-api\n      routes:\n        - {{path: /, service: api, port: 8080}}\n"
    )
}

fn build(extensions: &str, extra: &str) -> (Output, String, String) {
    let (base, request) = (base(extensions), request(extra));
    let repo = TempRepo::prod_on(&base);
    repo.write("base/tenants/shop/tenant.yaml", TENANT).write("base/tenants/shop/web.yaml", &request);
    let output = Command::cargo_bin("meshedge")
        .expect("the meshedge binary")
        .args(["build", "environments/prod", "--root"])
        .arg(repo.root())
        .output()
        .expect("meshedge runs");
    (output, base, request)
}

fn documents(stdout: &[u8]) -> Vec<Value> {
    let text = String::from_utf8_lossy(stdout);
    text.split("\n---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_norway::from_str(d.trim_start_matches("---\n")).expect("YAML"))
        .collect()
}

/// `--> <file>:<line>:<column>` of the first `needle` in `text`.
fn location(file: &str, text: &str, needle: &str) -> String {
    let (line, found) = text.lines().enumerate().find(|(_, l)| l.contains(needle)).expect("the needle is there");
    format!("--> {file}:{}:{}", line + 1, found.find(needle).expect("found") + 1)
}

fn assert_error(output: &Output, code: &str, fragments: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty(), "stdout must stay empty");
    for fragment in [format!("error[{code}]: ").as_str(), "help: "].into_iter().chain(fragments.iter().copied()) {
        assert!(stderr.contains(fragment), "expected {fragment:?} in:\n{stderr}");
    }
}

#[test]
fn an_extension_a_host_opts_into_is_a_wasm_plugin_on_its_gateways_pods() {
    let (output, _, _) = build(WAF, "      extensions: [waf]\n");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let docs = documents(&output.stdout);
    let plugins: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "WasmPlugin").collect();
    assert_eq!(plugins.len(), 1, "one plugin: `sso` has no host that opts in");
    let plugin = plugins[0];
    assert_eq!(plugin["apiVersion"], "extensions.istio.io/v1alpha1");
    assert_eq!(
        (&plugin["metadata"]["name"], &plugin["metadata"]["namespace"]),
        (&"public-waf".into(), &"istio-ingress".into())
    );
    assert_eq!(plugin["spec"]["url"], "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0");
    assert_eq!(plugin["spec"]["phase"], "AUTHN");
    // The gateway's pods: the labels its Gateway selects them by.
    let gateway = docs
        .iter()
        .find(|d| d["kind"] == "Gateway" && d["metadata"]["namespace"] == "istio-ingress")
        .expect("the public Gateway");
    assert_eq!(plugin["spec"]["selector"]["matchLabels"], gateway["spec"]["selector"]);
    // Only the host that opted in, beside the extension's own config.
    let config = &plugin["spec"]["pluginConfig"];
    assert_eq!(config["meshedgeHosts"], serde_json::json!(["shop.apps.example.com"]));
    assert_eq!(config["default_directives"], "crs");
    // Without an opt-in, no plugin.
    let (output, _, _) = build(WAF, "");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!documents(&output.stdout).iter().any(|d| d["kind"] == "WasmPlugin"));
}

#[test]
fn an_unknown_extension_is_refused_with_the_nearest_name() {
    let (output, _, request) = build(WAF, "      extensions: [wfa]\n");
    assert_error(
        &output,
        "E460",
        &[
            "unknown extension `wfa` in `spec.ingress[0].extensions[0]`",
            "did you mean `waf`?",
            &location("base/tenants/shop/web.yaml", &request, "wfa"),
        ],
    );
}

#[test]
fn an_extension_of_another_gateway_is_refused() {
    let (output, _, request) = build(WAF, "      extensions: [sso]\n");
    assert_error(
        &output,
        "E461",
        &[
            "extension `sso` in `spec.ingress[0].extensions[0]` is not offered by gateway `public`, which serves host `shop.apps.example.com`",
            "gateway `internal`",
            &location("base/tenants/shop/web.yaml", &request, "sso"),
        ],
    );
}

#[test]
fn an_extension_needs_an_image_and_leaves_the_hosts_key_to_meshedge() {
    let (output, base, _) =
        build("        extensions:\n          - name: waf\n            phase: AUTHN\n", "      extensions: [waf]\n");
    assert_error(
        &output,
        "E462",
        &["extension `waf` of gateway `public` has no `image`", &location("base/meshedge.yaml", &base, "name: waf")],
    );
    let reserved = format!("{WAF}              meshedgeHosts: [evil.example.com]\n");
    let (output, base, _) = build(&reserved, "      extensions: [waf]\n");
    assert_error(&output, "E463", &["sets `meshedgeHosts`", &location("base/meshedge.yaml", &base, "meshedgeHosts")]);
}

#[test]
fn a_passthrough_host_cannot_opt_into_an_extension() {
    let (output, _, request) = build(WAF, "      tls: passthrough\n      extensions: [waf]\n");
    assert_error(
        &output,
        "E464",
        &[
            "passthrough host `shop.apps.example.com` opts into extension `waf` in `spec.ingress[0].extensions[0]`",
            "`tls: simple`",
            &location("base/tenants/shop/web.yaml", &request, "waf"),
        ],
    );
}

#[test]
fn an_image_is_an_oci_reference_with_registry_and_tag() {
    for (image, why) in [
        ("coraza-proxy-wasm:0.5.0", "grammar"),
        ("corazawaf/coraza-proxy-wasm:0.5.0", "names no registry"),
        ("ghcr.io/corazawaf/coraza-proxy-wasm", "no tag and no digest"),
        ("oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0", "has a scheme"),
    ] {
        let extensions = WAF.replace("ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0", image);
        let (output, base, _) = build(&extensions, "      extensions: [waf]\n");
        let at = location("base/meshedge.yaml", &base, &format!("image: {image}"));
        assert_error(&output, "E110", &["is not a valid OCI image reference", &at]);
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(why),
            "{image}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (output, base, _) = build(&WAF.replace("AUTHN", "AUTHENTICATION"), "      extensions: [waf]\n");
    assert_error(
        &output,
        "E103",
        &["did you mean `AUTHN`?", &location("base/meshedge.yaml", &base, "phase: AUTHENTICATION")],
    );
}
