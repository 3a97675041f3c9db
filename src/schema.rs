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

use regex::Regex;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// (group, version, kind); the core group is `""`.
type Gvk = (String, String, String);
type Obj = Map<String, Value>;
type Errs = Vec<String>;
const MAX_DEPTH: usize = 200;

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
        let first_doc = self.docs.len();
        let new = self.stage(path, &source).inspect_err(|_| self.docs.truncate(first_doc))?;
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

    fn stage(&mut self, path: &Path, source: &str) -> Result<BTreeMap<Gvk, Entry>, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{source}: {e}"))?;
        let mut staged = Vec::new();
        if path.extension().is_some_and(|e| e == "json") {
            let doc = serde_json::from_str(&text).map_err(|e| format!("{source}: {e}"))?;
            self.collect(doc, source, &mut staged)?;
        } else {
            // The loader's rules: one YAML reader in meshedge.
            let docs = crate::load::parse(source, &text).map_err(|d| format!("{source}: {}", d.message))?;
            for doc in docs {
                self.collect(doc.value, source, &mut staged)?;
            }
        }
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

    /// Registered (group, version, kind) triples, sorted.
    pub fn kinds(&self) -> Vec<(String, String, String)> {
        self.kinds.keys().cloned().collect()
    }

    /// Validates one whole manifest against the schema registered for its apiVersion and kind.
    pub fn validate(&self, object: &Value) -> Validation {
        let Some(obj) = object.as_object() else { return Validation::Invalid(vec!["<root>: expected object".into()]) };
        let text = |k: &str| obj.get(k).and_then(Value::as_str);
        let (Some(api_version), Some(kind)) = (text("apiVersion"), text("kind")) else {
            return Validation::Invalid(vec!["apiVersion, kind: required string fields missing".into()]);
        };
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let entry = self.kinds.get(&(group.to_string(), version.to_string(), kind.to_string()));
        let Some((entry, schema)) = entry.and_then(|e| Some((e, self.root_schema(&e.root)?))) else {
            return Validation::NoSchema { api_version: api_version.into(), kind: kind.into() };
        };
        let (doc, crd) = match entry.root {
            Root::Crd(_) => (None, true),
            Root::Api { doc, .. } => (self.docs.get(doc), false),
        };
        let meta = schema.pointer("/properties/metadata");
        // CRD metadata is always ObjectMeta to the API server, whatever the CRD schema says about it.
        let meta_builtin =
            crd || meta.is_none_or(|m| ["properties", "$ref", "allOf"].iter().all(|k| m.get(k).is_none()));
        let mut errs = Vec::new();
        Cx { set: self, doc, crd, meta_builtin }.check(schema, object, &Seg::Root, true, 0, &mut errs);
        check_meta(obj.get("metadata"), meta_builtin, &mut errs);
        if errs.is_empty() { Validation::Valid } else { Validation::Invalid(errs) }
    }
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

/// A path into the validated object, rendered only when a failure is reported.
enum Seg<'a> {
    Root,
    Key(&'a Seg<'a>, &'a str),
    Idx(&'a Seg<'a>, usize),
}

impl fmt::Display for Seg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Root => Ok(()),
            Seg::Idx(p, i) => write!(f, "{p}[{i}]"),
            Seg::Key(Seg::Root, k) if plain(k) => write!(f, "{k}"),
            Seg::Key(p, k) if plain(k) => write!(f, "{p}.{k}"),
            Seg::Key(p, k) => write!(f, "{p}[{}]", Value::from(*k)),
        }
    }
}

fn plain(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || "_-$@".contains(c))
}

/// `path: ` as it starts a failure line.
fn label(at: &Seg) -> String {
    if matches!(at, Seg::Root) { "<root>: ".into() } else { format!("{at}: ") }
}

fn push(errs: &mut Errs, at: &Seg, msg: impl fmt::Display) {
    errs.push(format!("{}{msg}", label(at)));
}

fn is_int(v: &Value) -> bool {
    v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|x| x.fract() == 0.0)
}

fn short(v: &Value) -> String {
    match v {
        Value::Object(_) => "an object".into(),
        Value::Array(_) => "an array".into(),
        Value::String(s) if s.chars().count() > 80 => format!("{:?}...", s.chars().take(80).collect::<String>()),
        _ => v.to_string(),
    }
}

