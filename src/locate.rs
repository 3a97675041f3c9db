//! Locate: which directory is the repository root, and which layer an `ENV` argument names.
//!
//! The root is `--root`, else (inside Argo CD) the working directory with
//! `ARGOCD_APP_SOURCE_PATH` taken off its end, else the enclosing git work tree, else the
//! working directory. `ENV` is a path (from the working directory or the root) or a name looked
//! up as `environments/<name>`, `env/<name>` and `envs/<name>`.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::input::MANIFEST;
use crate::source::{self, Tree};

/// The repository root for a command run in `cwd`.
pub fn find_root(explicit: Option<&Path>, cwd: &Path, argocd_source_path: Option<&str>) -> PathBuf {
    if let Some(root) = explicit {
        return if root.is_absolute() { root.to_path_buf() } else { cwd.join(root) };
    }
    if let Some(app_path) = argocd_source_path.map(|p| p.trim_matches('/')).filter(|p| !p.is_empty() && *p != ".") {
        let mut root = cwd.to_path_buf();
        let parts: Vec<&str> = app_path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
        let mut matched = true;
        for part in parts.iter().rev() {
            if root.file_name().is_some_and(|n| n == *part) {
                root.pop();
            } else {
                matched = false;
                break;
            }
        }
        if matched {
            return root;
        }
    }
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        if d.join(".git").exists() {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    cwd.to_path_buf()
}

/// `cwd` relative to `root`, `/`-separated, when it is inside it.
pub fn relative_to_root(root: &Path, path: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let path = path.canonicalize().ok()?;
    let rel = path.strip_prefix(&root).ok()?;
    Some(rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"))
}

/// The repo-relative directory of the environment `arg` names.
pub fn find_environment(tree: &Tree, root: &Path, cwd: &Path, arg: &str) -> Result<String, Diagnostic> {
    let mut candidates: Vec<String> = Vec::new();
    if let Some(rel) = relative_to_root(root, &cwd.join(arg)) {
        candidates.push(rel);
    }
    let trimmed = arg.trim_end_matches('/');
    if let Ok(rel) = source::join("", trimmed) {
        candidates.push(rel);
    }
    if !trimmed.contains('/') {
        for dir in ["environments", "env", "envs"] {
            candidates.push(format!("{dir}/{trimmed}"));
        }
    }
    for candidate in &candidates {
        let manifest = if candidate.is_empty() { MANIFEST.to_string() } else { format!("{candidate}/{MANIFEST}") };
        if tree.is_file(&manifest).unwrap_or(false) {
            return Ok(candidate.clone());
        }
    }
    Err(Diagnostic::error("E901", format!("no environment `{arg}` under {}", root.display())).help(
        "name a directory holding a meshedge.yaml (`environments/prod`), or an environment name (`prod`); see --root",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argocd_source_path_is_taken_off_the_working_directory() {
        let root = find_root(None, Path::new("/tmp/_cmp_server/abc/environments/prod"), Some("environments/prod"));
        assert_eq!(root, Path::new("/tmp/_cmp_server/abc"));
        let root = find_root(Some(Path::new("/r")), Path::new("/x"), Some("environments/prod"));
        assert_eq!(root, Path::new("/r"));
    }
}
