//! The JSON Schema of the input documents (`meshedge::input_schema`), against the loader it
//! describes:
//!
//! - the committed schemas in `docs/schema/` are the generated ones, and generation is
//!   deterministic; they are valid draft 2020-12 schemas;
//! - every file of the example repository names its schema on its first line and validates;
//! - over a table of small documents (the bad inputs of tests/errors.rs, tests/values.rs and
//!   tests/tenancy.rs, and more), the loader refuses a document for its shape exactly when the
//!   schema refuses it, but for the differences the schema cannot avoid, which are listed here
//!   and in docs/editors.md;
//! - over generated strings, each value type's schema accepts exactly the values the type
//!   accepts (durations and URLs: at least every value the type accepts).

mod common;

use std::cell::Cell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jsonschema::Validator;
use meshedge::compiler;
use meshedge::input_schema::{InputKind, input_schema, input_schema_text};
use meshedge::source::FsSource;
use meshedge::stages::values;
use proptest::strategy::{Strategy, Union};
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use common::valid::{BASE, BASE_TEXT, PARTNER, PARTNER_TEXT, PROD, TENANT, TENANT_TEXT, WEB, WEB_TEXT};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validator(schema: &Value) -> Validator {
    jsonschema::draft202012::options().build(schema).unwrap_or_else(|e| panic!("the schema compiles: {e}"))
}

/// The messages of `validator` for `instance`, empty when it is valid.
fn refusals(validator: &Validator, instance: &Value) -> Vec<String> {
    validator.iter_errors(instance).map(|e| format!("{} (at {})", e, e.instance_path())).collect()
}

// ---- the committed schemas --------------------------------------------------------------------

/// The schemas the repository keeps, and the documents each is for.
///
/// These files are generated, and committed on purpose: the modelines of the example
/// repository point at them, so that an editor validates offline, from a clone. They are a
/// checked artefact, like a lock file, not stray output: this test fails when the input types
/// change and the files were not regenerated. Regenerate them with
/// `MESHEDGE_UPDATE_SCHEMAS=1 cargo test --test input_schema committed`.
const COMMITTED: [(InputKind, &str); 2] =
    [(InputKind::All, "docs/schema/meshedge.schema.json"), (InputKind::Patch, "docs/schema/patch.schema.json")];

#[test]
fn committed_schemas_are_the_generated_ones() {
    let update = std::env::var_os("MESHEDGE_UPDATE_SCHEMAS").is_some();
    for (kind, path) in COMMITTED {
        let generated = input_schema_text(kind);
        let file = repo_root().join(path);
        if update {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            committed == generated,
            "{path} is not the schema meshedge generates: run `MESHEDGE_UPDATE_SCHEMAS=1 cargo test --test input_schema committed` and commit the result"
        );
    }
}

#[test]
fn generation_is_deterministic_with_sorted_keys() {
    for kind in InputKind::EVERY {
        let text = input_schema_text(kind);
        assert_eq!(text, input_schema_text(kind), "{kind:?}");
        let handle = std::thread::spawn(move || input_schema_text(kind));
        assert_eq!(text, handle.join().unwrap(), "{kind:?} on another thread");
        assert!(text.ends_with("}\n"));
        // Keys in sorted order at every level, whatever map type serde_json was built with.
        fn sorted(value: &Value) -> bool {
            match value {
                Value::Object(map) => {
                    map.keys().zip(map.keys().skip(1)).all(|(a, b)| a < b) && map.values().all(sorted)
                }
                Value::Array(items) => items.iter().all(sorted),
                _ => true,
            }
        }
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert!(sorted(&parsed), "{kind:?}");
        assert_eq!(parsed, input_schema(kind));
    }
}

#[test]
fn schemas_are_valid_draft_2020_12() {
    for kind in InputKind::EVERY {
        let schema = input_schema(kind);
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!("{kind:?}: {e}");
        }
        validator(&schema);
    }
}

#[test]
fn descriptions_defaults_and_enums_reach_the_schema() {
    let all = input_schema(InputKind::All);
    let defs = &all["$defs"];
    let mesh = &defs["MeshSettings"]["properties"];
    assert_eq!(mesh["flavor"]["default"], "ossm2");
    assert_eq!(mesh["outboundTrafficPolicy"]["default"], "REGISTRY_ONLY");
    assert!(mesh["flavor"]["description"].as_str().unwrap().contains("OpenShift Service Mesh"));
    let flavors: Vec<&Value> = defs["Flavor"]["oneOf"].as_array().unwrap().iter().map(|v| &v["const"]).collect();
    assert_eq!(flavors, [&json!("ossm2"), &json!("istio")]);
    assert_eq!(defs["IngressRequest"]["properties"]["tls"]["default"], "simple");
    assert_eq!(defs["Port"]["maximum"], 65535);
    assert!(defs["Duration"]["pattern"].as_str().unwrap().starts_with("^"));
    assert_eq!(defs["HttpsUrl"]["format"], "uri");
    assert_eq!(defs["IngressGatewaySettings"]["additionalProperties"], false);
    assert!(defs["EgressGatewaySettings"]["properties"]["egressIPs"].is_object(), "renamed fields keep their names");
    // Every definition and every property says what it is.
    for (name, def) in defs.as_object().unwrap() {
        let described = def.get("description").is_some() || def.get("$ref").is_some();
        assert!(described, "$defs/{name} has no description");
        for (property, schema) in def.get("properties").and_then(Value::as_object).into_iter().flatten() {
            assert!(schema.get("description").is_some(), "$defs/{name}/properties/{property} has no description");
        }
    }
}

