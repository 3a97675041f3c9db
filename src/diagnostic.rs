//! Diagnostics: what every stage reports instead of failing fast.
//!
//! A [`Diagnostic`] has a severity, a stable code (`E1xx` source and load, `E2xx` layers,
//! `E3xx` merge, `E4xx` request validation, `E5xx` patches, `A6xx` analyses of the final
//! objects, `E9xx` usage and I/O), an optional Istio analyzer code, a short lowercase message,
//! an optional location (repo-relative file, line, column), the resource it concerns, and a
//! `help:` line saying how to fix it. Stages collect them in [`Diagnostics`]; the compiler stops
//! after the first stage that produced an error. Rendering follows rustc: a header, a `-->`
//! line, the source line with a caret, then the help.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in an input file; lines and columns count from 1.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location { file: file.into(), line: None, column: None }
    }

    pub fn at(file: impl Into<String>, line: usize, column: usize) -> Self {
        Location { file: file.into(), line: Some(line), column: Some(column) }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// The object a diagnostic is about (analyses of the final objects).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub istio: Option<&'static str>,
    pub message: String,
    pub location: Option<Location>,
    pub resource: Option<ResourceRef>,
    /// Further places that take part (the other claim of a host, the rest of a cycle).
    pub notes: Vec<(Location, String)>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            istio: None,
            message: message.into(),
            location: None,
            resource: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn at_opt(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, location: Location, text: impl Into<String>) -> Self {
        self.notes.push((location, text.into()));
        self
    }

    pub fn istio(mut self, code: &'static str) -> Self {
        self.istio = Some(code);
        self
    }

    pub fn resource(mut self, resource: ResourceRef) -> Self {
        self.resource = Some(resource);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// rustc-style text: header, `-->` location, the source line with a caret, notes, help.
    pub fn render(&self, files: &SourceText) -> String {
        let mut out = String::new();
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let code = match self.istio {
            Some(istio) => format!("{}/{}", self.code, istio),
            None => self.code.to_string(),
        };
        let _ = writeln!(out, "{level}[{code}]: {}", self.message);
        if let Some(location) = &self.location {
            render_location(&mut out, location, files, "-->");
        }
        if let Some(resource) = &self.resource {
            let _ = writeln!(out, "   = object: {resource}");
        }
        for (location, text) in &self.notes {
            let _ = writeln!(out, "   = note: {text}");
            render_location(&mut out, location, files, "-->");
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "   = help: {help}");
        }
        out
    }
}

fn render_location(out: &mut String, location: &Location, files: &SourceText, arrow: &str) {
    let source_line = location.line.and_then(|line| {
        files.get(&location.file).and_then(|text| text.lines().nth(line.saturating_sub(1))).map(|l| (line, l))
    });
    let gutter = source_line.map_or(1, |(line, _)| line.to_string().len());
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}{arrow} {location}");
    let Some((line, text)) = source_line else { return };
    let column = location.column.unwrap_or(1).max(1);
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {text}");
    let _ = writeln!(out, "{pad} | {}^", " ".repeat(column - 1));
}

/// The text of the input files read so far, for rendering source lines.
#[derive(Debug, Default, Clone)]
pub struct SourceText {
    files: BTreeMap<String, String>,
}

impl SourceText {
    pub fn insert(&mut self, file: &str, text: impl Into<String>) {
        self.files.insert(file.to_string(), text.into());
    }

    pub fn get(&self, file: &str) -> Option<&str> {
        self.files.get(file).map(String::as_str)
    }
}

/// Diagnostics collected by a stage, or by the whole pipeline.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Errors first, then by place, so the order never depends on the walk.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort();
        self.items.dedup();
        self.items
    }

    pub fn render(&self, files: &SourceText) -> String {
        let items = self.clone().sorted();
        let mut out = String::new();
        for diagnostic in &items {
            out.push_str(&diagnostic.render(files));
            out.push('\n');
        }
        let errors = items.iter().filter(|d| d.is_error()).count();
        let warnings = items.len() - errors;
        match (errors, warnings) {
            (0, 0) => {}
            (0, w) => {
                let _ = writeln!(out, "warning: {w} warning{}", plural(w));
            }
            (e, w) => {
                let _ = write!(out, "error: {e} error{}", plural(e));
                if w > 0 {
                    let _ = write!(out, ", {w} warning{}", plural(w));
                }
                out.push('\n');
            }
        }
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics { items: vec![diagnostic] }
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<T: IntoIterator<Item = Diagnostic>>(iter: T) -> Self {
        Diagnostics { items: iter.into_iter().collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_gutter_caret_and_help() {
        let mut files = SourceText::default();
        files.insert("a.yaml", "kind: Layer\nhots: x\n");
        let d = Diagnostic::error("E102", "unknown field `hots`")
            .at(Location::at("a.yaml", 2, 1))
            .help("did you mean `host`?");
        let text = d.render(&files);
        assert!(text.starts_with("error[E102]: unknown field `hots`\n"), "{text}");
        assert!(text.contains(" --> a.yaml:2:1\n"), "{text}");
        assert!(text.contains("2 | hots: x\n  | ^\n"), "{text}");
        assert!(text.ends_with("= help: did you mean `host`?\n"), "{text}");
    }

    #[test]
    fn errors_sort_before_warnings_and_summary_counts() {
        let mut all = Diagnostics::new();
        all.push(Diagnostic::warning("A601", "w"));
        all.push(Diagnostic::error("E401", "e"));
        let text = all.render(&SourceText::default());
        assert!(text.find("error[E401]").unwrap() < text.find("warning[A601]").unwrap());
        assert!(text.ends_with("error: 1 error, 1 warning\n"), "{text}");
    }
}
