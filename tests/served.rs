//! Every object a build emits is one the target cluster serves, and whole: a copy of the
//! example repository with one bad input, through `build`, `generate` and `check` — exit status,
//! nothing on stdout, the code and the file at fault on stderr.

mod common;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// A plain VirtualService at `networking.istio.io/v1` (served from Istio 1.22 on).
const VS_V1: &str = "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: extra
  namespace: shop
spec:
  hosts: [extra.shop.svc.cluster.local]
  http:
    - route:
        - destination: {host: extra.shop.svc.cluster.local}
";

fn example() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for top in ["base", "environments"] {
        common::copy_tree_reversed(&common::repo_root().join(top), &dir.path().join(top));
    }
    dir
}

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

fn meshedge(root: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("meshedge").unwrap().args(args).arg("--root").arg(root).output().unwrap()
}

/// `meshedge generate` as Argo CD runs it, in the environment's directory.
/// The repository is a git work tree there, as Argo CD checks it out.
fn generate(root: &Path, env: &str) -> Output {
    if !root.join(".git").exists() {
        let init = std::process::Command::new("git").arg("init").arg("-q").arg(root).status().unwrap();
        assert!(init.success());
    }
    let mut cmd = Command::cargo_bin("meshedge").unwrap();
    cmd.env_clear().current_dir(root.join("environments").join(env)).arg("generate");
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit 1, nothing on stdout, `error[code]` and every fragment on stderr.
fn refused(output: &Output, code: &str, fragments: &[&str]) -> String {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(output.stdout.is_empty(), "stdout: {}", String::from_utf8_lossy(&output.stdout));
    assert!(!err.contains("panicked"), "{err}");
    for fragment in std::iter::once(format!("error[{code}]").as_str()).chain(fragments.iter().copied()) {
        assert!(err.contains(fragment), "expected {fragment:?} in:\n{err}");
    }
    err
}

#[test]
fn an_istio_v1_object_on_ossm_2_5_is_refused_by_build_generate_and_check() {
    let repo = example();
    let root = repo.path();
    write(root, "environments/prod/resources/vs.yaml", VS_V1);
    let at = "--> environments/prod/resources/vs.yaml:1:1";
    for output in [meshedge(root, &["build", "environments/prod"]), generate(root, "prod")] {
        let err = refused(&output, "E705", &[at, "networking.istio.io/v1beta1", "OpenShift Service Mesh 2.5"]);
        assert!(err.contains("help: use `apiVersion: networking.istio.io/v1beta1`"), "{err}");
        // Refused before the flows stage: no flow is decided from it.
        assert!(!err.contains("E80"), "{err}");
    }
    let check = meshedge(root, &["check", "environments/prod"]);
    let err = refused(&check, "E705", &[at]);
    assert!(!err.contains("W702"), "{err}");
    // The patch operation that writes the unserved version is named instead.
    std::fs::remove_file(root.join("environments/prod/resources/vs.yaml")).unwrap();
    let manifest = root.join("environments/prod/meshedge.yaml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(
        "  - target: {kind: Gateway, namespace: istio-ingress}\n    json:\n      - {op: replace, path: /apiVersion, value: networking.istio.io/v1}\n",
    );
    let line = text.lines().count();
    std::fs::write(&manifest, text).unwrap();
    refused(
        &meshedge(root, &["build", "environments/prod"]),
        "E705",
        &[&format!("--> environments/prod/meshedge.yaml:{line}:9")],
    );
}

#[test]
fn the_same_object_builds_on_istio_1_24() {
    let repo = example();
    let root = repo.path();
    write(root, "environments/dev/resources/vs.yaml", VS_V1);
    let output = meshedge(root, &["build", "environments/dev"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"), "{stdout}");
    assert!(stdout.contains("name: extra"), "{stdout}");
}

#[test]
fn a_group_the_repository_brings_is_not_judged_and_check_warns_w702() {
    let repo = example();
    let root = repo.path();
    let widget =
        "apiVersion: widgets.example.com/v7\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec: {size: 3}\n";
    write(root, "environments/prod/resources/widget.yaml", widget);
    let build = meshedge(root, &["build", "environments/prod"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    assert!(String::from_utf8_lossy(&build.stdout).contains("kind: Widget"));
    let check = meshedge(root, &["check", "environments/prod"]);
    let err = stderr(&check);
    assert_eq!(check.status.code(), Some(0), "{err}");
    assert!(err.contains("warning[W702]") && err.contains("environments/prod/resources/widget.yaml"), "{err}");
    assert!(!err.contains("E705"), "{err}");
}

#[test]
fn a_patch_that_removes_metadata_name_fails_naming_the_patch() {
    let repo = example();
    let root = repo.path();
    let manifest = root.join("environments/prod/meshedge.yaml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(
        "  - target: {kind: Deployment, name: internal-ingressgateway, namespace: istio-internal}\n    json:\n      - {op: remove, path: /metadata/name}\n",
    );
    let line = text.lines().count() - 2;
    std::fs::write(&manifest, text).unwrap();
    let at = format!("--> environments/prod/meshedge.yaml:{line}:");
    let fragments =
        [at.as_str(), "object `Deployment/istio-internal/internal-ingressgateway` has no `metadata.name` after patch"];
    for output in [meshedge(root, &["build", "environments/prod"]), generate(root, "prod")] {
        let err = refused(&output, "E706", &fragments);
        let message = err.lines().find(|l| l.starts_with("error[E706]")).unwrap_or_default();
        assert!(!message.contains("apiVersion") && !message.contains("`kind`"), "only the missing field: {err}");
        assert!(!err.contains("E80"), "{err}");
    }
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("out");
    let err =
        refused(&meshedge(root, &["build", "environments/prod", "-o", dir.to_str().unwrap()]), "E706", &fragments);
    assert!(!err.contains("E904"), "{err}");
    refused(&meshedge(root, &["check", "environments/prod"]), "E706", &fragments);
}

#[test]
fn a_plain_resource_without_api_version_fails() {
    let repo = example();
    let root = repo.path();
    let file = "environments/prod/resources/cm.yaml";
    write(root, file, "kind: ConfigMap\nmetadata: {name: x, namespace: shop}\ndata: {a: b}\n");
    for output in [meshedge(root, &["build", "environments/prod"]), generate(root, "prod")] {
        let err = refused(&output, "E304", &[&format!("--> {file}:1:1"), "a resource has no `apiVersion`"]);
        let message = err.lines().find(|l| l.starts_with("error[E304]")).unwrap_or_default();
        assert!(!message.contains("`kind`"), "only the missing field is named: {err}");
    }
    refused(&meshedge(root, &["check", "environments/prod"]), "E304", &[file]);
}
