//! Patches as layers declare them (§2.5): their typed form, and their RFC 6902 operations
//! parsed once, when the layer is merged; the patch stage applies them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diagnostic::Location;

/// One patch of a layer, inline or in a file (docs/reference.md §9): exactly one of `json`,
/// `merge` or `file`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::input::schema_parts::patch_rules)]
pub struct PatchSpec {
    /// Which objects the `json` or `merge` patch applies to; every field optional. Not with
    /// `file`.
    pub target: Option<PatchTarget>,
    /// An RFC 6902 JSON Patch, atomic per object.
    #[schemars(with = "Option<Vec<crate::input::schema_parts::JsonPatchOperation>>")]
    pub json: Option<Vec<Value>>,
    /// An RFC 7386 JSON Merge Patch: maps merge, `null` deletes a key, lists are replaced.
    #[schemars(with = "Option<crate::input::schema_parts::MergePatch>")]
    pub merge: Option<Value>,
    /// A YAML file, relative to this layer's directory, holding one patch (`target` and
    /// `json` or `merge`) per document. Goes alone, or with `optional`.
    pub file: Option<String>,
    /// Without it, a patch that matches no object is an error. With `file`, it applies to
    /// every patch of the file.
    #[serde(default)]
    pub optional: bool,
}

/// The objects a patch applies to: an object must match every field given.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PatchTarget {
    /// The API group, exactly (`networking.istio.io`, `apps`; `""` for the core group).
    pub group: Option<String>,
    /// The API version, exactly (`v1`, `v1beta1`).
    pub version: Option<String>,
    /// A regular expression, anchored, over the kind (`Gateway` does not match
    /// `GatewayClass`).
    pub kind: Option<String>,
    /// A regular expression, anchored, over `metadata.name` (`public-.*`).
    pub name: Option<String>,
    /// A regular expression, anchored, over `metadata.namespace`.
    pub namespace: Option<String>,
    /// A Kubernetes label selector (`app=x`, `tier in (a,b)`, `!legacy`).
    pub label_selector: Option<String>,
    /// A selector in the same syntax, over annotations.
    pub annotation_selector: Option<String>,
}

/// A patch and where it was declared, its JSON patch operations parsed.
#[derive(Debug, Clone)]
pub struct LayerPatch {
    pub spec: PatchSpec,
    /// `environments/prod/meshedge.yaml#patches[2]`, or `…/hardening.yaml#1` for a file's document.
    pub name: String,
    pub location: Location,
    /// `spec.json`, parsed.
    pub operations: Option<json_patch::Patch>,
    /// Where the patch writes the object's identity: for `/apiVersion` and `/kind`, the place
    /// of the last operation (or merge key) that sets it. Empty until the merge stage fills it.
    pub writes: Vec<(&'static str, Location)>,
}

impl LayerPatch {
    /// A patch whose operations (if any) parse; else why they do not, and which operation
    /// (its index in `json`) when one is at fault.
    pub fn new(spec: PatchSpec, name: String, location: Location) -> Result<LayerPatch, OperationError> {
        let operations = spec.json.as_deref().map(parse_operations).transpose()?;
        Ok(LayerPatch { spec, name, location, operations, writes: Vec::new() })
    }

    /// The JSON pointers inside the patch (`/json/2`, `/merge/kind`) of what writes
    /// `/apiVersion` or `/kind` (the last writer of each), for [`LayerPatch::writes`]. An
    /// operation on the whole document (`""`) writes both.
    pub fn identity_writers(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let mut set = |field: &'static str, at: String| {
            out.retain(|(f, _)| *f != field);
            out.push((field, at));
        };
        for (i, operation) in self.spec.json.iter().flatten().enumerate() {
            let writes =
                matches!(operation.get("op").and_then(Value::as_str), Some("add" | "replace" | "move" | "copy"));
            match operation.get("path").and_then(Value::as_str) {
                Some(path @ ("/apiVersion" | "/kind")) if writes => {
                    set(if path == "/kind" { "/kind" } else { "/apiVersion" }, format!("/json/{i}"))
                }
                Some("") if writes => {
                    set("/apiVersion", format!("/json/{i}"));
                    set("/kind", format!("/json/{i}"));
                }
                _ => {}
            }
        }
        if let Some(merge) = self.spec.merge.as_ref().and_then(Value::as_object) {
            for (key, field) in [("apiVersion", "/apiVersion"), ("kind", "/kind")] {
                if merge.contains_key(key) {
                    set(field, format!("/merge/{key}"));
                }
            }
        }
        out
    }
}

