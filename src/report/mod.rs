//! Report formats of `meshedge check`: pure functions from the diagnostics of one or more
//! environments to text.
//!
//! - [`json`]: the shape docs/ci.md gives ("Output formats"), plus the suppressed findings when there are any;
//! - [`sarif`]: SARIF 2.1.0 for code-scanning uploads (one run, a rule per code);
//! - [`github`]: GitHub Actions workflow commands (`::error file=…,line=…,title=…::…`);
//! - [`text`]: rustc-style, as `build` prints its diagnostics.
//!
//! What every stage of `check` reports (an analysis finding, a schema error, a build error) is
//! the one [`Diagnostic`] of [`crate::diagnostic`]: severity, code, Istio code, message, the
//! object, and where in the input (repo-relative file, line, column). Every format orders the
//! diagnostics the same way ([`sorted`]): errors first; among them an object the cluster would
//! refuse ([`refuses_an_object`]) before the rest, since the analyses and flows that read the
//! other objects report what its absence causes; then by file, line, code, object and message.

pub mod github;
pub mod json;
pub mod sarif;
pub mod text;

use crate::diagnostic::{Location, ResourceRef, Severity};

pub use crate::diagnostic::Diagnostic;

/// Severity, root cause first, file, line, code, object, message, column.
type SortKey<'a> =
    (Severity, bool, Option<&'a str>, Option<usize>, &'a str, Option<&'a ResourceRef>, &'a str, Option<usize>);

/// How the reports order diagnostics.
pub fn sort_key(d: &Diagnostic) -> SortKey<'_> {
    let location = d.location.as_ref();
    (
        d.severity,
        !refuses_an_object(d.code),
        location.map(|l| l.file.as_str()),
        location.and_then(|l| l.line),
        d.code.as_str(),
        d.resource.as_ref(),
        &d.message,
        location.and_then(|l| l.column),
    )
}

/// Whether a diagnostic of this code says an object is refused (its schema, E701; its size,
/// E704; its API version, E705; its identity, E706; its names, E707). Such an object is left out
/// of the analyses and flows, so a finding there about another object that refers to it (A610,
/// E801) is a consequence: the reports list the root cause first.
pub fn refuses_an_object(code: crate::diagnostic::Code) -> bool {
    use crate::diagnostic::Code;
    matches!(code, Code::E701 | Code::E704 | Code::E705 | Code::E706 | Code::E707)
}

/// The file, line and column of a diagnostic (each absent when it has no place).
pub fn place(d: &Diagnostic) -> (Option<&str>, Option<usize>, Option<usize>) {
    let location: Option<&Location> = d.location.as_ref();
    (location.map(|l| l.file.as_str()), location.and_then(|l| l.line), location.and_then(|l| l.column))
}

/// A diagnostic users suppressed, and the rule that suppressed it (`annotation
/// meshedge.io/check-suppress: A606`, `settings.check.suppress[0]: code A606`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub diagnostic: Diagnostic,
    pub by: String,
}

/// The diagnostics of one environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    pub name: String,
    /// The repo-relative manifest of the environment (`environments/prod/meshedge.yaml`): where
    /// diagnostics without a file point in formats that need a place.
    pub manifest: String,
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: Vec<Suppression>,
}

impl Environment {
    /// The suppressed findings in report order.
    pub fn suppressed_sorted(&self) -> Vec<&Suppression> {
        let mut list: Vec<&Suppression> = self.suppressed.iter().collect();
        list.sort_by(|a, b| sort_key(&a.diagnostic).cmp(&sort_key(&b.diagnostic)));
        list
    }
}

/// `diagnostics` in report order: errors first, then by file, line, code, object, message.
pub fn sorted(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    let mut all: Vec<&Diagnostic> = diagnostics.iter().collect();
    all.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    all
}
