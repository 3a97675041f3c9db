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
//! 5. For the preview: the YAML of each added object and the last YAML of each removed one
//!    (Secrets masked), the input files that differ, and the part of the edge's graph that
//!    changed ([`edge_change`], drawn by [`crate::graph`]).
//!
//! A revision that does not build makes the environment's status `error`, with its errors; the
//! other environments are still compared. [`render`] presents the [`Report`] as text, markdown
//! (a pull-request comment) or JSON.

mod compare;
mod edge;
mod fingerprint;
pub(crate) mod mask;
pub mod render;
mod report;
mod revisions;

pub use crate::layers::layout::all_environments;
pub use compare::compare;
pub use edge::edge_change;
pub use fingerprint::{FileChange, Fingerprint, changed_files, fingerprint};
pub use render::{MARKDOWN_LIMIT, render_json, render_markdown, render_text};
pub use report::{ChangedObject, EnvironmentDiff, FlowChanges, ObjectRef, Report, Status, WORK_TREE};
pub use revisions::Revisions;