#[test]
fn each_kind_has_a_schema_of_its_own() {
    let layer = |kind: &str| json!({"apiVersion": "meshedge.io/v1alpha1", "kind": kind, "metadata": {"name": "prod"}});
    let tenant = json!({"apiVersion": "meshedge.io/v1alpha1", "kind": "Tenant", "metadata": {"name": "shop"}});
    let request = json!({"apiVersion": "meshedge.io/v1alpha1", "kind": "EdgeRequest", "metadata": {"name": "web"}});
    let patch = json!({"target": {"kind": "Gateway"}, "merge": {"metadata": {"labels": {"a": "b"}}}});
    let documents = [layer("Environment"), layer("Layer"), tenant, request, patch];
    // Which documents each schema accepts, in the order of `documents`.
    for (kind, accepts) in [
        (InputKind::All, [true, true, true, true, false]),
        (InputKind::Environment, [true, false, false, false, false]),
        (InputKind::Layer, [false, true, false, false, false]),
        (InputKind::Tenant, [false, false, true, false, false]),
        (InputKind::EdgeRequest, [false, false, false, true, false]),
        (InputKind::Patch, [false, false, false, false, true]),
    ] {
        let validator = validator(&input_schema(kind));
        for (document, expected) in documents.iter().zip(accepts) {
            assert_eq!(validator.is_valid(document), expected, "{kind:?} on {document}");
        }
    }
}

// ---- the example repository -------------------------------------------------------------------

/// Every file under `dir`, repo-relative, sorted.
fn files_under(dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(repo_root().join(dir)).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(repo_root()).unwrap();
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    out
}

/// `path` relative to the directory of `from` (both repo-relative).
fn relative_to(from: &str, path: &str) -> String {
    let depth = Path::new(from).parent().map_or(0, |p| p.components().count());
    format!("{}{path}", "../".repeat(depth))
}

fn parse(file: &str, text: &str) -> Vec<Value> {
    meshedge::stages::parse(file, text)
        .unwrap_or_else(|d| panic!("{file}: {}", d.message))
        .into_iter()
        .map(|d| d.value)
        .collect()
}

#[test]
fn every_example_file_names_its_schema_and_validates() {
    let all = validator(&input_schema(InputKind::All));
    let patch = validator(&input_schema(InputKind::Patch));
    // Patch files are the files the layers' `patches[].file` name.
    let mut patch_files = BTreeSet::new();
    let mut files = files_under("base");
    files.extend(files_under("environments"));
    for file in files.iter().filter(|f| f.ends_with("/meshedge.yaml")) {
        let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
        let dir = Path::new(file).parent().unwrap();
        for doc in parse(file, &text) {
            for named in doc["patches"].as_array().into_iter().flatten().filter_map(|p| p["file"].as_str()) {
                patch_files.insert(dir.join(named).to_string_lossy().into_owned());
            }
        }
    }
    assert!(!patch_files.is_empty(), "the example repository has a patch file");
    let mut checked = 0;
    for file in &files {
        let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
        let first = text.lines().next().unwrap_or_default();
        if file.contains("/resources/") {
            // Plain Kubernetes manifests: not meshedge's documents.
            assert!(!first.contains("yaml-language-server"), "{file}: a plain manifest names no meshedge schema");
            continue;
        }
        let (schema, validator) = if file.ends_with("/meshedge.yaml") || file.contains("/tenants/") {
            ("docs/schema/meshedge.schema.json", &all)
        } else if patch_files.contains(file) {
            ("docs/schema/patch.schema.json", &patch)
        } else {
            panic!("{file}: which documents does it hold? (a layer manifest, a tenant file, a patch file)");
        };
        let modeline = format!("# yaml-language-server: $schema={}", relative_to(file, schema));
        assert_eq!(first, modeline, "{file}: the first line names the schema");
        assert!(repo_root().join(schema).is_file(), "{schema} exists");
        for (index, doc) in parse(file, &text).iter().enumerate() {
            let refused = refusals(validator, doc);
            assert!(refused.is_empty(), "{file} document {index}: {refused:#?}");
            checked += 1;
        }
    }
    assert!(checked >= 15, "documents checked: {checked}");
}

// ---- the loader and the schema agree on shapes ------------------------------------------------

const PATCH: &str = "environments/prod/patches/extra.yaml";

const PROD_TEXT: &str = r#"apiVersion: meshedge.io/v1alpha1
kind: Environment
metadata:
  name: prod
bases: [../../base]
patches:
  - target: {kind: Gateway}
    merge: {metadata: {labels: {a: b}}}
  - target: {kind: Gateway}
    json:
      - {op: add, path: /metadata/labels/c, value: d}
  - file: patches/extra.yaml
"#;

const PATCH_TEXT: &str = r#"target: {kind: Gateway}
merge: {metadata: {labels: {e: f}}}
---
target: {kind: Gateway, namespace: istio-ingress}
json:
  - {op: test, path: /kind, value: Gateway}
"#;

const FILES: [(&str, &str); 7] = [
    (BASE, BASE_TEXT),
    (PROD, PROD_TEXT),
    (PATCH, PATCH_TEXT),
    (TENANT, TENANT_TEXT),
    (WEB, WEB_TEXT),
    (PARTNER, PARTNER_TEXT),
    ("base/tenants/blog/tenant.yaml", "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata: {name: blog}\n"),
];

/// The codes of the loader's refusals for a document's shape: an unknown field (E102), a wrong
/// type or enum value (E103), a missing field (E104), an unsupported apiVersion (E106), a value
/// its type does not hold (E110), a document that is not a tenant document (E305), a patch that
/// is not one of json, merge or file (E501), a JSON patch operation without its fields (E502).
const SHAPE: [&str; 8] = ["E102", "E103", "E104", "E106", "E110", "E305", "E501", "E502"];

