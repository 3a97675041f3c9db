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

/// `value` with every value under `data` and `stringData` of a Secret replaced by a placeholder,
/// wherever a Secret is in it: the object itself, an item of a `kind: List`, or nested deeper.
/// With `base` (the same object at the base revision) the placeholder says whether it changed;
/// nested Secrets are compared with what sits at the same place in `base`.
pub fn mask_secret(value: &Value, base: Option<&Value>) -> Value {
    let mut masked = value.clone();
    mask_in_place(&mut masked, base.map(Some));
    masked
}

/// `base`: `None` when nothing is compared (every value shown as unchanged); `Some(None)` when
/// the base revision has nothing at this place (every value new).
fn mask_in_place(value: &mut Value, base: Option<Option<&Value>>) {
    if is_secret(value) {
        mask_one(value, base);
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                mask_in_place(item, base.map(|b| b.and_then(|b| b.get(key))));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                mask_in_place(item, base.map(|b| b.and_then(|b| b.get(index))));
            }
        }
        _ => {}
    }
}

/// Whether a Secret is anywhere in `value`.
fn holds_secret(value: &Value) -> bool {
    match value {
        Value::Object(map) => is_secret(value) || map.values().any(holds_secret),
        Value::Array(items) => items.iter().any(holds_secret),
        _ => false,
    }
}

fn mask_one(masked: &mut Value, base: Option<Option<&Value>>) {
    for field in ["data", "stringData"] {
        let before = base.flatten().and_then(|b| b.get(field));
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
}

/// Whether the JSON pointer `pointer` (RFC 6901) of `value` lands in the `data` or `stringData`
/// of a Secret: the object itself, an item of a `kind: List`, or nested deeper.
pub(crate) fn in_secret_data(value: &Value, pointer: &str) -> bool {
    let mut at = Some(value);
    let mut tokens = pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~"));
    while let Some(here) = at {
        let Some(token) = tokens.next() else { return false };
        if is_secret(here) && (token == "data" || token == "stringData") {
            return true;
        }
        at = match here {
            Value::Object(map) => map.get(&token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
    }
    false
}

/// Every string under the `data` and `stringData` of a Secret anywhere in `value`, added to
/// `values` (empty strings left out: they tell nothing).
pub(crate) fn secret_values(value: &Value, values: &mut std::collections::BTreeSet<String>) {
    if is_secret(value) {
        for field in ["data", "stringData"] {
            if let Some(found) = value.get(field) {
                leaves(found, values);
            }
        }
    }
    match value {
        Value::Object(map) => map.values().for_each(|item| secret_values(item, values)),
        Value::Array(items) => items.iter().for_each(|item| secret_values(item, values)),
        _ => {}
    }
}

/// Every non-empty string in `value`, added to `values`.
pub(crate) fn leaves(value: &Value, values: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::String(text) if !text.is_empty() => {
            values.insert(text.clone());
        }
        Value::Object(map) => map.values().for_each(|item| leaves(item, values)),
        Value::Array(items) => items.iter().for_each(|item| leaves(item, values)),
        _ => {}
    }
}

/// `value` with every Secret in it masked ([`mask_secret`]) and every string equal to one of
/// `secrets` (a Secret's value copied or moved elsewhere) replaced by [`SECRET_VALUE`].
pub(crate) fn mask_copies(value: &Value, secrets: &std::collections::BTreeSet<String>) -> Value {
    fn replace(value: &mut Value, secrets: &std::collections::BTreeSet<String>) {
        match value {
            Value::String(text) if secrets.contains(text.as_str()) => *value = Value::String(SECRET_VALUE.into()),
            Value::Object(map) => map.values_mut().for_each(|item| replace(item, secrets)),
            Value::Array(items) => items.iter_mut().for_each(|item| replace(item, secrets)),
            _ => {}
        }
    }
    let mut masked = mask_secret(value, None);
    replace(&mut masked, secrets);
    masked
}

/// An object's YAML as a preview shows it: its text, or, when a Secret is anywhere in it, its
/// YAML with every Secret value replaced by [`SECRET_VALUE`].
pub(crate) fn shown_yaml(object: &Object) -> String {
    if object.kind() == "Secret" || object.text.contains("Secret") {
        let value = object.value();
        if holds_secret(&value) {
            return render::to_yaml(&mask_secret(&value, None));
        }
    }
    match object.form {
        render::Form::Yaml => object.text.clone(),
        render::Form::Json => render::to_yaml(&object.value()),
    }
}

/// Unified diff of an object's YAML between two revisions, Secret values masked wherever a
/// Secret is in the object.
pub(crate) fn object_diff(before: &Object, after: &Object) -> String {
    // Cheap first: an object whose text never says `Secret` holds none.
    let may_hold = |o: &Object| o.kind() == "Secret" || o.text.contains("Secret");
    let masked = if may_hold(before) || may_hold(after) {
        let (before_value, after_value) = (before.value(), after.value());
        (holds_secret(&before_value) || holds_secret(&after_value)).then(|| {
            (
                render::to_yaml(&mask_secret(&before_value, None)),
                render::to_yaml(&mask_secret(&after_value, Some(&before_value))),
            )
        })
    } else {
        None
    };
    let (old, new) = masked.unwrap_or_else(|| (before.text.clone(), after.text.clone()));
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

    #[test]
    fn secrets_in_lists_are_masked() {
        let secret = |v: &str| json!({"apiVersion": "v1", "kind": "Secret", "data": {"k": v}});
        let before = json!({"kind": "List", "items": [{"kind": "ConfigMap", "data": {"a": "b"}}, secret("b2xk")]});
        let after = json!({"kind": "List", "items": [{"kind": "ConfigMap", "data": {"a": "b"}},
            {"kind": "List", "items": [secret("bmV3")]}, secret("bmV3")]});
        let masked = mask_secret(&after, Some(&before));
        assert_eq!(masked["items"][0]["data"]["a"], "b");
        assert_eq!(masked["items"][1]["items"][0]["data"]["k"], SECRET_VALUE_CHANGED);
        assert_eq!(masked["items"][2]["data"]["k"], SECRET_VALUE_CHANGED);
        assert_eq!(mask_secret(&before, None)["items"][1]["data"]["k"], SECRET_VALUE);
        assert!(holds_secret(&after) && !holds_secret(&before["items"][0]));
    }
}
