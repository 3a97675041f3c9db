//! The §2.2 merge rule on values: maps key by key, lists of named items item by item, any
//! other list replaced, `null` removes a key.

use std::collections::HashMap;

use serde_json::Value;

/// Merges `overlay` into `base` by the §2.2 rule.
pub(super) fn merge_value(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                if value.is_null() {
                    base.remove(key);
                } else if let Some(existing) = base.get_mut(key) {
                    merge_value(existing, value);
                } else {
                    base.insert(key.clone(), value.clone());
                }
            }
        }
        (Value::Array(base), Value::Array(overlay)) if all_named(base) && all_named(overlay) => {
            // Items by name (the first of a name, as a search from the start would find it), so
            // that merging is linear in the lengths of both lists.
            let mut by_name: HashMap<String, usize> = HashMap::with_capacity(base.len() + overlay.len());
            for (i, item) in base.iter().enumerate() {
                if let Some(name) = item.get("name").and_then(Value::as_str) {
                    by_name.entry(name.to_string()).or_insert(i);
                }
            }
            for item in overlay {
                let Some(name) = item.get("name").and_then(Value::as_str) else { continue };
                match by_name.get(name) {
                    Some(&i) => {
                        if let Some(existing) = base.get_mut(i) {
                            merge_value(existing, item);
                        }
                    }
                    None => {
                        by_name.insert(name.to_string(), base.len());
                        base.push(item.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

fn all_named(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|i| i.get("name").is_some_and(Value::is_string))
}

/// The settings paths a layer's fragment sets: sections, and named items as `section.list.name`.
pub(super) fn touched_paths(fragment: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Value::Object(sections) = fragment else { return out };
    for (section, body) in sections {
        out.push(section.clone());
        let Value::Object(fields) = body else { continue };
        for (field, value) in fields {
            if let Value::Array(items) = value {
                for name in items.iter().filter_map(|i| i.get("name").and_then(Value::as_str)) {
                    out.push(format!("{section}.{field}.{name}"));
                }
            }
        }
    }
    out
}
