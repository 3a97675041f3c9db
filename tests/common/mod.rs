//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use meshedge::compiler::{self, Build};
use meshedge::source::FsSource;

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