/// Parses RFC 6902 operations. Each is a mapping: serde alone would also read a list
/// (`[add, /a, 1]`) as an operation, its items taken as the fields in order.
///
/// Stricter than RFC 6902 §4 in one way, on purpose: an operation holds exactly the members
/// its `op` defines (`op`, `path`, and `value` for `add`, `replace`, `test`, `from` for `move`,
/// `copy`). The RFC asks that other members be ignored; in a layer they are typos, and serde
/// would read a missing `value` as `null` — `{op: add, path: /a, vaule: 1}` would add `null`.
pub(crate) fn parse_operations(operations: &[Value]) -> Result<json_patch::Patch, OperationError> {
    let at = |i: usize, message: String| OperationError { index: Some(i), message };
    for (i, operation) in operations.iter().enumerate() {
        let Some(members) = operation.as_object() else {
            return Err(at(i, format!("operation {i} is not a mapping of `op`, `path` and its other fields")));
        };
        let Some(op) = members.get("op").and_then(Value::as_str) else { continue };
        let third = match op {
            "add" | "replace" | "test" => Some("value"),
            "move" | "copy" => Some("from"),
            "remove" => None,
            // An unknown `op` is reported by the parser below.
            _ => continue,
        };
        if let Some(third) = third
            && !members.contains_key(third)
        {
            return Err(at(i, format!("operation {i} (`{op}`) has no `{third}`")));
        }
        if let Some(extra) = members.keys().find(|k| !matches!(k.as_str(), "op" | "path") && Some(k.as_str()) != third)
        {
            let expected = third.map_or("`op` and `path`".to_string(), |t| format!("`op`, `path` and `{t}`"));
            return Err(at(
                i,
                format!(
                    "operation {i} (`{op}`) has a member {} it does not define: `{op}` takes {expected}",
                    crate::values::shown(extra)
                ),
            ));
        }
    }
    // One operation at a time, so that an error names its operation.
    let mut parsed = Vec::with_capacity(operations.len());
    for (i, operation) in operations.iter().enumerate() {
        let operation = serde_json::from_value(operation.clone())
            .map_err(|e| at(i, format!("operation {i}: {}", serde_message(&e.to_string()))))?;
        parsed.push(operation);
    }
    Ok(json_patch::Patch(parsed))
}

/// serde's message for an operation, in the words of RFC 6902.
fn serde_message(message: &str) -> String {
    match message.strip_prefix("unknown variant ") {
        Some(rest) => format!("unknown `op` {rest}"),
        None => message.to_string(),
    }
}

/// Why the operations of a patch do not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationError {
    /// The operation at fault (from 0).
    pub index: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for OperationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::parse_operations;

    fn refused(operations: serde_json::Value) -> String {
        parse_operations(operations.as_array().unwrap()).expect_err("must be refused").message
    }

    #[test]
    fn a_misspelt_member_is_refused_rather_than_read_as_null() {
        let e = refused(json!([{"op": "add", "path": "/a", "vaule": 1}]));
        assert_eq!(e, "operation 0 (`add`) has no `value`");
        let e =
            refused(json!([{"op": "remove", "path": "/a"}, {"op": "replace", "path": "/b", "value": 1, "form": "/c"}]));
        assert_eq!(
            e,
            "operation 1 (`replace`) has a member `form` it does not define: `replace` takes `op`, `path` and `value`"
        );
        let e = refused(json!([{"op": "move", "path": "/a", "form": "/b"}]));
        assert_eq!(e, "operation 0 (`move`) has no `from`");
        let e = refused(json!([{"op": "remove", "path": "/a", "value": 1}]));
        assert!(e.contains("takes `op` and `path`"), "{e}");
    }

    #[test]
    fn an_error_names_its_operation() {
        let ops = json!([{"op": "remove", "path": "/a"}, {"op": "plus", "path": "/b"}]);
        let e = parse_operations(ops.as_array().unwrap()).unwrap_err();
        assert_eq!(e.index, Some(1));
        assert!(e.message.starts_with("operation 1: unknown `op` `plus`"), "{}", e.message);
    }

    #[test]
    fn an_explicit_null_value_is_a_value() {
        let patch = parse_operations(json!([{"op": "add", "path": "/a", "value": null}]).as_array().unwrap()).unwrap();
        assert_eq!(patch.0.len(), 1);
    }
}
