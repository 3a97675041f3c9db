//! Render: the final objects → bytes.
//!
//! Objects are sorted in kustomize's legacy order (`SortOrderTransformer`), keys alphabetically,
//! so the output never depends on the walk, the locale or the time. YAML is written by a small
//! emitter that quotes every string a YAML 1.1 reader (Kubernetes) would take for something
//! else: `no`, `on`, `yes`, `0777`, `1e3`, `~`, `12:30`. JSON is one `v1 List`. With `-o DIR`
//! each object goes to a file of its own ([`dir`]).
//!
//! Each object is rendered on its own ([`object_text`]) as soon as it is final, so a build holds
//! text, not object trees; the stream is those texts joined ([`write_stream`]).

pub mod dir;

use std::fmt::Write as _;
use std::io;

use serde_json::Value;

use crate::diagnostic::ResourceRef;
use crate::resource::split_api_version;

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Form {
    /// A YAML stream, `---` between documents.
    #[default]
    Yaml,
    /// One `v1 List`, pretty-printed.
    Json,
}

/// A final object: its identity, the patches applied to it and its rendered text.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub reference: ResourceRef,
    /// The identity it was generated (or read) with, when a patch changed it.
    pub origin: Option<Box<ResourceRef>>,
    /// The input files it came from, sorted.
    pub sources: Vec<String>,
    /// The names of the patches applied to it, in order.
    pub patched_by: Vec<String>,
    pub form: Form,
    /// The object in the build's output form (see [`object_text`]).
    pub text: String,
}

impl Object {
    pub fn kind(&self) -> &str {
        &self.reference.kind
    }

    pub fn name(&self) -> &str {
        &self.reference.name
    }

    pub fn namespace(&self) -> Option<&str> {
        self.reference.namespace.as_deref()
    }

    /// The object in the generic value form, read back from its text (`Null` if the text could
    /// not be read, which the renderer never produces).
    pub fn value(&self) -> Value {
        match self.form {
            Form::Yaml => crate::load::parse("", &self.text)
                .ok()
                .and_then(|docs| docs.into_iter().next())
                .map_or(Value::Null, |doc| doc.value),
            Form::Json => serde_json::from_str(&self.text).unwrap_or(Value::Null),
        }
    }
}

const ORDER_FIRST: [&str; 22] = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: [&str; 2] = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

fn kind_rank(kind: &str) -> i64 {
    if let Some(i) = ORDER_FIRST.iter().position(|k| *k == kind) {
        return i as i64 - ORDER_FIRST.len() as i64;
    }
    if let Some(i) = ORDER_LAST.iter().position(|k| *k == kind) {
        return i as i64 + 1;
    }
    0
}

/// The sort key of an object: its kind's rank, then kustomize's `Gvk.String()`
/// (`group_version_kind`, `~G` for the core group), namespace and name, joined by NUL bytes
/// (which no name holds) so that comparing keys compares those fields in turn.
pub fn sort_key(r: &ResourceRef) -> (i64, String) {
    let (group, version) = split_api_version(&r.api_version);
    let group = if group.is_empty() { "~G" } else { group };
    let version = if version.is_empty() { "~V" } else { version };
    let kind = if r.kind.is_empty() { "~K" } else { r.kind.as_str() };
    let namespace = r.namespace.as_deref().unwrap_or_default();
    (kind_rank(&r.kind), [group, "_", version, "_", kind, "\0", namespace, "\0", &r.name].concat())
}

/// The positions of `objects` in kustomize's legacy order (stable).
pub fn order(objects: &[Object]) -> Vec<usize> {
    let mut keyed: Vec<((i64, String), usize)> =
        objects.iter().enumerate().map(|(i, o)| (sort_key(&o.reference), i)).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// `objects` rearranged: the object at `order[0]` first, and so on.
pub fn arrange(objects: Vec<Object>, order: &[usize]) -> Vec<Object> {
    let mut slots: Vec<Option<Object>> = objects.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| slots.get_mut(i).and_then(Option::take)).collect()
}

