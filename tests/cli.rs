//! `meshedge build` from the command line: environment names and paths, formats, `-o DIR`.

mod common;

use assert_cmd::Command;
use serde_json::Value;

fn meshedge() -> Command {
    Command::cargo_bin("meshedge").unwrap()
}

fn build_stdout(args: &[&str]) -> String {
    let output = meshedge().args(args).arg("--root").arg(common::repo_root()).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn an_environment_is_named_by_path_or_name() {
    let by_path = build_stdout(&["build", "environments/prod"]);
    assert_eq!(by_path, build_stdout(&["build", "prod"]));
    assert_eq!(by_path, build_stdout(&["build", "environments/prod/"]));
    assert!(by_path.starts_with("apiVersion: v1\nkind: Namespace\n"), "Namespaces come first");
}

#[test]
fn the_env_directory_form_is_found_too() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree_reversed(&common::repo_root().join("base"), &dir.path().join("base"));
    common::copy_tree_reversed(&common::repo_root().join("environments/dev"), &dir.path().join("env/dev"));
    let output = meshedge().args(["build", "dev", "--root"]).arg(dir.path()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let output = meshedge().args(["build", "env/dev", "--root"]).arg(dir.path()).output().unwrap();
    assert!(output.status.success());
}

#[test]
fn json_is_one_list_of_the_same_objects() {
    let json: Value = serde_json::from_str(&build_stdout(&["build", "prod", "--format", "json"])).unwrap();
    assert_eq!(json["apiVersion"], "v1");
    assert_eq!(json["kind"], "List");
    let yaml = build_stdout(&["build", "prod"]);
    assert_eq!(json["items"].as_array().unwrap().len(), yaml.matches("\n---\n").count() + 1);
}

#[test]
fn every_object_is_stamped() {
    let json: Value = serde_json::from_str(&build_stdout(&["build", "prod", "--format", "json"])).unwrap();
    for item in json["items"].as_array().unwrap() {
        let metadata = &item["metadata"];
        assert_eq!(metadata["labels"]["app.kubernetes.io/managed-by"], "meshedge", "{metadata}");
        let sources = metadata["annotations"]["meshedge.io/source"].as_str().unwrap();
        assert!(!sources.is_empty(), "{metadata}");
        let mut sorted: Vec<&str> = sources.split(',').collect();
        sorted.sort();
        assert_eq!(sorted.join(","), sources, "sources are sorted");
        assert!(sorted.iter().all(|s| common::repo_root().join(s).is_file()), "{sources}");
    }
    // The tenant is a label, so that `kubectl get -l meshedge.io/tenant=shop` selects its objects.
    let items = json["items"].as_array().unwrap();
    let shop = items.iter().filter(|i| i["metadata"]["labels"]["meshedge.io/tenant"] == "shop");
    assert!(shop.count() > 5);
    assert!(items.iter().all(|i| i["metadata"]["annotations"].get("meshedge.io/tenant").is_none()));
    // Every object in a tenant namespace is the tenant's.
    let shop_namespace = items.iter().filter(|i| i["metadata"]["namespace"] == "shop");
    assert!(shop_namespace.clone().count() > 3);
    assert!(shop_namespace.clone().all(|i| i["metadata"]["labels"]["meshedge.io/tenant"] == "shop"), "{items:?}");
}

#[test]
fn output_directory_is_written_whole_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("manifests");
    std::fs::create_dir_all(out.join("stale")).unwrap();
    std::fs::write(out.join("stale/old.yaml"), "old").unwrap();
    let output =
        meshedge().args(["build", "prod", "-o"]).arg(&out).arg("--root").arg(common::repo_root()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stdout.is_empty());
    assert!(!out.join("stale").exists(), "the directory is replaced, not merged");
    assert!(
        out.join("_cluster/servicemeshmemberroll-default.yaml").exists()
            || out.join("istio-system/servicemeshmemberroll-default.yaml").exists()
    );
    let count =
        walkdir::WalkDir::new(&out).into_iter().filter_map(|e| e.ok()).filter(|e| e.file_type().is_file()).count();
    let yaml = build_stdout(&["build", "prod"]);
    assert_eq!(count, yaml.matches("\n---\n").count() + 1, "one file per object");
    assert!(out.join("istio-ingress").is_dir());
    let leftovers: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary directories left: {leftovers:?}");
}

#[test]
fn verbose_tracing_goes_to_stderr() {
    let output = meshedge().args(["-v", "build", "prod", "--root"]).arg(common::repo_root()).output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("stage"));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), build_stdout(&["build", "prod"]));
}

#[cfg(unix)]
#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command as Process, Stdio};
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("meshedge"))
        .args(["build", "prod", "--root"])
        .arg(common::repo_root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed here, with most of the output unread.
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("cannot write"));
}
