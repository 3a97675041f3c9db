//! `meshedge check` on inputs a reviewer would try to break it with, and on the ways a user
//! names what to check: schema directories read under the rules of every input, `-q`, nothing
//! to check, one environment named twice, unreadable files of a bare directory.

mod common;

use std::process::Output;

use common::{check_repo, example, meshedge, write_file};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An input error: exit 1, nothing on stdout, `code` and `file` on stderr.
fn assert_refused(out: &Output, code: &str, file: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(err.contains(&format!("[{code}]")), "{code}: {err}");
    assert!(err.contains(file), "{file}: {err}");
}

#[test]
fn a_schema_file_linked_out_of_the_repository_is_refused() {
    for target in ["/dev/zero", "/etc/passwd"] {
        let dir = example();
        std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
        std::os::unix::fs::symlink(target, dir.path().join("schemas/z.yaml")).unwrap();
        for format in ["text", "json", "sarif"] {
            let out = check_repo(dir.path(), &["prod", "--format", format]);
            assert_refused(&out, "E105", "schemas/z.yaml");
        }
    }
}

#[test]
fn a_schema_directory_outside_the_repository_keeps_its_files_inside_it() {
    let dir = example();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/etc/passwd", outside.path().join("crd.yaml")).unwrap();
    let out = check_repo(dir.path(), &["prod", "--format", "json", "--schemas", outside.path().to_str().unwrap()]);
    assert_refused(&out, "E105", "crd.yaml");
}

#[test]
fn a_schema_file_over_the_size_limit_is_refused() {
    let dir = example();
    let big = format!("# {}\n", "x".repeat(9 << 20));
    write_file(&dir.path().join("schemas/big.yaml"), &big);
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_refused(&out, "E114", "schemas/big.yaml");
}

#[test]
fn a_fifo_among_the_schemas_is_refused_not_waited_for() {
    let dir = example();
    std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
    let made = std::process::Command::new("mkfifo").arg(dir.path().join("schemas/fifo.yaml")).status().unwrap();
    assert!(made.success());
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_refused(&out, "E100", "schemas/fifo.yaml");
}

#[test]
fn quiet_hides_the_warnings_of_a_check() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        &dir.path().join("manifests/widget.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\n",
    );
    let loud = meshedge(dir.path(), &["check", "manifests"]);
    assert!(stderr(&loud).contains("warning[W702]"), "{}", stderr(&loud));
    let quiet = meshedge(dir.path(), &["-q", "check", "manifests"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(!stderr(&quiet).contains("W702"), "{}", stderr(&quiet));
}

#[test]
fn a_check_that_finds_nothing_to_check_is_a_usage_error() {
    let empty = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(empty.path().join("regions")).unwrap();
    write_file(&empty.path().join("notes/README.md"), "nothing here\n");
    for args in [vec!["check"], vec!["check", "--all"], vec!["check", "notes"], vec!["check", "--format", "sarif"]] {
        let mut args = args.clone();
        args.extend(["--root", empty.path().to_str().unwrap()]);
        let out = meshedge(empty.path(), &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(err.contains("[E901]") && err.contains("looked under"), "{args:?}: {err}");
        assert!(!err.contains("0 environments checked"), "{err}");
    }
}

#[test]
fn an_environment_named_several_ways_is_checked_once() {
    let dir = example();
    let out = check_repo(dir.path(), &["prod", "environments/prod", "./environments/prod/"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("1 environment checked"), "{err}");
}

/// (code, file, line) of every diagnostic of a JSON report.
fn found(out: &Output) -> Vec<(String, String, Option<u64>)> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), stderr(out)));
    let mut all = Vec::new();
    for env in report["environments"].as_array().expect("environments") {
        for d in env["diagnostics"].as_array().expect("diagnostics") {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_string();
            all.push((text("code"), text("file"), d["line"].as_u64()));
        }
    }
    all.sort();
    all
}

