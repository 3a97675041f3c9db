//! JSON pointers (RFC 6901), as meshedge writes and reads them: the places of values in input
//! documents, and the paths of JSON patches.

use std::borrow::Cow;

/// A key as a JSON pointer segment (`~` → `~0`, `/` → `~1`).
pub fn escape(key: &str) -> Cow<'_, str> {
    if key.contains(['~', '/']) { Cow::Owned(key.replace('~', "~0").replace('/', "~1")) } else { Cow::Borrowed(key) }
}

/// A JSON pointer segment as the key it stands for.
pub fn unescape(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') {
        Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// The value at `pointer` in `value`, as [`serde_json::Value::pointer`] finds it, without
/// allocating for segments that need no unescaping (every object passes through the finish
/// stage's lookups).
pub fn get<'a>(value: &'a serde_json::Value, pointer: &str) -> Option<&'a serde_json::Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/').try_fold(value, |at, segment| {
        let key = unescape(segment);
        match at {
            serde_json::Value::Object(map) => map.get(key.as_ref()),
            serde_json::Value::Array(items) => {
                let leading_zero = key.len() > 1 && key.starts_with('0');
                if leading_zero || key.starts_with('+') {
                    return None;
                }
                key.parse::<usize>().ok().and_then(|i| items.get(i))
            }
            _ => None,
        }
    })
}

/// `/spec/ingress/0/host` → `spec.ingress[0].host`, as messages show a place.
pub fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').skip(1) {
        if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&unescape(part));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_finds_what_serde_json_finds() {
        let value = serde_json::json!({"a": {"b/c": [1, {"~d": 2}], "": 3}, "e": [0, 1]});
        for pointer in ["", "/a", "/a/b~1c", "/a/b~1c/1/~0d", "/a/", "/e/01", "/e/+1", "/e/1", "/x", "a", "/e/9"] {
            assert_eq!(get(&value, pointer), value.pointer(pointer), "{pointer}");
        }
    }

    #[test]
    fn segments_escape_and_read_back() {
        for key in ["plain", "a/b", "~e", "~1", "x~/y"] {
            assert_eq!(unescape(&escape(key)), key);
        }
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(dotted("/spec/ingress/0/a~1b"), "spec.ingress[0].a/b");
    }
}
