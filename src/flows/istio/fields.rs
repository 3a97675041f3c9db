//! Reading the fields of Istio objects: JSON values → string lists and port numbers, and an
//! object's reference → the key that orders objects created in the same second (`name.namespace`:
//! istio/istio @1.24.3 `pilot/pkg/model/config.go` `sortConfigByCreationTime`).

use serde_json::Value;

use super::ObjectRef;

/// `name.namespace`: the order of objects created in the same second.
pub(super) fn creation_key(r: &ObjectRef) -> String {
    format!("{}.{}", r.name, r.namespace.as_deref().unwrap_or_default())
}

pub(super) fn strings(value: Option<&Value>) -> Vec<String> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

pub(super) fn u16_at(value: Option<&Value>) -> Option<u16> {
    value.and_then(Value::as_u64).and_then(|n| u16::try_from(n).ok())
}
