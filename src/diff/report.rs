//! The report of a diff: what happened to each environment.

use crate::diagnostic::Diagnostic;

/// What happened to an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Changed,
    Unchanged,
    /// Present at head only.
    Added,
    /// Present at base only.
    Removed,
    /// A revision does not build.
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Error => "error",
        }
    }
}

/// An object, by identity (the same reference diagnostics carry).
pub use crate::diagnostic::ResourceRef as ObjectRef;

/// An object present at both revisions, with different content.
#[derive(Debug, Clone)]
pub struct ChangedObject {
    pub object: ObjectRef,
    /// Unified diff of the object's YAML (Secret values masked).
    pub diff: String,
}

/// The comparison of one environment.
#[derive(Debug, Clone)]
pub struct EnvironmentDiff {
    pub name: String,
    /// Repo-relative directory.
    pub path: String,
    pub status: Status,
    /// False when both revisions read identical files (nothing was built).
    pub inputs_changed: bool,
    pub added: Vec<ObjectRef>,
    pub removed: Vec<ObjectRef>,
    pub changed: Vec<ChangedObject>,
    pub introduced: Vec<Diagnostic>,
    pub fixed: Vec<Diagnostic>,
    /// Errors of a revision that does not build.
    pub base_errors: Vec<Diagnostic>,
    pub head_errors: Vec<Diagnostic>,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Report {
    /// The base revision, as given.
    pub base: String,
    pub base_commit: Option<String>,
    /// The head revision, as given, or [`WORK_TREE`].
    pub head: String,
    pub head_commit: Option<String>,
    pub environments: Vec<EnvironmentDiff>,
}

/// The head label when the work tree is compared.
pub const WORK_TREE: &str = "work tree";

impl Report {
    /// Whether any environment differs (what `--exit-code` reports).
    pub fn has_differences(&self) -> bool {
        self.environments.iter().any(|e| e.status != Status::Unchanged)
    }
}