/// One object's text: a YAML document, or a JSON object indented as an item of the `List`.
/// `scratch` is a buffer reused from object to object; the text returned has no spare capacity.
pub fn object_text(value: &Value, form: Form, scratch: &mut String) -> String {
    scratch.clear();
    match form {
        Form::Yaml => write_document(scratch, value),
        Form::Json => {
            // Serializing a value cannot fail; newlines occur only between tokens.
            let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
            for (i, line) in pretty.split('\n').enumerate() {
                if i > 0 {
                    scratch.push_str("\n    ");
                }
                scratch.push_str(line);
            }
        }
    }
    scratch.as_str().to_owned()
}

const JSON_HEAD: &str = "{\n  \"apiVersion\": \"v1\",\n  \"items\": [";
const JSON_TAIL: &str = "],\n  \"kind\": \"List\"\n}\n";

/// Writes the objects as one stream in `form` (the form they were rendered in).
pub fn write_stream(out: &mut impl io::Write, objects: &[Object], form: Form) -> io::Result<()> {
    match form {
        Form::Yaml => {
            for (i, object) in objects.iter().enumerate() {
                if i > 0 {
                    out.write_all(b"---\n")?;
                }
                out.write_all(object.text.as_bytes())?;
            }
        }
        Form::Json => {
            out.write_all(JSON_HEAD.as_bytes())?;
            for (i, object) in objects.iter().enumerate() {
                out.write_all(if i > 0 { b",\n    " } else { b"\n    " })?;
                out.write_all(object.text.as_bytes())?;
            }
            out.write_all(if objects.is_empty() { b"" } else { b"\n  " })?;
            out.write_all(JSON_TAIL.as_bytes())?;
        }
    }
    Ok(())
}

/// The stream as one string.
pub fn stream(objects: &[Object], form: Form) -> String {
    let mut out = Vec::with_capacity(objects.iter().map(|o| o.text.len() + 8).sum::<usize>() + 64);
    // Writing to memory cannot fail, and every text is UTF-8.
    let _ = write_stream(&mut out, objects, form);
    String::from_utf8(out).unwrap_or_default()
}

/// One object as a YAML document (block style, 2-space indent, sequences not indented).
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    write_document(&mut out, value);
    out
}

fn write_document(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) if !map.is_empty() => write_map(out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(out, items, 0),
        other => {
            write_scalar(out, other);
            out.push('\n');
        }
    }
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > 0 {
        let step = n.min(SPACES.len());
        out.push_str(&SPACES[..step]);
        n -= step;
    }
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, level: usize) {
    for (key, value) in map {
        indent(out, level);
        write_entry(out, key, value, level);
    }
}

/// The most characters of an implicit key (`key: value`): YAML reads at most 1,024 (YAML 1.2
/// §7.4.2, §8.2.2), and so do the readers of Kubernetes manifests.
const IMPLICIT_KEY_CHARS: usize = 1000;

/// One entry of a block mapping whose indentation is written; a longer key is written as an
/// explicit one (`? key`, then `: value` on the next line).
fn write_entry(out: &mut String, key: &str, value: &Value, level: usize) {
    let start = out.len();
    write_string(out, key);
    if out.len() - start > IMPLICIT_KEY_CHARS && out[start..].chars().count() > IMPLICIT_KEY_CHARS {
        out.insert_str(start, "? ");
        out.push('\n');
        indent(out, level);
    }
    out.push(':');
    write_child(out, value, level);
}

fn write_seq(out: &mut String, items: &[Value], level: usize) {
    for item in items {
        indent(out, level);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first key shares the dash's line.
                let mut first = true;
                for (key, value) in map {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, level + 2);
                    }
                    write_entry(out, key, value, level + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, level + 2);
            }
            other => {
                out.push(' ');
                write_scalar(out, other);
                out.push('\n');
            }
        }
    }
}

fn write_child(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, level + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, level);
        }
        other => {
            out.push(' ');
            write_scalar(out, other);
            out.push('\n');
        }
    }
}

