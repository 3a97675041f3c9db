//! Where generation puts its objects: [`Pending`] objects, handed on in batches.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::load::Document;
use crate::objects::Manifest;
use crate::resource::Resource;

/// Objects handed on at a time.
const BATCH: usize = 64;

/// An object generation asked for. Its generic value form is built only when the object is
/// finished, on the thread that finishes it, so that a build never holds all its objects as
/// value trees.
pub struct Pending {
    build: Box<dyn FnOnce() -> Value + Send>,
    /// The input files it comes from, sorted.
    pub sources: Vec<String>,
    pub tenant: Option<String>,
    /// The document a plain object was read from (its value taken), to point at its fields.
    pub document: Option<Document>,
}

impl Pending {
    /// A plain object (a file under `resources/`), as it was read.
    pub fn plain(value: Value, file: &str) -> Pending {
        Pending { build: Box::new(move || value), sources: vec![file.to_string()], tenant: None, document: None }
    }

    /// A plain object read from `document`, which is kept (without its value) to locate the
    /// object's fields in a diagnostic.
    pub fn plain_document(mut document: Document) -> Pending {
        let value = std::mem::take(&mut document.value);
        let sources = vec![document.file.clone()];
        Pending { build: Box::new(move || value), sources, tenant: None, document: Some(document) }
    }

    pub fn into_resource(self) -> Resource {
        Resource::new((self.build)(), self.sources, self.tenant)
    }
}

/// Where generation puts its objects: batches of [`Pending`] objects, handed to `sink` in order.
pub struct Generated<'a> {
    batch: Vec<Pending>,
    sink: &'a mut dyn FnMut(Vec<Pending>),
}

impl<'a> Generated<'a> {
    pub fn new(sink: &'a mut dyn FnMut(Vec<Pending>)) -> Self {
        Generated { batch: Vec::with_capacity(BATCH), sink }
    }

    pub fn push<B: Serialize + Send + 'static>(
        &mut self,
        manifest: Manifest<B>,
        sources: &BTreeSet<String>,
        tenant: Option<&str>,
    ) {
        self.push_pending(Pending {
            build: Box::new(move || manifest.into_value()),
            sources: sources.iter().cloned().collect(),
            tenant: tenant.map(str::to_string),
            document: None,
        });
    }

    pub fn push_pending(&mut self, pending: Pending) {
        self.batch.push(pending);
        if self.batch.len() == BATCH {
            self.flush();
        }
    }

    /// Hands on what is left.
    pub fn flush(&mut self) {
        if !self.batch.is_empty() {
            (self.sink)(std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH)));
        }
    }
}
