//! WASM extensions at the ingress gateways, end to end: the WasmPlugin a build emits for a
//! gateway's extension that a host opts into, and the errors of a bad extension or opt-in (exit
//! status 1, nothing on stdout, the code and `--> file:line:col` on stderr).

mod common;

use std::process::Output;

use common::TempRepo;
use common::fixture::{Base, assert_refused, documents, location};
use serde_json::Value;

/// The base layer; `public` carries `extensions` written as `extensions` (indented under the
/// gateway), `internal` offers `sso`.
fn base(extensions: &str) -> String {
    Base::ossm2()
        .public(extensions)
        .gateways(
            r#"      - name: internal
        namespace: istio-internal
        selector: {istio: internal-ingressgateway}
        domain: internal.example.com
        allowedHosts: ["*.internal.example.com"]
        certificateIssuer: {kind: ClusterIssuer, name: internal-ca}
        extensions:
          - name: sso
            image: quay.io/example/sso-filter:1.0
"#,
        )
        .text()
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
    repo.tenant("shop").write("base/tenants/shop/web.yaml", &request);
    (repo.build(), base, request)
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
    assert_refused(
        &output,
        "E460",
        &location("base/tenants/shop/web.yaml", &request, "wfa"),
        &["unknown extension `wfa` in `spec.ingress[0].extensions[0]`", "did you mean `waf`?"],
    );
}

#[test]
fn an_extension_of_another_gateway_is_refused() {
    let (output, _, request) = build(WAF, "      extensions: [sso]\n");
    assert_refused(
        &output,
        "E461",
        &location("base/tenants/shop/web.yaml", &request, "sso"),
        &[
            "extension `sso` in `spec.ingress[0].extensions[0]` is not offered by gateway `public`, which serves host `shop.apps.example.com`",
            "gateway `internal`",
        ],
    );
}

#[test]
fn an_extension_needs_an_image_and_leaves_the_hosts_key_to_meshedge() {
    let (output, base, _) =
        build("        extensions:\n          - name: waf\n            phase: AUTHN\n", "      extensions: [waf]\n");
    assert_refused(
        &output,
        "E462",
        &location("base/meshedge.yaml", &base, "name: waf"),
        &["extension `waf` of gateway `public` has no `image`"],
    );
    let reserved = format!("{WAF}              meshedgeHosts: [evil.example.com]\n");
    let (output, base, _) = build(&reserved, "      extensions: [waf]\n");
    assert_refused(&output, "E463", &location("base/meshedge.yaml", &base, "meshedgeHosts"), &["sets `meshedgeHosts`"]);
}

#[test]
fn a_passthrough_host_cannot_opt_into_an_extension() {
    let (output, _, request) = build(WAF, "      tls: passthrough\n      extensions: [waf]\n");
    assert_refused(
        &output,
        "E464",
        &location("base/tenants/shop/web.yaml", &request, "waf"),
        &[
            "passthrough host `shop.apps.example.com` opts into extension `waf` in `spec.ingress[0].extensions[0]`",
            "`tls: simple`",
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
        assert_refused(&output, "E110", &at, &["is not a valid OCI image reference"]);
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(why),
            "{image}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (output, base, _) = build(&WAF.replace("AUTHN", "AUTHENTICATION"), "      extensions: [waf]\n");
    assert_refused(
        &output,
        "E103",
        &location("base/meshedge.yaml", &base, "phase: AUTHENTICATION"),
        &["did you mean `AUTHN`?"],
    );
}

#[test]
fn a_host_left_out_of_the_modules_authority_map_is_warned_or_mapped() {
    // Coraza picks rules by authority: `shop` opts in but the map lists neither it nor any other
    // host, so no rule set can be made the default: the host would get `off` (W439).
    let open = format!(
        "{WAF}              directives_map: {{crs: [\"SecRuleEngine On\"], off: [\"SecRuleEngine Off\"]}}\n              per_authority_directives: {{other.example.com: crs}}\n"
    )
    .replace("default_directives: crs", "default_directives: \"off\"");
    let (output, _, _) = build(&open, "      extensions: [waf]\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("warning[W439]") && stderr.contains("per_authority_directives"), "{stderr}");
    assert!(stderr.contains("base/meshedge.yaml"), "{stderr}");
    // `shop` mapped: its rule set becomes the default, `shop-api` (not opted in) keeps `off` by
    // name, so `Shop.apps.example.com` or `shop.apps.example.com:8443` cannot get `off`.
    let mapped = open.replace("other.example.com: crs", "shop.apps.example.com: crs");
    let (output, _, _) = build(&mapped, "      extensions: [waf]\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("W439"), "{stderr}");
    let docs = documents(&output.stdout);
    let plugin = docs.iter().find(|d| d["kind"] == "WasmPlugin").expect("the plugin");
    let config = &plugin["spec"]["pluginConfig"];
    assert_eq!(config["default_directives"], "crs", "{config}");
    let map = &config["per_authority_directives"];
    assert_eq!(map["shop.apps.example.com"], "crs", "{config}");
    for authority in ["shop-api.apps.example.com", "shop-api.apps.example.com:80", "shop-api.apps.example.com:443"] {
        assert_eq!(map[authority], "off", "{authority}: {config}");
    }
}