fn has(found: &[(String, String, Option<u64>)], code: &str, file: &str, line: u64) -> bool {
    found.iter().any(|(c, f, l)| c == code && f == file && *l == Some(line))
}

#[test]
fn an_unserved_api_version_does_not_hide_the_environments_other_findings() {
    let dir = example();
    // OpenShift Service Mesh 2.5 serves networking.istio.io v1alpha3 and v1beta1, not v1.
    write_file(
        &dir.path().join("environments/prod/resources/extra.yaml"),
        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext, namespace: shop}\n\
         spec: {hosts: [api.example.com]}\n---\napiVersion: v1\nkind: ConfigMap\n\
         metadata: {name: cm, namespace: shop}\nbogus: 1\n",
    );
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = found(&out);
    let file = "environments/prod/resources/extra.yaml";
    assert!(has(&found, "E705", file, 1), "{found:?}");
    assert!(has(&found, "E701", file, 9), "{found:?}");
}

const KINDS: &str = "apiVersion: apps/v1beta1
kind: Deployment
metadata: {name: d, namespace: shop}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: p, namespace: shop}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s, namespace: shop}
---
apiVersion: networking.istio.io/v1
kind: Frobnicator
metadata: {name: f, namespace: shop}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: i, namespace: shop}
---
apiVersion: meshedge.io/v1alpha1
kind: Tenant
metadata: {name: t}
";

#[test]
fn a_bare_directory_refuses_unserved_versions_and_unknown_istio_kinds_and_tells_built_ins_apart() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("manifests/kinds.yaml"), KINDS);
    let out = meshedge(dir.path(), &["check", "manifests", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = found(&out);
    let file = "manifests/kinds.yaml";
    // apps/v1beta1 (removed in Kubernetes 1.16), policy/v1beta1 (1.25), a kind Istio does not define.
    for line in [1, 5, 13] {
        assert!(has(&found, "E705", file, line), "E705 at {line}: {found:?}");
    }
    // Built-in kinds without a schema: W702, never told to bring a CRD.
    assert!(has(&found, "W702", file, 9) && has(&found, "W702", file, 17), "{found:?}");
    // meshedge's own documents: W704, pointing at the environment.
    assert!(has(&found, "W704", file, 21), "{found:?}");
    assert_eq!(found.len(), 6, "{found:?}");
    let text = meshedge(dir.path(), &["check", "manifests"]);
    let err = stderr(&text);
    assert!(err.contains("use `apiVersion: policy/v1`"), "{err}");
    assert!(err.contains("istio defines no kind Frobnicator in networking.istio.io"), "{err}");
    assert!(err.contains("meshedge check ENVIRONMENT"), "{err}");
    for block in err.split("\n\n").filter(|b| b.contains("StatefulSet") || b.contains("Ingress")) {
        assert!(!block.contains("CustomResourceDefinition"), "{block}");
    }
}

#[test]
fn an_unreadable_file_of_a_bare_directory_is_a_finding_at_it_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("manifests/kinds.yaml"), KINDS);
    std::fs::write(
        dir.path().join("manifests/latin1.yaml"),
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \xff}\n",
    )
    .unwrap();
    let big = "# padding\n".repeat(900_000);
    std::fs::write(dir.path().join("manifests/big.yaml"), big).unwrap();
    let out = meshedge(dir.path(), &["check", "manifests", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = found(&out);
    assert!(found.iter().any(|(c, f, _)| c == "E100" && f == "manifests/latin1.yaml"), "{found:?}");
    assert!(found.iter().any(|(c, f, _)| c == "E114" && f == "manifests/big.yaml"), "{found:?}");
    assert!(has(&found, "E705", "manifests/kinds.yaml", 5), "the other files are still checked: {found:?}");
    let sarif = meshedge(dir.path(), &["check", "manifests", "--format", "sarif"]);
    assert_eq!(sarif.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&sarif.stdout).contains("manifests/latin1.yaml"));
}