fn flag(s: &Obj, k: &str) -> bool {
    s.get(k) == Some(&Value::Bool(true))
}

/// `minimum`/`maximum`-style limits: `what` is e.g. "length " or "" for plain numbers.
fn bounds(s: &Obj, (lo, hi): (&str, &str), n: f64, what: &str, at: &Seg, errs: &mut Errs) {
    if let Some(m) = s.get(lo).and_then(Value::as_f64).filter(|m| n < *m) {
        push(errs, at, format_args!("{what}{n} is less than {lo} {m}"));
    }
    if let Some(m) = s.get(hi).and_then(Value::as_f64).filter(|m| n > *m) {
        push(errs, at, format_args!("{what}{n} is greater than {hi} {m}"));
    }
}

/// Minimal ObjectMeta rules where the schema's `metadata` is only `type: object`; `name` is always checked.
fn check_meta(meta: Option<&Value>, full: bool, errs: &mut Errs) {
    let at = Seg::Key(&Seg::Root, "metadata");
    let Some(m) = meta.and_then(Value::as_object) else {
        return push(errs, &at, if meta.is_none() { "required field missing" } else { "expected object" });
    };
    if !m.get("name").is_some_and(Value::is_string) && !m.get("generateName").is_some_and(Value::is_string) {
        push(errs, &Seg::Key(&at, "name"), "required string field missing");
    }
    for (k, v) in m.iter().filter(|_| full) {
        let here = Seg::Key(&at, k);
        let is_list_of = |f: fn(&Value) -> bool| v.as_array().is_some_and(|a| a.iter().all(f));
        match k.as_str() {
            "name" | "namespace" | "generateName" if !v.is_string() => push(errs, &here, "expected string"),
            "labels" | "annotations" => match v.as_object() {
                None => push(errs, &here, "expected map of string to string"),
                Some(o) => o.iter().filter(|(_, x)| !x.is_string()).for_each(|(l, x)| {
                    push(errs, &Seg::Key(&here, l), format_args!("expected string, got {}", short(x)))
                }),
            },
            "finalizers" if !is_list_of(Value::is_string) => push(errs, &here, "expected array of strings"),
            "ownerReferences" if !is_list_of(Value::is_object) => push(errs, &here, "expected array of objects"),
            "name" | "namespace" | "generateName" | "finalizers" | "ownerReferences" => {}
            _ => push(errs, &here, "unknown field"),
        }
    }
}

struct Cx<'a> {
    set: &'a SchemaSet,
    doc: Option<&'a Obj>,
    crd: bool,
    meta_builtin: bool,
}

