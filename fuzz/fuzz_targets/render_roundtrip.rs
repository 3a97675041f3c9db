//! Render → read back: a value rendered as YAML by `meshedge::render` loads back equal, and so
//! does the same value written as JSON with every non-ASCII character escaped (surrogate pairs
//! included). Values come from the fuzzer's bytes, or from loading its text.

#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use meshedge::render;
use meshedge::stages as load;
use meshedge_fuzz::{ascii_json, value};
use serde_json::Value;

fn read_back(file: &str, text: &str, value: &Value) {
    let docs = load::parse(file, text).unwrap_or_else(|d| panic!("{file} does not load: {d:?}\n{text:.3000}"));
    assert!(docs.len() <= 1, "one document: {text:.3000}");
    let back = docs.first().map_or(Value::Null, |d| d.value.clone());
    assert_eq!(&back, value, "read back from {file}:\n{text:.3000}");
}

fn round_trip(value: &Value) {
    read_back("rendered.yaml", &render::to_yaml(value), value);
    // YAML reads a JSON key as an implicit key: at most 1,024 characters (a documented limit).
    let json = ascii_json(value);
    if longest_key(value) <= 1000 {
        read_back("ascii.json", &json, value);
    }
}

/// The most characters a key of `value` has, written as JSON.
fn longest_key(value: &Value) -> usize {
    match value {
        Value::Object(map) => {
            map.iter().map(|(k, v)| ascii_json(&Value::String(k.clone())).len().max(longest_key(v))).max().unwrap_or(0)
        }
        Value::Array(items) => items.iter().map(longest_key).max().unwrap_or(0),
        _ => 0,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    match u.arbitrary::<bool>() {
        Ok(true) => {
            if let Ok(value) = value(&mut u, 12) {
                round_trip(&value);
            }
        }
        _ => {
            let Ok(text) = std::str::from_utf8(u.take_rest()) else { return };
            let Ok(docs) = load::parse("input.yaml", text) else { return };
            for doc in docs {
                round_trip(&doc.value);
            }
        }
    }
});
