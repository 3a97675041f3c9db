use super::yaml::plain_safe;
use super::*;
use serde_json::json;

#[test]
fn yaml_1_1_lookalikes_are_quoted() {
    for s in [
        "no",
        "On",
        "yes",
        "0777",
        "1e3",
        "~",
        "12:30",
        "y",
        "-1",
        ".inf",
        "",
        " x",
        "a: b",
        "*.x",
        "1_000",
        "2001-12-14",
    ] {
        assert!(!plain_safe(s), "{s} must be quoted");
    }
    for s in ["shop", "https://sso.example.com/x", "istio-ingress", "a.b.c", "app.kubernetes.io/name"] {
        assert!(plain_safe(s), "{s} can stay plain");
    }
}

#[test]
fn emits_block_yaml_that_reads_back() {
    let value = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "no", "labels": {}},
        "data": {"a": "on", "b": "multi\nline", "q": "say \"hi\" \\ tab\t bell\u{7} sep\u{2028} ünï", "list": [{"x": 1, "y": [1, 2]}, [], "0777"], "n": null}
    });
    let text = to_yaml(&value);
    assert!(text.contains("name: \"no\"\n"), "{text}");
    let back: Value = serde_norway::from_str(&text).unwrap();
    assert_eq!(back, value);
}

#[test]
fn long_keys_are_written_as_explicit_keys() {
    // Found by fuzzing: a key past 1,024 characters could not be read back.
    let long = "k".repeat(1500);
    let value = json!({
        "a": {&long: [1, {&long: null}], "b": 1},
        "list": [{&long: {"x": [2]}, "c": 3}, {"d": 4, &long: "v"}],
        &long: [],
    });
    let text = to_yaml(&value);
    assert!(text.contains(&format!("? {long}\n:")), "{text:.200}");
    let back = crate::load::parse("long.yaml", &text).unwrap();
    assert_eq!(back[0].value, value);
    let back: Value = serde_norway::from_str(&text).unwrap();
    assert_eq!(back, value);
    // Up to the limit, keys stay implicit.
    let value = json!({"k".repeat(1000): 1});
    assert!(!to_yaml(&value).starts_with('?'));
    assert_eq!(crate::load::parse("k.yaml", &to_yaml(&value)).unwrap()[0].value, value);
}

#[test]
fn legacy_order_puts_namespaces_first_and_webhooks_last() {
    let r = |api: &str, kind: &str, name: &str| ResourceRef {
        api_version: api.into(),
        kind: kind.into(),
        namespace: None,
        name: name.into(),
    };
    let mut all = [
        r("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "w"),
        r("networking.istio.io/v1", "VirtualService", "b"),
        r("apps/v1", "Deployment", "d"),
        r("networking.istio.io/v1", "Gateway", "a"),
        r("v1", "Namespace", "n"),
        r("cert-manager.io/v1", "Certificate", "c"),
    ];
    all.sort_by_cached_key(sort_key);
    let kinds: Vec<&str> = all.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["Namespace", "Deployment", "Certificate", "Gateway", "VirtualService", "ValidatingWebhookConfiguration"]
    );
}
