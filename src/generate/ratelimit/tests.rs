use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use super::{envoy_filter, filter_patch, proto_duration, route_patch, vhost_patch};
use crate::input::RateLimit;
use crate::objects::Labels;
use crate::platform::{Kind, Target};
use crate::schema::{SchemaSet, Validation};

fn limit(requests: u32, per: &str) -> RateLimit {
    serde_json::from_value(json!({"requests": requests, "per": per})).expect("a valid rate limit")
}

fn selector() -> Labels {
    Labels::from([("istio".to_string(), "egressgateway".to_string())])
}

fn route_filter(api: &str) -> Value {
    let patch =
        route_patch("api.partner.example.com:443", "sla-gold", "api_partner_example_com_sla_gold", &limit(100, "1s"));
    envoy_filter(api, "egress", "api-partner-example-com-ratelimit", &selector(), vec![patch]).into_value()
}

fn vhost_filter(api: &str) -> Value {
    let patch = vhost_patch("shop.apps.example.com:443", "shop_apps_example_com_ingress", &limit(50, "1m"));
    envoy_filter(api, "istio-ingress", "shop-apps-example-com-ingress-ratelimit", &selector(), vec![patch]).into_value()
}

fn gateway_filter(api: &str) -> Value {
    envoy_filter(api, "egress", "egress-local-ratelimit", &selector(), vec![filter_patch()]).into_value()
}

#[test]
fn a_route_gets_a_token_bucket_of_its_limit_and_enforces_it() {
    let object = route_filter("networking.istio.io/v1alpha3");
    assert_eq!(object["spec"]["workloadSelector"], json!({"labels": {"istio": "egressgateway"}}));
    let patch = &object["spec"]["configPatches"][0];
    assert_eq!(patch["applyTo"], "HTTP_ROUTE");
    assert_eq!(
        patch["match"],
        json!({"context": "GATEWAY", "routeConfiguration": {"vhost": {"name": "api.partner.example.com:443", "route": {"name": "sla-gold"}}}})
    );
    assert_eq!(patch["patch"]["operation"], "MERGE");
    let config = &patch["patch"]["value"]["typed_per_filter_config"]["envoy.filters.http.local_ratelimit"];
    assert_eq!(config["@type"], "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit");
    assert_eq!(config["token_bucket"], json!({"max_tokens": 100, "tokens_per_fill": 100, "fill_interval": "1s"}));
    let full = json!({"numerator": 100, "denominator": "HUNDRED"});
    assert_eq!(config["filter_enabled"]["default_value"], full);
    assert_eq!(config["filter_enforced"]["default_value"], full);
    // No `status`: Envoy answers 429.
    assert!(config.get("status").is_none());
}

#[test]
fn an_ingress_host_gets_one_bucket_for_its_whole_virtual_host() {
    let object = vhost_filter("networking.istio.io/v1alpha3");
    let patch = &object["spec"]["configPatches"][0];
    assert_eq!(patch["applyTo"], "VIRTUAL_HOST");
    assert_eq!(
        patch["match"],
        json!({"context": "GATEWAY", "routeConfiguration": {"vhost": {"name": "shop.apps.example.com:443"}}})
    );
    let config = &patch["patch"]["value"]["typed_per_filter_config"]["envoy.filters.http.local_ratelimit"];
    assert_eq!(config["token_bucket"], json!({"max_tokens": 50, "tokens_per_fill": 50, "fill_interval": "60s"}));
    assert_eq!(undocumented_fields(config), Vec::<String>::new());
}

#[test]
fn the_gateway_filter_is_inserted_before_the_router_without_a_bucket() {
    let object = gateway_filter("networking.istio.io/v1alpha3");
    let patch = &object["spec"]["configPatches"][0];
    assert_eq!(patch["applyTo"], "HTTP_FILTER");
    assert_eq!(patch["patch"]["operation"], "INSERT_BEFORE");
    assert_eq!(patch["match"]["context"], "GATEWAY");
    assert_eq!(patch["match"]["listener"]["filterChain"]["filter"]["subFilter"]["name"], "envoy.filters.http.router");
    assert_eq!(patch["patch"]["value"]["name"], "envoy.filters.http.local_ratelimit");
    assert!(patch["patch"]["value"]["typed_config"].get("token_bucket").is_none());
}

#[test]
fn periods_become_protobuf_json_durations() {
    assert_eq!(proto_duration(limit(1, "1s").per.as_nanos()), "1s");
    assert_eq!(proto_duration(limit(1, "1m30s").per.as_nanos()), "90s");
    assert_eq!(proto_duration(limit(1, "1.5s").per.as_nanos()), "1.5s");
    assert_eq!(proto_duration(limit(1, "2h").per.as_nanos()), "7200s");
}

