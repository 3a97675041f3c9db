//! Where in the input a finding about a final object comes from: the file and line a user
//! edits to fix it.
//!
//! - A field a patch wrote: the patch's operation (`json`) or the field in its body (`merge`).
//! - A plain resource (a file under `resources/`, or a bare directory's file): the field itself,
//!   or its nearest written ancestor.
//! - A generated object: the request it came from (a file under `tenants/`), at the `host` of
//!   the ingress or egress item whose host the object carries, else the request's `spec`.
//! - An object the settings make whole (the control plane of `mesh:`, the admission rules of
//!   `enforcement:`), whatever requests it lists: the layer manifest that sets that key — the
//!   environment's own first — at `settings.mesh` / `settings.enforcement`.
//! - Otherwise the first layer manifest that made it, at `settings`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::analyzers::suppress::SuppressRule;
use crate::analyzers::{Trace, origin_file, under};
use crate::diagnostic::{Location, ResourceRef, SourceText};
use crate::load::{self, Document};

/// Parsed input files, each parsed once.
pub struct Locator<'a> {
    texts: &'a SourceText,
    parsed: BTreeMap<String, Vec<Document>>,
    /// For each parsed file, its top-level documents by (kind, name): (namespace, document
    /// index) in file order — a lookup per finding instead of a scan of the file.
    identities: BTreeMap<String, Identities>,
    /// The environment's manifest, preferred among the layers that set a key.
    environment: Option<String>,
}

type Identities = BTreeMap<(String, String), Vec<(Option<String>, usize)>>;

/// The file name of a layer manifest.
const MANIFEST: &str = "meshedge.yaml";

/// The settings key that makes objects of this API group whole: `mesh` for the control plane
/// (the OSSM operator's SMCP and member roll, the Sail operator's `Istio`), `enforcement` for the
/// admission rules (Gatekeeper, Kyverno, ValidatingAdmissionPolicy).
fn settings_key(object: &ResourceRef) -> Option<&'static str> {
    let group = object.api_version.split_once('/').map_or("", |(group, _)| group);
    match group {
        "maistra.io" | "sailoperator.io" => Some("mesh"),
        "templates.gatekeeper.sh" | "constraints.gatekeeper.sh" | "kyverno.io" | "admissionregistration.k8s.io" => {
            Some("enforcement")
        }
        _ => None,
    }
}

/// The pointer (under `prefix`) of the first item of the `v1 List` `value` that is `same`,
/// looking into the Lists among its items up to [`crate::check::bare::MAX_LIST_DEPTH`] deep.
fn list_item(value: &Value, same: &dyn Fn(&Value) -> bool, prefix: &str, depth: usize) -> Option<String> {
    let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default();
    if depth >= super::bare::MAX_LIST_DEPTH || !crate::platform::is_list(text("apiVersion"), text("kind")) {
        return None;
    }
    let items = value.get("items").and_then(Value::as_array)?;
    items.iter().enumerate().find_map(|(i, item)| {
        let at = format!("{prefix}/items/{i}");
        if same(item) { Some(at) } else { list_item(item, same, &at, depth + 1) }
    })
}

impl<'a> Locator<'a> {
    pub fn new(texts: &'a SourceText) -> Self {
        Locator { texts, parsed: BTreeMap::new(), identities: BTreeMap::new(), environment: None }
    }

    /// A locator for the build of the environment whose manifest is `manifest`.
    pub fn for_environment(texts: &'a SourceText, manifest: &str) -> Self {
        Locator { texts, parsed: BTreeMap::new(), identities: BTreeMap::new(), environment: Some(manifest.to_string()) }
    }

    /// The layer manifest among `sources` that sets `settings.<key>` (the environment's own
    /// first, else the last), at that key.
    fn in_settings(&mut self, sources: &[String], key: &str) -> Option<Location> {
        let pointer = format!("/settings/{key}");
        let manifests = sources.iter().filter(|f| f.rsplit('/').next() == Some(MANIFEST));
        let mut setting: Vec<String> = Vec::new();
        for file in manifests {
            if self.documents(file).first().is_some_and(|doc| doc.value.pointer(&pointer).is_some()) {
                setting.push(file.clone());
            }
        }
        let file = match &self.environment {
            Some(env) if setting.contains(env) => env.clone(),
            _ => setting.pop()?,
        };
        self.documents(&file).first().map(|doc| Self::at(doc, &pointer))
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
        if let Some(key) = settings_key(object)
            && let Some(place) = self.in_settings(&trace.sources, key)
        {
            return Some(place);
        }
        let file = origin_file(&trace.sources)?.to_string();
        if under(&file, "tenants") {
            return Some(self.in_request(&file, &trace.hosts));
        }
        let origin = trace.origin.as_ref().unwrap_or(object);
        if !self.identities.contains_key(&file) {
            let mut ids = Identities::new();
            for (i, doc) in self.documents(&file).iter().enumerate() {
                let r = ResourceRef::of(&doc.value);
                ids.entry((r.kind, r.name)).or_default().push((r.namespace, i));
            }
            self.identities.insert(file.clone(), ids);
        }
        let first = self.identities.get(&file).and_then(|ids| {
            let list = ids.get(&(origin.kind.clone(), origin.name.clone()))?;
            list.iter().find(|(ns, _)| ns.is_none() || *ns == origin.namespace).map(|(_, i)| *i)
        });
        let docs = self.documents(&file);
        if let Some(doc) = first.and_then(|i| docs.get(i)) {
            return Some(Self::at(doc, pointer));
        }
        let same = |value: &Value| {
            let r = ResourceRef::of(value);
            r.kind == origin.kind && r.name == origin.name && (r.namespace.is_none() || r.namespace == origin.namespace)
        };
        // An item of a `v1 List` (nested ones included).
        for doc in docs {
            if let Some(at) = list_item(&doc.value, &same, "", 0) {
                return Some(Self::at(doc, &format!("{at}{pointer}")));
            }
        }
        Some(match docs.first() {
            Some(doc) if doc.value.get("settings").is_some() => Self::at(doc, "/settings"),
            _ => Location { file, line: Some(1), column: None },
        })
    }

