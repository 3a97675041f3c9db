//! Secrets in a diff: their values replaced by placeholders that only say whether they changed.

use std::collections::BTreeSet;

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

/// `value` with every Secret in it masked ([`mask_secret`]) and every string that is, holds or
/// quotes one of `secrets` (a Secret's value copied or moved elsewhere) masked as a preview does.
pub(crate) fn mask_copies(value: &Value, secrets: &BTreeSet<String>) -> Value {
    let mut masked = mask_secret(value, None);
    mask_strings(&mut masked, secrets);
    masked
}

/// Whether `object` is a Secret or was one before a patch changed its kind.
fn was_secret(object: &Object) -> bool {
    object.kind() == "Secret" || object.origin.as_ref().is_some_and(|origin| origin.kind == "Secret")
}

/// Whether a Secret's value may be anywhere in `object` (cheap first: an object whose text never
/// says `Secret` and that never was one holds none).
fn may_hold(object: &Object) -> bool {
    was_secret(object) || object.text.contains("Secret")
}

/// The shortest Secret value masked where it is only part of a longer string (an annotation
/// quoting it): shorter ones are masked only where a whole string equals them, so that a value
/// such as `1` does not blank every digit of the preview.
const MIN_EMBEDDED: usize = 4;

/// Every Secret value of `value` (and, when `was_secret`, of its own `data` and `stringData`:
/// the object was a Secret before a patch changed its kind).
fn values_of(value: &Value, was_secret: bool, secrets: &mut BTreeSet<String>) {
    secret_values(value, secrets);
    if was_secret {
        for field in ["data", "stringData"] {
            if let Some(found) = value.get(field) {
                leaves(found, secrets);
            }
        }
    }
}

/// `value` with every string that is, holds or quotes one of `secrets` masked: a string equal to
/// one, a string holding an object in JSON (`kubectl.kubernetes.io/last-applied-configuration`)
/// masked inside, and any other occurrence of a value of at least [`MIN_EMBEDDED`] characters.
fn mask_strings(value: &mut Value, secrets: &BTreeSet<String>) {
    match value {
        Value::String(text) => {
            if secrets.contains(text.as_str()) {
                *text = SECRET_VALUE.into();
                return;
            }
            let trimmed = text.trim_start();
            if trimmed.starts_with('{') || trimmed.starts_with('[') {
                if let Ok(mut inner) = serde_json::from_str::<Value>(text) {
                    if holds_secret(&inner) {
                        inner = mask_secret(&inner, None);
                    }
                    mask_strings(&mut inner, secrets);
                    *text = inner.to_string();
                }
            }
            for secret in secrets.iter().filter(|s| s.chars().count() >= MIN_EMBEDDED) {
                if text.contains(secret.as_str()) {
                    *text = text.replace(secret.as_str(), SECRET_VALUE);
                }
            }
        }
        Value::Object(map) => map.values_mut().for_each(|item| mask_strings(item, secrets)),
        Value::Array(items) => items.iter_mut().for_each(|item| mask_strings(item, secrets)),
        _ => {}
    }
}

/// `value` masked as a preview shows it: every Secret in it ([`mask_secret`], against `base`),
/// its own `data` and `stringData` when it `was_secret`, and every copy of one of `secrets`
/// elsewhere (an annotation a patch copied it to, a YAML alias, last-applied-configuration).
fn mask_all(value: &Value, base: Option<&Value>, was_secret: bool, secrets: &BTreeSet<String>) -> Value {
    let mut masked = value.clone();
    if was_secret && !is_secret(value) {
        if let Value::Object(map) = &mut masked {
            map.insert("kind".into(), Value::String("Secret".into()));
            mask_in_place(&mut masked, base.map(Some));
            if let (Value::Object(map), Some(kind)) = (&mut masked, value.get("kind")) {
                map.insert("kind".into(), kind.clone());
            }
        }
    } else {
        mask_in_place(&mut masked, base.map(Some));
    }
    mask_strings(&mut masked, secrets);
    masked
}

/// An object's YAML as a preview shows it: its text, or, when a Secret is or was anywhere in it,
/// its YAML with every Secret value, and every copy of one, replaced by [`SECRET_VALUE`].
pub(crate) fn shown_yaml(object: &Object) -> String {
    if may_hold(object) {
        let value = object.value();
        let mut secrets = BTreeSet::new();
        values_of(&value, was_secret(object), &mut secrets);
        if !secrets.is_empty() || holds_secret(&value) || was_secret(object) {
            return render::to_yaml(&mask_all(&value, None, was_secret(object), &secrets));
        }
    }
    match object.form {
        render::Form::Yaml => object.text.clone(),
        render::Form::Json => render::to_yaml(&object.value()),
    }
}

/// Unified diff of an object's YAML between two revisions, Secret values masked wherever a
/// Secret is or was in the object, and wherever a value of one was copied (at either revision).
pub(crate) fn object_diff(before: &Object, after: &Object) -> String {
    let masked = if may_hold(before) || may_hold(after) {
        let (before_value, after_value) = (before.value(), after.value());
        let mut secrets = BTreeSet::new();
        values_of(&before_value, was_secret(before), &mut secrets);
        values_of(&after_value, was_secret(after), &mut secrets);
        let any = !secrets.is_empty()
            || holds_secret(&before_value)
            || holds_secret(&after_value)
            || was_secret(before)
            || was_secret(after);
        any.then(|| {
            (
                render::to_yaml(&mask_all(&before_value, None, was_secret(before), &secrets)),
                render::to_yaml(&mask_all(&after_value, Some(&before_value), was_secret(after), &secrets)),
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
