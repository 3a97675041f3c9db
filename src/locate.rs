//! Locate: which directory is the repository root, and which layer an `ENV` argument names.
//!
//! The root is `--root`, else (inside Argo CD) the working directory with
//! `ARGOCD_APP_SOURCE_PATH` taken off its end, else the enclosing git work tree, else the
//! working directory. `ENV` is a path (from the working directory or the root; a layer's
//! directory or its `meshedge.yaml`) or a name looked up as `environments/<name>`, `env/<name>`
//! and `envs/<name>`; an unknown one lists the environments there are.

use std::path::{Path, PathBuf};

use tracing::debug;

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Trouble, UsageError};
use crate::layers::layout::{self, MANIFEST, within};
use crate::source::{self, FsSource, Tree};

/// The work tree a command builds from: its root, found once, and the files under it.
pub struct WorkTree {
    pub root: PathBuf,
    pub source: FsSource,
}

impl WorkTree {
    /// The work tree at `root` (`--root`), else the one `cwd` is in (see [`find_root`]).
    pub fn open(root: Option<&Path>, cwd: &Path) -> Result<WorkTree, Error> {
        let root = find_root(root, cwd, None);
        if !root.is_dir() {
            return Err(Trouble::RootNotADirectory(root).into());
        }
        debug!(root = %root.display(), "repository root");
        Ok(WorkTree { source: FsSource::new(&root), root })
    }

    /// The environment `arg` names (see [`find_environment`]); an unknown one is a usage error.
    pub fn environment(&self, cwd: &Path, arg: &str) -> Result<String, Error> {
        find_environment(&Tree::new(&self.source), &self.root, cwd, arg).map_err(|d| Error::Usage(d.into()))
    }
}

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

/// The repo-relative directory of the environment `arg` names: a directory holding a
/// `meshedge.yaml` (or that file itself), relative to the working directory or the root, or a
/// name looked up under `environments/`, `env/` and `envs/`. Otherwise an E901 that lists the
/// environments there are and suggests the nearest.
pub fn find_environment(tree: &Tree, root: &Path, cwd: &Path, arg: &str) -> Result<String, Diagnostic> {
    // `environments/prod/meshedge.yaml` names its directory.
    let dir_arg = match arg.trim_end_matches('/').rsplit_once('/') {
        Some((dir, MANIFEST)) => dir,
        None if arg == MANIFEST => ".",
        _ => arg,
    };
    let mut candidates: Vec<String> = Vec::new();
    if let Some(rel) = relative_to_root(root, &cwd.join(dir_arg)) {
        candidates.push(rel);
    }
    let trimmed = dir_arg.trim_end_matches('/');
    if let Ok(rel) = source::join("", trimmed) {
        candidates.push(rel);
    }
    if !trimmed.contains('/') {
        candidates.extend(layout::environment_candidates(trimmed));
    }
    for candidate in &candidates {
        if tree.is_file(&within(candidate, MANIFEST)).unwrap_or(false) {
            debug!(environment = %if candidate.is_empty() { "." } else { candidate }, "environment");
            return Ok(candidate.clone());
        }
    }
    let environments = layout::all_environments(&[tree.source()]);
    // A name the reports show: the `metadata.name` of one environment, whatever its directory.
    if !trimmed.contains('/') {
        let named: Vec<&String> =
            environments.iter().filter(|dir| manifest_name(tree, dir).as_deref() == Some(trimmed)).collect();
        if let [dir] = named.as_slice() {
            debug!(environment = %dir, "environment by its metadata.name");
            return Ok((*dir).clone());
        }
    }
    let help = unknown_environment_help(&environments, trimmed);
    Err(UsageError::NoEnvironment { arg: arg.to_string(), root: root.to_path_buf(), help }.report())
}

/// The `metadata.name` of the manifest of the environment at `dir`, when it can be read.
fn manifest_name(tree: &Tree, dir: &str) -> Option<String> {
    let path = within(dir, MANIFEST);
    let text = tree.read_to_string(&path).ok()?;
    let document = crate::load::parse(&path, &text).ok()?.into_iter().next()?;
    document.str_at("/metadata/name").map(str::to_string)
}

/// Environments named in a help line at most.
const LISTED: usize = 20;

/// The help for an unknown environment: the nearest name, and the environments there are.
fn unknown_environment_help(environments: &[String], arg: &str) -> String {
    if environments.is_empty() {
        let [a, b, c] = layout::ENVIRONMENT_DIRS;
        return format!(
            "there is no {a}/<name>, {b}/<name> or {c}/<name> holding a {MANIFEST} here: name a directory \
             holding one, or give the repository root with --root"
        );
    }
    let name_of = |dir: &str| dir.rsplit('/').next().unwrap_or(dir).to_string();
    let wanted = name_of(arg).to_ascii_lowercase();
    // Near: a typo or two (a swap counts once), or a long common start.
    let names: Vec<String> = environments.iter().map(|dir| name_of(dir)).collect();
    let nearest = crate::suggest::nearest(&wanted, names.iter().map(String::as_str))
        .and_then(|name| environments.iter().find(|dir| name_of(dir) == name));
    // A name where it is unique, else the path.
    let shown = |dir: &String| {
        let name = name_of(dir);
        if environments.iter().filter(|d| name_of(d) == name).count() == 1 { name } else { dir.clone() }
    };
    let mut help = String::new();
    if let Some(dir) = nearest {
        help.push_str(&format!("did you mean `{}`? ", shown(dir)));
    }
    let mut listed: Vec<String> = environments.iter().take(LISTED).map(|d| format!("`{}`", shown(d))).collect();
    if environments.len() > LISTED {
        listed.push(format!("and {} more", environments.len() - LISTED));
    }
    help.push_str(&format!(
        "the environments here are {}; or name a directory holding a meshedge.yaml (see --root)",
        listed.join(", ")
    ));
    help
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

    #[test]
    fn an_unknown_environment_lists_the_others_and_suggests_the_nearest() {
        let envs = vec!["environments/dev".to_string(), "environments/prod".to_string()];
        let help = unknown_environment_help(&envs, "prdo");
        assert!(help.starts_with("did you mean `prod`? "), "{help}");
        assert!(help.contains("`dev`, `prod`"), "{help}");
        let help = unknown_environment_help(&envs, "staging");
        assert!(!help.contains("did you mean"), "{help}");
        // A name under two parents is shown by its path.
        let envs = vec!["env/prod".to_string(), "environments/prod".to_string()];
        assert!(unknown_environment_help(&envs, "prod2").contains("did you mean `env/prod`?"));
        assert!(unknown_environment_help(&[], "x").contains("--root"));
    }
}
