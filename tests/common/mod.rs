//! Shared helpers for the integration tests.
#![allow(dead_code)]

pub mod fixture;
pub mod valid;

use std::path::{Path, PathBuf};

use meshedge::compiler::{self, Build};
use meshedge::source::FsSource;

/// Runs the meshedge binary in `dir` with `args` (killed after five minutes: a hang fails the
/// test instead of stalling the suite).
pub fn meshedge(dir: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("meshedge")
        .expect("the meshedge binary")
        .current_dir(dir)
        .timeout(std::time::Duration::from_secs(300))
        .args(args)
        .output()
        .expect("meshedge runs")
}

/// A copy of the example repository (base/ and environments/) in a temporary directory.
pub fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for part in ["base", "environments"] {
        copy_tree_reversed(&repo_root().join(part), &dir.path().join(part));
    }
    dir
}

/// `meshedge check ARGS --root DIR`, run in `dir`.
pub fn check_repo(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["check"];
    all.extend(args);
    all.extend(["--root", dir.to_str().expect("a UTF-8 path")]);
    meshedge(dir, &all)
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The vendored upstream schemas (see `data/schemas/SOURCES.md`).
pub fn schemas_dir() -> PathBuf {
    repo_root().join("data/schemas")
}

/// Every environment of the example repository, by directory name.
pub fn environments() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("environments"))
        .expect("environments/ exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("meshedge.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 2, "the example repository has dev and prod");
    names
}

pub fn build(root: &Path, env: &str) -> Build {
    compiler::compile(&FsSource::new(root), &format!("environments/{env}"))
        .unwrap_or_else(|failed| panic!("environments/{env} must build:\n{}", failed.render()))
}

/// The objects the example's `env` emits as values, also while its flows break requests (the
/// build hands them over instead of failing: flow tests judge the flows themselves).
pub fn flow_objects(env: &str) -> Vec<serde_json::Value> {
    let options = compiler::Options { report_flows: true, ..Default::default() };
    let build = compiler::compile_with(&FsSource::new(repo_root()), &format!("environments/{env}"), &options)
        .unwrap_or_else(|failed| panic!("environments/{env}:\n{}", failed.render()));
    build.objects.iter().map(|o| o.value()).collect()
}

/// The objects that decided a flow's verdict, as `Kind/namespace/name` (`-` for no namespace).
pub fn decided_by_names(verdict: &meshedge::flows::Verdict) -> Vec<String> {
    verdict
        .decided_by
        .iter()
        .map(|r| format!("{}/{}/{}", r.kind, r.namespace.as_deref().unwrap_or("-"), r.name))
        .collect()
}

/// A DENY AuthorizationPolicy on the public gateway that shuts the example's shop host: every
/// requested route of it is then blocked (E801).
pub const DENY_SHOP: &str = "apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-shop
  namespace: istio-ingress
spec:
  selector:
    matchLabels: {istio: ingressgateway}
  action: DENY
  rules:
    - to:
        - operation:
            hosts: [\"shop.apps.prod.example.com\"]
";

/// Copies `from` into `to`, creating files in reverse order of their names.
pub fn copy_tree_reversed(from: &Path, to: &Path) {
    let mut entries: Vec<_> = std::fs::read_dir(from).unwrap().filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.file_name()));
    std::fs::create_dir_all(to).unwrap();
    for entry in entries {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree_reversed(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Writes `text` at `path`, creating the directories on the way.
pub fn write_file(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a file path")).expect("directories");
    std::fs::write(path, text).expect("the file is written");
}

/// Writes `text` at `root/path`, creating the directories on the way.
pub fn write(root: &Path, path: &str, text: &str) {
    write_file(&root.join(path), text);
}

/// The environment `prod` of the small repositories: one base, `base/`.
pub const PROD_ON_BASE: &str =
    "apiVersion: meshedge.io/v1alpha1\nkind: Environment\nmetadata:\n  name: prod\nbases: [../../base]\n";

/// A small repository laid down file by file in a temporary directory, removed when dropped.
pub struct TempRepo(tempfile::TempDir);

impl TempRepo {
    /// An empty repository.
    pub fn new() -> TempRepo {
        TempRepo(tempfile::tempdir().expect("a temporary directory"))
    }

    /// A repository with `base/meshedge.yaml` = `base` and the environment `prod` on it
    /// ([`PROD_ON_BASE`]).
    pub fn prod_on(base: &str) -> TempRepo {
        let repo = TempRepo::new();
        repo.write("base/meshedge.yaml", base).write("environments/prod/meshedge.yaml", PROD_ON_BASE);
        repo
    }

    pub fn root(&self) -> &Path {
        self.0.path()
    }

    /// Writes `text` at `path`, relative to the root.
    pub fn write(&self, path: &str, text: &str) -> &TempRepo {
        write(self.root(), path, text);
        self
    }
}
