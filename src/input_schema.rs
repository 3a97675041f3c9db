//! JSON Schema (draft 2020-12) of the input documents, for editors.
//!
//! The schema is generated from the types the loader reads ([`crate::input`], with the value
//! types of [`crate::values`]): the same fields, the same names, unknown fields refused
//! (`additionalProperties: false`), the same enums, and each value type's rule as a pattern or
//! a range. The doc comments of the types are the descriptions an editor shows. Editors read
//! the schema through yaml-language-server (see `docs/editors.md`); the repository keeps the
//! generated schemas in `docs/schema/`, and a test keeps them current.
//!
//! An editor that validates with this schema refuses what the loader refuses for its shape:
//! an unknown field, a wrong type, a missing required field, an unknown enum value, a value its
//! type does not hold, a patch that is not exactly one of `json`, `merge` or `file`, a JSON
//! patch operation without its fields. It never refuses what the loader accepts. What the
//! schema cannot say, and only `meshedge build` and `meshedge check` report:
//!
//! - rules that need the whole environment: settings required after merging, hosts allowed and
//!   claimed, gateways and SLA classes that exist, tenancy (reserved namespaces, secrets
//!   owned by one tenant), a Tenant's name equal to its directory name;
//! - where a document may stand: a layer manifest holds one Layer or Environment, a tenant
//!   directory Tenant and EdgeRequest documents (the schema of all kinds accepts every kind in
//!   every file);
//! - the rules of a value that JSON Schema cannot state, listed in [`crate::values`]
//!   (durations under 1ms or finer than a millisecond, URL hosts and IP addresses that are
//!   internal only in a less usual spelling, `8080.0` for `8080`);
//! - whether a patch target's `kind`, `name` and `namespace` are valid regular expressions and
//!   its selectors valid selectors, and whether a patch file exists.
//!
//! The output is deterministic: object keys are sorted, whatever the map type of `serde_json`.

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::input::{API_VERSION, EdgeRequestDoc, LayerDoc, PatchSpec, TenantDoc};

/// Which documents a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum InputKind {
    /// Every document with a `kind` (one of the others below but `patch`), told apart by `kind`.
    #[value(name = "all")]
    All,
    /// A layer manifest of `kind: Environment`.
    #[value(name = "Environment")]
    Environment,
    /// A layer manifest of `kind: Layer`.
    #[value(name = "Layer")]
    Layer,
    /// A Tenant (`tenants/<tenant>/tenant.yaml`).
    #[value(name = "Tenant")]
    Tenant,
    /// An EdgeRequest.
    #[value(name = "EdgeRequest")]
    EdgeRequest,
    /// A document of a patch file (named by a layer's `patches[].file`).
    #[value(name = "patch")]
    Patch,
}

impl InputKind {
    pub const EVERY: [InputKind; 6] = [
        InputKind::All,
        InputKind::Environment,
        InputKind::Layer,
        InputKind::Tenant,
        InputKind::EdgeRequest,
        InputKind::Patch,
    ];

    /// The name on the command line (`--kind`).
    pub fn name(self) -> &'static str {
        match self {
            InputKind::All => "all",
            InputKind::Environment => "Environment",
            InputKind::Layer => "Layer",
            InputKind::Tenant => "Tenant",
            InputKind::EdgeRequest => "EdgeRequest",
            InputKind::Patch => "patch",
        }
    }
}