#[test]
fn a_base_rule_that_suppresses_nothing_is_reported_once_at_its_line() {
    let dir = example();
    let base = dir.path().join("base/meshedge.yaml");
    let text = std::fs::read_to_string(&base).unwrap();
    let text = text.replacen(
        "settings:\n",
        "settings:\n  check:\n    suppress:\n      - {code: A606, name: nothing-here}\n      - {code: E701}\n",
        1,
    );
    std::fs::write(&base, &text).unwrap();
    let line = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i as u64 + 1);
    let out = check_repo(dir.path(), &["--all", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = found(&out);
    let unused: Vec<_> = found.iter().filter(|(c, ..)| c == "W703").collect();
    assert_eq!(unused.len(), 2, "once each, not once per environment: {found:?}");
    assert!(has(&found, "W703", "base/meshedge.yaml", line("nothing-here").unwrap()), "{found:?}");
    assert!(has(&found, "W703", "base/meshedge.yaml", line("code: E701").unwrap()), "{found:?}");
    let text_out = check_repo(dir.path(), &["--all"]);
    assert!(stderr(&text_out).contains("errors cannot be suppressed"), "{}", stderr(&text_out));
}

const LIST: &str = "apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a, namespace: shop}
    bogus: 1
  - 42
  - apiVersion: v1
    kind: List
    items:
      - apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs, namespace: shop}
        spec:
          hosts: [x.example.com]
          gateways: [missing-gw]
          nope: true
";

#[test]
fn the_items_of_a_list_in_a_bare_directory_are_validated_and_located() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("manifests/list.yaml"), LIST);
    let out = meshedge(dir.path(), &["check", "manifests", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = found(&out);
    let file = "manifests/list.yaml";
    // The unknown fields of an item and of an item of a nested List, the scalar item, the
    // analysis of the nested item: each at its line; no W702 for the List itself.
    for (code, line) in [("E701", 7), ("E701", 8), ("E701", 18), ("A601", 17)] {
        assert!(has(&found, code, file, line), "{code} at {line}: {found:?}");
    }
    assert!(!found.iter().any(|(c, ..)| c == "W702"), "{found:?}");
}

#[test]
fn the_items_of_a_nameless_list_among_an_environments_resources_are_read_and_validated() {
    let dir = example();
    write_file(
        &dir.path().join("environments/prod/resources/list.yaml"),
        &LIST.replace("networking.istio.io/v1\n", "networking.istio.io/v1beta1\n"),
    );
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = found(&out);
    let file = "environments/prod/resources/list.yaml";
    assert!(!found.iter().any(|(c, ..)| c == "E304" || c == "E706" || c == "W702"), "{found:?}");
    for (code, line) in [("E701", 7), ("E701", 18)] {
        assert!(has(&found, code, file, line), "{code} at {line}: {found:?}");
    }
}

#[test]
fn the_text_report_names_the_environment_of_each_finding() {
    let dir = example();
    write_file(
        &dir.path().join("environments/prod/resources/extra.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: shop}\nbogus: 1\n",
    );
    let out = check_repo(dir.path(), &["--all"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let header = err.find("environment `prod` (environments/prod/meshedge.yaml):").expect(&err);
    let finding = err.find("error[E701]").expect(&err);
    assert!(header < finding, "{err}");
    // One environment alone: no header.
    let one = stderr(&check_repo(dir.path(), &["prod"]));
    assert!(!one.contains("environment `prod` ("), "{one}");
}

#[test]
fn a_finding_of_a_shared_base_is_one_sarif_result_naming_its_environments() {
    let dir = example();
    write_file(
        &dir.path().join("base/resources/extra.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: shop}\nbogus: 1\n",
    );
    let out = check_repo(dir.path(), &["--all", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results: Vec<&serde_json::Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "E701" && r["message"]["text"].as_str().unwrap_or_default().contains("bogus"))
        .collect();
    assert_eq!(results.len(), 1, "{results:?}");
    let environments = common::environments().join(", ");
    assert_eq!(results[0]["properties"]["environment"], environments.as_str(), "{:?}", results[0]);
    let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "base/resources/extra.yaml");
}
