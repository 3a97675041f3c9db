//! Structural validation of Kubernetes objects against the `openAPIV3Schema` of CustomResourceDefinitions
//! and against Kubernetes OpenAPI v3 documents (`components.schemas` with `x-kubernetes-group-version-kind`).
//!
//! This module owns the schema registry (group, version, kind) → schema and the validator. It follows the
//! Kubernetes structural-schema rules that matter for generated manifests: types, `properties`, `required`,
//! `additionalProperties`, `items`, `enum`, `pattern`, length / range / count limits, `nullable`,
//! `x-kubernetes-int-or-string`, `x-kubernetes-preserve-unknown-fields`, list-type `set` / `map` uniqueness,
//! `allOf` / `anyOf` / `oneOf` / `not` and lazily resolved `$ref`s. Unknown fields are counted as failures,
//! as the API server would prune (CRDs) or reject (strict field validation) them. `format`, `default` and
//! `x-kubernetes-validations` (CEL) are ignored.

mod check;
#[cfg(test)]
mod tests;

use regex::Regex;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use check::{Cx, Seg, check_meta};

/// (group, version, kind); the core group is `""`.
type Gvk = (String, String, String);
type Obj = Map<String, Value>;
type Errs = Vec<String>;
const MAX_DEPTH: usize = 200;
/// The validator's work budget for one object: `WORK_BASE` plus `WORK_PER_NODE` schema
/// applications per value of the object. Well-formed schemas apply a handful of schemas per
/// value; nested `anyOf`/`oneOf` alternatives could otherwise take time exponential in their
/// depth. Past the budget, validation stops with a failure at the root.
const WORK_BASE: usize = 100_000;
const WORK_PER_NODE: usize = 1_000;
/// The failure of an object whose validation ran out of its work budget.
pub const OVER_BUDGET: &str = "validation stops: the schema takes more work than the object's size allows (`$ref`, `anyOf` or `oneOf` nested too deep)";

/// Outcome of [`SchemaSet::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Validation {
    /// No schema is registered for this apiVersion and kind.
    NoSchema {
        api_version: String,
        kind: String,
    },
    Valid,
    /// One `path: problem` line per failure, e.g. `spec.servers[0].foo: unknown field`.
    Invalid(Vec<String>),
}

enum Root {
    Crd(Value),
    Api { doc: usize, key: String },
}

struct Entry {
    root: Root,
    source: String,
}

/// A registry of schemas by (group, version, kind). Registering a gvk again with a different schema is an
/// error (upstream Istio and OSSM 2.5 CRDs both define networking.istio.io/v1beta1): load only one of them.
#[derive(Default)]
pub struct SchemaSet {
    docs: Vec<Obj>,
    kinds: BTreeMap<Gvk, Entry>,
    patterns: HashMap<String, Option<Regex>>,
    ref_cycles: Vec<RefCycle>,
}

/// A `$ref` cycle of an OpenAPI document: `schema` reaches itself through `through` (schema
/// names, in order) by `$ref`, `allOf`, `anyOf`, `oneOf` or `not` alone, without descending into
/// a field or an item. Validating against it would never end: the document is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefCycle {
    /// The file that holds the document.
    pub source: String,
    pub schema: String,
    pub through: Vec<String>,
}