impl Cx<'_> {
    /// Failures of `v` against a value-validation branch (anyOf / oneOf / not): no unknown-field checks there.
    fn branch(&self, s: &Value, v: &Value, at: &Seg, depth: usize) -> Errs {
        let mut errs = Vec::new();
        self.check(s, v, at, false, depth + 1, &mut errs);
        errs
    }

    fn check(&self, s: &Value, v: &Value, at: &Seg, strict: bool, depth: usize, errs: &mut Errs) {
        let Some(s) = s.as_object() else { return };
        if depth > MAX_DEPTH {
            return push(errs, at, "nesting too deep");
        }
        let typ = s.get("type").and_then(Value::as_str);
        let int_or_string = flag(s, "x-kubernetes-int-or-string");
        if v.is_null() && flag(s, "nullable") {
            return;
        } else if v.is_null() && (typ.is_some() || int_or_string) {
            return push(errs, at, "null is not allowed here (not nullable)");
        }
        let type_ok = match (int_or_string, typ) {
            (true, _) => is_int(v) || v.is_string(),
            (_, Some("object")) => v.is_object(),
            (_, Some("array")) => v.is_array(),
            (_, Some("string")) => v.is_string(),
            (_, Some("integer")) => is_int(v),
            (_, Some("number")) => v.is_number(),
            (_, Some("boolean")) => v.is_boolean(),
            _ => true,
        };
        if !type_ok {
            let want = if int_or_string { "integer or string" } else { typ.unwrap_or_default() };
            return push(errs, at, format_args!("expected {want}, got {}", short(v)));
        }
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            match r.strip_prefix("#/components/schemas/").and_then(|k| self.doc?.get(k)) {
                Some(t) => self.check(t, v, at, strict, depth + 1, errs),
                None => push(errs, at, format_args!("unresolvable $ref {r}")),
            }
        }
        for sub in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            self.check(sub, v, at, strict && sub.get("$ref").is_some(), depth + 1, errs);
        }
        for (name, exactly_one) in [("anyOf", false), ("oneOf", true)] {
            let Some(alts) = s.get(name).and_then(Value::as_array).filter(|a| !a.is_empty()) else { continue };
            let failures: Vec<Errs> = alts.iter().map(|a| self.branch(a, v, at, depth)).collect();
            let matched = failures.iter().filter(|f| f.is_empty()).count();
            if matched == 0 {
                let here = label(at);
                let strip =
                    |f: &Errs| f.iter().map(|e| e.strip_prefix(&here).unwrap_or(e)).collect::<Vec<_>>().join("; ");
                let why: Vec<_> = failures.iter().map(strip).collect();
                push(errs, at, format_args!("matches none of the {name} alternatives ({})", why.join(" | ")));
            } else if exactly_one && matched > 1 {
                let which = alts.iter().zip(&failures).enumerate().filter(|(_, (_, f))| f.is_empty());
                let which: Vec<_> = which.map(|(i, (a, _))| describe_alt(i, a)).collect();
                push(
                    errs,
                    at,
                    format_args!("matches {matched} oneOf alternatives ({}), expected one", which.join(", ")),
                );
            }
        }
        if s.get("not").is_some_and(|n| self.branch(n, v, at, depth).is_empty()) {
            push(errs, at, "matches the schema under `not`");
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array).filter(|e| !e.contains(v)) {
            let list: Vec<_> = e.iter().map(Value::to_string).collect();
            push(errs, at, format_args!("{} is not one of [{}]", short(v), list.join(",")));
        }
        match v {
            Value::String(st) => {
                if s.contains_key("minLength") || s.contains_key("maxLength") {
                    bounds(s, ("minLength", "maxLength"), st.chars().count() as f64, "length ", at, errs);
                }
                let pattern = s.get("pattern").and_then(Value::as_str).and_then(|p| self.set.patterns.get(p)?.as_ref());
                if let Some(re) = pattern.filter(|re| !re.is_match(st)) {
                    push(errs, at, format_args!("{} does not match pattern {:?}", short(v), re.as_str()));
                }
            }
            Value::Number(n) => bounds(s, ("minimum", "maximum"), n.as_f64().unwrap_or(0.0), "", at, errs),
            Value::Array(a) => self.check_array(s, a, at, strict, depth, errs),
            Value::Object(o) => self.check_object(s, o, at, strict, depth, errs),
            _ => {}
        }
    }

    fn check_array(&self, s: &Obj, a: &[Value], at: &Seg, strict: bool, depth: usize, errs: &mut Errs) {
        bounds(s, ("minItems", "maxItems"), a.len() as f64, "item count ", at, errs);
        if let Some(items) = s.get("items") {
            a.iter().enumerate().for_each(|(i, x)| self.check(items, x, &Seg::Idx(at, i), strict, depth + 1, errs));
        }
        let keys = s.get("x-kubernetes-list-map-keys").and_then(Value::as_array);
        let keys: Vec<&str> = keys.into_iter().flatten().filter_map(Value::as_str).collect();
        let list_type = s.get("x-kubernetes-list-type").and_then(Value::as_str).unwrap_or_default();
        if list_type == "set" || (list_type == "map" && !keys.is_empty()) {
            let mut seen = HashSet::new();
            for (i, x) in a.iter().enumerate() {
                let key = |k: &&str| x.get(*k).filter(|v| !v.is_null()).map(Value::to_string).unwrap_or_default();
                let id = if list_type == "set" {
                    x.to_string()
                } else {
                    keys.iter().map(key).collect::<Vec<_>>().join("\0")
                };
                if !seen.insert(id) {
                    let by = if keys.is_empty() { String::new() } else { format!(" (keys {})", keys.join(", ")) };
                    push(errs, &Seg::Idx(at, i), format_args!("duplicate entry in list-type {list_type}{by}"));
                }
            }
        }
    }

    fn check_object(&self, s: &Obj, o: &Obj, at: &Seg, strict: bool, depth: usize, errs: &mut Errs) {
        bounds(s, ("minProperties", "maxProperties"), o.len() as f64, "property count ", at, errs);
        for r in s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !o.contains_key(r) {
                push(errs, &Seg::Key(at, r), "required field missing");
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        // Structural schemas prune what they do not describe; in CRDs that includes a bare `type: object`.
        let closed = strict
            && !flag(s, "x-kubernetes-preserve-unknown-fields")
            && (props.is_some() || (self.crd && s.get("type").and_then(Value::as_str) == Some("object")));
        for (k, x) in o {
            let here = Seg::Key(at, k);
            let known = props.and_then(|p| p.get(k));
            let implicit =
                matches!(at, Seg::Root) && (k == "apiVersion" || k == "kind" || k == "metadata" && self.meta_builtin);
            match (known, s.get("additionalProperties")) {
                (Some(ps), _) => self.check(ps, x, &here, strict && !implicit, depth + 1, errs),
                _ if implicit => {}
                (None, Some(ap @ Value::Object(_))) => self.check(ap, x, &here, strict, depth + 1, errs),
                (None, Some(Value::Bool(true))) => {}
                (None, Some(Value::Bool(false))) => push(errs, &here, "unknown field"),
                _ if closed => push(errs, &here, "unknown field"),
                _ => {}
            }
        }
    }
}

