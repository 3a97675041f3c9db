//! `meshedge diff`: what a change does to each environment, straight from git objects.
//!
//! Both revisions are read through a [`Source`](crate::source::Source): the base always from git
//! (no checkout), the head from git or from the work tree ([`Revisions`]). Per environment:
//!
//! 1. [`fingerprint`] hashes every file a build of it can read, at both revisions, found where
//!    the layers stage finds them ([`crate::layers::layout`]); equal fingerprints mean equal
//!    builds, so the environment is reported unchanged without building.
//! 2. Otherwise both revisions are built, in parallel ([`compare`]).
//! 3. Objects are matched by API group, kind, namespace and name; a changed object gets a unified
//!    diff of its YAML. Values under `data` and `stringData` of a `Secret` are replaced by a
//!    placeholder that only says whether the value changed ([`mask`]).
//! 4. Diagnostics present at head but not at base are "introduced", the reverse "fixed"
//!    (compared without line numbers, which move with every edit).
//!
//! A revision that does not build makes the environment's status `error`, with its errors; the
//! other environments are still compared. [`render`] presents the [`Report`] as text, markdown
//! (a pull-request comment) or JSON.

mod compare;
mod fingerprint;
pub mod mask;
pub mod render;
mod revisions;

use crate::diagnostic::Diagnostic;

pub use crate::layers::layout::all_environments;
pub use compare::compare;
pub use fingerprint::{Fingerprint, fingerprint};
pub use render::{MARKDOWN_LIMIT, render_json, render_markdown, render_text};
pub use revisions::Revisions;

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
