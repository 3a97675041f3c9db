//! The loader: reads and parses files through a [`Tree`], within the limits of one build.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Explain, Location, SourceText};
use crate::layers::error::LayerError;
use crate::load::{self, Document};
use crate::source::{self, SourceError, Tree, WalkedFile};

/// Reads and parses files through a [`Tree`], remembering their text and which files were read.
///
/// One build reads at most [`source::MAX_TOTAL_BYTES`] in all (each file at most
/// [`source::MAX_FILE_BYTES`]); the first file past the total is an error and nothing is read
/// after it. A file reached by walks under two paths (through symlinks, say from two layers'
/// `tenants/`) is read once, under its first path; the second path is an error.
pub struct Loader<'a> {
    pub tree: Tree<'a>,
    pub texts: SourceText,
    /// Every file read, for fingerprints of an environment's inputs.
    pub read: BTreeSet<String>,
    /// Bytes read so far.
    bytes: u64,
    /// Whether a file went past the total: nothing more is read.
    over: bool,
    /// The physical path of every walked file read → the path it was read under.
    walked: BTreeMap<String, String>,
}

impl<'a> Loader<'a> {
    pub fn new(tree: Tree<'a>) -> Self {
        Loader {
            tree,
            texts: SourceText::default(),
            read: BTreeSet::new(),
            bytes: 0,
            over: false,
            walked: BTreeMap::new(),
        }
    }

    /// Reads and parses a file; `context` says why it is read ("layer manifest").
    pub fn load(&mut self, path: &str, context: &str) -> Result<Vec<Document>, Diagnostic> {
        if self.over {
            return Err(self.over_total(path, 0));
        }
        let text = self.tree.read_to_string(path).map_err(|e| source_error(&e, context))?;
        self.count(path, text.len() as u64)?;
        self.parse(path, text)
    }

    /// Reads the files the walk found and parses them on every core; results in file order.
    pub fn load_all<'f>(
        &mut self,
        files: &'f [WalkedFile],
        context: &str,
    ) -> Vec<(&'f WalkedFile, Result<Vec<Document>, Diagnostic>)> {
        self.load_all_with(files, context, |doc| doc)
    }

    /// [`Loader::load_all`], with `each` applied to every document on the thread that parsed it.
    pub fn load_all_with<'f, T: Send>(
        &mut self,
        files: &'f [WalkedFile],
        context: &str,
        each: impl Fn(Document) -> T + Sync + Send,
    ) -> Vec<(&'f WalkedFile, Result<Vec<T>, Diagnostic>)> {
        // Which files are read is settled first, in file order, from their sizes: the total
        // stops the read before the bytes are in memory.
        let tree = &self.tree;
        let sizes = crate::parallel::map(files, |file| tree.size_walked(file));
        let mut admitted: Vec<Result<bool, Diagnostic>> = Vec::with_capacity(files.len());
        for (file, size) in files.iter().zip(sizes) {
            admitted.push(self.admit(file, size, context));
        }
        // Reading and parsing on every core; the loader's records are written here, in file order.
        let tree = &self.tree;
        let jobs: Vec<(&WalkedFile, bool)> =
            files.iter().zip(&admitted).map(|(f, a)| (f, a.as_ref().is_ok_and(|read| *read))).collect();
        let loaded = crate::parallel::map(&jobs, |&(file, admitted)| {
            if !admitted {
                return (None, Ok(Vec::new()));
            }
            match tree.read_walked(file) {
                Ok(text) => {
                    let text = load::without_bom(text);
                    let parsed = load::parse(&file.path, &text).map(|docs| docs.into_iter().map(&each).collect());
                    (Some(text), parsed)
                }
                Err(e) => (None, Err(source_error(&e, context))),
            }
        });
        let mut out = Vec::with_capacity(files.len());
        for ((file, (text, parsed)), admitted) in files.iter().zip(loaded).zip(admitted) {
            if let Some(text) = text {
                self.read.insert(file.path.clone());
                self.texts.insert(&file.path, text);
            }
            out.push((file, admitted.and(parsed)));
        }
        out
    }

    /// Whether a walked file of `size` bytes is read (`Ok(true)`): not past the total, and not
    /// already read under another path. Past the first file over the total, files are skipped
    /// (`Ok(false)`) without an error each.
    fn admit(&mut self, file: &WalkedFile, size: Result<u64, SourceError>, context: &str) -> Result<bool, Diagnostic> {
        if self.over {
            return Ok(false);
        }
        let size = size.map_err(|e| source_error(&e, context))?;
        if let Some(first) = self.walked.get(&file.physical) {
            if *first != file.path {
                let error = SourceError::ReachedTwice { path: file.path.clone(), first: first.clone() };
                return Err(source_error(&error, context));
            }
        }
        self.count(&file.path, size)?;
        self.walked.insert(file.physical.clone(), file.path.clone());
        Ok(true)
    }

    /// Adds `size` bytes to the total read; the file that goes past it is an error.
    fn count(&mut self, path: &str, size: u64) -> Result<(), Diagnostic> {
        self.bytes = self.bytes.saturating_add(size);
        if self.bytes > source::MAX_TOTAL_BYTES {
            self.over = true;
            return Err(self.over_total(path, self.bytes));
        }
        Ok(())
    }

    fn over_total(&self, path: &str, bytes: u64) -> Diagnostic {
        LayerError::OverTotal { path: path.to_string(), bytes }.at(Location::file(path))
    }

    fn parse(&mut self, path: &str, text: String) -> Result<Vec<Document>, Diagnostic> {
        let text = load::without_bom(text);
        let parsed = load::parse(path, &text);
        self.read.insert(path.to_string());
        self.texts.insert(path, text);
        parsed
    }
}

/// A source error as a diagnostic, with the context of the read.
pub(crate) fn source_error(error: &SourceError, context: &str) -> Diagnostic {
    let at = Location::file(error.path());
    LayerError::Source { context: context.to_string(), error: error.clone() }.at(at)
}
