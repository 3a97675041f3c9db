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

use crate::analyzers::ObjectRef;
use crate::diagnostic::SourceText;
use crate::load::{self, Document};

/// A final object, as `check` has it.
#[derive(Debug, Clone)]
pub struct Checked {
    pub value: Value,
    /// Its identity when it was generated or read (before any patch renamed it).
    pub origin: ObjectRef,
    /// The input files it came from, sorted.
    pub sources: Vec<String>,
    /// The patches applied to it (`file#index`, `manifest#patches[i]`), in order.
    pub patched_by: Vec<String>,
}

/// A place: repo-relative file, line and column (from 1).
pub type Place = (Option<String>, Option<usize>, Option<usize>);

/// Parsed input files, each parsed once.
pub struct Locator<'a> {
    texts: &'a SourceText,
    parsed: BTreeMap<String, Vec<Document>>,
}

fn under(file: &str, dir: &str) -> bool {
    file.split('/').rev().skip(1).any(|part| part == dir)
}

/// The file a finding about an object with these sources points at: the request, else the plain
/// resource, else the first source.
pub fn origin_file(sources: &[String]) -> Option<&str> {
    sources
        .iter()
        .find(|f| under(f, "tenants"))
        .or_else(|| sources.iter().find(|f| under(f, "resources")))
        .or_else(|| sources.first())
        .map(String::as_str)
}

fn hosts_of(value: &Value) -> Vec<&str> {
    let mut hosts = Vec::new();
    let spec = value.get("spec");
    for key in ["hosts", "host"] {
        match spec.and_then(|s| s.get(key)) {
            Some(Value::String(h)) => hosts.push(h.as_str()),
            Some(Value::Array(list)) => hosts.extend(list.iter().filter_map(Value::as_str)),
            _ => {}
        }
    }
    let servers = spec.and_then(|s| s.get("servers")).and_then(Value::as_array).into_iter().flatten();
    for server in servers {
        let list = server.get("hosts").and_then(Value::as_array).into_iter().flatten();
        hosts.extend(list.filter_map(Value::as_str).map(|h| h.split_once('/').map_or(h, |(_, h)| h)));
    }
    hosts
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

    fn at(doc: &Document, pointer: &str) -> Place {
        let location = doc.location(pointer);
        (Some(location.file), location.line, location.column)
    }

    /// Where the field at `pointer` (JSON pointer, `""` for the whole object) of `object` was
    /// written, or what made the object.
    pub fn locate(&mut self, object: &Checked, pointer: &str) -> Place {
        if !pointer.is_empty()
            && let Some(place) = self.in_patches(object, pointer)
        {
            return place;
        }
        let Some(file) = origin_file(&object.sources).map(str::to_string) else { return (None, None, None) };
        if under(&file, "tenants") {
            return self.in_request(&file, &object.value);
        }
        let docs = self.documents(&file);
        let same = |doc: &&Document| {
            let r = ObjectRef::of(&doc.value);
            r.kind == object.origin.kind
                && r.name == object.origin.name
                && (r.namespace.is_none() || r.namespace == object.origin.namespace)
        };
        match docs.iter().find(same) {
            Some(doc) => Self::at(doc, pointer),
            None => match docs.first() {
                Some(doc) if doc.value.get("settings").is_some() => Self::at(doc, "/settings"),
                _ => (Some(file), Some(1), None),
            },
        }
    }

    fn in_request(&mut self, file: &str, value: &Value) -> Place {
        let hosts = hosts_of(value);
        let docs = self.documents(file);
        for doc in docs {
            for section in ["ingress", "egress"] {
                let items = doc.value.pointer(&format!("/spec/{section}")).and_then(Value::as_array);
                for (i, item) in items.into_iter().flatten().enumerate() {
                    let Some(host) = item.get("host").and_then(Value::as_str) else { continue };
                    let matches =
                        |h: &&str| *h == host || h.strip_prefix(host).is_some_and(|rest| rest.starts_with('.'));
                    if hosts.iter().any(matches) {
                        return Self::at(doc, &format!("/spec/{section}/{i}/host"));
                    }
                }
            }
        }
        match docs.first() {
            Some(doc) => Self::at(doc, "/spec"),
            None => (Some(file.to_string()), Some(1), None),
        }
    }

    /// The last patch that wrote `pointer` (or a parent of it).
    fn in_patches(&mut self, object: &Checked, pointer: &str) -> Option<Place> {
        for name in object.patched_by.iter().rev() {
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

    #[test]
    fn findings_point_at_the_request_then_the_resource_then_the_manifest() {
        let files = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let request = "base/tenants/shop/storefront.yaml";
        assert_eq!(origin_file(&files(&["base/meshedge.yaml", request])), Some(request));
        assert_eq!(
            origin_file(&files(&["base/meshedge.yaml", "base/resources/vs.yaml"])),
            Some("base/resources/vs.yaml")
        );
        assert_eq!(origin_file(&files(&["tenants/meshedge.yaml"])), Some("tenants/meshedge.yaml"));
        assert_eq!(origin_file(&[]), None);
    }
}
