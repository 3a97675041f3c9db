//! Lenient field reads of an object for the analyses: absent, `null` or another type reads as empty.

use std::collections::BTreeMap;

use serde_json::Value;

/// A label set (or a selector's `matchLabels`).
pub type Labels = BTreeMap<String, String>;

/// The string at `key` of `v`, `""` when absent or not a string.
pub fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The string at `key` of `v`, owned.
pub fn owned(v: &Value, key: &str) -> String {
    text(v, key).to_string()
}

/// The array at `key` of `v`, empty when absent or not an array.
pub fn items<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// The strings of the array at `key` of `v` (other items skipped).
pub fn texts(v: &Value, key: &str) -> Vec<String> {
    items(v, key).iter().filter_map(Value::as_str).map(str::to_string).collect()
}

/// A number at `key` of `v`.
pub fn number(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

/// A string-to-string map (other values skipped).
pub fn labels(v: Option<&Value>) -> Labels {
    v.and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect())
        .unwrap_or_default()
}

/// Whether `selector` (a label set, all of which must match) selects `labels`; an empty selector
/// selects everything.
pub fn selects(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k).is_some_and(|l| l == v))
}

/// `k1=v1,k2=v2`, keys sorted: how Kubernetes prints a selector.
pub fn selector_text(selector: &Labels) -> String {
    selector.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

pub(super) fn group(value: &Value) -> &str {
    let api_version = text(value, "apiVersion");
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}
