use serde_json::json;

use super::*;
use crate::flows::context::{Context, IstioVersion, MeshFlavor};

fn peer() -> Value {
    json!({"apiVersion": "federation.maistra.io/v1", "kind": "ServiceMeshPeer",
           "metadata": {"name": "bank", "namespace": "istio-system"}, "spec": {}})
}

fn exported(rules: Value) -> Value {
    json!({"apiVersion": "federation.maistra.io/v1", "kind": "ExportedServiceSet",
           "metadata": {"name": "bank", "namespace": "istio-system"}, "spec": {"exportRules": rules}})
}

fn imported(rules: Value) -> Value {
    json!({"apiVersion": "federation.maistra.io/v1", "kind": "ImportedServiceSet",
           "metadata": {"name": "bank", "namespace": "istio-system"}, "spec": {"importRules": rules}})
}

fn by_name(namespace: &str, name: &str) -> Value {
    json!({"type": "NameSelector", "nameSelector": {"namespace": namespace, "name": name}})
}

fn model(objects: Vec<Value>) -> Model {
    Model::new(objects, Context::new(IstioVersion::new(1, 20), MeshFlavor::Ossm2))
}

fn export(service: Option<&str>, requested: bool) -> FederationProbe {
    FederationProbe::Export {
        peer: "bank".into(),
        namespace: "pay".into(),
        service: service.map(str::to_string),
        exported: vec!["settlement".into()],
        requested,
    }
}

fn import(from: &str, requested: bool) -> FederationProbe {
    FederationProbe::Import {
        peer: "bank".into(),
        from: from.into(),
        namespace: "shop".into(),
        alias: "fx".into(),
        requested,
    }
}

fn outcome(model: &Model, probe: &FederationProbe) -> (Outcome, String) {
    let verdict = model.evaluate_federation(probe);
    let reasons: Vec<String> = verdict.steps.iter().map(|s| s.reason.clone()).collect();
    (verdict.verdict, reasons.join("; "))
}

#[test]
fn an_exported_service_is_reachable_from_the_peer_and_nothing_without_its_peer() {
    let m = model(vec![peer(), exported(json!([by_name("pay", "settlement")]))]);
    assert_eq!(outcome(&m, &export(Some("settlement"), true)).0, Outcome::Allowed);
    let alone = model(vec![exported(json!([by_name("pay", "settlement")]))]);
    let (verdict, why) = outcome(&alone, &export(Some("settlement"), true));
    assert_eq!(verdict, Outcome::Blocked);
    assert!(why.contains("no ServiceMeshPeer bank"), "{why}");
}

#[test]
fn a_service_no_rule_selects_is_not_exported() {
    let m = model(vec![peer(), exported(json!([by_name("pay", "ledger"), by_name("other", "settlement")]))]);
    let (verdict, why) = outcome(&m, &export(Some("settlement"), true));
    assert_eq!(verdict, Outcome::Blocked);
    assert!(why.contains("no export rule selects pay/settlement"), "{why}");
    let none = model(vec![peer()]);
    assert_eq!(outcome(&none, &export(Some("settlement"), true)).0, Outcome::Blocked);
}

#[test]
fn the_services_nobody_exports_are_shut_unless_a_rule_widens_the_set() {
    let named = model(vec![peer(), exported(json!([by_name("pay", "settlement")]))]);
    assert_eq!(outcome(&named, &export(None, false)).0, Outcome::Blocked);
    let any = model(vec![peer(), exported(json!([by_name("pay", "*")]))]);
    assert_eq!(outcome(&any, &export(None, false)).0, Outcome::Allowed);
    let any_namespace = model(vec![peer(), exported(json!([by_name("*", "ledger")]))]);
    assert_eq!(outcome(&any_namespace, &export(None, false)).0, Outcome::Allowed);
    let labels = json!([{"type": "LabelSelector", "labelSelector": {"selector": {"matchLabels": {"a": "b"}}}}]);
    let by_labels = model(vec![peer(), exported(labels)]);
    assert_eq!(outcome(&by_labels, &export(None, false)).0, Outcome::Allowed, "an empty namespace is every namespace");
    // A requested export that only a label selector could select is not shown to be exported.
    assert_eq!(outcome(&by_labels, &export(Some("settlement"), true)).0, Outcome::Blocked);
}

#[test]
fn an_import_reaches_its_namespace_and_every_other_one() {
    let rule = json!([{"type": "NameSelector",
                       "nameSelector": {"namespace": "fx", "name": "rates", "alias": {"namespace": "shop", "name": "fx"}}}]);
    let m = model(vec![peer(), imported(rule)]);
    assert_eq!(outcome(&m, &import("shop", true)).0, Outcome::Allowed);
    let (verdict, why) = outcome(&m, &import("blog", false));
    assert_eq!(verdict, Outcome::Allowed);
    assert!(why.contains("visible to every namespace"), "{why}");
}

#[test]
fn an_import_no_rule_names_is_not_routed() {
    let rule = json!([{"type": "NameSelector",
                       "nameSelector": {"namespace": "fx", "name": "rates", "alias": {"namespace": "shop", "name": "rates"}}}]);
    let m = model(vec![peer(), imported(rule)]);
    let (verdict, why) = outcome(&m, &import("shop", true));
    assert_eq!(verdict, Outcome::Blocked);
    assert!(why.contains("no import rule imports a Service as shop/fx"), "{why}");
    assert_eq!(outcome(&model(vec![peer()]), &import("shop", true)).0, Outcome::Blocked);
}
