use super::*;
use serde_json::json;

fn resource(value: Value) -> Resource {
    Resource::new(value, Default::default(), None)
}

#[test]
fn selectors_follow_kubernetes_syntax() {
    let s = Selector::parse("app=web, tier!=db, env in (dev, prod), !legacy, team").unwrap();
    let labels = json!({"app": "web", "env": "prod", "team": "x"});
    assert!(s.matches(labels.as_object()));
    let labels = json!({"app": "web", "env": "qa", "team": "x"});
    assert!(!s.matches(labels.as_object()));
    assert!(Selector::parse("env in dev").is_err());
}

#[test]
fn json_patches_are_atomic_and_bounded() {
    let ops = |ops: Value| crate::input::parse_operations(ops.as_array().unwrap()).unwrap();
    let mut value = json!({"a": {"b": 1}});
    let fails = ops(json!([{"op": "add", "path": "/c", "value": 2}, {"op": "remove", "path": "/nothing"}]));
    assert!(matches!(apply_json(&mut value, &fails, None), Err(JsonFailure::Operation(1, ..))));
    assert_eq!(value, json!({"a": {"b": 1}}), "left as it was");
    // `copy` of the whole object into itself doubles it: 40 of them would take 2^40 times.
    let doubling: Vec<Value> = (0..40).map(|i| json!({"op": "copy", "from": "", "path": format!("/x{i}")})).collect();
    let result = apply_json(&mut value, &ops(Value::Array(doubling)), None);
    assert!(matches!(result, Err(JsonFailure::Growth(index, _)) if index < 10));
    assert_eq!(value, json!({"a": {"b": 1}}), "left as it was");
    // Depth: a chain copied under its own end.
    let mut chain = json!({});
    for _ in 0..200 {
        chain = json!({"k": chain});
    }
    let mut value = chain.clone();
    let deep = format!("/k{}", "/k".repeat(150));
    let result = apply_json(&mut value, &ops(json!([{"op": "copy", "from": "", "path": format!("{deep}/x")}])), None);
    assert!(matches!(result, Err(JsonFailure::Growth(0, ref what)) if what.contains("deeper than 256")));
    assert_eq!(value, chain);
    // Within the bounds, everything applies.
    let mut value = json!({"a": [1]});
    let fine = ops(json!([{"op": "copy", "from": "/a", "path": "/b"}, {"op": "add", "path": "/a/-", "value": 2}]));
    assert!(apply_json(&mut value, &fine, None).is_ok());
    assert_eq!(value, json!({"a": [1, 2], "b": [1]}));
}

#[test]
fn names_are_anchored() {
    let t = Target::compile(&PatchTarget { name: Some("public".into()), ..Default::default() }).unwrap();
    let r = resource(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "public-x"}}));
    assert!(!t.matches(&r));
    let t =
        Target::compile(&PatchTarget { name: Some("public-.*".into()), group: Some("".into()), ..Default::default() })
            .unwrap();
    assert!(t.matches(&r));
}
