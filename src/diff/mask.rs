//! Secrets in a diff: their values replaced by placeholders that only say whether they changed.

use serde_json::Value;

use crate::render::{self, Object};

/// What stands for a Secret value that is the same at both revisions (or at base).
pub const SECRET_VALUE: &str = "(secret value)";
/// What stands for a Secret value that is new or different at head.
pub const SECRET_VALUE_CHANGED: &str = "(secret value, changed)";

fn is_secret(value: &Value) -> bool {
    value.get("kind").and_then(Value::as_str) == Some("Secret")
}

/// `value` with every value under `data` and `stringData` of a Secret replaced by a placeholder;
/// with `base` (the same Secret at the base revision) the placeholder says whether it changed.
pub fn mask_secret(value: &Value, base: Option<&Value>) -> Value {
    let mut masked = value.clone();
    if !is_secret(value) {
        return masked;
    }
    for field in ["data", "stringData"] {
        let before = base.and_then(|b| b.get(field));
        let placeholder = |same: bool| Value::String(if same { SECRET_VALUE } else { SECRET_VALUE_CHANGED }.into());
        match masked.get_mut(field) {
            Some(Value::Object(map)) => {
                for (key, item) in map.iter_mut() {
                    let same = base.is_none() || before.and_then(|b| b.get(key)) == Some(&*item);
                    *item = placeholder(same);
                }
            }
            Some(other) if !other.is_null() => {
                let same = base.is_none() || before == Some(&*other);
                *other = placeholder(same);
            }
            _ => {}
        }
    }
    masked
}

/// Unified diff of an object's YAML between two revisions, Secret values masked.
pub(crate) fn object_diff(before: &Object, after: &Object) -> String {
    let (old, new) = if before.kind() == "Secret" || after.kind() == "Secret" {
        let (before_value, after_value) = (before.value(), after.value());
        (
            render::to_yaml(&mask_secret(&before_value, None)),
            render::to_yaml(&mask_secret(&after_value, Some(&before_value))),
        )
    } else {
        (before.text.clone(), after.text.clone())
    };
    let diff = similar::TextDiff::from_lines(&old, &new);
    diff.unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{}", render::object_path(&before.reference)),
            &format!("b/{}", render::object_path(&after.reference)),
        )
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_values_become_placeholders() {
        let before = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"a": "c2VjcmV0", "b": "b2xk"}, "stringData": {"c": "plain"}});
        let after = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"a": "c2VjcmV0", "b": "bmV3"}, "stringData": {"c": "plain", "d": "more"}});
        let masked = mask_secret(&after, Some(&before));
        assert_eq!(masked["data"], json!({"a": SECRET_VALUE, "b": SECRET_VALUE_CHANGED}));
        assert_eq!(masked["stringData"], json!({"c": SECRET_VALUE, "d": SECRET_VALUE_CHANGED}));
        assert_eq!(mask_secret(&before, None)["data"], json!({"a": SECRET_VALUE, "b": SECRET_VALUE}));
        let config = json!({"kind": "ConfigMap", "data": {"a": "visible"}});
        assert_eq!(mask_secret(&config, None), config);
    }
}
