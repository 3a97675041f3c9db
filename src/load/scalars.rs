//! Scalars by YAML 1.2 core rules and by their tags: what a plain, quoted or tagged scalar is
//! as a value, and a mapping key as a string.

use serde_json::{Number, Value};
use yaml_rust2::Yaml;
use yaml_rust2::parser::Tag;
use yaml_rust2::scanner::TScalarStyle;

use crate::diagnostic::excerpt;
use crate::load::error::LoadError;
use crate::load::limits::QUOTE_CHARS;

/// A mapping key as a string: scalars only (`null` is the empty key, numbers and booleans their text).
pub(super) fn scalar_key(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        Value::Null => Some(String::new()),
        Value::Bool(_) | Value::Number(_) => Some(value.to_string()),
        _ => None,
    }
}

/// The YAML 1.2 core tags meshedge honours, by the name the parser resolves them to.
pub(super) const CORE: &str = "tag:yaml.org,2002:";

/// A tag as it is usually written (`!!binary`, `!Ref`), cut to a readable length.
pub(super) fn tag_text(tag: &Tag) -> String {
    let text = if tag.handle == CORE {
        format!("!!{}", tag.suffix)
    } else if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else if tag.handle.is_empty() && tag.suffix == "!" {
        "!".to_string()
    } else {
        format!("!<{}{}>", tag.handle, tag.suffix)
    };
    excerpt(&text, QUOTE_CHARS).into_owned()
}

/// The core tag a tag names (`str`, `int`, …), or `None` for any other tag. The non-specific
/// tag `!` counts as `!` ("take the node as its kind says").
pub(super) fn core_tag(tag: &Tag) -> Option<&str> {
    if tag.handle == CORE {
        Some(tag.suffix.as_str())
    } else if tag.handle.is_empty() {
        // `!` alone, or a verbatim tag `!<tag:yaml.org,2002:str>`.
        if tag.suffix == "!" { Some("!") } else { tag.suffix.strip_prefix(CORE) }
    } else {
        None
    }
}

/// A scalar's value: by its tag when it has one (`!!str`, `!!int`, `!!float`, `!!bool`,
/// `!!null`, or `!` for a string), else by YAML 1.2 core resolution of a plain scalar. Any other
/// tag is an error, not silently dropped.
pub(super) fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Result<Value, LoadError> {
    let Some(tag) = tag else {
        return Ok(if style == TScalarStyle::Plain { resolve_plain(text) } else { Value::String(text) });
    };
    let unsupported = || LoadError::UnsupportedTag { tag: tag_text(tag) };
    let Some(name) = core_tag(tag) else { return Err(unsupported()) };
    let wrong = |what: &'static str| LoadError::NotAsTagged { value: text.clone(), what, tag: tag_text(tag) };
    match name {
        "!" | "str" => Ok(Value::String(text)),
        "int" => match resolve_plain(text.clone()) {
            value @ Value::Number(_) if !value.is_f64() => Ok(value),
            _ => Err(wrong("an integer")),
        },
        "float" => match resolve_plain(text.clone()).as_f64().and_then(Number::from_f64) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(wrong("a finite number")),
        },
        "bool" => match resolve_plain(text.clone()) {
            value @ Value::Bool(_) => Ok(value),
            _ => Err(wrong("a boolean")),
        },
        "null" => match resolve_plain(text.clone()) {
            Value::Null => Ok(Value::Null),
            _ => Err(wrong("null")),
        },
        _ => Err(unsupported()),
    }
}

/// A plain scalar by YAML 1.2 core resolution.
pub(super) fn resolve_plain(text: String) -> Value {
    // A plain scalar that starts with a letter other than those of `null`, `true` and `false` is
    // a string (no number starts with a letter): most are, and they need no resolving.
    if text.as_bytes().first().is_some_and(|b| b.is_ascii_alphabetic() && !b"nNtTfF".contains(b)) {
        return Value::String(text);
    }
    match Yaml::from_str(&text) {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::Number(i.into()),
        Yaml::Real(r) => match r.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Value::Number(n),
            None => Value::String(r),
        },
        _ => Value::String(text),
    }
}
