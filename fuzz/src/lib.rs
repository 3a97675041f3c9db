//! What the fuzz targets share: the invariants every input must keep, and a generator of values.
//!
//! Every target ends in one of two ways for any input: a result, or diagnostics that render to a
//! bounded text. A panic, an abort, a timeout or unbounded memory is a finding.

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use meshedge::diagnostic::{Diagnostic, MESSAGE_CHARS, SourceText};
use serde_json::{Map, Number, Value};

/// The most a rendered diagnostic may hold: its texts are cut at [`MESSAGE_CHARS`], the quoted
/// source lines at 100 characters, and the notes are few.
pub const RENDERED_CHARS: usize = 8 * MESSAGE_CHARS;

/// Renders a diagnostic and checks that it is bounded whatever the input.
pub fn check_rendered(diagnostic: &Diagnostic, files: &SourceText) {
    let text = diagnostic.render(files);
    let notes = diagnostic.notes.len() + 1;
    let bound = RENDERED_CHARS * notes + 4096;
    assert!(text.chars().count() <= bound, "a rendered diagnostic of {} characters:\n{text:.2000}", text.len());
    assert!(diagnostic.code.as_str().len() == 4, "a stable code: {diagnostic:?}");
}

/// JSON pointers of the values in `value`, depth first, at most `max` of them.
pub fn pointers(value: &Value, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![(String::new(), value)];
    while let Some((pointer, value)) = pending.pop() {
        if out.len() >= max {
            break;
        }
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    pending.push((format!("{pointer}/{}", meshedge::stages::pointer::escape(key)), child));
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    pending.push((format!("{pointer}/{i}"), child));
                }
            }
            _ => {}
        }
        out.push(pointer);
    }
    out
}

/// How many levels of mappings and sequences a value nests.
pub fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut pending = vec![(value, 0)];
    while let Some((value, level)) = pending.pop() {
        deepest = deepest.max(level);
        match value {
            Value::Object(map) => pending.extend(map.values().map(|v| (v, level + 1))),
            Value::Array(items) => pending.extend(items.iter().map(|v| (v, level + 1))),
            _ => {}
        }
    }
    deepest
}

/// A string from the input: mostly short, of any characters, with YAML's and JSON's special
/// ones (quotes, `:`, `#`, escapes, line breaks, a byte order mark, surrogate-range text) likely.
pub fn string(u: &mut Unstructured) -> Result<String> {
    const PIECES: [&str; 24] = [
        "a", "0", "-", ":", ": ", "#", " #", "\"", "'", "\\", "\n", "\t", "\r\n", "\u{feff}", "\u{85}", "\u{2028}",
        "é", "😀", "\\ud83d", "null", "true", "~", "0x1F", "1e3",
    ];
    let len = u.int_in_range(0..=12)?;
    let mut out = String::new();
    for _ in 0..len {
        if u.ratio(1, 3)? {
            out.push(u.arbitrary::<char>()?);
        } else {
            out.push_str(u.choose(&PIECES)?);
        }
    }
    if u.ratio(1, 64)? {
        // A long one now and then (past YAML's 1024 characters for an implicit key).
        let n = u.int_in_range(100..=1100)?;
        out.push_str(&"k".repeat(n));
    }
    Ok(out)
}

/// A value the loader could have read: maps, lists, strings, booleans, null, 64-bit integers and
/// finite floats, nested at most `levels` deep.
pub fn value(u: &mut Unstructured, levels: usize) -> Result<Value> {
    let kind = if levels == 0 { u.int_in_range(0..=4)? } else { u.int_in_range(0..=6)? };
    Ok(match kind {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::Number(u.arbitrary::<i64>()?.into()),
        3 => Number::from_f64(u.arbitrary::<f64>()?).map_or(Value::Null, Value::Number),
        4 => Value::String(string(u)?),
        5 => {
            let n = u.int_in_range(0..=5)?;
            Value::Array((0..n).map(|_| value(u, levels - 1)).collect::<Result<_>>()?)
        }
        _ => {
            let n = u.int_in_range(0..=5)?;
            let mut map = Map::new();
            for _ in 0..n {
                map.insert(string(u)?, value(u, levels - 1)?);
            }
            Value::Object(map)
        }
    })
}

/// JSON with every character outside ASCII escaped (`\u00e9`, surrogate pairs for the rest),
/// as Python's `json.dumps` writes it.
pub fn ascii_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, value);
    out
}

fn write_json(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            out.push('{');
            for (i, (key, child)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json_string(out, key);
                out.push_str(": ");
                write_json(out, child);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, child) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json(out, child);
            }
            out.push(']');
        }
        Value::String(s) => write_json_string(out, s),
        other => out.push_str(&other.to_string()),
    }
}

fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}
