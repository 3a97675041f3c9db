use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use super::wasm_plugin;
use crate::input::{Exposure, ExtensionPhase};
use crate::plan::{ExtensionPlan, IngressGateway};
use crate::platform::{Kind, Target};
use crate::schema::{SchemaSet, Validation};

fn gateway() -> IngressGateway {
    IngressGateway {
        name: "public".into(),
        namespace: "istio-ingress".into(),
        selector: BTreeMap::from([("istio".to_string(), "ingressgateway".to_string())]),
        service: "istio-ingressgateway".into(),
        domain: None,
        allowed_hosts: Vec::new(),
        exposure: Exposure::None,
        issuer: None,
        oidc: None,
        tenant: None,
        deploy: false,
        allow_wildcard_hosts: false,
        extensions: BTreeMap::new(),
        sources: BTreeSet::new(),
    }
}

fn waf(phase: Option<ExtensionPhase>) -> ExtensionPlan {
    let config = json!({"directives_map": {"default": ["SecRuleEngine On"]}, "default_directives": "default"});
    ExtensionPlan {
        name: "waf".into(),
        url: "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0".into(),
        phase,
        config: config.as_object().cloned().unwrap_or_default(),
        sources: BTreeSet::new(),
    }
}

fn plugin(api: &str, phase: Option<ExtensionPhase>) -> Value {
    let hosts = ["shop.apps.example.com", "admin.apps.example.com", "shop.apps.example.com"];
    wasm_plugin(api, &gateway(), &waf(phase), &hosts).into_value()
}

#[test]
fn a_wasm_plugin_selects_the_gateways_pods_and_gets_the_hosts_that_opt_in() {
    let object = plugin("extensions.istio.io/v1alpha1", Some(ExtensionPhase::Authn));
    assert_eq!(object["kind"], "WasmPlugin");
    assert_eq!(object["metadata"], json!({"name": "public-waf", "namespace": "istio-ingress"}));
    assert_eq!(object["spec"]["selector"], json!({"matchLabels": {"istio": "ingressgateway"}}));
    assert_eq!(object["spec"]["url"], "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0");
    assert_eq!(object["spec"]["phase"], "AUTHN");
    let config = &object["spec"]["pluginConfig"];
    assert_eq!(config["meshedgeHosts"], json!(["admin.apps.example.com", "shop.apps.example.com"]));
    assert_eq!(config["default_directives"], "default");
    // No host selector exists in the API: nothing is written to `match`.
    assert!(object["spec"].get("match").is_none());
    let unset = plugin("extensions.istio.io/v1alpha1", None);
    assert!(unset["spec"].get("phase").is_none(), "Istio's default phase is left to Istio");
}

#[test]
fn the_wasm_plugins_validate_against_the_crd_of_every_target() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for target in Target::all_supported() {
        let mut set = SchemaSet::new();
        for file in target.schema_files(&data).expect("vendored schemas") {
            set.load_file(&file).expect("a schema file loads");
        }
        let api = target.api_version(Kind::WasmPlugin).expect("WasmPlugin is served").as_str();
        for phase in [None, Some(ExtensionPhase::Authn), Some(ExtensionPhase::Authz), Some(ExtensionPhase::Stats)] {
            match set.validate(&plugin(api, phase)) {
                Validation::Valid => {}
                other => panic!("{target}: {other:?}"),
            }
        }
        let mut wrong = plugin(api, Some(ExtensionPhase::Unspecified));
        assert!(matches!(set.validate(&wrong), Validation::Valid), "{target}");
        wrong["spec"]["phase"] = json!("AUTHENTICATION");
        assert!(matches!(set.validate(&wrong), Validation::Invalid(_)), "{target}");
    }
}

fn coraza(per_authority: Value) -> ExtensionPlan {
    let config = json!({
        "directives_map": {"crs": ["SecRuleEngine On"], "off": ["SecRuleEngine Off"]},
        "default_directives": "off",
        "per_authority_directives": per_authority,
    });
    ExtensionPlan { config: config.as_object().cloned().unwrap_or_default(), ..waf(None) }
}

#[test]
fn an_authority_map_is_closed_by_default_so_no_spelling_of_an_opted_in_host_escapes_it() {
    // `Shop.apps.example.com` or `shop.apps.example.com:8443` reach the shop's routes but are not
    // keys of the map: they must get the opted-in hosts' rule set, not `off`.
    let extension = coraza(json!({"shop.apps.example.com": "crs"}));
    let closed = super::closed_by_default(
        &extension,
        &["shop.apps.example.com", "cart.apps.example.com"],
        &["blog.apps.example.com"],
    );
    assert_eq!(closed.config["default_directives"], "crs");
    assert_eq!(
        closed.config["per_authority_directives"],
        json!({
            "blog.apps.example.com": "off",
            "blog.apps.example.com:443": "off",
            "blog.apps.example.com:80": "off",
            // Opted in but left out of the module's own map: the shared rule set.
            "cart.apps.example.com": "crs",
            "shop.apps.example.com": "crs",
        })
    );
    // Hosts on several rule sets, or a module without an authority map: kept as written.
    let mixed = coraza(json!({"shop.apps.example.com": "crs", "cart.apps.example.com": "strict"}));
    let kept = super::closed_by_default(&mixed, &["shop.apps.example.com", "cart.apps.example.com"], &[]);
    assert_eq!(kept.config, mixed.config);
    let plain = waf(None);
    assert_eq!(
        super::closed_by_default(&plain, &["shop.apps.example.com"], &["blog.apps.example.com"]).config,
        plain.config
    );
}
