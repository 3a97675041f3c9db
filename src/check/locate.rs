//! Where in the input a finding about a final object comes from: the file and line a user
//! edits to fix it.
//!
//! - A field a patch wrote: the patch's operation (`json`) or the field in its body (`merge`).
//! - A plain resource (a file under `resources/`, or a bare directory's file): the field itself,
//!   or its nearest written ancestor.
//! - A generated object: the request it came from (a file under `tenants/`), at the `host` of
//!   the ingress or egress item whose host the object carries, else the request's `spec`.
//! - Otherwise the first layer manifest that made it, at `settings`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::analyzers::{Trace, origin_file, under};
use crate::diagnostic::{Location, ResourceRef, SourceText};
use crate::load::{self, Document};

/// Parsed input files, each parsed once.
pub struct Locator<'a> {
    texts: &'a SourceText,
    parsed: BTreeMap<String, Vec<Document>>,
}

impl<'a> Locator<'a> {
    pub fn new(texts: &'a SourceText) -> Self {
        Locator { texts, parsed: BTreeMap::new() }
    }

    fn documents(&mut self, file: &str) -> &[Document] {
        if !self.parsed.contains_key(file) {
            let docs = self.texts.get(file).and_then(|text| load::parse(file, text).ok()).unwrap_or_default();
            self.parsed.insert(file.to_string(), docs);
        }
        self.parsed.get(file).map(Vec::as_slice).unwrap_or_default()
    }

    fn at(doc: &Document, pointer: &str) -> Location {
        doc.location(pointer)
    }

    /// Where the field at `pointer` (JSON pointer, `""` for the whole object) of `object` (whose
    /// input side is `trace`) was written, or what made the object.
    pub fn locate(&mut self, object: &ResourceRef, trace: &Trace, pointer: &str) -> Option<Location> {
        if !pointer.is_empty()
            && let Some(place) = self.in_patches(trace, pointer)
        {
            return Some(place);
        }
        let file = origin_file(&trace.sources)?.to_string();
        if under(&file, "tenants") {
            return Some(self.in_request(&file, &trace.hosts));
        }
        let origin = trace.origin.as_ref().unwrap_or(object);
        let docs = self.documents(&file);
        let same = |doc: &&Document| {
            let r = ResourceRef::of(&doc.value);
            r.kind == origin.kind && r.name == origin.name && (r.namespace.is_none() || r.namespace == origin.namespace)
        };
        Some(match docs.iter().find(same) {
            Some(doc) => Self::at(doc, pointer),
            None => match docs.first() {
                Some(doc) if doc.value.get("settings").is_some() => Self::at(doc, "/settings"),
                _ => Location { file, line: Some(1), column: None },
            },
        })
    }

    fn in_request(&mut self, file: &str, hosts: &[String]) -> Location {
        let docs = self.documents(file);
        for doc in docs {
            for section in ["ingress", "egress"] {
                let items = doc.value.pointer(&format!("/spec/{section}")).and_then(Value::as_array);
                for (i, item) in items.into_iter().flatten().enumerate() {
                    let Some(host) = item.get("host").and_then(Value::as_str) else { continue };
                    let matches =
                        |h: &String| h == host || h.strip_prefix(host).is_some_and(|rest| rest.starts_with('.'));
                    if hosts.iter().any(matches) {
                        return Self::at(doc, &format!("/spec/{section}/{i}/host"));
                    }
                }
            }
        }
        match docs.first() {
            Some(doc) => Self::at(doc, "/spec"),
            None => Location { file: file.to_string(), line: Some(1), column: None },
        }
    }

    /// The last patch that wrote `pointer` (or a parent of it).
    fn in_patches(&mut self, trace: &Trace, pointer: &str) -> Option<Location> {
        for name in trace.patched_by.iter().rev() {
            let (file, at) = name.rsplit_once('#')?;
            let (doc_index, base) = match at.strip_prefix("patches[").and_then(|s| s.strip_suffix(']')) {
                Some(i) => (0, format!("/patches/{i}")),
                None => (at.parse::<usize>().ok()?, String::new()),
            };
            let docs = self.documents(file);
            let Some(doc) = docs.iter().find(|d| d.index == doc_index).or_else(|| docs.get(doc_index)) else {
                continue;
            };
            let Some(patch) = doc.value.pointer(if base.is_empty() { "" } else { &base }) else { continue };
            if let Some(ops) = patch.get("json").and_then(Value::as_array) {
                for (k, op) in ops.iter().enumerate().rev() {
                    let Some(path) = op.get("path").and_then(Value::as_str) else { continue };
                    if pointer == path || pointer.strip_prefix(path).is_some_and(|rest| rest.starts_with('/')) {
                        let rest = &pointer[path.len()..];
                        let value = format!("{base}/json/{k}/value{rest}");
                        let target = if doc.writes(&value) { value } else { format!("{base}/json/{k}") };
                        return Some(Self::at(doc, &target));
                    }
                }
            }
            if patch.get("merge").is_some() {
                let field = format!("{base}/merge{pointer}");
                // The deepest part of the pointer the merge body writes.
                let mut probe = field.as_str();
                let merge_root = format!("{base}/merge");
                while probe.len() > merge_root.len() {
                    if doc.writes(probe) {
                        return Some(Self::at(doc, probe));
                    }
                    probe = &probe[..probe.rfind('/').unwrap_or(0)];
                }
            }
        }
        None
    }
}

/// `spec.servers[0].foo`, `metadata.labels["a/b"]` (the schema validator's paths) as a JSON
/// pointer; `<root>` is `""`.
pub fn pointer_of(path: &str) -> String {
    let mut out = String::new();
    let mut chars = path.chars().peekable();
    let mut key = String::new();
    let flush = |key: &mut String, out: &mut String| {
        if !key.is_empty() {
            out.push('/');
            out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            key.clear();
        }
    };
    if path == "<root>" {
        return out;
    }
    while let Some(c) = chars.next() {
        match c {
            '.' => flush(&mut key, &mut out),
            '[' => {
                flush(&mut key, &mut out);
                let mut inner = String::new();
                let mut quoted = false;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' if quoted => {
                            if let Some(n) = chars.next() {
                                inner.push(n);
                            }
                        }
                        '"' => quoted = !quoted,
                        ']' if !quoted => break,
                        c => inner.push(c),
                    }
                }
                key = inner;
                flush(&mut key, &mut out);
            }
            c => key.push(c),
        }
    }
    flush(&mut key, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_paths_become_pointers() {
        assert_eq!(pointer_of("spec.servers[0].foo"), "/spec/servers/0/foo");
        assert_eq!(pointer_of("metadata.labels[\"a/b.c\"]"), "/metadata/labels/a~1b.c");
        assert_eq!(pointer_of("<root>"), "");
        assert_eq!(pointer_of("spec"), "/spec");
    }
}
