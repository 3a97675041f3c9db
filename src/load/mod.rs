//! Load and locate: YAML and JSON text → documents that remember where every value was written.
//!
//! Each file is parsed once, event by event, into the generic value form
//! (`serde_json::Value`, the form patches and analyses work on). Typed reading
//! ([`Document::typed`]) goes through `serde_path_to_error`, so an unknown field, a missing field
//! or a wrong type is reported at the place it was written. Values are read with YAML 1.2 rules:
//! `no`, `on` and `yes` are strings.
//!
//! Places (line and column of every value) are found only when a diagnostic asks for one: the
//! first request parses the file again, once, for all its documents ([`Document::location`]).
//!
//! Bounded on any input: the parser is driven event by event (nothing recurses on the input's
//! depth), nesting deeper than [`MAX_DEPTH`] is refused before it is built, aliases may copy at
//! most [`ALIAS_FACTOR`] times the file's size, and an anchor copies nothing until an alias uses
//! it. Tags are honoured or refused, never dropped; a byte order mark at the start of a file is
//! skipped; JSON's surrogate-pair escapes (`"\ud83d\ude00"`) are read as the one character they
//! encode.

mod error;
mod limits;
mod places;
mod read;
mod scalars;
mod strict;
mod surrogates;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Explain, Location, Start};
use crate::load::places::Places;
use crate::load::read::{Mode, Read, run};
use crate::pointer::escape;

pub use error::{LoadError, ReadError};
pub(crate) use limits::{ALIAS_FACTOR, MAX_DEPTH, VALUE_BYTES};

/// One YAML document of an input file.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: String,
    /// Position of the document in its file, from 0.
    pub index: usize,
    pub value: Value,
    /// Where the document starts: its first key (or value).
    pub start: Option<Start>,
    /// What the documents of one file share: its text and, once asked for, its places.
    shared: Arc<FileShared>,
}

#[derive(Debug)]
struct FileShared {
    /// The file's text (without a byte order mark), to locate values when a diagnostic needs a
    /// place, or to read a released value again.
    text: Arc<str>,
    /// The places of every document of the file (by document index), found on first use: only
    /// diagnostics need them, so a build without findings never pays for them, and a file with
    /// many findings is parsed again once, not once per finding.
    places: OnceLock<Vec<Places>>,
}

impl Document {
    fn places(&self) -> Option<&Places> {
        let all = self.shared.places.get_or_init(|| {
            let mut read = Read::new(Mode::Places);
            // The text parsed once already; should it fail now, there are no places to give.
            let _ = run(&self.file, &self.shared.text, &mut read);
            read.places
        });
        all.get(self.index)
    }

    /// The place of the value at `pointer`, or of its nearest written ancestor.
    pub fn location(&self, pointer: &str) -> Location {
        match self.places().and_then(|places| places.find(pointer).1) {
            Some((line, column)) => Location::at(&self.file, line, column),
            None => Location::file(&self.file),
        }
    }

    /// Whether the document writes a value at `pointer`, read from its text (so it also answers
    /// for a document whose value was released).
    pub fn writes(&self, pointer: &str) -> bool {
        self.places().is_some_and(|places| places.find(pointer).0)
    }

    /// Lets the value tree go once its typed form has been taken; [`reload_all`] reads it again
    /// from the text when it is needed after all.
    pub fn release_value(&mut self) {
        self.value = Value::Null;
    }

    /// The value, read again from the text (for a document whose value was released). To read
    /// several, [`reload_all`] parses each file once.
    #[cfg(test)]
    pub fn reload(&self) -> Value {
        reload_all(&[self]).pop().unwrap_or_default()
    }

    pub fn str_at(&self, pointer: &str) -> Option<&str> {
        self.value.pointer(pointer).and_then(Value::as_str)
    }

    /// `apiVersion` and `kind`, when both are strings.
    pub fn api_kind(&self) -> (Option<&str>, Option<&str>) {
        (self.str_at("/apiVersion"), self.str_at("/kind"))
    }

    /// Reads the document (or the value at `pointer`) as `T`; errors point at the offending field.
    pub fn typed<T: DeserializeOwned>(&self, pointer: &str) -> Result<T, Diagnostic> {
        let value = self.value.pointer(pointer).unwrap_or(&Value::Null);
        typed_value(value).map_err(|(path, error)| {
            let full = format!("{pointer}{path}");
            LoadError::typed(&full, error).at(self.location(&full))
        })
    }
}

/// The values of `docs` (released or not), read again from their files' texts: each file is
/// parsed once whatever the number of its documents asked for. In the order of `docs`.
pub fn reload_all(docs: &[&Document]) -> Vec<Value> {
    // Documents grouped by the file they share, in order of first appearance.
    let mut files: Vec<(&Document, BTreeSet<usize>)> = Vec::new();
    let mut by_file: HashMap<*const FileShared, usize> = HashMap::new();
    for doc in docs {
        let at = *by_file.entry(Arc::as_ptr(&doc.shared)).or_insert_with(|| {
            files.push((doc, BTreeSet::new()));
            files.len() - 1
        });
        if let Some((_, wanted)) = files.get_mut(at) {
            wanted.insert(doc.index);
        }
    }
    let mut values: HashMap<(*const FileShared, usize), Value> = HashMap::new();
    for (first, wanted) in files {
        let mut read = Read::new(Mode::Pick(wanted));
        // The text parsed once already; should it fail now, the values are null.
        let _ = run(&first.file, &first.shared.text, &mut read);
        for (index, value) in read.documents {
            values.insert((Arc::as_ptr(&first.shared), index), value);
        }
    }
    docs.iter().map(|doc| values.get(&(Arc::as_ptr(&doc.shared), doc.index)).cloned().unwrap_or_default()).collect()
}

/// Deserializes a generic value (a struct only from a mapping: [`strict`]); on failure returns
/// the JSON pointer (relative) and the error, classified ([`ReadError`]).
pub(crate) fn typed_value<T: DeserializeOwned>(value: &Value) -> Result<T, (String, ReadError)> {
    serde_path_to_error::deserialize(strict::Strict(value)).map_err(|err| {
        let mut pointer = String::new();
        for segment in err.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                }
                serde_path_to_error::Segment::Map { key } => {
                    pointer.push('/');
                    pointer.push_str(&escape(key));
                }
                serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
            }
        }
        (pointer, err.into_inner())
    })
}

/// The text without the UTF-8 byte order mark some editors write at the start of a file.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// [`strip_bom`] for an owned text.
pub(crate) fn without_bom(mut text: String) -> String {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    text
}

/// Parses every document of a YAML (or JSON) file. Empty documents are dropped.
pub fn parse(file: &str, text: &str) -> Result<Vec<Document>, Diagnostic> {
    let shared = Arc::new(FileShared { text: Arc::from(strip_bom(text)), places: OnceLock::new() });
    let mut read = Read::new(Mode::Values);
    run(file, &shared.text, &mut read)?;
    Ok(read
        .documents
        .into_iter()
        .zip(read.starts)
        .map(|((index, value), (line, column))| {
            let start = Start::new(line, column);
            Document { file: file.to_string(), index, value, start, shared: shared.clone() }
        })
        .collect())
}
