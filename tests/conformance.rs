//! The public JSON Patch conformance suite (vendored in `data/conformance/json-patch-tests`) through
//! meshedge's patch stage: each record's document is a resource, its patch an untargeted layer
//! patch. Every enabled record must pass: `expected` documents match, `error` records fail
//! (leaving the document untouched: a JSON patch is atomic), the rest leave `doc` unchanged.

use std::path::PathBuf;

use meshedge::diagnostic::Location;
use meshedge::stages::Resource;
use meshedge::stages::{LayerPatch, PatchSpec};
use serde_json::Value;

fn suite(file: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/conformance/json-patch-tests").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the suite is a JSON array")
}

fn run(file: &str) -> usize {
    let mut checked = 0;
    for (i, record) in suite(file).iter().enumerate() {
        if record.get("disabled").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let comment = record.get("comment").and_then(Value::as_str).unwrap_or_default();
        let label = format!("{file}[{i}] {comment}");
        // meshedge refuses members an operation does not define, where RFC 6902 §4 ignores
        // them (docs/reference.md §9): the two cases of the suites that have them must fail.
        let deviates = matches!(comment, "spurious patch properties" | "A.11.  Ignoring Unrecognized Elements");
        let doc = record["doc"].clone();
        let operations = record["patch"].as_array().cloned().unwrap_or_default();
        let spec = PatchSpec { target: None, json: Some(operations), merge: None, file: None, optional: false };
        let patch = match LayerPatch::new(spec, label.clone(), Location::file("conformance")) {
            Ok(_) if deviates => panic!("{label}: members an operation does not define are refused"),
            Ok(patch) => patch,
            // Operations that do not parse are refused before any object is patched.
            Err(e) => {
                assert!(record.get("error").is_some() || deviates, "{label}: {e}");
                checked += 1;
                continue;
            }
        };
        let mut resources = vec![Resource::new(doc.clone(), Default::default(), None)];
        let (_, diagnostics) = meshedge::stages::apply(&mut resources, &[patch]);
        if record.get("error").is_some() {
            assert!(diagnostics.has_errors(), "{label}: must fail");
            assert_eq!(resources[0].value, doc, "{label}: a failed patch must leave the document as it was");
        } else {
            assert!(!diagnostics.has_errors(), "{label}: {diagnostics:?}");
            let expected = record.get("expected").unwrap_or(&doc);
            assert_eq!(&resources[0].value, expected, "{label}");
        }
        checked += 1;
    }
    checked
}

#[test]
fn json_patch_tests() {
    assert!(run("tests.json") >= 80);
}

#[test]
fn rfc_6902_examples() {
    assert!(run("spec_tests.json") >= 15);
}
