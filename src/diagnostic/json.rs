//! Diagnostics in the JSON reports (`meshedge check --format json`, `meshedge diff --format
//! json`): `{"severity","code","istio"?,"message","resource"?,"file"?,"line"?,"notes"?,"help"?,
//! "suppressedBy"?}`, keys in that order, absent fields left out; each note is
//! `{"message","file"?,"line"?,"column"?}` (`file` empty is left out). One shape for every report.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Location, ResourceRef, Severity};

/// One diagnostic as the JSON reports write it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    istio: Option<&'a str>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a ResourceRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<JsonNote<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed_by: Option<&'a str>,
}

/// A note of a diagnostic and its place (e.g. where an object that decides a flow comes from).
#[derive(Debug, Serialize)]
pub struct JsonNote<'a> {
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
}

impl<'a> JsonNote<'a> {
    fn new((location, message): &'a (Location, String)) -> Self {
        let file = Some(location.file.as_str()).filter(|file| !file.is_empty());
        JsonNote { message, file, line: location.line, column: location.column }
    }
}

impl<'a> JsonDiagnostic<'a> {
    /// `d` without its help (the shape docs/ci.md gives, "Output formats").
    pub fn new(d: &'a Diagnostic) -> Self {
        let location = d.location.as_ref();
        JsonDiagnostic {
            severity: d.severity,
            code: d.code.as_str(),
            istio: d.istio,
            message: &d.message,
            resource: d.resource.as_ref(),
            file: location.map(|l| l.file.as_str()),
            line: location.and_then(|l| l.line),
            notes: d.notes.iter().map(JsonNote::new).collect(),
            help: None,
            suppressed_by: None,
        }
    }

    /// With the rule that suppressed it.
    pub fn suppressed_by(mut self, by: &'a str) -> Self {
        self.suppressed_by = Some(by);
        self
    }
}

/// `list`, each with its help.
pub fn with_help(list: &[Diagnostic]) -> Vec<JsonDiagnostic<'_>> {
    list.iter().map(|d| JsonDiagnostic { help: d.help.as_deref(), ..JsonDiagnostic::new(d) }).collect()
}