/// What the loader and the schema do with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Both refuse it.
    Both,
    /// Both accept its shape (the build may still fail, for a rule of the environment).
    Neither,
    /// The loader refuses it, the schema cannot (a difference listed in docs/editors.md).
    LoaderOnly,
}

use Expect::{Both, LoaderOnly, Neither};

/// `(file, from, to, expect)`: the fixture with `from` replaced by `to` in `file`.
const CASES: &[(&str, &str, &str, Expect)] = &[
    // tests/errors.rs
    (WEB, "- host: shop", "- hots: shop", Both),
    (WEB, "service: web, ", "", Both),
    (WEB, "- host: shop", "- host: shop.evil.example", Neither),
    (
        WEB,
        "      routes:\n        - {path: /api",
        "      gateway: private\n      routes:\n        - {path: /api",
        Neither,
    ),
    (WEB, "  name: web\n", "  name: web\n  namespace: payments\n", Neither),
    (WEB, "service: web", "service: api.other", Neither),
    (PROD, "merge: {metadata: {labels: {a: b}}}", "merge: {spec: {replicas: 3}}\n    optional: false", Neither),
    (PROD, "{op: add, path: /metadata/labels/c, value: d}", "{op: remove, path: /spec/missing}", Neither),
    // tests/values.rs: durations
    (WEB, "timeout: 10s", "timeout: abc", Both),
    (WEB, "timeout: 10s", "timeout: \"5 seconds\"", Both),
    (WEB, "timeout: 10s", "timeout: \"-1s\"", Both),
    (WEB, "timeout: 10s", "timeout: soon", Both),
    (WEB, "timeout: 10s", "timeout: 0s", Both),
    (WEB, "timeout: 10s", "timeout: 1500us", LoaderOnly),
    (WEB, "timeout: 10s", "timeout: 10", Both),
    (BASE, "interval: 10s", "interval: 10 s", Both),
    (BASE, "{tcp: {maxConnections: 5}}", "{tcp: {maxConnections: 5, connectTimeout: 1d}}", Both),
    // URLs
    (WEB, "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs", "jwksUri: not-a-url", Both),
    (
        WEB,
        "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs",
        "jwksUri: file:///etc/passwd",
        Both,
    ),
    (
        WEB,
        "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs",
        "jwksUri: http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        Both,
    ),
    (
        WEB,
        "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs",
        "jwksUri: https://169.254.169.254/latest/meta-data/",
        Both,
    ),
    (
        WEB,
        "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs",
        "jwksUri: https://127.0.0.1:15014/debug",
        Both,
    ),
    (WEB, "issuer: https://sso.example.com/realms/shop", "issuer: \"\"", Both),
    (WEB, "audiences: [shop]", "audiences: [shop, \"\"]", Both),
    (BASE, "issuer: https://sso.example.com/realms/corp", "issuer: http://sso.example.com/realms/corp", Both),
    // names
    (WEB, "  name: web", "  name: \"\"", Both),
    (TENANT, "  name: shop", "  name: \"\"", Both),
    (PROD, "  name: prod", "  name: \"\"", Both),
    (WEB, "credentialName: partner-api-tls", "credentialName: \"\"", Both),
    (WEB, "clientCASecret: partner-api-tls-cacert", "clientCASecret: \"\"", Both),
    (PARTNER, "credentialName: partner-client", "credentialName: Inventory_Partner", Both),
    (PARTNER, "caSecret: partner-client-cacert", "caSecret: partner/ca", Both),
    (TENANT, "namespaces: [shop]", "namespaces: [shop, Shop_Batch]", Both),
    (WEB, "  name: web", "  name: web\n  namespace: kube.system", Both),
    (BASE, "namespace: istio-ingress", "namespace: Istio-Ingress", Both),
    (BASE, "- name: public", "- name: Public", Both),
    (WEB, "service: shop-api", "service: 2fa-api", Both),
    (WEB, "service: shop-api", "service: shop-api.Shop", Both),
    (BASE, "name: basic", "name: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", Both),
    (BASE, "- name: gold", "- name: Gold", Both),
    (BASE, "slaHeader: x-sla-class", "slaHeader: X SLA", Both),
    (BASE, "selector: {istio: ingressgateway}", "selector: {-istio: ingressgateway}", Both),
    (BASE, "selector: {istio: egressgateway}", "selector: {istio: egress gateway}", Both),
    (BASE, "{name: oidc-cookie, key: secret}", "{name: oidc-cookie, key: ../secret}", Both),
    (BASE, "{kind: ClusterIssuer, name: public-ca}", "{kind: Vault, name: public-ca}", Both),
    // hosts, paths, ports, addresses
    (WEB, "- host: shop", "- host: Shop_1", Both),
    (PARTNER, "- host: api.partner.example", "- host: \"*.partner.example\"", Both),
    (BASE, "allowedHosts: [\"*.apps.example.com\"]", "allowedHosts: [\"*apps.example.com\"]", Both),
    (BASE, "domain: apps.example.com", "domain: \"*.apps.example.com\"", Both),
    (WEB, "path: /api,", "path: \"/api/*\",", Both),
    (WEB, "path: /api,", "path: api,", Both),
    (WEB, "port: 8443", "port: 0", Both),
    (WEB, "port: 8443", "port: 70000", Both),
    (PARTNER, "port: 443", "port: -443", Both),
    (BASE, "egressIPs: [192.0.2.10]", "egressIPs: [192.0.2.300]", Both),
    (BASE, "egressIPs: [192.0.2.10]", "egressIPs: [127.0.0.1]", Both),
    // SLA classes
    (BASE, "{tcp: {maxConnections: 5}}", "{tcp: {maxConnections: 5, idleTimeout: 1h}}", Both),
    (BASE, "{tcp: {maxConnections: 5}}", "{tcp: {maxConnections: -5}}", Both),
    (BASE, "connectionPool: {tcp: {maxConnections: 5}}", "connectionPool: {}", Both),
    (BASE, "connectionPool: {tcp: {maxConnections: 5}}", "connectionPool: {tcp: null, http: null}", Both),
    (
        BASE,
        "connectionPool: {tcp: {maxConnections: 5}}",
        "connectionPool: {http: {h2UpgradePolicy: UPGRADE, useClientProtocol: true}}",
        Both,
    ),
    (
        BASE,
        "connectionPool: {tcp: {maxConnections: 5}}",
        "connectionPool: {http: {h2UpgradePolicy: UPGRADE, useClientProtocol: false}}",
        Neither,
    ),
    (BASE, "maxEjectionPercent: 50", "maxEjectionPercent: 101", Both),
    (BASE, "maxEjectionPercent: 50", "maxEjectionPercent: 50, consecutiveLocalOriginFailures: 3", Both),
    (BASE, "maxEjectionPercent: 50", "maxEjectionPercent: 50, consecutiveLocalOriginFailures: 0", Neither),
    (
        BASE,
        "maxEjectionPercent: 50",
        "maxEjectionPercent: 50, consecutiveLocalOriginFailures: 3, splitExternalLocalOriginErrors: true",
        Neither,
    ),
    // shapes
    (WEB, "metadata:\n  name: web", "metadata: [web]", Both),
    (BASE, "  mesh:\n    flavor: ossm2", "  mesh: [ossm2]\n  meshx:\n    flavor: ossm2", Both),
    (WEB, "- {path: /api, service: shop-api, port: 8080, timeout: 10s}", "- [/api, shop-api, 8080]", Both),
    (
        WEB,
        "credentialName: partner-api-tls",
        "credentialName: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
        Neither,
    ),
    (PROD, "      - {op: add, path: /metadata/labels/c, value: d}", "      - [add, /metadata/labels/c, d]", Both),
    // tests/tenancy.rs: rules of the environment, not shapes
    (TENANT, "namespaces: [shop]", "namespaces: [kube-system]", Neither),
    (TENANT, "namespaces: [shop]", "namespaces: [istio-ingress]", Neither),
    (WEB, "- host: shop", "- host: \"*.shop.apps.example.com\"", Neither),
    (WEB, "- host: shop", "- host: \"*\"", Neither),
    (
        PROD,
        "bases: [../../base]",
        "bases: [../../base]\nsettings:\n  tenants:\n    allowedNamespaces: [\"team-*\"]",
        Neither,
    ),
    (
        PROD,
        "bases: [../../base]",
        "bases: [../../base]\nsettings:\n  tenants:\n    reservedNamespaces: [\"[\"]",
        Neither,
    ),
    (TENANT, "  name: shop", "  name: other", Neither),
    // enums
    (BASE, "flavor: ossm2", "flavor: ossm3", Both),
    (BASE, "flavor: ossm2", "flavor: Istio", Both),
    (BASE, "exposure: route", "exposure: Route", Both),
    (WEB, "tls: mutual", "tls: MUTUAL", Both),
    (PARTNER, "tls: mutual", "tls: simple", Both),
    (PROD, "bases: [../../base]", "bases: [../../base]\nsettings:\n  enforcement: {egressFirewall: calico}", Both),
    (
        PROD,
        "bases: [../../base]",
        "bases: [../../base]\nsettings:\n  mesh: {outboundTrafficPolicy: registry_only}",
        Both,
    ),
    (PROD, "bases: [../../base]", "bases: [../../base]\nsettings:\n  mesh: {mtls: PERMISSIVE}", Neither),
    (
        BASE,
        "{maxConnections: 100}, http: {http1MaxPendingRequests: 100}",
        "{maxConnections: 100}, http: {h2UpgradePolicy: upgrade}",
        Both,
    ),
    // types
    (
        PROD,
        "bases: [../../base]",
        "bases: [../../base]\nsettings:\n  egress:\n    gateways:\n      - {name: egress, deploy: yes}",
        Both,
    ),
    (PROD, "bases: [../../base]", "bases: ../../base", Both),
    (PROD, "bases: [../../base]", "bases: [../../base]\nsettings: []", Both),
    (WEB, "port: 8443", "port: \"8443\"", Both),
    (WEB, "audiences: [shop]", "audiences: shop", Both),
    (WEB, "  name: web", "  name: web\n  labels: {team: 1}", Both),
    (WEB, "  name: web", "  name: web\n  annotations: {example.com/owner: 7}", Both),
    // nulls: an absent optional field
    (BASE, "flavor: ossm2", "flavor: null", Neither),
    (WEB, "timeout: 10s", "timeout: null", Neither),
    (PROD, "bases: [../../base]", "bases: [../../base]\nsettings: null", Neither),
    (WEB, "  name: web", "  name: null", Both),
    (PROD, "bases: [../../base]", "bases: null", Both),
    // missing fields, apiVersion and kind
    (TENANT, "metadata:\n  name: shop", "metadata: {}", Both),
    (PARTNER, "- host: api.partner.example\n      port: 443", "- port: 443", Both),
    (PROD, "kind: Environment\n", "", Both),
    (PROD, "apiVersion: meshedge.io/v1alpha1", "apiVersion: meshedge.io/v1beta1", Both),
    (TENANT, "kind: Tenant", "kind: Tenants", Both),
    (TENANT, "apiVersion: meshedge.io/v1alpha1", "apiVersion: v1", Both),
    (TENANT, "apiVersion: meshedge.io/v1alpha1\n", "", Both),
    // patches
    (PROD, "merge: {metadata: {labels: {a: b}}}", "merge: {metadata: {labels: {a: b}}}\n    json: []", Both),
    (PROD, "    merge: {metadata: {labels: {a: b}}}\n", "", Both),
    (PROD, "  - file: patches/extra.yaml", "  - file: patches/extra.yaml\n    target: {kind: Gateway}", Both),
    (PROD, "  - file: patches/extra.yaml", "  - file: patches/extra.yaml\n    optional: true", Neither),
    (PROD, "merge: {metadata: {labels: {a: b}}}", "merge: {metadata: {labels: {a: b}}}\n    json: null", Neither),
    (PROD, "{op: add, path: /metadata/labels/c, value: d}", "{op: ad, path: /metadata/labels/c, value: d}", Both),
    (PROD, "{op: add, path: /metadata/labels/c, value: d}", "{op: add, path: /metadata/labels/c}", Both),
    (PROD, "{op: add, path: /metadata/labels/c, value: d}", "{op: add, path: metadata/labels/c, value: d}", Both),
    (PROD, "{op: add, path: /metadata/labels/c, value: d}", "{op: add, path: /metadata/labels/c~2, value: d}", Both),
    (PROD, "{op: add, path: /metadata/labels/c, value: d}", "{op: move, path: /metadata/labels/c}", Both),
    (PROD, "{op: add, path: /metadata/labels/c, value: d}", "{path: /metadata/labels/c, value: d}", Both),
    (
        PROD,
        "{op: add, path: /metadata/labels/c, value: d}",
        "{op: copy, from: /metadata/labels/a, path: /metadata/labels/c}",
        Neither,
    ),
    (
        PROD,
        "{op: add, path: /metadata/labels/c, value: d}",
        "{op: add, path: /metadata/labels/c, value: null}",
        Neither,
    ),
    // An operation holds exactly the members its op defines (stricter than RFC 6902 §4).
    (
        PROD,
        "{op: add, path: /metadata/labels/c, value: d}",
        "{op: add, path: /metadata/labels/c, value: d, from: 5}",
        Both,
    ),
    (PROD, "{op: add, path: /metadata/labels/c, value: d}", "{op: add, path: /metadata/labels/c, vaule: d}", Both),
    (PROD, "{op: add, path: /metadata/labels/c, value: d}", "{op: remove, path: /metadata/labels/a, value: d}", Both),
    (PROD, "target: {kind: Gateway}\n    merge", "target: {kind: Gateway, nam: x}\n    merge", Both),
    (PATCH, "merge: {metadata", "merges: {metadata", Both),
    (PATCH, "target: {kind: Gateway}\n", "file: other.yaml\ntarget: {kind: Gateway}\n", Both),
    (PATCH, "  - {op: test, path: /kind, value: Gateway}", "  - {op: test, value: Gateway}", Both),
    (PATCH, "merge: {metadata: {labels: {e: f}}}", "merge: {metadata: {labels: {e: f}}}\njson: []", Both),
    (PATCH, "merge: {metadata: {labels: {e: f}}}", "merge: {metadata: {labels: {e: f}}}\noptional: true", Neither),
    // valid values in less usual forms
    (WEB, "timeout: 10s", "timeout: 1000us", Neither),
    (WEB, "timeout: 10s", "timeout: +1m30.5s", Neither),
    (WEB, "issuer: https://sso.example.com/realms/shop", "issuer: https://SSO.example.com/realms/shop", Neither),
    (
        WEB,
        "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs",
        "jwksUri: https://sso.example.com:8443/keys?format=jwks",
        Neither,
    ),
    (
        WEB,
        "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs",
        "jwksUri: https://[2001:db8::1]/keys",
        Neither,
    ),
    (BASE, "egressIPs: [192.0.2.10]", "egressIPs: [2001:db8::10, \"::ffff:192.0.2.10\"]", Neither),
    (WEB, "path: /api,", "path: /a-b_c.d~e%20,", Neither),
    (WEB, "service: shop-api", "service: shop-api.shop.svc.cluster.local", Neither),
    (WEB, "  name: web", "  name: web\n  annotations: {Example.com/Owner: x}\n  labels: {team: \"\"}", Neither),
    (
        BASE,
        "selector: {istio: egressgateway}",
        "selector: {istio: egressgateway, node-role.kubernetes.io/egress: \"\"}",
        Neither,
    ),
    // what only the loader can refuse (docs/editors.md)
    (WEB, "timeout: 10s", "timeout: 999us", LoaderOnly),
    (WEB, "timeout: 10s", "timeout: 3000000h", LoaderOnly),
    (WEB, "port: 8443", "port: 8443.0", LoaderOnly),
    (
        WEB,
        "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs",
        "jwksUri: https://0177.0.0.1/keys",
        LoaderOnly,
    ),
    (
        WEB,
        "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs",
        "jwksUri: https://LOCALHOST/keys",
        LoaderOnly,
    ),
    (
        WEB,
        "jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs",
        "jwksUri: https://sso.example.com:99999/keys",
        LoaderOnly,
    ),
    // where a document stands: a layer in a tenant directory, a tenant as a layer manifest
    (
        TENANT,
        "kind: Tenant\nmetadata:\n  name: shop\nspec:\n  namespaces: [shop]\n",
        "kind: Layer\nmetadata:\n  name: shop\n",
        LoaderOnly,
    ),
    (BASE, BASE_TEXT, "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata: {name: base}\n", LoaderOnly),
];