impl SchemaSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every `*.yaml`, `*.yml` and `*.json` file under `dir` (recursively, symlinked dirs not followed), sorted.
    pub fn load_dir(dir: &Path) -> Result<Self, String> {
        Self::load_dir_except(dir, &[])
    }

    /// Like [`SchemaSet::load_dir`], skipping files whose file name is in `skip_file_names`.
    pub fn load_dir_except(dir: &Path, skip_file_names: &[&str]) -> Result<Self, String> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
            for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
                let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
                let p = entry.path();
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    walk(&p, out)?;
                } else if p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
                    out.push(p);
                }
            }
            Ok(())
        }
        let mut files = Vec::new();
        walk(dir, &mut files)?;
        files.sort();
        let mut set = Self::new();
        for f in files.iter().filter(|f| !f.file_name().is_some_and(|n| skip_file_names.iter().any(|s| n == *s))) {
            set.load_file(f)?;
        }
        Ok(set)
    }

    /// Loads CRDs (YAML or JSON, multi-document, `List`s too) or one Kubernetes OpenAPI v3 JSON document.
    /// Other and empty documents are skipped. On error nothing from this file is registered.
    pub fn load_file(&mut self, path: &Path) -> Result<(), String> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{source}: {e}"))?;
        let json = path.extension().is_some_and(|e| e == "json");
        self.load_text(&source, &text, json)
    }

    /// Registers the schemas of a file already read (by a reader that applies the input's
    /// limits): `source` names it in errors; `json` when it is a JSON document, else YAML.
    /// Errors as for [`SchemaSet::load_file`].
    pub fn load_text(&mut self, source: &str, text: &str, json: bool) -> Result<(), String> {
        let first_doc = self.docs.len();
        let new = self.stage(text, json, source).inspect_err(|_| self.docs.truncate(first_doc))?;
        for entry in new.values() {
            if let Root::Crd(s) = &entry.root {
                collect_patterns(s, &mut self.patterns);
            }
        }
        for doc in &self.docs[first_doc..] {
            doc.values().for_each(|s| collect_patterns(s, &mut self.patterns));
        }
        self.kinds.extend(new);
        Ok(())
    }

    /// Registers the served versions of one CustomResourceDefinition given as a value (e.g. one
    /// derived from another object); `source` names it in errors. Errors as for
    /// [`SchemaSet::load_file`].
    pub fn add_crd(&mut self, crd: Value, source: &str) -> Result<(), String> {
        let mut staged = Vec::new();
        self.collect(crd, source, &mut staged)?;
        let new = self.admit(staged, source)?;
        for entry in new.values() {
            if let Root::Crd(s) = &entry.root {
                collect_patterns(s, &mut self.patterns);
            }
        }
        self.kinds.extend(new);
        Ok(())
    }

    fn stage(&mut self, text: &str, json: bool, source: &str) -> Result<BTreeMap<Gvk, Entry>, String> {
        let mut staged = Vec::new();
        if json {
            let doc = serde_json::from_str(text).map_err(|e| format!("{source}: {e}"))?;
            self.collect(doc, source, &mut staged)?;
        } else {
            // The loader's rules: one YAML reader in meshedge.
            let docs = crate::load::parse(source, text).map_err(|d| format!("{source}: {}", d.message))?;
            for doc in docs {
                self.collect(doc.value, source, &mut staged)?;
            }
        }
        self.admit(staged, source)
    }

    /// The staged schemas not registered yet; one registered with another schema is an error.
    fn admit(&self, staged: Vec<(Gvk, Root)>, source: &str) -> Result<BTreeMap<Gvk, Entry>, String> {
        let mut new: BTreeMap<Gvk, Entry> = BTreeMap::new();
        for (gvk, root) in staged {
            match new.get(&gvk).or_else(|| self.kinds.get(&gvk)) {
                Some(old) if !self.same(&old.root, &root) => {
                    let ((g, v, k), other) = (&gvk, &old.source);
                    return Err(format!(
                        "{source}: {g}/{v} {k} is already registered from {other} with another schema"
                    ));
                }
                Some(_) => {}
                None => _ = new.insert(gvk, Entry { root, source: source.to_string() }),
            }
        }
        Ok(new)
    }

    fn collect(&mut self, mut doc: Value, source: &str, out: &mut Vec<(Gvk, Root)>) -> Result<(), String> {
        if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas").map(Value::take) {
            for (key, s) in &schemas {
                for g in s.get("x-kubernetes-group-version-kind").and_then(Value::as_array).into_iter().flatten() {
                    let f = |n: &str| g.get(n).and_then(Value::as_str).map(str::to_string);
                    if let (Some(group), Some(version), Some(kind)) = (f("group"), f("version"), f("kind")) {
                        out.push(((group, version, kind), Root::Api { doc: self.docs.len(), key: key.clone() }));
                    }
                }
            }
            if let Some((schema, through)) = ref_cycle(&schemas) {
                self.ref_cycles.push(RefCycle { source: source.to_string(), schema, through });
            }
            self.docs.push(schemas);
        } else if doc.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition") {
            let text = |p: &str| doc.pointer(p).and_then(Value::as_str).map(str::to_string);
            let (Some(group), Some(kind)) = (text("/spec/group"), text("/spec/names/kind")) else {
                return Err(format!("{source}: CustomResourceDefinition without spec.group or spec.names.kind"));
            };
            for ver in doc.pointer_mut("/spec/versions").and_then(Value::as_array_mut).into_iter().flatten() {
                let name = ver.get("name").and_then(Value::as_str).map(str::to_string);
                let served = ver.get("served") != Some(&Value::Bool(false));
                if let (Some(v), Some(s @ Value::Object(_)), true) =
                    (name, ver.pointer_mut("/schema/openAPIV3Schema").map(Value::take), served)
                {
                    out.push(((group.clone(), v, kind.clone()), Root::Crd(s)));
                }
            }
        } else if let Some(Value::Array(items)) = doc.get_mut("items").map(Value::take) {
            items.into_iter().try_for_each(|item| self.collect(item, source, out))?;
        }
        Ok(())
    }

    fn root_schema<'a>(&'a self, root: &'a Root) -> Option<&'a Value> {
        match root {
            Root::Crd(s) => Some(s),
            Root::Api { doc, key } => self.docs.get(*doc)?.get(key),
        }
    }

    fn same(&self, a: &Root, b: &Root) -> bool {
        match (a, b) {
            (Root::Api { key: x, .. }, Root::Api { key: y, .. }) if x == y => true,
            _ => self.root_schema(a) == self.root_schema(b),
        }
    }

    /// The `$ref` cycles of the OpenAPI documents loaded so far (at most one per document), in
    /// load order; a caller refuses a document with one (the validator's work budget ends any
    /// validation against it all the same).
    pub fn ref_cycles(&self) -> &[RefCycle] {
        &self.ref_cycles
    }

    /// Registered (group, version, kind) triples, sorted.
    pub fn kinds(&self) -> Vec<(String, String, String)> {
        self.kinds.keys().cloned().collect()
    }

    /// Validates one whole manifest against the schema registered for its apiVersion and kind.
    pub fn validate(&self, object: &Value) -> Validation {
        let Some(obj) = object.as_object() else { return Validation::Invalid(vec!["<root>: expected object".into()]) };
        let text = |k: &str| obj.get(k).and_then(Value::as_str);
        let (Some(api_version), Some(kind)) = (text("apiVersion"), text("kind")) else {
            // One failure per field that is missing or not a string, so each is named exactly.
            let wrong = ["apiVersion", "kind"].into_iter().filter(|k| text(k).is_none());
            return Validation::Invalid(
                wrong
                    .map(|k| match obj.get(k) {
                        None | Some(Value::Null) => format!("{k}: required string field missing"),
                        Some(other) => format!(
                            "{k}: expected a string{}, got {}",
                            if k == "apiVersion" { " like `v1` or `apps/v1`" } else { " like `ConfigMap`" },
                            match other {
                                Value::Number(_) => "a number",
                                Value::Bool(_) => "a boolean",
                                Value::Array(_) => "a list",
                                _ => "a mapping",
                            }
                        ),
                    })
                    .collect(),
            );
        };
        if let Some(problem) = crate::platform::names::api_version_problem(api_version) {
            return Validation::Invalid(vec![format!("apiVersion: `{api_version}` {problem}")]);
        }
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let entry = self.kinds.get(&(group.to_string(), version.to_string(), kind.to_string()));
        let Some((entry, schema)) = entry.and_then(|e| Some((e, self.root_schema(&e.root)?))) else {
            // A kind spelt with the wrong case (`configmap`) of a version the set describes.
            let same_version = self.kinds.keys().filter(|(g, v, _)| g == group && v == version);
            if let Some(meant) = same_version.map(|(_, _, k)| k.as_str()).find(|k| k.eq_ignore_ascii_case(kind)) {
                return Validation::Invalid(vec![format!(
                    "kind: `{api_version}` has no kind `{kind}` (kinds are case-sensitive); did you mean `{meant}`?"
                )]);
            }
            return Validation::NoSchema { api_version: api_version.into(), kind: kind.into() };
        };
        let (doc, crd) = match entry.root {
            Root::Crd(_) => (None, true),
            Root::Api { doc, .. } => (self.docs.get(doc), false),
        };
        // CRD metadata is always ObjectMeta to the API server, whatever the CRD schema says about it.
        // Every kind's metadata is ObjectMeta to the API server: it is checked as such
        // ([`check::object_meta_fields`]), whatever the schema says about it.
        let meta_builtin = true;
        let mut errs = Vec::new();
        let budget = std::cell::Cell::new(WORK_PER_NODE.saturating_mul(nodes(object)).saturating_add(WORK_BASE));
        let cx = Cx { set: self, doc, crd, meta_builtin, budget };
        cx.check(schema, object, &Seg::Root, true, 0, &mut errs);
        if cx.budget.get() == 0 {
            errs.push(format!("<root>: {OVER_BUDGET}"));
        }
        check_meta(obj.get("metadata"), meta_builtin, &mut errs);
        if errs.is_empty() { Validation::Valid } else { Validation::Invalid(errs) }
    }
}

