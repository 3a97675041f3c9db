//! The YAML emitter: one JSON value as a block-style YAML document that YAML 1.1 and 1.2 readers
//! read back as the same value.

use std::fmt::Write as _;

use serde_json::Value;

/// One object as a YAML document (block style, 2-space indent, sequences not indented).
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    write_document(&mut out, value);
    out
}

pub(super) fn write_document(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) if !map.is_empty() => write_map(out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(out, items, 0),
        other => {
            write_scalar(out, other);
            out.push('\n');
        }
    }
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > 0 {
        let step = n.min(SPACES.len());
        out.push_str(&SPACES[..step]);
        n -= step;
    }
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, level: usize) {
    for (key, value) in map {
        indent(out, level);
        write_entry(out, key, value, level);
    }
}

/// The most characters of an implicit key (`key: value`): YAML reads at most 1,024 (YAML 1.2
/// §7.4.2, §8.2.2), and so do the readers of Kubernetes manifests.
const IMPLICIT_KEY_CHARS: usize = 1000;

/// One entry of a block mapping whose indentation is written; a longer key is written as an
/// explicit one (`? key`, then `: value` on the next line).
fn write_entry(out: &mut String, key: &str, value: &Value, level: usize) {
    let start = out.len();
    write_string(out, key);
    if out.len() - start > IMPLICIT_KEY_CHARS && out[start..].chars().count() > IMPLICIT_KEY_CHARS {
        out.insert_str(start, "? ");
        out.push('\n');
        indent(out, level);
    }
    out.push(':');
    write_child(out, value, level);
}

fn write_seq(out: &mut String, items: &[Value], level: usize) {
    for item in items {
        indent(out, level);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first key shares the dash's line.
                let mut first = true;
                for (key, value) in map {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, level + 2);
                    }
                    write_entry(out, key, value, level + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, level + 2);
            }
            other => {
                out.push(' ');
                write_scalar(out, other);
                out.push('\n');
            }
        }
    }
}

fn write_child(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, level + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, level);
        }
        other => {
            out.push(' ');
            write_scalar(out, other);
            out.push('\n');
        }
    }
}

fn write_scalar(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// Words a YAML 1.1 reader turns into booleans or null.
const YAML11_WORDS: [&str; 12] = ["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "=", "<<"];

/// The bytes a plain scalar may hold: ASCII letters and digits and `-_./:@+=, ()`.
const PLAIN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        table[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    let extra = b"-_./:@+=, ()";
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
};

/// Whether `s` can be written plain and still be read back as this string by YAML 1.1 and 1.2.
pub(super) fn plain_safe(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else { return false };
    if bytes.len() <= 5 && YAML11_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return false;
    }
    // Anything that starts like a number (ints, floats, octal, hex, sexagesimal, dates, `.inf`).
    let lead = if first == b'-' || first == b'+' { bytes.get(1).copied() } else { Some(first) };
    if lead.is_some_and(|c| c.is_ascii_digit() || c == b'.') {
        return false;
    }
    if !(first.is_ascii_alphanumeric() || first == b'/' || first == b'_') {
        return false;
    }
    if s.ends_with(' ') || s.ends_with(':') {
        return false;
    }
    // One pass: only safe characters, and no `: `.
    let mut previous = 0u8;
    for &c in bytes {
        if !PLAIN_BYTES[c as usize] || (previous == b':' && c == b' ') {
            return false;
        }
        previous = c;
    }
    true
}

fn write_string(out: &mut String, s: &str) {
    if plain_safe(s) {
        out.push_str(s);
    } else {
        // A JSON string is a valid YAML double-quoted scalar.
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x20 || matches!(c, '\u{7f}' | '\u{85}' | '\u{2028}' | '\u{2029}') => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
}
