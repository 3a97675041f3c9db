//! `meshedge check` and `build` on inputs that once slipped through: suppressions that named
//! errors, objects inside a `kind: List` of an environment, environments whose manifest cannot
//! be read.

mod common;

use std::process::Output;

use common::{check_repo, example, meshedge, write_file};
use serde_json::Value;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// (code, file, line) of each diagnostic of a JSON report.
fn found(out: &Output) -> Vec<(String, String, u64)> {
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), stderr(out)));
    let mut all = Vec::new();
    for env in report["environments"].as_array().unwrap() {
        for d in env["diagnostics"].as_array().unwrap() {
            all.push((
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
            ));
        }
    }
    all
}

/// A VirtualService bound to a Gateway that does not exist (A601, an error).
const UNBOUND: &str = "apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: extra
  namespace: istio-ingress
  annotations: {meshedge.io/check-suppress: \"A601, JUNK\"}
spec:
  hosts: [extra.apps.prod.example.com]
  gateways: [istio-ingress/nowhere]
  http:
    - route: [{destination: {host: istio-ingressgateway.istio-ingress.svc.cluster.local}}]
";

#[test]
fn errors_cannot_be_suppressed_by_rule_or_annotation() {
    let dir = example();
    write_file(&dir.path().join("base/resources/extra.yaml"), UNBOUND);
    let manifest = dir.path().join("environments/prod/meshedge.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replacen("settings:\n", "settings:\n  check:\n    suppress:\n      - {code: \"*\"}\n", 1);
    write_file(&manifest, &text);

    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = found(&out);
    let file = "base/resources/extra.yaml".to_string();
    assert!(found.contains(&("A601".into(), file.clone(), 9)), "the error stays: {found:?}");
    // The rule, at its line, and the annotation's two entries, at the annotation.
    assert!(found.contains(&("W703".into(), "environments/prod/meshedge.yaml".into(), 13)), "{found:?}");
    let at_annotation = found.iter().filter(|f| **f == ("W703".into(), file.clone(), 6)).count();
    assert_eq!(at_annotation, 2, "{found:?}");
    let text = check_repo(dir.path(), &["prod"]);
    assert!(text.stdout.is_empty());
    let text = stderr(&text);
    assert!(text.contains("errors cannot be suppressed"), "{text}");
    assert!(text.contains("`JUNK`, a code meshedge does not know"), "{text}");

    let root = dir.path().to_str().unwrap();
    let build = meshedge(dir.path(), &["build", "prod", "--root", root]);
    assert_eq!(build.status.code(), Some(1), "build fails on the error: {}", stderr(&build));
    assert!(build.stdout.is_empty());
    assert!(
        stderr(&build).contains("A601") && stderr(&build).contains("base/resources/extra.yaml"),
        "{}",
        stderr(&build)
    );
}

/// A `v1 List` of objects prod's target does not serve at these versions (OpenShift Service
/// Mesh 2.x serves no `networking.istio.io/v1`; Kubernetes 1.25 removed `policy/v1beta1`).
const UNSERVED_LIST: &str = "apiVersion: v1
kind: List
items:
  - apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: listed, namespace: istio-egress}
    spec: {hosts: [listed.example.com], ports: [{number: 443, name: https, protocol: HTTPS}], resolution: DNS}
";

#[test]
fn objects_in_a_list_are_checked_for_their_served_version() {
    let dir = example();
    let file = "environments/prod/resources/listed.yaml";
    write_file(&dir.path().join(file), UNSERVED_LIST);
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = found(&out);
    assert!(found.contains(&("E705".into(), file.into(), 4)), "at the item's apiVersion: {found:?}");
    let root = dir.path().to_str().unwrap();
    let build = meshedge(dir.path(), &["build", "prod", "--root", root]);
    assert_eq!(build.status.code(), Some(1), "{}", stderr(&build));
    assert!(build.stdout.is_empty());
    assert!(stderr(&build).contains("E705") && stderr(&build).contains(&format!("{file}:4")), "{}", stderr(&build));
}

#[test]
fn objects_in_a_list_are_checked_for_duplicates() {
    let dir = example();
    let file = "environments/prod/resources/twice.yaml";
    let config = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: twice, namespace: istio-egress}\ndata: {a: b}\n";
    let indented: String = config
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 0 { format!("  - {l}\n") } else { format!("    {l}\n") })
        .collect();
    write_file(&dir.path().join(file), &format!("{config}---\napiVersion: v1\nkind: List\nitems:\n{indented}"));
    let root = dir.path().to_str().unwrap();
    let build = meshedge(dir.path(), &["build", "prod", "--root", root]);
    assert_eq!(build.status.code(), Some(1), "{}", stderr(&build));
    assert!(build.stdout.is_empty());
    assert!(stderr(&build).contains("E430") && stderr(&build).contains(file), "{}", stderr(&build));
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(found(&out).iter().any(|(c, f, _)| c == "E430" && f == file), "{:?}", found(&out));
}

#[test]
fn an_environment_whose_manifest_cannot_be_read_fails_the_gate() {
    let dir = example();
    let envs = dir.path().join("environments");
    std::fs::create_dir_all(envs.join("dangling")).unwrap();
    std::os::unix::fs::symlink("nowhere.yaml", envs.join("dangling/meshedge.yaml")).unwrap();
    std::fs::create_dir_all(envs.join("outside")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", envs.join("outside/meshedge.yaml")).unwrap();
    std::fs::create_dir_all(envs.join("folder/meshedge.yaml")).unwrap();
    for args in [&["--format", "json"][..], &["--all", "--format", "json"][..]] {
        let out = check_repo(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let found = found(&out);
        for env in ["dangling", "outside", "folder"] {
            let file = format!("environments/{env}/meshedge.yaml");
            assert!(found.iter().any(|(c, f, _)| (c == "E100" || c == "E105") && *f == file), "{env}: {found:?}");
        }
    }
    let text = check_repo(dir.path(), &[]);
    assert_eq!(text.status.code(), Some(1));
    assert!(text.stdout.is_empty());
}

/// A DestinationRule whose name and namespace the API server refuses.
const BAD_NAMES: &str = "apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: Stripe_DR
  namespace: istio-egress
spec: {host: api.stripe.com}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: fine
  namespace: A B
data: {a: b}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: labelled
  namespace: istio-egress
  labels: {app: \"not ok\"}
data: {a: b}
";

#[test]
fn names_the_api_server_refuses_are_errors_at_the_field() {
    // A bare directory.
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("manifests/names.yaml"), BAD_NAMES);
    let out = meshedge(dir.path(), &["check", "manifests", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let bare = found(&out);
    let file = "manifests/names.yaml";
    for line in [4, 12, 20] {
        assert!(bare.contains(&("E707".into(), file.into(), line)), "line {line}: {bare:?}");
    }
    // An environment, in check and build.
    let dir = example();
    let file = "environments/prod/resources/names.yaml";
    write_file(&dir.path().join(file), BAD_NAMES);
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = found(&out);
    for line in [4, 12, 20] {
        assert!(found.contains(&("E707".into(), file.into(), line)), "line {line}: {found:?}");
    }
    let root = dir.path().to_str().unwrap();
    let build = meshedge(dir.path(), &["build", "prod", "--root", root]);
    assert_eq!(build.status.code(), Some(1), "{}", stderr(&build));
    assert!(build.stdout.is_empty());
    assert!(stderr(&build).contains("E707") && stderr(&build).contains(&format!("{file}:4")), "{}", stderr(&build));
}