/// The number of values in `v` (itself, its fields and items, recursively).
fn nodes(v: &Value) -> usize {
    match v {
        Value::Object(m) => 1 + m.values().map(nodes).sum::<usize>(),
        Value::Array(a) => 1 + a.iter().map(nodes).sum::<usize>(),
        _ => 1,
    }
}

/// The first schema of `schemas` (by name) on a `$ref` cycle that consumes no value, and the
/// names it goes through back to itself. Edges follow `$ref`s reached through `allOf`, `anyOf`,
/// `oneOf` and `not` only (a `$ref` under `properties`, `items` or `additionalProperties` applies
/// to a smaller value, so a recursion through it ends with the value). Linear in the document.
fn ref_cycle(schemas: &Obj) -> Option<(String, Vec<String>)> {
    fn refs<'a>(s: &'a Value, out: &mut Vec<&'a str>) {
        let Some(s) = s.as_object() else { return };
        if let Some(k) = s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
            out.push(k);
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            s.get(key).and_then(Value::as_array).into_iter().flatten().for_each(|x| refs(x, out));
        }
        if let Some(n) = s.get("not") {
            refs(n, out);
        }
    }
    let edges: BTreeMap<&str, Vec<&str>> = schemas
        .iter()
        .map(|(k, s)| {
            let mut out = Vec::new();
            refs(s, &mut out);
            (k.as_str(), out)
        })
        .collect();
    // Iterative depth-first search: 1 = on the path, 2 = done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for &start in edges.keys() {
        if state.contains_key(start) {
            continue;
        }
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        state.insert(start, 1);
        while let Some((node, next)) = path.last_mut() {
            let node = *node;
            let Some(&to) = edges.get(node).and_then(|e| e.get(*next)) else {
                state.insert(node, 2);
                path.pop();
                continue;
            };
            *next += 1;
            match state.get(to) {
                Some(1) => {
                    let from = path.iter().position(|(n, _)| *n == to).unwrap_or(0);
                    let mut through: Vec<String> = path[from..].iter().map(|(n, _)| n.to_string()).collect();
                    through.push(to.to_string());
                    return Some((to.to_string(), through));
                }
                Some(_) => {}
                None if edges.contains_key(to) => {
                    state.insert(to, 1);
                    path.push((to, 0));
                }
                None => {}
            }
        }
    }
    None
}

fn collect_patterns(v: &Value, out: &mut HashMap<String, Option<Regex>>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| match x {
            Value::String(p) if k == "pattern" => _ = out.entry(p.clone()).or_insert_with(|| Regex::new(p).ok()),
            _ => collect_patterns(x, out),
        }),
        Value::Array(a) => a.iter().for_each(|x| collect_patterns(x, out)),
        _ => {}
    }
}