fn describe_alt(i: usize, alt: &Value) -> String {
    match alt.get("required").and_then(Value::as_array) {
        Some(r) => format!("{{{}}}", r.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")),
        None => format!("#{i}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::OnceLock;

    fn dir() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/schemas"))
    }

    fn load(files: &[&str]) -> SchemaSet {
        let mut set = SchemaSet::new();
        files.iter().for_each(|f| set.load_file(&dir().join(f)).expect("vendored schema loads"));
        set
    }

    fn istio() -> &'static SchemaSet {
        static S: OnceLock<SchemaSet> = OnceLock::new();
        S.get_or_init(|| load(&["istio-crd-all.gen.yaml", "k8s-openapi-v3/api__v1_openapi.json"]))
    }

    fn errors(set: &SchemaSet, v: &Value) -> Vec<String> {
        match set.validate(v) {
            Validation::Invalid(mut e) => {
                e.sort();
                e
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    fn gateway(api_version: &str) -> Value {
        json!({"apiVersion": api_version, "kind": "Gateway",
               "metadata": {"name": "edge", "namespace": "mesh", "labels": {"app.kubernetes.io/name": "edge"}},
               "spec": {"selector": {"istio": "ingressgateway"}, "servers": [{
                   "port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": ["a.example.com"],
                   "tls": {"mode": "SIMPLE", "credentialName": "a-cert"}}]}})
    }

    #[test]
    fn istio_gateway_valid_unknown_field_enum_and_metadata() {
        let set = istio();
        assert_eq!(set.validate(&gateway("networking.istio.io/v1")), Validation::Valid);
        let mut g = gateway("networking.istio.io/v1");
        g["spec"]["servers"][0]["foo"] = json!(1);
        g["spec"]["servers"][0]["tls"]["mode"] = json!("FOO");
        g["spec"]["servers"][0]["port"].as_object_mut().map(|p| p.remove("name"));
        g["metadata"]["uid"] = json!("x");
        g["metadata"]["labels"]["a.b/c"] = json!(3);
        assert_eq!(
            errors(set, &g),
            [
                r#"metadata.labels["a.b/c"]: expected string, got 3"#,
                "metadata.uid: unknown field",
                "spec.servers[0].foo: unknown field",
                "spec.servers[0].port.name: required field missing",
                r#"spec.servers[0].tls.mode: "FOO" is not one of ["PASSTHROUGH","SIMPLE","MUTUAL","AUTO_PASSTHROUGH","ISTIO_MUTUAL","OPTIONAL_MUTUAL"]"#,
            ]
        );
        g = gateway("networking.istio.io/v1");
        g["metadata"].as_object_mut().map(|m| m.remove("name"));
        g["spec"]["servers"][0]["port"]["number"] = json!("443");
        g["spec"]["servers"][0]["tls"]["insecureSkipVerify"] = Value::Null; // nullable: true
        g["spec"]["servers"][0]["tls"]["credentialNames"] = json!(["a", "b", "c"]);
        assert_eq!(
            errors(set, &g),
            [
                "metadata.name: required string field missing",
                r#"spec.servers[0].port.number: expected integer, got "443""#,
                "spec.servers[0].tls.credentialNames: item count 3 is greater than maxItems 2",
            ]
        );
    }

    #[test]
    fn istio_one_of_mutual_exclusion() {
        let vs = |uri: Value| {
            json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "vs"},
                   "spec": {"hosts": ["a"], "http": [{"match": [{"uri": uri}],
                                                      "route": [{"destination": {"host": "b"}}]}]}})
        };
        assert_eq!(istio().validate(&vs(json!({"prefix": "/"}))), Validation::Valid);
        assert_eq!(istio().validate(&vs(json!({}))), Validation::Valid);
        assert_eq!(
            errors(istio(), &vs(json!({"prefix": "/", "exact": "/x"}))),
            ["spec.http[0].match[0].uri: matches 2 oneOf alternatives ({exact}, {prefix}), expected one"]
        );
    }

    fn service(target_port: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "labels": {"a": "b"}},
               "spec": {"selector": {"app": "s"},
                        "ports": [{"name": "https", "port": 443, "targetPort": target_port}]}})
    }

    #[test]
    fn core_service_from_openapi_with_int_or_string_and_list_map_keys() {
        let set = istio();
        assert_eq!(set.validate(&service(json!("https"))), Validation::Valid);
        assert_eq!(set.validate(&service(json!(8443))), Validation::Valid);
        assert_eq!(
            errors(set, &service(json!(true))),
            [
                "spec.ports[0].targetPort: matches none of the oneOf alternatives (expected integer, got true | expected string, got true)"
            ]
        );
        let mut s = service(json!(8443));
        s["spec"]["typo"] = json!("x");
        s["metadata"]["labels"]["n"] = json!(1);
        s["spec"]["ports"] = json!([s["spec"]["ports"][0], {"name": "again", "port": 443}]);
        s["spec"]["ports"][0]["protocol"] = Value::Null;
        assert_eq!(
            errors(set, &s),
            [
                "metadata.labels.n: expected string, got 1",
                "spec.ports[0].protocol: null is not allowed here (not nullable)",
                "spec.ports[1]: duplicate entry in list-type map (keys port, protocol)",
                "spec.typo: unknown field",
            ]
        );
    }

    #[test]
    fn unknown_kinds_odd_input_and_recursive_refs() {
        let no = |a: &str, k: &str| Validation::NoSchema { api_version: a.into(), kind: k.into() };
        let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget"});
        assert_eq!(istio().validate(&widget), no("example.com/v1", "Widget"));
        assert_eq!(istio().validate(&gateway("networking.istio.io/v9")), no("networking.istio.io/v9", "Gateway"));
        for v in
            [json!(null), json!([1]), json!({"kind": 1}), json!({"apiVersion": "v1", "kind": "Service", "metadata": 3})]
        {
            assert!(matches!(istio().validate(&v), Validation::Invalid(_)), "{v}");
        }
        let tmp = tempfile::tempdir().expect("tempdir");
        let doc = json!({"components": {"schemas": {
            "T": {"type": "object", "x-kubernetes-group-version-kind": [{"group": "t.io", "version": "v1", "kind": "T"}],
                  "properties": {"metadata": {"type": "object"},
                                 "next": {"allOf": [{"$ref": "#/components/schemas/T"}]},
                                 "loop": {"$ref": "#/components/schemas/L"},
                                 "gone": {"$ref": "#/components/schemas/X"}}},
            "L": {"allOf": [{"$ref": "#/components/schemas/L"}]}}}});
        std::fs::write(tmp.path().join("t.json"), doc.to_string()).expect("write");
        let set = SchemaSet::load_dir(tmp.path()).expect("loads");
        let mut deep = json!({"apiVersion": "t.io/v1", "kind": "T", "metadata": {"name": "t"}});
        assert_eq!(set.validate(&deep), Validation::Valid);
        for _ in 0..1000 {
            deep = json!({"next": deep});
        }
        let deep = json!({"apiVersion": "t.io/v1", "kind": "T", "metadata": {"name": "t"}, "next": deep, "loop": 1, "gone": 2});
        let e = errors(&set, &deep);
        assert_eq!(e[0], "gone: unresolvable $ref #/components/schemas/X");
        assert!(e[1].starts_with("loop: nesting too deep") && e[2].ends_with(".next.next: nesting too deep"), "{e:?}");
    }

    #[test]
    fn ossm_serves_v1beta1_not_v1_and_dir_conflicts_are_errors() {
        let ossm = load(&["ossm-2.5-istio-crds.yaml"]);
        assert_eq!(ossm.validate(&gateway("networking.istio.io/v1beta1")), Validation::Valid);
        assert!(matches!(ossm.validate(&gateway("networking.istio.io/v1")), Validation::NoSchema { .. }));
        assert_eq!(ossm.kinds().iter().filter(|(g, ..)| g == "networking.istio.io").count(), 16);
        let err = SchemaSet::load_dir(&dir()).err().unwrap_or_default();
        assert!(err.contains("ossm-2.5-istio-crds.yaml") && err.contains("already registered"), "{err}");
        let all = SchemaSet::load_dir_except(&dir(), &["ossm-2.5-istio-crds.yaml"]).expect("all other schemas load");
        let kinds = all.kinds();
        for k in [("route.openshift.io", "v1", "Route"), ("apps", "v1", "Deployment"), ("", "v1", "Service")] {
            assert!(kinds.contains(&(k.0.into(), k.1.into(), k.2.into())), "{k:?}");
        }
        let dep = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "i",
                                     "resources": {"limits": {"cpu": "1", "memory": 1e9}}}]}}}});
        assert_eq!(all.validate(&dep), Validation::Valid);
    }

    #[test]
    fn crd_semantics_from_a_small_file() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let crd = r#"
