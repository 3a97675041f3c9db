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
