use serde_json::json;

use super::*;
use crate::diagnostic::Location;
use crate::render::Form;

fn object(kind: &str, namespace: Option<&str>, name: &str) -> Object {
    Object {
        reference: ResourceRef {
            api_version: "v1".into(),
            kind: kind.into(),
            namespace: namespace.map(str::to_string),
            name: name.into(),
        },
        origin: None,
        sources: Vec::new(),
        start: None,
        tenant: None,
        patched_by: Vec::new(),
        changes: Vec::new(),
        form: Form::Yaml,
        text: String::new(),
    }
}

#[test]
fn an_object_is_found_exactly_by_a_unique_prefix_or_not_at_all() {
    let objects = [
        object("Service", Some("shop"), "web"),
        object("Service", Some("shop"), "web-admin"),
        object("Namespace", None, "shop"),
    ];
    let named = |query: &str| find(&objects, query).map(|o| o.reference.to_string());
    assert_eq!(named("Service/shop/web").unwrap(), "Service/shop/web", "exact beats the prefix of web-admin");
    assert_eq!(named("service/shop/web-a").unwrap(), "Service/shop/web-admin");
    assert_eq!(named("Namespace/shop").unwrap(), "Namespace/shop");
    assert_eq!(named("nam").unwrap(), "Namespace/shop");
    match find(&objects, "Service/shop/w") {
        Err(UsageError::AmbiguousObject { count: 2, matches, .. }) => {
            assert_eq!(matches, ["Service/shop/web", "Service/shop/web-admin"])
        }
        other => panic!("{other:?}"),
    }
    match find(&objects, "Service/shop/wbe") {
        Err(UsageError::UnknownObject { near, .. }) => {
            assert_eq!(near.first().map(String::as_str), Some("Service/shop/web"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn names_are_matched_as_written_and_suggestions_rank_the_same_name_first() {
    let objects = [
        object("Service", Some("shop"), "web"),
        object("Deployment", Some("blog"), "api"),
        object("Service", Some("blog"), "apj"),
        object("Namespace", None, "Shop"),
    ];
    let named = |query: &str| find(&objects, query).map(|o| o.reference.to_string());
    // The kind without case; the namespace and the name as written.
    assert_eq!(named("SERVICE/shop/web").unwrap(), "Service/shop/web");
    assert_eq!(named("namespace/Shop").unwrap(), "Namespace/Shop");
    let near = |query: &str| match find(&objects, query) {
        Err(UsageError::UnknownObject { near, .. }) => near,
        other => panic!("{query}: {other:?}"),
    };
    // Only the case differs: no match, and the object is the first suggestion.
    assert_eq!(near("Service/Shop/web").first().map(String::as_str), Some("Service/shop/web"));
    assert_eq!(near("Namespace/shop").first().map(String::as_str), Some("Namespace/Shop"));
    assert!(near("Service/shop/WEB").first().is_some_and(|n| n == "Service/shop/web"));
    // Exactly the name, of another kind: first, before a name nearer in spelling.
    assert_eq!(near("Service/blog/api")[..2], ["Deployment/blog/api", "Service/blog/apj"]);
    // Exactly the name, in another namespace.
    assert_eq!(near("Service/docs/web").first().map(String::as_str), Some("Service/shop/web"));
}

#[test]
fn a_secrets_data_is_never_shown() {
    let step = |pointer: &str, before: Option<Value>, after: Option<Value>| PatchStep {
        patch: "p".into(),
        location: Location::file("m.yaml"),
        op: "replace",
        pointer: pointer.into(),
        before,
        after,
    };
    let one = |step: PatchStep, object: Value| masked(&[step], &object, false).remove(0);
    let secret = json!({"kind": "Secret", "data": {"key": "bmV3"}, "metadata": {"labels": {"a": "b"}}});
    let masked_data = one(step("/data/key", Some(json!("c2VjcmV0")), Some(json!("bmV3"))), secret.clone());
    assert_eq!(masked_data.before, Some(json!(SECRET_VALUE)));
    assert_eq!(masked_data.after, Some(json!(SECRET_VALUE)));
    let whole = one(step("", None, Some(json!({"kind": "Secret", "data": {"key": "c2VjcmV0"}}))), secret.clone());
    assert!(!whole.after.unwrap().to_string().contains("c2VjcmV0"));
    let label = step("/metadata/labels/a", None, Some(json!("b")));
    assert_eq!(one(label.clone(), secret), label, "what is not data is shown");
    let service = json!({"kind": "Service", "data": {"key": "shown"}});
    let data = step("/data/key", None, Some(json!("shown")));
    assert_eq!(one(data.clone(), service), data, "only a Secret's data is masked");
}

#[test]
fn a_secrets_data_in_a_list_or_copied_elsewhere_is_never_shown() {
    let step = |op: &'static str, pointer: &str, before: Option<Value>, after: Option<Value>| PatchStep {
        patch: "p".into(),
        location: Location::file("m.yaml"),
        op,
        pointer: pointer.into(),
        before,
        after,
    };
    let list = json!({"kind": "List", "items": [
        {"kind": "ConfigMap", "data": {"k": "shown"}},
        {"kind": "Secret", "stringData": {"k": "LIST-PATCHED-SECRET", "kept": "KEPT-SECRET"},
         "metadata": {"annotations": {"copied": "KEPT-SECRET", "moved": "MOVED-SECRET"}}},
    ]});
    let steps = [
        step("replace", "/items/1/stringData/k", Some(json!("LISTSECRET-XYZ")), Some(json!("LIST-PATCHED-SECRET"))),
        step("replace", "/items/0/data/k", Some(json!("old")), Some(json!("shown"))),
        step("copy", "/items/1/metadata/annotations/copied", None, Some(json!("KEPT-SECRET"))),
        step("move", "/items/1/stringData/gone", Some(json!("MOVED-SECRET")), None),
        step("move", "/items/1/metadata/annotations/moved", None, Some(json!("MOVED-SECRET"))),
        step("add", "/items/2", None, Some(json!({"kind": "Secret", "data": {"x": "QUREREQ="}}))),
    ];
    let shown = serde_json::to_string(&masked(&steps, &list, false)).unwrap();
    for secret in ["LISTSECRET-XYZ", "LIST-PATCHED-SECRET", "KEPT-SECRET", "MOVED-SECRET", "QUREREQ="] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("\"old\"") && shown.contains("\"shown\""), "{shown}");
    assert!(shown.contains(SECRET_VALUE));
}

#[test]
fn a_secret_a_patch_turns_into_another_kind_keeps_its_data_masked() {
    let step = |pointer: &str, before: Option<Value>, after: Option<Value>| PatchStep {
        patch: "p".into(),
        location: Location::file("m.yaml"),
        op: "replace",
        pointer: pointer.into(),
        before,
        after,
    };
    let config = json!({"kind": "ConfigMap", "data": {"key": "UzJTRUNSRVQ="},
        "metadata": {"annotations": {"copy": "UzJTRUNSRVQ=", "applied": "{\"data\":{\"key\":\"UzJTRUNSRVQ=\"}}"}}});
    let steps = [
        step("/kind", Some(json!("Secret")), Some(json!("ConfigMap"))),
        step("/data/key", Some(json!("T0xEU0VDUkVU")), Some(json!("UzJTRUNSRVQ="))),
        step("/metadata/annotations/copy", None, Some(json!("UzJTRUNSRVQ="))),
        step("/metadata/annotations/applied", None, Some(json!("{\"data\":{\"key\":\"UzJTRUNSRVQ=\"}}"))),
    ];
    for was_secret in [false, true] {
        let shown = serde_json::to_string(&masked(&steps, &config, was_secret)).unwrap();
        for secret in ["UzJTRUNSRVQ=", "T0xEU0VDUkVU"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("ConfigMap"), "{shown}");
    }
    // Read as a Secret (the build records it as the origin), no step naming the kind.
    let shown = serde_json::to_string(&masked(&steps[1..2], &config, true)).unwrap();
    assert!(!shown.contains("UzJTRUNSRVQ="), "{shown}");
    let shown = serde_json::to_string(&masked(&steps[1..2], &config, false)).unwrap();
    assert!(shown.contains("UzJTRUNSRVQ="), "a ConfigMap that never was a Secret is shown: {shown}");
}

#[test]
fn objects_whose_printed_names_collide_each_get_a_name_explain_finds() {
    let mut objects = vec![
        object("ConfigMap", Some("shop"), "a/b"),
        object("ConfigMap", Some("shop/a"), "b"),
        object("List", None, ""),
        object("List", None, ""),
        object("List", None, ""),
    ];
    objects[2].sources = vec!["resources/one.yaml".into()];
    objects[3].sources = vec!["resources/two.yaml".into()];
    objects[4].sources = vec!["resources/two.yaml".into()];
    let keys = keys(&objects);
    assert_eq!(
        keys,
        [
            "ConfigMap/shop/a%2Fb",
            "ConfigMap/shop%2Fa/b",
            "List/@resources/one.yaml",
            "List/@resources/two.yaml#1",
            "List/@resources/two.yaml#2"
        ]
    );
    for (i, key) in keys.iter().enumerate() {
        let found = find(&objects, key).unwrap_or_else(|e| panic!("{key}: {e:?}"));
        assert!(std::ptr::eq(found, &objects[i]), "{key}");
    }
    // The ambiguous prefix lists names that each find one object.
    match find(&objects, "List/") {
        Err(UsageError::AmbiguousObject { matches, count: 3, .. }) => assert_eq!(matches, keys[2..]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_near_kind_with_the_exact_namespace_and_name_is_suggested_first() {
    let objects = [
        object("Certificate", Some("istio-ingress"), "shop-apps"),
        object("Route", Some("istio-ingress"), "shop-apps"),
        object("VirtualService", Some("shop"), "shop-apps"),
        object("Gateway", Some("shop"), "shop-app"),
    ];
    for query in [
        "VirtualServce/shop/shop-apps",
        "virtualservices/shop/shop-apps",
        "vs/shop/shop-apps",
        "shop/shop-apps",
        "virtualservice/shop-apps",
    ] {
        match find(&objects, query) {
            Err(UsageError::UnknownObject { near, .. }) => {
                assert_eq!(near.first().map(String::as_str), Some("VirtualService/shop/shop-apps"), "{query}: {near:?}")
            }
            other => panic!("{query}: {other:?}"),
        }
    }
}
