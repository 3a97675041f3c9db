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
pub(crate) mod limits;
mod yaml;

use std::io;

use serde_json::Value;

use crate::diagnostic::{Location, ResourceRef, Start};
use crate::resource::split_api_version;
pub use yaml::to_yaml;
use yaml::write_document;

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
    /// Where a plain object's document starts in its file (`sources[0]`); `None` for the
    /// objects generation makes.
    pub start: Option<Start>,
    /// The tenant generation made it for; `None` for the objects no one tenant owns (the
    /// platform's, those several tenants share, plain resources). Patches do not change it.
    pub tenant: Option<String>,
    /// The names of the patches applied to it, in order.
    pub patched_by: Vec<String>,
    /// What each patch changed, operation by operation: recorded only when the build was asked
    /// to (`compiler::Options::record_patches`), else empty.
    pub changes: Vec<crate::patch::PatchStep>,
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

    /// Where the object comes from: a plain object's document (file, line and column where
    /// it starts), else its first input file; `None` when it names none.
    pub fn source_location(&self) -> Option<Location> {
        let file = self.sources.first()?;
        Some(self.start.map_or_else(|| Location::file(file.as_str()), |start| start.in_file(file.as_str())))
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

/// The file of an object under `-o DIR` in YAML (see [`dir::object_files`] for the rule).
pub fn object_path(r: &ResourceRef) -> String {
    let dir = r.namespace.as_deref().unwrap_or("_cluster");
    format!("{dir}/{}-{}.yaml", r.kind.to_ascii_lowercase(), r.name)
}

#[cfg(test)]
mod tests;
