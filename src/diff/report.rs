//! The report of a diff: what happened to each environment.

use crate::diagnostic::Diagnostic;
pub use crate::diff::fingerprint::FileChange;
use crate::graph::Graph;

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
    /// The YAML of each added object, in the order of `added` (Secret values masked).
    pub added_yaml: Vec<String>,
    /// The last YAML of each removed object (at base), in the order of `removed` (masked).
    pub removed_yaml: Vec<String>,
    /// The input files that differ between the revisions, sorted by path.
    pub inputs: Vec<(String, FileChange)>,
    /// The part of the edge that changed (see [`crate::diff::edge_change`]); `None` when the
    /// edge is the same or a revision does not build.
    pub graph: Option<Graph>,
    /// The flows the change opens and closes, from the flows stage of both builds; `None` when
    /// nothing was built, or a revision stopped before the flows stage.
    pub flows: Option<FlowChanges>,
}

/// Flows a change opens and closes, each named as the flows stage names it
/// ([`crate::flows::stage::describe`]: `namespace/shop → api.stripe.com:443`), sorted. A flow is
/// *opened* when it is allowed at head and blocked, redirected or absent at base; *closed* the
/// other way round. (An environment only at head opens each of its allowed flows.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowChanges {
    pub opened: Vec<String>,
    pub closed: Vec<String>,
}

impl FlowChanges {
    /// No flow opened or closed.
    pub fn is_empty(&self) -> bool {
        self.opened.is_empty() && self.closed.is_empty()
    }
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
