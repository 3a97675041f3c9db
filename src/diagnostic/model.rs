//! A diagnostic: its code, message, help and places; the typed errors that make one
//! ([`Explain`]); and a stage's collection of them.

use serde::Serialize;

use crate::diagnostic::code::{Code, Severity};

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

/// Where a document starts in its file (its first key or value; lines and columns from 1), in
/// 8 bytes (also as an `Option`), for the objects a build holds by the tens of thousands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Start {
    line: std::num::NonZeroU32,
    column: std::num::NonZeroU32,
}

impl Start {
    /// `None` for a line or column of 0 or over `u32::MAX`.
    pub fn new(line: usize, column: usize) -> Option<Start> {
        let count = |n: usize| u32::try_from(n).ok().and_then(std::num::NonZeroU32::new);
        Some(Start { line: count(line)?, column: count(column)? })
    }

    pub fn line(self) -> usize {
        self.line.get() as usize
    }

    pub fn column(self) -> usize {
        self.column.get() as usize
    }

    /// The place in `file`.
    pub fn in_file(self, file: impl Into<String>) -> Location {
        Location::at(file, self.line(), self.column())
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

/// A typed error (or warning) of a stage: its code, message and help, in one place per variant.
pub trait Explain {
    fn code(&self) -> Code;
    fn message(&self) -> String;
    fn help(&self) -> Option<String>;
    /// The `istioctl analyze` code it corresponds to.
    fn istio(&self) -> Option<&'static str> {
        None
    }

    /// The diagnostic, at `location`.
    fn at(self, location: Location) -> Diagnostic
    where
        Self: Sized,
    {
        Diagnostic::from_explained(&self).at(location)
    }

    /// The diagnostic, at `location` when there is one.
    fn at_opt(self, location: Option<Location>) -> Diagnostic
    where
        Self: Sized,
    {
        Diagnostic::from_explained(&self).at_opt(location)
    }

    /// The diagnostic, with no place.
    fn diagnostic(self) -> Diagnostic
    where
        Self: Sized,
    {
        Diagnostic::from_explained(&self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub istio: Option<&'static str>,
    pub message: String,
    pub location: Option<Location>,
    pub resource: Option<ResourceRef>,
    /// Further places that take part (the other claim of a host, the rest of a cycle).
    pub notes: Vec<(Location, String)>,
    pub help: Option<String>,
}

impl Diagnostic {
    fn from_explained(explained: &dyn Explain) -> Self {
        let code = explained.code();
        Diagnostic {
            severity: code.severity(),
            code,
            istio: explained.istio(),
            message: explained.message(),
            location: None,
            resource: None,
            notes: Vec::new(),
            help: explained.help(),
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn at_opt(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn note(mut self, location: Location, text: impl Into<String>) -> Self {
        self.notes.push((location, text.into()));
        self
    }

    pub fn resource(mut self, resource: ResourceRef) -> Self {
        self.resource = Some(resource);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
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

/// A diagnostic made up for tests: any code, message and help.
#[cfg(test)]
pub(crate) struct Made(pub Code, pub String, pub Option<String>);

#[cfg(test)]
impl Explain for Made {
    fn code(&self) -> Code {
        self.0
    }

    fn message(&self) -> String {
        self.1.clone()
    }

    fn help(&self) -> Option<String> {
        self.2.clone()
    }
}
