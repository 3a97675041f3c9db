//! Patches as layers declare them (§2.5): their typed form, and their RFC 6902 operations
//! parsed once, when the layer is merged; the patch stage applies them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diagnostic::Location;

/// One patch of a layer (§2.5), inline or in a file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PatchSpec {
    pub target: Option<PatchTarget>,
    pub json: Option<Vec<Value>>,
    pub merge: Option<Value>,
    pub file: Option<String>,
    #[serde(default)]
    pub optional: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PatchTarget {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
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
}

impl LayerPatch {
    /// A patch whose operations (if any) parse; else why they do not.
    pub fn new(spec: PatchSpec, name: String, location: Location) -> Result<LayerPatch, String> {
        let operations = spec.json.as_deref().map(parse_operations).transpose()?;
        Ok(LayerPatch { spec, name, location, operations })
    }
}

/// Parses RFC 6902 operations. Each is a mapping: serde alone would also read a list
/// (`[add, /a, 1]`) as an operation, its items taken as the fields in order.
pub(crate) fn parse_operations(operations: &[Value]) -> Result<json_patch::Patch, String> {
    if let Some(i) = operations.iter().position(|op| !op.is_object()) {
        return Err(format!("operation {i} is not a mapping of `op`, `path` and its other fields"));
    }
    serde_json::from_value(Value::Array(operations.to_vec())).map_err(|e| e.to_string())
}