    /// Where the rule `rule` of `settings.check.suppress` is written: the item of the list that
    /// says it, in the environment's manifest if it says it, else in the last of `manifests`
    /// (layer manifests) that does.
    pub fn suppression(&mut self, manifests: &[String], rule: &SuppressRule) -> Option<Location> {
        let same = |item: &Value| {
            let field = |key: &str| item.get(key).and_then(Value::as_str);
            field("code") == Some(rule.code.as_str())
                && field("kind") == rule.kind.as_deref()
                && field("name") == rule.name.as_deref()
                && field("namespace") == rule.namespace.as_deref()
        };
        let mut found = None;
        for file in manifests {
            let Some(doc) = self.documents(file).first() else { continue };
            let items = doc.value.pointer("/settings/check/suppress").and_then(Value::as_array);
            let Some(index) = items.and_then(|items| items.iter().position(same)) else { continue };
            let place = Self::at(doc, &format!("/settings/check/suppress/{index}"));
            if self.environment.as_deref() == Some(file.as_str()) {
                return Some(place);
            }
            found = Some(place);
        }
        found
    }

    /// The place of `pointer` in document `index` (from 0) of `file`.
    pub fn in_document(&mut self, file: &str, index: usize, pointer: &str) -> Location {
        match self.documents(file).iter().find(|doc| doc.index == index) {
            Some(doc) => Self::at(doc, pointer),
            None => Location::file(file),
        }
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

    fn texts() -> SourceText {
        let mut texts = SourceText::default();
        texts.insert(
            "base/meshedge.yaml",
            "kind: Layer\nmetadata: {name: base}\nsettings:\n  mesh:\n    flavor: ossm2\n  enforcement:\n    denyRoutes: true\n",
        );
        texts.insert(
            "environments/prod/meshedge.yaml",
            "kind: Environment\nmetadata: {name: prod}\nbases: [../../base]\nsettings:\n  enforcement:\n    admission: gatekeeper\n",
        );
        texts.insert("base/tenants/blog/tenant.yaml", "kind: Tenant\nmetadata: {name: blog}\nspec: {}\n");
        texts
    }

    fn made_from(api_version: &str, kind: &str) -> (ResourceRef, Trace) {
        let object =
            ResourceRef { api_version: api_version.into(), kind: kind.into(), namespace: None, name: "x".into() };
        let sources = ["base/meshedge.yaml", "base/tenants/blog/tenant.yaml", "environments/prod/meshedge.yaml"];
        let trace = Trace { sources: sources.iter().map(|s| s.to_string()).collect(), ..Trace::default() };
        (object, trace)
    }

    #[test]
    fn objects_the_settings_make_point_at_their_settings_key() {
        let texts = texts();
        let mut locator = Locator::for_environment(&texts, "environments/prod/meshedge.yaml");
        let place = |locator: &mut Locator<'_>, api_version: &str, kind: &str| {
            let (object, trace) = made_from(api_version, kind);
            let at = locator.locate(&object, &trace, "").expect("a place");
            (at.file, at.line)
        };
        // Set by the environment and by its base: the environment's own setting.
        assert_eq!(
            place(&mut locator, "constraints.gatekeeper.sh/v1beta1", "MeshedgeDenyTenantRoutes"),
            ("environments/prod/meshedge.yaml".to_string(), Some(5))
        );
        assert_eq!(
            place(&mut locator, "templates.gatekeeper.sh/v1", "ConstraintTemplate"),
            ("environments/prod/meshedge.yaml".to_string(), Some(5))
        );
        // Set by the base alone.
        assert_eq!(place(&mut locator, "sailoperator.io/v1", "Istio"), ("base/meshedge.yaml".to_string(), Some(4)));
        assert_eq!(
            place(&mut locator, "maistra.io/v2", "ServiceMeshControlPlane"),
            ("base/meshedge.yaml".to_string(), Some(4))
        );
        // Made for a request: the request, as before.
        assert_eq!(
            place(&mut locator, "networking.istio.io/v1", "DestinationRule").0,
            "base/tenants/blog/tenant.yaml".to_string()
        );
    }

    #[test]
    fn schema_paths_become_pointers() {
        assert_eq!(pointer_of("spec.servers[0].foo"), "/spec/servers/0/foo");
        assert_eq!(pointer_of("metadata.labels[\"a/b.c\"]"), "/metadata/labels/a~1b.c");
        assert_eq!(pointer_of("<root>"), "");
        assert_eq!(pointer_of("spec"), "/spec");
    }
}
