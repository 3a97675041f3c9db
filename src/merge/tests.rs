use super::*;
use serde_json::json;

#[test]
fn the_merge_rule() {
    let mut base = json!({
        "a": {"x": 1, "y": 2},
        "named": [{"name": "p", "v": 1}, {"name": "q", "v": 2}],
        "plain": [1, 2, 3],
        "gone": true
    });
    merge_value(
        &mut base,
        &json!({
            "a": {"y": 3},
            "named": [{"name": "q", "v": 9, "w": 1}, {"name": "r"}],
            "plain": [4],
            "gone": null
        }),
    );
    assert_eq!(
        base,
        json!({
            "a": {"x": 1, "y": 3},
            "named": [{"name": "p", "v": 1}, {"name": "q", "v": 9, "w": 1}, {"name": "r"}],
            "plain": [4]
        })
    );
}

#[test]
fn named_lists_merge_by_name() {
    // The first item of a name takes the overlay; an item added by the overlay takes a
    // later item of its name.
    let mut base = json!([{"name": "a", "v": 1}, {"name": "a", "v": 2}, {"name": "b"}]);
    merge_value(&mut base, &json!([{"name": "a", "w": 1}, {"name": "c", "v": 1}, {"name": "c", "w": 2}]));
    assert_eq!(
        base,
        json!([{"name": "a", "v": 1, "w": 1}, {"name": "a", "v": 2}, {"name": "b"}, {"name": "c", "v": 1, "w": 2}])
    );
    let n = 5_000;
    let mut base = Value::Array((0..n).map(|i| json!({"name": format!("n{i}"), "v": i})).collect());
    let overlay = Value::Array((0..n).rev().map(|i| json!({"name": format!("n{i}"), "w": i})).collect());
    merge_value(&mut base, &overlay);
    assert_eq!(base.as_array().map(Vec::len), Some(n));
    assert_eq!(base[n - 1], json!({"name": format!("n{}", n - 1), "v": n - 1, "w": n - 1}));
}

#[test]
fn touched_paths_name_items() {
    let paths = touched_paths(&json!({"ingress": {"gateways": [{"name": "public"}]}, "mesh": {}}));
    assert_eq!(paths, ["ingress", "ingress.gateways.public", "mesh"]);
}