/// The JSON Schema of the documents of `kind`: a draft 2020-12 schema whose `$defs` hold the
/// input types, keys sorted.
pub fn input_schema(kind: InputKind) -> Value {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let (title, description, body) = match kind {
        InputKind::All => {
            let branches = vec![
                generator.subschema_for::<LayerDoc>(),
                generator.subschema_for::<TenantDoc>(),
                generator.subschema_for::<EdgeRequestDoc>(),
            ];
            (
                "meshedge input document",
                "A meshedge document: a layer manifest (`meshedge.yaml`, kind Environment or Layer), a Tenant or an EdgeRequest. See docs/reference.md.",
                json!({
                    "type": "object",
                    "required": ["apiVersion", "kind"],
                    "properties": {
                        "apiVersion": {"const": API_VERSION},
                        "kind": {"enum": ["Environment", "Layer", "Tenant", "EdgeRequest"]},
                    },
                    "oneOf": branches,
                }),
            )
        }
        InputKind::Environment | InputKind::Layer => {
            let layer = generator.subschema_for::<LayerDoc>();
            let (title, description) = if kind == InputKind::Environment {
                ("meshedge Environment", "A buildable environment's `meshedge.yaml`. See docs/reference.md §3.")
            } else {
                (
                    "meshedge Layer",
                    "A layer's `meshedge.yaml`, a building block of environments. See docs/reference.md §3.",
                )
            };
            (title, description, json!({"allOf": [layer, {"properties": {"kind": {"const": kind.name()}}}]}))
        }
        InputKind::Tenant => {
            let tenant = generator.subschema_for::<TenantDoc>();
            ("meshedge Tenant", "`tenants/<tenant>/tenant.yaml`. See docs/reference.md §6.", tenant.to_value())
        }
        InputKind::EdgeRequest => {
            let request = generator.subschema_for::<EdgeRequestDoc>();
            ("meshedge EdgeRequest", "A tenant's edge request. See docs/reference.md §7.", request.to_value())
        }
        InputKind::Patch => {
            let patch = generator.subschema_for::<PatchSpec>();
            (
                "meshedge patch file document",
                "One document of a patch file: `target` and `json` or `merge`. See docs/reference.md §9.",
                json!({"allOf": [
                    patch,
                    {"properties": {"file": {"type": "null", "description": "A patch file cannot name another file."}}},
                ]}),
            )
        }
    };
    // No keyword beside a `$ref` at the root: readers of older drafts would ignore it.
    let mut root = match body {
        Value::Object(map) if !map.contains_key("$ref") => map,
        other => Map::from_iter([("allOf".to_string(), json!([other]))]),
    };
    root.insert("$schema".into(), json!(schemars::consts::meta_schemas::DRAFT2020_12));
    root.insert("title".into(), json!(title));
    root.insert("description".into(), json!(description));
    root.insert("$defs".into(), Value::Object(generator.take_definitions(true)));
    let mut schema = Value::Object(root);
    unwrap_descriptions(&mut schema);
    schema.sort_all_objects();
    schema
}

/// Joins the lines of each paragraph of every `description`: doc comments are wrapped for the
/// source, editors wrap for the reader.
fn unwrap_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(text) if key == "description" => {
                        *text = text.split("\n\n").map(|p| p.replace('\n', " ")).collect::<Vec<_>>().join("\n\n");
                    }
                    _ => unwrap_descriptions(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

/// [`input_schema`] as text: pretty JSON with a final newline, the form `docs/schema/` keeps.
pub fn input_schema_text(kind: InputKind) -> String {
    let mut text = serde_json::to_string_pretty(&input_schema(kind)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_schema_with_its_definitions() {
        for kind in InputKind::EVERY {
            let schema = input_schema(kind);
            assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema", "{kind:?}");
            let defs = schema["$defs"].as_object().unwrap();
            // Every reference points at a definition of the same schema.
            let text = schema.to_string();
            for reference in text.split("\"$ref\":\"#/$defs/").skip(1) {
                let name = reference.split('"').next().unwrap();
                assert!(defs.contains_key(name), "{kind:?}: {name} is referenced but not defined");
            }
        }
        let all = input_schema(InputKind::All);
        assert_eq!(all["oneOf"].as_array().unwrap().len(), 3);
        assert_eq!(all["$defs"]["LayerDoc"]["additionalProperties"], false);
        assert_eq!(input_schema(InputKind::Environment)["allOf"][1]["properties"]["kind"]["const"], "Environment");
        assert_eq!(input_schema(InputKind::Tenant)["allOf"][0]["$ref"], "#/$defs/TenantDoc");
    }

    #[test]
    fn kinds_are_named_as_on_the_command_line() {
        use clap::ValueEnum;
        for kind in InputKind::EVERY {
            assert_eq!(InputKind::from_str(kind.name(), false), Ok(kind));
        }
        assert_eq!(InputKind::value_variants().len(), InputKind::EVERY.len());
    }
}
