//! `meshedge check`: where a refusal a patch causes points, and the order of root cause and
//! consequences in every format.

mod common;

use std::process::Output;

use common::{check_repo, example, meshedge, write_file};
use serde_json::Value;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The example repository with a patch in prod's `patches/hardening.yaml` whose one operation
/// (`ops`, a flow-style YAML mapping) applies to every ServiceEntry; returns the op's line.
fn patched(ops: &str) -> (tempfile::TempDir, usize) {
    let dir = example();
    let patches = dir.path().join("environments/prod/patches/hardening.yaml");
    let mut text = std::fs::read_to_string(&patches).unwrap();
    text.push_str("---\ntarget: {group: networking.istio.io, kind: ServiceEntry}\njson:\n");
    let line = text.lines().count() + 1;
    text.push_str(&format!("  - {{op: test, path: /kind, value: ServiceEntry}}\n  - {ops}\n"));
    write_file(&patches, &text);
    (dir, line + 1)
}

#[test]
fn a_patch_that_changes_the_kind_is_refused_at_its_operation() {
    let (dir, line) = patched("{op: replace, path: /kind, value: Frobnicator}");
    let out = check_repo(dir.path(), &["prod"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error[E705]"), "{err}");
    let at = format!("environments/prod/patches/hardening.yaml:{line}:5");
    assert!(err.contains(&at), "expected {at} in {err}");
    assert!(!err.contains(" --> base/meshedge.yaml\n"), "{err}");
    // build fails at the same place, with nothing on stdout.
    let out = meshedge(dir.path(), &["build", "prod"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("E705") && stderr(&out).contains(&at), "{}", stderr(&out));
}

#[test]
fn a_merge_patch_that_changes_the_kind_is_refused_at_its_key() {
    let dir = example();
    let patches = dir.path().join("environments/prod/patches/hardening.yaml");
    let mut text = std::fs::read_to_string(&patches).unwrap();
    text.push_str("---\ntarget: {group: networking.istio.io, kind: ServiceEntry}\nmerge:\n");
    let line = text.lines().count() + 1;
    text.push_str("  kind: Frobnicator\n");
    write_file(&patches, &text);
    let out = check_repo(dir.path(), &["prod"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let at = format!("environments/prod/patches/hardening.yaml:{line}:");
    assert!(stderr(&out).contains(&at), "expected {at} in {}", stderr(&out));
}

/// The codes in report order of the first environment of a JSON report.
fn json_codes(out: &Output) -> Vec<String> {
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    report["environments"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_refusal_a_patch_causes_comes_before_its_consequences_in_every_format() {
    let (dir, _) = patched("{op: replace, path: /apiVersion, value: networking.istio.io/v1}");
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let codes = json_codes(&out);
    let first_other = codes.iter().position(|c| c != "E705").expect("consequences");
    assert!(first_other > 0 && codes[first_other..].iter().all(|c| c != "E705"), "{codes:?}");
    assert!(codes[first_other..].iter().any(|c| c == "A610"), "{codes:?}");
    for format in ["text", "sarif", "github"] {
        let out = check_repo(dir.path(), &["prod", "--format", format]);
        assert_eq!(out.status.code(), Some(1));
        let all = format!("{}{}", stdout(&out), stderr(&out));
        // SARIF lists its rules first: look at the results.
        let results = all.find("\"results\"").map_or(all.as_str(), |i| &all[i..]);
        let (e705, a610) = (results.find("E705"), results.find("A610"));
        assert!(e705.is_some() && a610.is_some() && e705 < a610, "{format}: {results}");
    }
}

/// `check` of a bare directory holding one file `a.yaml` with `text`.
fn check_bare(text: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("d/a.yaml"), text);
    meshedge(dir.path(), &["check", "d"])
}

#[test]
fn a_malformed_api_version_is_an_error_that_says_what_is_wrong() {
    for (api_version, says) in [
        ("\"///\"", "more than one `/`"),
        ("\"v1/\"", "empty group or version"),
        ("42", "expected a string like `v1` or `apps/v1`, got a number"),
    ] {
        let out =
            check_bare(&format!("apiVersion: {api_version}\nkind: ConfigMap\nmetadata: {{name: x, namespace: a}}\n"));
        assert_eq!(out.status.code(), Some(1), "{api_version}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
        let err = stderr(&out);
        assert!(err.contains("error[E701]") && err.contains("d/a.yaml:1:1"), "{api_version}: {err}");
        assert!(err.contains(says), "{api_version}: {err}");
        assert!(!err.contains("W702") && !err.contains("required string field missing"), "{err}");
    }
}

#[test]
fn a_kind_in_the_wrong_case_gets_a_did_you_mean() {
    let out = check_bare("apiVersion: v1\nkind: configmap\nmetadata: {name: x, namespace: a}\n");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("error[E701]") && err.contains("d/a.yaml:2:1"), "{err}");
    assert!(err.contains("did you mean `ConfigMap`"), "{err}");
}

#[test]
fn one_patch_operation_that_breaks_several_objects_is_a_finding_for_each() {
    // The example's prod has more than one ServiceEntry; the operation adds an unknown field to
    // each, at the same place with the same message.
    let (dir, _) = patched("{op: add, path: /spec/bogus, value: 1}");
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let diagnostics = report["environments"][0]["diagnostics"].as_array().unwrap();
    let objects: std::collections::BTreeSet<String> = diagnostics
        .iter()
        .filter(|d| d["code"] == "E701" && d["message"].as_str().is_some_and(|m| m.contains("bogus")))
        .map(|d| d["resource"].to_string())
        .collect();
    assert!(objects.len() > 1, "one finding per broken ServiceEntry, not one in all: {objects:?}");
}