/// The fixture with `from` replaced by `to` in `file`, built: the codes of the errors located
/// in `file`, or none.
fn loader_codes(file: &str, changed: &str) -> (bool, BTreeSet<String>) {
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in FILES {
        let full = tmp.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, if path == file { changed } else { text }).unwrap();
    }
    match compiler::compile(&FsSource::new(tmp.path()), "environments/prod") {
        Ok(_) => (true, BTreeSet::new()),
        Err(failed) => {
            let codes = failed
                .diagnostics
                .iter()
                .filter(|d| d.location.as_ref().is_some_and(|l| l.file == file))
                .map(|d| d.code.to_string())
                .collect();
            (false, codes)
        }
    }
}

#[test]
fn the_fixture_builds_and_validates() {
    let (built, codes) = loader_codes("", "");
    assert!(built, "{codes:?}");
    let all = validator(&input_schema(InputKind::All));
    let patch = validator(&input_schema(InputKind::Patch));
    for (file, text) in FILES {
        let validator = if file == PATCH { &patch } else { &all };
        for doc in parse(file, text) {
            assert_eq!(refusals(validator, &doc), Vec::<String>::new(), "{file}");
        }
    }
}

#[test]
fn the_loader_refuses_a_shape_exactly_when_the_schema_does() {
    let all = validator(&input_schema(InputKind::All));
    let patch = validator(&input_schema(InputKind::Patch));
    let mut wrong = Vec::new();
    for (file, from, to, expect) in CASES {
        let original = FILES.iter().find(|(path, _)| path == file).unwrap().1;
        assert!(original.contains(from), "{from:?} is not in {file}");
        let changed = original.replacen(from, to, 1);
        let (_, codes) = loader_codes(file, &changed);
        let loader = codes.iter().any(|c| SHAPE.contains(&c.as_str()));
        let validator = if *file == PATCH { &patch } else { &all };
        let docs = parse(file, &changed);
        let schema: Vec<String> = docs.iter().flat_map(|doc| refusals(validator, doc)).collect();
        let agreed = match expect {
            Both => loader && !schema.is_empty(),
            Neither => !loader && schema.is_empty(),
            LoaderOnly => loader && schema.is_empty(),
        };
        if !agreed {
            wrong.push(format!(
                "{file}: {from:?} -> {to:?}: expected {expect:?}; the loader's codes: {codes:?}; the schema's refusals: {schema:#?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{} of {} cases disagree:\n{}", wrong.len(), CASES.len(), wrong.join("\n"));
}

// ---- value types: each schema states its type's rule ------------------------------------------

/// The schema of a value type, compiled.
fn value_validator<T: schemars::JsonSchema>() -> Validator {
    validator(&schemars::schema_for!(T).to_value())
}

/// Over strings from `strategy`: the type accepts a string exactly when the schema does
/// (`exact`), or the schema accepts every string the type accepts, and refuses others only
/// for a reason the type gives in `loader_only`.
fn agree<T>(strategy: impl Strategy<Value = String>, exact: bool, loader_only: &[&str])
where
    T: schemars::JsonSchema + TryFrom<String, Error = values::Refusal>,
{
    let validator = value_validator::<T>();
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(512);
    // A fixed seed: the share of strings each side takes is then the same on every run, so the
    // "both sides reached" floor below cannot flake.
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let rng = proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let (accepted, refused) = (Cell::new(0u32), Cell::new(0u32));
    let result = runner.run(&strategy, |text| {
        let loader = T::try_from(text.clone());
        let schema = validator.is_valid(&Value::String(text.clone()));
        let count = if loader.is_ok() { &accepted } else { &refused };
        count.set(count.get() + 1);
        match (&loader, schema) {
            (Ok(_), false) => Err(proptest::test_runner::TestCaseError::fail(format!(
                "{text:?}: the type accepts it, the schema not"
            ))),
            (Err(refusal), true) if exact || !loader_only.iter().any(|r| refusal.message.contains(r)) => {
                Err(proptest::test_runner::TestCaseError::fail(format!(
                    "{text:?}: the schema accepts it, the type refuses it: {}",
                    refusal.message
                )))
            }
            _ => Ok(()),
        }
    });
    if let Err(e) = result {
        panic!("{}: {e}", std::any::type_name::<T>());
    }
    // The strings reach both sides of the rule.
    let (accepted, refused) = (accepted.get(), refused.get());
    let least = cases / 20;
    assert!(
        accepted >= least && refused >= least,
        "{}: {accepted} accepted, {refused} refused",
        std::any::type_name::<T>()
    );
}

fn union(patterns: &[&str]) -> Union<proptest::strategy::BoxedStrategy<String>> {
    Union::new(patterns.iter().map(|p| proptest::string::string_regex(p).unwrap().boxed()))
}

/// Odd characters: upper case, punctuation, whitespace and control characters of every kind.
const ODD: &str = "A_/*. \t\u{0}\u{85}\u{a0}\u{2028}\u{feff}é";

#[test]
fn name_schemas_are_exact() {
    let labels = union(&[
        "[-a-z0-9]{0,8}",
        &format!("[-a-z0-9{ODD}]{{0,8}}"),
        "[a-z0-9][-a-z0-9]{52,64}[a-z0-9]?",
        "[-a-z0-9.]{0,12}",
    ]);
    agree::<values::Namespace>(labels.clone(), true, &[]);
    agree::<values::TenantName>(labels.clone(), true, &[]);
    agree::<values::GatewayName>(labels.clone(), true, &[]);
    agree::<values::SlaClassName>(labels.clone(), true, &[]);
    agree::<values::ControlPlaneName>(labels.clone(), true, &[]);
    agree::<values::ServiceName>(labels.clone(), true, &[]);
    agree::<values::HeaderName>(union(&["[-_a-z0-9]{0,6}", &format!("[-_a-z0-9:{ODD}]{{0,6}}")]), true, &[]);
    let subdomains = union(&[
        "[-a-z0-9.]{0,12}",
        &format!("[-a-z0-9.{ODD}]{{0,10}}"),
        "([a-z0-9][-a-z0-9]{0,70}\\.){2,4}[a-z0-9-]{0,70}",
        "[a-z]{60,64}(\\.[a-z]{60,64}){3}[a-z.]{0,4}",
    ]);
    agree::<values::SecretName>(subdomains.clone(), true, &[]);
    agree::<values::ObjectName>(subdomains.clone(), true, &[]);
    agree::<values::DomainName>(subdomains.clone(), true, &[]);
    agree::<values::ExternalHost>(subdomains.clone(), true, &[]);
    let hosts = union(&[
        "(\\*\\.)?([a-z0-9-]{0,5}\\.){0,3}[a-z0-9-]{0,5}",
        "\\*[-a-z.*]{0,5}",
        &format!("[-a-z0-9.*{ODD}]{{0,8}}"),
        "(\\*\\.)?([a-z0-9]{60,64}\\.){3}[a-z]{55,64}",
    ]);
    agree::<values::RequestHost>(hosts.clone(), true, &[]);
    agree::<values::HostPattern>(hosts.clone(), true, &[]);
    agree::<values::ExternalHost>(hosts, true, &[]);
    agree::<values::SecretKey>(
        union(&["[-._a-zA-Z0-9]{0,6}", "\\.{1,3}[a-z.]{0,2}", &format!("[-.a-z0-9{ODD}]{{0,6}}"), "[a-z.]{250,256}"]),
        true,
        &[],
    );
    let qualified = union(&[
        "([-a-z0-9.]{0,8}/)?[-A-Za-z0-9_.]{0,8}",
        &format!("[-a-zA-Z0-9_./{ODD}]{{0,10}}"),
        "[a-z]{1,3}(\\.[a-z]{60,64}){3,4}/[a-z]{1,3}",
        "([a-zA-Z.]{1,5}/)?[a-zA-Z][-a-zA-Z0-9_.]{58,64}",
        "[a-z/]{0,6}",
    ]);
    agree::<values::LabelKey>(qualified.clone(), true, &[]);
    agree::<values::AnnotationKey>(qualified.clone(), true, &[]);
    agree::<values::LabelValue>(qualified, true, &[]);
    agree::<values::PathPrefix>(
        union(&["/?[-a-zA-Z0-9/%~._]{0,8}", &format!("/?[-a-z/?\\[\\]{ODD}]{{0,6}}")]),
        true,
        &[],
    );
    agree::<values::Text>(union(&[&format!("[ a-z{ODD}\u{3000}\u{1680}\u{202f}]{{0,4}}"), "[ \t]{0,3}"]), true, &[]);
    agree::<values::ServiceRef>(
        union(&[
            "[a-z0-9-]{0,5}(\\.[a-zA-Z0-9-]{0,5}){0,2}(\\.svc|\\.svc\\.cluster\\.local|\\.cluster\\.local)?(\\.svc)?",
            "[a-z]{61,65}(\\.[a-z]{61,65})?(\\.svc)?",
            &format!("[-a-z.{ODD}]{{0,8}}"),
        ]),
        true,
        &[],
    );
    agree::<values::EgressIp>(
        union(&[
            "([0-9]{1,3}\\.){3}[0-9]{1,3}",
            "(0|127|22[0-9]|23[0-9]|255|01)(\\.(0|1|255|01)){3}",
            "[0-9a-fA-F:]{0,12}",
            "[0f:]{0,8}[01]?",
            "[0:]{0,8}(0\\.0\\.0\\.[0-2]|1\\.2\\.3\\.4)",
            "([0-9a-f]{1,5}:{1,2}){0,8}[0-9a-f]{0,4}",
            "(::ffff:|ff0e::|::)?[0-9]{1,3}(\\.[0-9]{1,3}){2,3}",
        ]),
        true,
        &[],
    );
}

#[test]
fn duration_and_url_schemas_accept_every_valid_value() {
    agree::<values::Duration>(
        union(&[
            "[-+]?([0-9]{0,3}(\\.[0-9]{0,3})?(ns|us|µs|μs|ms|s|m|h|d|S| )?){1,3}",
            "[0-9]{1,4}(ns|us|ms)",
            "0*\\.?0*(s|ms|h)",
            "[0-9]{15,21}(ns|us|ms|s|h)",
        ]),
        false,
        &["shorter than 1ms", "not a whole number of milliseconds", "not a number followed by a unit"],
    );
    let urls = union(&[
        "https://(@|:@|a@|a:b@)?(localhost|[a-z]{1,5}(\\.[a-z]{1,5}){0,2}|[a-z]{1,3}\\.localhost|metadata\\.google\\.internal)\\.{0,2}(:[0-9]{0,6})?([/?#][-a-zA-Z0-9/?#%.~]{0,8})?",
        "https://(127|169\\.254|0|10)(\\.[0-9]{1,3}){0,3}\\.?(:[0-9]{1,5})?(/[a-z]{0,3})?",
        "https://\\[(::1?|fe80::[0-9]|ff02::1|fd00:ec2::254|::ffff:(127|169\\.254|10)\\.0\\.0\\.1|2001:db8::1)\\](/[a-z]{0,3})?",
        &format!("(https?|HTTPS|file):/{{0,3}}[-a-z.:@\\\\{ODD}]{{0,8}}"),
    ]);
    agree::<values::HttpsUrl>(urls.clone(), false, &["loopback, link-local", "it is not a URL"]);
    agree::<values::IssuerUrl>(urls, false, &["loopback, link-local", "it is not a URL"]);
}

#[test]
fn number_schemas_state_their_ranges() {
    for (schema, accepted, refused) in [
        (
            value_validator::<values::Port>(),
            vec![json!(1), json!(65535)],
            vec![json!(0), json!(65536), json!(-1), json!("80")],
        ),
        (value_validator::<values::Percent>(), vec![json!(0), json!(100)], vec![json!(-1), json!(101), json!(50.5)]),
        (
            value_validator::<values::Count>(),
            vec![json!(0), json!(2_147_483_647)],
            vec![json!(-1), json!(2_147_483_648u64)],
        ),
        (value_validator::<values::Uint32>(), vec![json!(4_294_967_295u64)], vec![json!(4_294_967_296u64)]),
    ] {
        for value in accepted {
            assert!(schema.is_valid(&value), "{value}");
        }
        for value in refused {
            assert!(!schema.is_valid(&value), "{value}");
        }
    }
}

/// A generic validator reports a mistake under the combined schema's `oneOf` only as "not valid
/// under any of the given schemas"; the per-kind schema names the field. docs/editors.md says so.
#[test]
fn per_kind_schemas_give_precise_errors_where_the_combined_one_does_not() {
    let mut request: Value = serde_json::from_str(
        r#"{"apiVersion": "meshedge.io/v1alpha1", "kind": "EdgeRequest",
        "metadata": {"name": "x"}, "spec": {"egress": [{"host": "api.example.com", "tls": "sometimes"}]}}"#,
    )
    .unwrap();
    let all = refusals(&validator(&input_schema(InputKind::All)), &request);
    assert!(!all.is_empty() && all.iter().all(|r| r.ends_with("(at )")), "only the document as a whole: {all:?}");
    let one = refusals(&validator(&input_schema(InputKind::EdgeRequest)), &request);
    assert!(one.iter().any(|r| r.ends_with("(at /spec/egress/0/tls)")), "the field: {one:?}");
    request["spec"]["egress"][0]["tls"] = json!("originate");
    assert!(refusals(&validator(&input_schema(InputKind::EdgeRequest)), &request).is_empty());
    let doc = std::fs::read_to_string(repo_root().join("docs/editors.md")).unwrap();
    assert!(doc.contains("meshedge schema --kind EdgeRequest"), "docs/editors.md");
    assert!(doc.contains("not valid under any of the given"), "docs/editors.md");
}

// ---- ECMA-262 patterns ------------------------------------------------------------------------

/// Every `pattern` and `patternProperties` key of `value`, with its JSON pointer.
fn patterns_of(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{at}/{key}");
                match (key.as_str(), child) {
                    ("pattern", Value::String(p)) => out.push((here.clone(), p.clone())),
                    ("patternProperties", Value::Object(props)) => {
                        out.extend(props.keys().map(|p| (format!("{here}/{p}"), p.clone())));
                    }
                    _ => {}
                }
                patterns_of(child, &here, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                patterns_of(item, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// JSON Schema patterns are ECMA-262 regular expressions (draft 2020-12, section 6.4): editors
/// (yaml-language-server), ajv and check-jsonschema compile them as such, with and without the
/// `u` flag. Python/PCRE-only syntax such as `(?P<name>…)` makes them refuse the whole schema.
/// Each pattern is compiled here with `regress`, an ECMAScript regex engine.
#[test]
fn every_schema_pattern_is_an_ecma_262_regex() {
    let mut schemas: Vec<(String, Value)> =
        InputKind::EVERY.into_iter().map(|kind| (format!("{kind:?}"), input_schema(kind))).collect();
    for file in files_under("docs/schema") {
        let text = std::fs::read_to_string(repo_root().join(&file)).unwrap();
        schemas.push((file, serde_json::from_str(&text).unwrap()));
    }
    let mut checked = 0;
    for (name, schema) in &schemas {
        let mut patterns = Vec::new();
        patterns_of(schema, "", &mut patterns);
        for (at, pattern) in patterns {
            for flags in ["", "u"] {
                if let Err(e) = regress::Regex::with_flags(&pattern, flags) {
                    panic!("{name}{at}: `{pattern}` is not an ECMA-262 regex (flags {flags:?}): {e}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} patterns found");
}

/// The OCI image pattern, compiled as an editor compiles it, accepts and refuses what the loader does.
#[test]
fn the_oci_image_pattern_works_in_ecma_262() {
    let schema = input_schema(InputKind::All);
    let pattern = schema["$defs"]["OciImage"]["pattern"].as_str().expect("OciImage has a pattern");
    let regex = regress::Regex::with_flags(pattern, "u").unwrap();
    for good in ["ghcr.io/corazawaf/coraza-proxy-wasm:0.5.0", "registry.example.com:5000/team/waf:v1.2.3"] {
        assert!(regex.find(good).is_some(), "{good}");
    }
    for bad in ["oci://ghcr.io/waf:1", "ghcr.io/Waf:1", "ghcr.io"] {
        assert!(regex.find(bad).is_none(), "{bad}");
    }
}
