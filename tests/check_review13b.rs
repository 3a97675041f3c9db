//! `meshedge check` reports: a finding once in every format, what fails a quiet strict run,
//! unreadable inputs of a bare directory.

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

const BAD_SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  ports:
    - port: eighty
";

#[test]
fn a_finding_is_reported_once_per_environment() {
    // A patch that moves every ServiceEntry to a version the platform does not serve: each
    // route to those hosts is analysed through several objects, at one place.
    let dir = example();
    let patches = dir.path().join("environments/prod/patches/hardening.yaml");
    let mut text = std::fs::read_to_string(&patches).unwrap();
    text.push_str(
        "---\ntarget: {group: networking.istio.io, kind: ServiceEntry}\njson:\n  \
         - {op: replace, path: /apiVersion, value: networking.istio.io/v1}\n",
    );
    write_file(&patches, &text);
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let mut seen = std::collections::BTreeSet::new();
    for d in report["environments"][0]["diagnostics"].as_array().unwrap() {
        let key = (d["code"].to_string(), d["file"].to_string(), d["line"].to_string(), d["message"].to_string());
        assert!(seen.insert(key.clone()), "reported twice: {key:?}");
    }
    assert!(seen.iter().any(|(code, ..)| code == "\"A610\""), "{seen:?}");
}

#[test]
fn github_annotations_merge_a_finding_of_several_environments() {
    let dir = example();
    write_file(&dir.path().join("base/resources/bad.yaml"), BAD_SERVICE);
    let out = check_repo(dir.path(), &["--format", "github"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().filter(|l| l.contains("bad.yaml")).map(str::to_string).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("::error file=base/resources/bad.yaml,line=8,"), "{}", lines[0]);
    assert!(lines[0].contains("title=E701 [dev%2C prod%2C staging]"), "{}", lines[0]);
}

#[test]
fn quiet_strict_prints_the_warnings_that_fail_it() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        &dir.path().join("w/a.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: a}\n",
    );
    let out = meshedge(dir.path(), &["-q", "check", "w", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("warning[W702]") && err.contains("w/a.yaml:1:1"), "{err}");
    assert!(err.contains("1 environment checked: 0 errors, 1 warning"), "{err}");
    // Without --strict the warning does not fail the check, and -q prints nothing.
    let out = meshedge(dir.path(), &["-q", "check", "w"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_is_e100_at_that_file_with_help() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("bare")).unwrap();
    std::os::unix::fs::symlink("missing.yaml", dir.path().join("bare/x.yaml")).unwrap();
    let out = meshedge(dir.path(), &["check", "bare"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("error[E100]") && err.contains("--> bare/x.yaml"), "{err}");
    assert!(err.contains("= help: "), "{err}");

    // In an environment's resources: the check and the build fail alike.
    let repo = example();
    std::os::unix::fs::symlink("missing.yaml", repo.path().join("base/resources/x.yaml")).unwrap();
    let out = check_repo(repo.path(), &["prod"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error[E100]") && err.contains("base/resources/x.yaml"), "{err}");
    let root = repo.path().to_str().unwrap();
    let out = meshedge(repo.path(), &["build", "prod", "--root", root]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("E100"), "{}", stderr(&out));
}

#[test]
fn a_bare_directory_of_empty_documents_is_e901() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("empty/a.yaml"), "---\n---\n");
    let out = meshedge(dir.path(), &["check", "empty"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("error[E901]"), "{}", stderr(&out));
}

#[test]
fn e901_in_a_directory_of_manifests_says_to_name_it() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("a.yaml"), BAD_SERVICE);
    for args in [&["check"][..], &["check", "--all"][..]] {
        let out = meshedge(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
        let err = stderr(&out);
        assert!(err.contains("error[E901]") && err.contains("`meshedge check .`"), "{err}");
        assert!(!err.contains("looked under"), "{err}");
    }
}

const OLD_PDB: &str = "apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: p, namespace: a}
spec: {minAvailable: 1, selector: {matchLabels: {app: a}}}
";

#[test]
fn bare_e705_help_speaks_of_no_environment_and_sarif_outside_the_root_has_absolute_uris() {
    let repo = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    write_file(&elsewhere.path().join("pdb.yaml"), OLD_PDB);
    let path = elsewhere.path().to_str().unwrap();
    let out = meshedge(repo.path(), &["check", path]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error[E705]") && err.contains("pdb.yaml"), "{err}");
    assert!(!err.contains("environment's true target"), "{err}");
    assert!(err.contains("newest platform meshedge knows"), "{err}");

    let out = meshedge(repo.path(), &["check", path, "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema = common::repo_root().join("data/sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
    assert!(validator.is_valid(&log), "{log}");
    let artifact = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    let uri = artifact["uri"].as_str().unwrap();
    assert!(uri.starts_with("file:///") && uri.ends_with("/pdb.yaml"), "{artifact}");
    assert!(artifact.get("uriBaseId").is_none(), "{artifact}");
}

#[test]
fn a_document_that_is_not_a_mapping_in_a_bare_directory_is_e304_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("s/a.yaml"), "---\n---\njust a string\n");
    let out = meshedge(dir.path(), &["check", "s"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("error[E304]") && err.contains("--> s/a.yaml:3:1"), "{err}");
    assert!(!err.contains("List's item"), "{err}");
}

#[test]
fn openshift_releases_get_the_codes_errors_md_gives() {
    let errors_md = std::fs::read_to_string(common::repo_root().join("docs/errors.md")).unwrap();
    let e450 = errors_md.lines().find(|l| l.starts_with("| E450 |")).unwrap();
    for (value, code) in [("\"4.16.3\"", "E110"), ("4.16", "E103"), ("\"4.99\"", "E450")] {
        let dir = example();
        let manifest = dir.path().join("environments/prod/meshedge.yaml");
        let text = std::fs::read_to_string(&manifest)
            .unwrap()
            .replace("openshiftVersion: \"4.16\"", &format!("openshiftVersion: {value}"));
        write_file(&manifest, &text);
        let out = check_repo(dir.path(), &["prod"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("error[{code}]")) && err.contains("environments/prod/meshedge.yaml:"),
            "{value}: {err}"
        );
        assert!(e450.contains(&format!("`{value}`")), "errors.md E450 names {value} with its code: {e450}");
    }
}
