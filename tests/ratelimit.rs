//! Rate limits at the gateways, end to end: the EnvoyFilters a build emits for an SLA class's
//! `rateLimit`, that they name routes the gateway really has, and the errors of a bad limit
//! (exit status 1, nothing on stdout, the code and `--> file:line:col` on stderr).

mod common;

use std::process::Output;

use common::TempRepo;
use common::fixture::{Base, assert_error, assert_refused, documents, location};
use serde_json::Value;

const PARTNER: &str = "apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\nmetadata:\n  name: partner\n  namespace: shop\nspec:\n  egress:\n    - host: api.partner.example\n      port: 443\n      tls: mutual\n      credentialName: partner-client\n      slaClasses: [gold]\n";

/// The base layer with the gold class's `rateLimit` written as `limit`.
fn base(limit: &str) -> String {
    Base::ossm2()
        .public("        exposure: route\n")
        .settings(&format!(
            r#"  egress:
    defaultGateway: egress
    gateways:
      - name: egress
        namespace: istio-egress
        selector: {{istio: egressgateway}}
    allowedHosts: [api.partner.example]
    slaClasses:
      - name: gold
        connectionPool: {{tcp: {{maxConnections: 100}}}}
        rateLimit: {limit}
      - name: bronze
        connectionPool: {{tcp: {{maxConnections: 5}}}}
    defaultSlaClass: bronze
"#
        ))
        .text()
}

/// `prod` on `base` with the tenant `shop` and its egress request `partner`.
fn build_on(base: &str, partner: &str) -> Output {
    let repo = TempRepo::prod_on(base);
    repo.tenant("shop").write("base/tenants/shop/partner.yaml", partner);
    repo.build()
}

fn build(limit: &str) -> (Output, String) {
    let base = base(limit);
    (build_on(&base, PARTNER), base)
}

fn assert_limit_error(limit: &str, code: &str, at: &str, message: &str) {
    let (output, base) = build(limit);
    assert_refused(&output, code, &location("base/meshedge.yaml", &base, at), &[message]);
}

#[test]
fn a_limit_without_requests_is_refused() {
    assert_limit_error("{requests: 0, per: 1s}", "E448", "requests: 0", "allows no request");
    assert_limit_error("\n          requests: 0\n          per: 1s", "E448", "requests: 0", "allows no request");
}

#[test]
fn a_period_under_a_second_is_refused() {
    assert_limit_error("{requests: 10, per: 500ms}", "E449", "per: 500ms", "shorter than a second");
    assert_limit_error("\n          requests: 10\n          per: 500ms", "E449", "per: 500ms", "shorter than a second");
}

#[test]
fn a_limit_must_be_a_duration_and_a_count() {
    let (output, _) = build("{requests: 10, per: soon}");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a valid duration"));
    let (output, _) = build("{requests: 10, per: 1s, burst: 20}");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown field `burst`"));
}