fn write_scalar(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// Words a YAML 1.1 reader turns into booleans or null.
const YAML11_WORDS: [&str; 12] = ["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "=", "<<"];

/// The bytes a plain scalar may hold: ASCII letters and digits and `-_./:@+=, ()`.
const PLAIN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        table[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    let extra = b"-_./:@+=, ()";
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
};

/// Whether `s` can be written plain and still be read back as this string by YAML 1.1 and 1.2.
fn plain_safe(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else { return false };
    if bytes.len() <= 5 && YAML11_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return false;
    }
    // Anything that starts like a number (ints, floats, octal, hex, sexagesimal, dates, `.inf`).
    let lead = if first == b'-' || first == b'+' { bytes.get(1).copied() } else { Some(first) };
    if lead.is_some_and(|c| c.is_ascii_digit() || c == b'.') {
        return false;
    }
    if !(first.is_ascii_alphanumeric() || first == b'/' || first == b'_') {
        return false;
    }
    if s.ends_with(' ') || s.ends_with(':') {
        return false;
    }
    // One pass: only safe characters, and no `: `.
    let mut previous = 0u8;
    for &c in bytes {
        if !PLAIN_BYTES[c as usize] || (previous == b':' && c == b' ') {
            return false;
        }
        previous = c;
    }
    true
}

fn write_string(out: &mut String, s: &str) {
    if plain_safe(s) {
        out.push_str(s);
    } else {
        // A JSON string is a valid YAML double-quoted scalar.
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x20 || matches!(c, '\u{7f}' | '\u{85}' | '\u{2028}' | '\u{2029}') => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

/// The file of an object under `-o DIR` in YAML (see [`dir::object_files`] for the rule).
pub fn object_path(r: &ResourceRef) -> String {
    let dir = r.namespace.as_deref().unwrap_or("_cluster");
    format!("{dir}/{}-{}.yaml", r.kind.to_ascii_lowercase(), r.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_1_lookalikes_are_quoted() {
        for s in [
            "no",
            "On",
            "yes",
            "0777",
            "1e3",
            "~",
            "12:30",
            "y",
            "-1",
            ".inf",
            "",
            " x",
            "a: b",
            "*.x",
            "1_000",
            "2001-12-14",
        ] {
            assert!(!plain_safe(s), "{s} must be quoted");
        }
        for s in ["shop", "https://sso.example.com/x", "istio-ingress", "a.b.c", "app.kubernetes.io/name"] {
            assert!(plain_safe(s), "{s} can stay plain");
        }
    }

    #[test]
    fn emits_block_yaml_that_reads_back() {
        let value = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "no", "labels": {}},
            "data": {"a": "on", "b": "multi\nline", "q": "say \"hi\" \\ tab\t bell\u{7} sep\u{2028} ünï", "list": [{"x": 1, "y": [1, 2]}, [], "0777"], "n": null}
        });
        let text = to_yaml(&value);
        assert!(text.contains("name: \"no\"\n"), "{text}");
        let back: Value = serde_norway::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn long_keys_are_written_as_explicit_keys() {
        // Found by fuzzing: a key past 1,024 characters could not be read back.
        let long = "k".repeat(1500);
        let value = json!({
            "a": {&long: [1, {&long: null}], "b": 1},
            "list": [{&long: {"x": [2]}, "c": 3}, {"d": 4, &long: "v"}],
            &long: [],
        });
        let text = to_yaml(&value);
        assert!(text.contains(&format!("? {long}\n:")), "{text:.200}");
        let back = crate::load::parse("long.yaml", &text).unwrap();
        assert_eq!(back[0].value, value);
        let back: Value = serde_norway::from_str(&text).unwrap();
        assert_eq!(back, value);
        // Up to the limit, keys stay implicit.
        let value = json!({"k".repeat(1000): 1});
        assert!(!to_yaml(&value).starts_with('?'));
        assert_eq!(crate::load::parse("k.yaml", &to_yaml(&value)).unwrap()[0].value, value);
    }

    #[test]
    fn legacy_order_puts_namespaces_first_and_webhooks_last() {
        let r = |api: &str, kind: &str, name: &str| ResourceRef {
            api_version: api.into(),
            kind: kind.into(),
            namespace: None,
            name: name.into(),
        };
        let mut all = [
            r("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "w"),
            r("networking.istio.io/v1", "VirtualService", "b"),
            r("apps/v1", "Deployment", "d"),
            r("networking.istio.io/v1", "Gateway", "a"),
            r("v1", "Namespace", "n"),
            r("cert-manager.io/v1", "Certificate", "c"),
        ];
        all.sort_by_cached_key(sort_key);
        let kinds: Vec<&str> = all.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["Namespace", "Deployment", "Certificate", "Gateway", "VirtualService", "ValidatingWebhookConfiguration"]
        );
    }
}
