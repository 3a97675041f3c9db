//! The fields an AuthorizationPolicy and a RequestAuthentication share: a JSON value → a list of
//! strings, and `selector` / `targetRef(s)` → the workload selector the object applies with
//! (`None`: attached to a Gateway API gateway or waypoint, so to no workload modelled here).
//!
//! Source: istio/api @1.24.3 `security/v1beta1/authorization_policy.proto` and
//! `request_authentication.proto` (`selector`, `targetRef`, `targetRefs`).

use serde_json::Value;

use crate::flows::selector::{WorkloadSelector, labels_of};

pub(super) fn strings(value: Option<&Value>) -> Result<Vec<String>, String> {
    match value.filter(|v| !v.is_null()) {
        None => Ok(Vec::new()),
        Some(v) => v
            .as_array()
            .ok_or("expected a list of strings")?
            .iter()
            .map(|s| s.as_str().map(str::to_string).ok_or_else(|| "expected a list of strings".to_string()))
            .collect(),
    }
}

pub(super) fn selector_of(spec: &Value) -> Result<Option<WorkloadSelector>, String> {
    let targeted = ["targetRef", "targetRefs"].iter().any(|k| spec.get(*k).is_some_and(|v| !v.is_null()));
    if targeted {
        return Ok(None);
    }
    match spec.get("selector").and_then(|s| s.get("matchLabels")).filter(|v| !v.is_null()) {
        None => Ok(Some(WorkloadSelector::default())),
        Some(m) => labels_of(m)
            .map(|l| Some(WorkloadSelector(l)))
            .ok_or_else(|| "selector.matchLabels must map strings".to_string()),
    }
}