kind: ConfigMap
---
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: example.com
  names: {kind: Widget}
  versions:
  - name: v1
    served: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          metadata: {type: object, properties: {name: {type: string, maxLength: 8}}}
          spec:
            type: object
            required: [size]
            properties:
              size: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
              name: {type: string, pattern: '^[a-z]+$', maxLength: 5}
              bad: {type: string, pattern: '(?<=x)y'}
              free:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties: {n: {type: integer, minimum: 1}}
              empty: {type: object}
              tags: {type: object, additionalProperties: {type: string}}
  - {name: v0, served: false, schema: {openAPIV3Schema: {type: object}}}
"#;
        std::fs::write(tmp.path().join("w.yaml"), crd).expect("write");
        std::fs::write(tmp.path().join("broken.yml"), "a: [").expect("write");
        assert!(SchemaSet::load_dir(tmp.path()).is_err());
        let set = SchemaSet::load_dir_except(tmp.path(), &["broken.yml"]).expect("loads");
        assert_eq!(set.kinds(), [("example.com".into(), "v1".into(), "Widget".into())]);
        let w = |spec: Value| json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec});
        let ok = json!({"size": "1Gi", "name": "abc", "bad": "anything", "free": {"n": 2, "x": {"y": 1}}, "empty": {}, "tags": {"a": "b"}});
        assert_eq!(set.validate(&w(ok)), Validation::Valid);
        let bad = json!({"size": 1.5, "name": "abcdef1", "free": {"n": 0}, "empty": {"k": 1}, "tags": {"a": 1}});
        assert_eq!(
            errors(&set, &w(bad)),
            [
                "spec.empty.k: unknown field",
                "spec.free.n: 0 is less than minimum 1",
                r#"spec.name: "abcdef1" does not match pattern "^[a-z]+$""#,
                "spec.name: length 7 is greater than maxLength 5",
                "spec.size: expected integer or string, got 1.5",
                "spec.tags.a: expected string, got 1",
            ]
        );
        assert_eq!(errors(&set, &w(json!({}))), ["spec.size: required field missing"]);
        let mut long = w(json!({"size": 1}));
        long["metadata"] = json!({"name": "much-too-long", "labels": {"a": "b"}, "uid": "u"});
        assert_eq!(
            errors(&set, &long),
            ["metadata.name: length 13 is greater than maxLength 8", "metadata.uid: unknown field"]
        );
    }
}