#[test]
fn a_limited_class_gets_its_bucket_on_the_hosts_class_route_at_the_egress_gateway() {
    let (output, _) = build("{requests: 100, per: 1m}");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("EnvoyFilter") && !stderr.contains("ratelimit"), "{stderr}");
    let docs = documents(&output.stdout);
    let filters: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "EnvoyFilter").collect();
    let names: Vec<&str> = filters.iter().filter_map(|f| f["metadata"]["name"].as_str()).collect();
    assert_eq!(names, ["api-partner-example-ratelimit", "egress-local-ratelimit"]);
    for filter in &filters {
        assert_eq!(filter["apiVersion"], "networking.istio.io/v1alpha3");
        assert_eq!(filter["metadata"]["namespace"], "istio-egress");
        assert_eq!(filter["spec"]["workloadSelector"]["labels"]["istio"], "egressgateway");
    }
    let patch = &filters[0]["spec"]["configPatches"][0];
    let bucket =
        &patch["patch"]["value"]["typed_per_filter_config"]["envoy.filters.http.local_ratelimit"]["token_bucket"];
    assert_eq!(bucket["max_tokens"], 100);
    assert_eq!(bucket["fill_interval"], "60s");
    // The patch names the virtual host and route the egress gateway has for the gold class:
    // the VirtualService's route `sla-gold` on the Gateway server at port 443.
    let vhost = &patch["match"]["routeConfiguration"]["vhost"];
    assert_eq!(vhost["name"], "api.partner.example:443");
    let vs = docs
        .iter()
        .find(|d| d["kind"] == "VirtualService" && d["metadata"]["namespace"] == "istio-egress")
        .expect("the egress VirtualService");
    let route = vs["spec"]["http"]
        .as_array()
        .and_then(|routes| routes.iter().find(|r| r["name"] == vhost["route"]["name"]))
        .expect("the limited route exists");
    assert_eq!(route["match"][0]["port"], 443);
    assert_eq!(route["match"][0]["headers"]["x-sla-class"]["exact"], "gold");
    // Only gold is limited: bronze (the default class) has no patch.
    assert_eq!(filters[0]["spec"]["configPatches"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_limited_default_class_also_limits_requests_without_the_header() {
    let base = base("{requests: 5, per: 1s}").replace("defaultSlaClass: bronze", "defaultSlaClass: gold");
    let output = build_on(&base, PARTNER);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let docs = documents(&output.stdout);
    let filter = docs.iter().find(|d| d["metadata"]["name"] == "api-partner-example-ratelimit").expect("the filter");
    let routes: Vec<&str> = filter["spec"]["configPatches"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["match"]["routeConfiguration"]["vhost"]["route"]["name"].as_str())
        .collect();
    assert_eq!(routes, ["egress-gateway-to-host", "sla-gold"]);
}

const WEB: &str = "base/tenants/shop/web.yaml";

/// The build of the small repository with an ingress host `shop` whose item ends with `extra`.
fn ingress_build(extra: &str) -> Output {
    let repo = TempRepo::prod_on(&base("{requests: 100, per: 1s}"));
    let web = format!(
        "apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  ingress:\n    - host: shop\n      routes:\n        - {{path: /, service: web, port: 8080}}\n{extra}"
    );
    repo.tenant("shop").write("base/tenants/shop/partner.yaml", PARTNER).write(WEB, &web);
    repo.build()
}

#[test]
fn an_ingress_host_gets_one_bucket_for_its_virtual_host_at_its_gateway() {
    let output = ingress_build("      rateLimit: {requests: 20, per: 10s}\n");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let docs = documents(&output.stdout);
    let filter = docs
        .iter()
        .find(|d| d["metadata"]["name"] == "shop-apps-example-com-ingress-ratelimit")
        .expect("the host's filter");
    assert_eq!(filter["metadata"]["namespace"], "istio-ingress");
    assert_eq!(filter["spec"]["workloadSelector"]["labels"]["istio"], "ingressgateway");
    let patch = &filter["spec"]["configPatches"][0];
    assert_eq!(patch["applyTo"], "VIRTUAL_HOST");
    assert_eq!(patch["match"]["routeConfiguration"]["vhost"]["name"], "shop.apps.example.com:443");
    let bucket =
        &patch["patch"]["value"]["typed_per_filter_config"]["envoy.filters.http.local_ratelimit"]["token_bucket"];
    assert_eq!((bucket["max_tokens"].as_u64(), bucket["fill_interval"].as_str()), (Some(20), Some("10s")));
    // The ingress gateway's pods get the filter itself.
    assert!(docs.iter().any(|d| d["metadata"]["name"] == "public-local-ratelimit"
        && d["metadata"]["namespace"] == "istio-ingress"));
    // Without a limit, no filter on the ingress gateway.
    let docs = documents(&ingress_build("").stdout);
    assert!(!docs.iter().any(|d| d["kind"] == "EnvoyFilter" && d["metadata"]["namespace"] == "istio-ingress"));
}

#[test]
fn a_bad_ingress_limit_is_refused_where_it_is_written() {
    let output = ingress_build("      rateLimit: {requests: 0, per: 1s}\n");
    assert_error(&output, "E448", "--> base/tenants/shop/web.yaml:11:19");
    let output = ingress_build("      rateLimit:\n        requests: 5\n        per: 100ms\n");
    assert_refused(&output, "E449", "--> base/tenants/shop/web.yaml:13:9", &["`100ms`"]);
}

#[test]
fn a_passthrough_host_cannot_be_limited() {
    let output = ingress_build("      tls: passthrough\n      rateLimit: {requests: 5, per: 1s}\n");
    assert_refused(
        &output,
        "E429",
        "--> base/tenants/shop/web.yaml:12:",
        &["passthrough host `shop.apps.example.com` has a rate limit"],
    );
}

#[test]
fn a_limit_error_names_its_field_by_path_not_by_pointer() {
    let output = ingress_build("      rateLimit: {requests: 0, per: 1s}\n");
    assert_refused(&output, "E448", WEB, &["the rate limit at `spec.ingress[0].rateLimit` allows no request"]);
    assert!(!String::from_utf8_lossy(&output.stderr).contains("/spec/ingress/0"));
    let (output, _) = build("{requests: 0, per: 1s}");
    assert_refused(
        &output,
        "E448",
        "base/meshedge.yaml",
        &["the rate limit at `settings.egress.slaClasses.gold.rateLimit`"],
    );
}

#[test]
fn a_passthrough_external_host_cannot_be_called_in_a_limited_class() {
    let passthrough =
        PARTNER.replace("      tls: mutual\n      credentialName: partner-client\n", "      tls: passthrough\n");
    let output = build_on(&base("{requests: 100, per: 1s}"), &passthrough);
    assert_refused(
        &output,
        "E429",
        "--> base/tenants/shop/partner.yaml:",
        &["passthrough host `api.partner.example` is called in SLA class `gold`, which has a rate limit"],
    );
    // Only bronze, unlimited, as its own class and the default: nothing to refuse.
    let unlimited = passthrough.replace("slaClasses: [gold]", "slaClasses: [bronze]");
    let ok = build_on(&base("{requests: 100, per: 1s}"), &unlimited);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
}
