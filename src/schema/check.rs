//! The validator: one schema node against one value, failures as `path: problem` lines.

use serde_json::Value;
use std::collections::HashSet;
use std::fmt;

use super::{Errs, MAX_DEPTH, Obj, SchemaSet};

/// A path into the validated object, rendered only when a failure is reported.
pub(super) enum Seg<'a> {
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
pub(super) fn check_meta(meta: Option<&Value>, full: bool, errs: &mut Errs) {
    let at = Seg::Key(&Seg::Root, "metadata");
    let Some(m) = meta.and_then(Value::as_object) else {
        return push(errs, &at, if meta.is_none() { "required field missing" } else { "expected object" });
    };
    if !m.get("name").is_some_and(Value::is_string) && !m.get("generateName").is_some_and(Value::is_string) {
        push(errs, &Seg::Key(&at, "name"), "required string field missing");
    }
    if full {
        object_meta_fields(m, &at, errs);
    }
}

/// The fields of a Kubernetes `ObjectMeta` and their types, for the `metadata` of every kind
/// (a CRD's schema may constrain no more than `name` and `generateName` there — "Specifying a
/// structural schema", https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/)
/// and for every `$ref` to it (a pod template's metadata). Fields and types from
/// kubernetes/apimachinery `pkg/apis/meta/v1/types.go` (`ObjectMeta`). A null field is accepted:
/// the API server decodes it as the field's zero value, and `kubectl create --dry-run=client -o yaml`
/// writes `creationTimestamp: null`.
pub(super) fn object_meta_fields(m: &Obj, at: &Seg, errs: &mut Errs) {
    for (k, v) in m.iter().filter(|(_, v)| !v.is_null()) {
        let here = Seg::Key(at, k);
        let is_list_of = |f: fn(&Value) -> bool| v.as_array().is_some_and(|a| a.iter().all(f));
        match k.as_str() {
            "name" | "namespace" | "generateName" | "uid" | "resourceVersion" | "selfLink" | "creationTimestamp"
            | "deletionTimestamp"
                if !v.is_string() =>
            {
                push(errs, &here, format_args!("expected string, got {}", short(v)))
            }
            "generation" | "deletionGracePeriodSeconds" if !is_int(v) => {
                push(errs, &here, format_args!("expected integer, got {}", short(v)))
            }
            "labels" | "annotations" => match v.as_object() {
                None => push(errs, &here, "expected map of string to string"),
                Some(o) => o.iter().filter(|(_, x)| !x.is_string()).for_each(|(l, x)| {
                    push(errs, &Seg::Key(&here, l), format_args!("expected string, got {}", short(x)))
                }),
            },
            "finalizers" if !is_list_of(Value::is_string) => push(errs, &here, "expected array of strings"),
            "ownerReferences" | "managedFields" if !is_list_of(Value::is_object) => {
                push(errs, &here, "expected array of objects")
            }
            "name"
            | "namespace"
            | "generateName"
            | "uid"
            | "resourceVersion"
            | "selfLink"
            | "creationTimestamp"
            | "deletionTimestamp"
            | "generation"
            | "deletionGracePeriodSeconds"
            | "finalizers"
            | "ownerReferences"
            | "managedFields" => {}
            _ => push(errs, &here, "unknown field"),
        }
    }
}

pub(super) struct Cx<'a> {
    pub(super) set: &'a SchemaSet,
    pub(super) doc: Option<&'a Obj>,
    pub(super) crd: bool,
    pub(super) meta_builtin: bool,
    /// Schema applications left (see `WORK_BASE`); at 0 validation stops.
    pub(super) budget: std::cell::Cell<usize>,
}

impl Cx<'_> {
    /// Failures of `v` against a value-validation branch (anyOf / oneOf / not): no unknown-field checks there.
    fn branch(&self, s: &Value, v: &Value, at: &Seg, depth: usize) -> Errs {
        let mut errs = Vec::new();
        self.check(s, v, at, false, depth + 1, &mut errs);
        errs
    }

    pub(super) fn check(&self, s: &Value, v: &Value, at: &Seg, strict: bool, depth: usize, errs: &mut Errs) {
        let Some(s) = s.as_object() else { return };
        // Past the budget every application stops; `validate` reports it once.
        match self.budget.get().checked_sub(1) {
            Some(left) => self.budget.set(left),
            None => return,
        }
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
            if r.ends_with(".meta.v1.ObjectMeta") {
                return v.as_object().into_iter().for_each(|m| object_meta_fields(m, at, errs));
            }
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
                // A built-in kind's metadata is ObjectMeta, checked once by `check_meta`; a CRD's
                // schema may add constraints on `name` there, checked here besides.
                _ if implicit && k == "metadata" && !self.crd => {}
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
