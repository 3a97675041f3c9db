//! Report formats of `meshedge check`: pure functions from the diagnostics of one or more
//! environments to text.
//!
//! - [`json`]: the shape of SPEC §6, plus the suppressed findings when there are any;
//! - [`sarif`]: SARIF 2.1.0 for code-scanning uploads (one run, a rule per code);
//! - [`github`]: GitHub Actions workflow commands (`::error file=…,line=…,title=…::…`);
//! - [`text`]: rustc-style, as `build` prints its diagnostics.
//!
//! A [`Diagnostic`] is what every stage of `check` reports (an analysis finding, a schema
//! error, a build error): severity, code, Istio code, message, the object, and where in the
//! input (repo-relative file, line, column). [`Diagnostic::from_finding`] makes one from an
//! analysis finding once the caller has located it. Every format orders the diagnostics the
//! same way ([`sorted`]): errors first, then by file, line, code, object and message.

pub mod github;
pub mod json;
pub mod sarif;
pub mod text;

use crate::analyzers::suppress::Suppressed;
use crate::analyzers::{Finding, ObjectRef, Severity};

/// Severity, file, line, code, object, message, column.
type SortKey<'a> = (Severity, Option<&'a str>, Option<usize>, &'a str, Option<&'a ObjectRef>, &'a str, Option<usize>);

/// One diagnostic of `check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// meshedge's code (`A602`, `E415`, ...).
    pub code: String,
    /// The `istioctl analyze` code, if one corresponds.
    pub istio: Option<String>,
    pub message: String,
    /// The object it is about.
    pub resource: Option<ObjectRef>,
    /// Repo-relative, `/`-separated.
    pub file: Option<String>,
    /// From 1.
    pub line: Option<usize>,
    /// From 1.
    pub column: Option<usize>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// The diagnostic of an analysis finding, at the place the caller found for it.
    pub fn from_finding(finding: &Finding, file: Option<String>, line: Option<usize>, column: Option<usize>) -> Self {
        Diagnostic {
            severity: finding.severity(),
            code: finding.code().to_string(),
            istio: finding.istio().map(str::to_string),
            message: finding.message.clone(),
            resource: Some(finding.object.clone()),
            file,
            line,
            column,
            help: Some(finding.rule.help.to_string()),
        }
    }

    fn sort_key(&self) -> SortKey<'_> {
        (self.severity, self.file.as_deref(), self.line, &self.code, self.resource.as_ref(), &self.message, self.column)
    }
}

/// A diagnostic users suppressed, and the rule that suppressed it (`annotation
/// meshedge.io/check-suppress: A606`, `settings.check.suppress[0]: code A606`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub diagnostic: Diagnostic,
    pub by: String,
}

impl Suppression {
    /// The suppression of an analysis finding, at the place the caller found for it.
    pub fn from_suppressed(s: &Suppressed, file: Option<String>, line: Option<usize>, column: Option<usize>) -> Self {
        Suppression { diagnostic: Diagnostic::from_finding(&s.finding, file, line, column), by: s.by.to_string() }
    }
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

/// `diagnostics` in report order: errors first, then by file, line, code, object, message.
pub fn sorted(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    let mut all: Vec<&Diagnostic> = diagnostics.iter().collect();
    all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    all
}