/// The documented fields of each Envoy message the configuration uses (envoyproxy/data-plane-api
/// 84e84367: `envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto`,
/// `envoy/type/v3/token_bucket.proto`, `envoy/config/core/v3/base.proto`
/// `RuntimeFractionalPercent`, `envoy/type/v3/percent.proto` `FractionalPercent`).
fn documented() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    BTreeMap::from([
        (
            "LocalRateLimit",
            BTreeSet::from([
                "@type",
                "stat_prefix",
                "status",
                "token_bucket",
                "filter_enabled",
                "filter_enforced",
                "request_headers_to_add_when_not_enforced",
                "response_headers_to_add",
                "descriptors",
                "stage",
                "local_rate_limit_per_downstream_connection",
                "local_cluster_rate_limit",
                "enable_x_ratelimit_headers",
                "vh_rate_limits",
                "always_consume_default_token_bucket",
                "rate_limited_as_resource_exhausted",
                "rate_limits",
                "max_dynamic_descriptors",
            ]),
        ),
        ("TokenBucket", BTreeSet::from(["max_tokens", "tokens_per_fill", "fill_interval"])),
        ("RuntimeFractionalPercent", BTreeSet::from(["default_value", "runtime_key"])),
        ("FractionalPercent", BTreeSet::from(["numerator", "denominator"])),
    ])
}

/// Every key of `config` (a `LocalRateLimit`) is a documented field of its message.
fn undocumented_fields(config: &Value) -> Vec<String> {
    let docs = documented();
    let mut wrong = Vec::new();
    let mut check = |message: &str, value: &Value| {
        for key in value.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            if !docs[message].contains(key.as_str()) {
                wrong.push(format!("{message}.{key}"));
            }
        }
    };
    check("LocalRateLimit", config);
    check("TokenBucket", &config["token_bucket"]);
    for percent in ["filter_enabled", "filter_enforced"] {
        check("RuntimeFractionalPercent", &config[percent]);
        check("FractionalPercent", &config[percent]["default_value"]);
    }
    wrong
}

#[test]
fn the_filter_configs_have_only_the_documented_fields_of_local_rate_limit() {
    let route = route_filter("networking.istio.io/v1alpha3");
    let per_route = &route["spec"]["configPatches"][0]["patch"]["value"]["typed_per_filter_config"]["envoy.filters.http.local_ratelimit"];
    let gateway = gateway_filter("networking.istio.io/v1alpha3");
    let inserted = &gateway["spec"]["configPatches"][0]["patch"]["value"]["typed_config"];
    for config in [per_route, inserted] {
        assert_eq!(undocumented_fields(config), Vec::<String>::new());
        assert!(config["stat_prefix"].as_str().is_some_and(|p| !p.is_empty()), "stat_prefix: min_len 1");
    }
    assert!(per_route["token_bucket"]["max_tokens"].as_u64().is_some_and(|n| n > 0));
    assert!(per_route["token_bucket"]["tokens_per_fill"].as_u64().is_some_and(|n| n > 0));
    assert!(
        ["HUNDRED", "TEN_THOUSAND", "MILLION"]
            .contains(&per_route["filter_enforced"]["default_value"]["denominator"].as_str().unwrap_or(""))
    );
    // The check itself: a misspelt field is caught.
    let mut misspelt = per_route.clone();
    misspelt["token_bucket"]["fill_intervall"] = json!("1s");
    misspelt["filter_enforce"] = json!({});
    assert_eq!(undocumented_fields(&misspelt), ["LocalRateLimit.filter_enforce", "TokenBucket.fill_intervall"]);
}

#[test]
fn the_envoy_filters_validate_against_the_crd_of_every_target() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for target in Target::all_supported() {
        let mut set = SchemaSet::new();
        for file in target.schema_files(&data).expect("vendored schemas") {
            set.load_file(&file).expect("a schema file loads");
        }
        let api = target.api_version(Kind::EnvoyFilter).expect("EnvoyFilter is served").as_str();
        for object in [route_filter(api), vhost_filter(api), gateway_filter(api)] {
            match set.validate(&object) {
                Validation::Valid => {}
                other => panic!("{target}: {other:?}"),
            }
        }
        // The schema is consulted: an unknown patch context is refused.
        let mut wrong = route_filter(api);
        wrong["spec"]["configPatches"][0]["applyTo"] = json!("HTTP_ROUTES");
        assert!(matches!(set.validate(&wrong), Validation::Invalid(_)), "{target}");
    }
}
