//! A plain resource is named by the place its document starts: a DENY AuthorizationPolicy as the
//! second document of `environments/prod/resources/policies.yaml` blocks requested flows (E801),
//! and every surface that names the policy's file names `policies.yaml:8:1` (line 8 is where the
//! second document's first key is).

mod common;

use std::path::Path;

/// A ConfigMap (lines 1–6), `---` (line 7), then the DENY policy from line 8.
fn policies() -> String {
    format!(
        "apiVersion: v1
kind: ConfigMap
metadata:
  name: edge-notes
  namespace: shop
data: {{owner: platform}}
---
{}",
        common::DENY_SHOP
    )
}

const FILE: &str = "environments/prod/resources/policies.yaml";
const AT: &str = "environments/prod/resources/policies.yaml:8:1";
const NOTE: &str = "AuthorizationPolicy/istio-ingress/deny-shop comes from here";

fn with_policies(root: &Path) {
    common::write(root, FILE, &policies());
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// A git repository of the example (`HEAD~1`) and the example with the policies (`HEAD`),
/// committed with git2 (no `git` binary).
fn history() -> tempfile::TempDir {
    let dir = common::example();
    let git = git2::Repository::init(dir.path()).expect("a repository");
    let commit = |message: &str| {
        let mut index = git.index().expect("the index");
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).expect("files added");
        index.write().expect("the index written");
        let tree = git.find_tree(index.write_tree().expect("a tree")).expect("the tree");
        let signature = git2::Signature::now("meshedge tests", "tests@example.com").expect("a signature");
        let parent = git.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        git.commit(Some("HEAD"), &signature, &signature, message, &tree, &parents).expect("a commit");
    };
    commit("example");
    with_policies(dir.path());
    commit("deny the shop");
    dir
}

#[test]
fn build_names_the_document_line_of_the_deciding_policy() {
    let dir = common::example();
    with_policies(dir.path());
    let output = common::meshedge(dir.path(), &["build", "prod", "--root", "."]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(stderr.contains("error[E801]"), "{stderr}");
    // The note names the object; the document's first line is drawn under its place.
    assert!(
        stderr.contains(&format!("   = note: {NOTE}\n --> {AT}\n  |\n8 | apiVersion: security.istio.io/v1\n")),
        "{stderr}"
    );
    assert!(!stderr.contains(&format!("{FILE}\n")), "a bare file name is left: {stderr}");
}

#[test]
fn diff_text_names_the_document_line() {
    let dir = history();
    let output =
        common::meshedge(dir.path(), &["diff", "prod", "--base", "HEAD~1", "--head", "HEAD", "--color", "never"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(stdout.contains(&format!("= note: {NOTE}: {AT}\n")), "{stdout}");
}

#[test]
fn diff_markdown_names_the_document_line() {
    let dir = history();
    let output =
        common::meshedge(dir.path(), &["diff", "prod", "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(stdout.contains(&format!("= note: {NOTE}: {AT}\n")), "{stdout}");
}

#[test]
fn check_json_gives_each_note_its_line_and_column() {
    let dir = common::example();
    with_policies(dir.path());
    let output = common::check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let diagnostics = json["environments"][0]["diagnostics"].as_array().expect("diagnostics");
    let e801: Vec<&serde_json::Value> = diagnostics.iter().filter(|d| d["code"] == "E801").collect();
    assert!(!e801.is_empty(), "{json}");
    for d in e801 {
        let note = d["notes"].as_array().and_then(|notes| notes.iter().find(|n| n["message"] == NOTE));
        assert_eq!(note, Some(&serde_json::json!({"message": NOTE, "file": FILE, "line": 8, "column": 1})), "{d}");
    }
}

#[test]
fn explain_names_the_document_line() {
    let dir = common::example();
    with_policies(dir.path());
    let output = common::meshedge(
        dir.path(),
        &["explain", "prod", "AuthorizationPolicy/istio-ingress/deny-shop", "--root", "."],
    );
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(stdout.contains(&format!("  plain resources:\n    {AT}\n")), "{stdout}");
    let output = common::meshedge(
        dir.path(),
        &["explain", "prod", "AuthorizationPolicy/istio-ingress/deny-shop", "--root", ".", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["resources"], serde_json::json!([AT]), "{json}");
}
