//! Schemas of input fields whose Rust type says less than the loader checks: label and
//! annotation maps, JSON patch operations, merge patches, and the rules a struct's fields obey
//! together. The input types name these in their `schemars` attributes; [`crate::input_schema`]
//! assembles the documents' schemas from the types.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

use crate::values::{AnnotationKey, LabelKey, LabelValue};

/// Labels: label keys to label values (`Option<LabelMap>` fields).
pub(crate) struct Labels;

impl JsonSchema for Labels {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Labels".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "propertyNames": generator.subschema_for::<LabelKey>(),
            "additionalProperties": generator.subschema_for::<LabelValue>(),
        })
    }
}

/// Annotations: annotation keys to strings.
pub(crate) struct Annotations;

impl JsonSchema for Annotations {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Annotations".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "propertyNames": generator.subschema_for::<AnnotationKey>(),
            "additionalProperties": {"type": "string"},
        })
    }
}

/// A JSON pointer as the `json-patch` crate reads it (RFC 6901): empty, or `/`-separated
/// tokens in which `~` is only `~0` or `~1`.
const JSON_POINTER: &str = "^(/([^~/]|~[01])*)*$";

/// One RFC 6902 operation as `crate::patch::parse_operations` reads it (the `json-patch`
/// crate): `op`, `path`, and `value` or `from` where the operation needs them. Other fields
/// are ignored there, so they are allowed here.
pub(crate) struct JsonPatchOperation;

impl JsonSchema for JsonPatchOperation {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "JsonPatchOperation".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let pointer = |what: &str| json!({"type": "string", "pattern": JSON_POINTER, "description": what});
        json_schema!({
            "type": "object",
            "description": "An RFC 6902 operation: `op`, and `path` as a JSON pointer (`/` in a key is written `~1`, `~` is `~0`); `value` for add, replace and test, `from` (a JSON pointer) for move and copy; no other member.",
            "required": ["op", "path"],
            "properties": {
                "op": {
                    "description": "The operation.",
                    "enum": ["add", "remove", "replace", "move", "copy", "test"],
                },
                "path": pointer("The JSON pointer of the place the operation works on."),
                "value": {"description": "The value to add, to replace with, or to test against."},
            },
            "allOf": [
                {
                    "if": {"required": ["op"], "properties": {"op": {"enum": ["add", "replace", "test"]}}},
                    "then": {"required": ["value"], "propertyNames": {"enum": ["op", "path", "value"]}},
                },
                {
                    "if": {"required": ["op"], "properties": {"op": {"const": "remove"}}},
                    "then": {"propertyNames": {"enum": ["op", "path"]}},
                },
                {
                    "if": {"required": ["op"], "properties": {"op": {"enum": ["move", "copy"]}}},
                    "then": {
                        "required": ["from"],
                        "properties": {"from": pointer("The JSON pointer of the value to move or copy.")},
                        "propertyNames": {"enum": ["op", "path", "from"]},
                    },
                },
            ],
        })
    }
}

/// An RFC 7386 merge patch: any value.
pub(crate) struct MergePatch;

impl JsonSchema for MergePatch {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MergePatch".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"examples": [{"spec": {"replicas": 3}}]})
    }
}

// ---------------------------------------------------------------------------------------------
// Rules across fields (transforms of the derived schemas).

/// `schema` is valid only where the property `name` is present and not null.
fn present(name: &str, kind: &str) -> Value {
    json!({"required": [name], "properties": {name: {"type": kind}}})
}

/// [`crate::input::ConnectionPool`]: at least one of `tcp` and `http`, and not
/// `useClientProtocol: true` with `h2UpgradePolicy: UPGRADE` (as its `TryFrom` refuses).
pub(crate) fn connection_pool_rules(schema: &mut Schema) {
    schema.insert("anyOf".into(), json!([present("tcp", "object"), present("http", "object")]));
    schema.insert(
        "not".into(),
        json!({
            "required": ["http"],
            "properties": {"http": {
                "type": "object",
                "required": ["h2UpgradePolicy", "useClientProtocol"],
                "properties": {"h2UpgradePolicy": {"const": "UPGRADE"}, "useClientProtocol": {"const": true}},
            }},
        }),
    );
}

/// [`crate::input::OutlierDetection`]: `consecutiveLocalOriginFailures` above 0 needs
/// `splitExternalLocalOriginErrors: true` (as its `TryFrom` refuses).
pub(crate) fn outlier_detection_rules(schema: &mut Schema) {
    schema.insert(
        "if".into(),
        json!({
            "required": ["consecutiveLocalOriginFailures"],
            "properties": {"consecutiveLocalOriginFailures": {"type": "integer", "minimum": 1}},
        }),
    );
    schema.insert(
        "then".into(),
        json!({
            "required": ["splitExternalLocalOriginErrors"],
            "properties": {"splitExternalLocalOriginErrors": {"const": true}},
        }),
    );
}

/// [`crate::input::PatchSpec`]: exactly one of `json` and `merge`, or `file` alone (with
/// `optional`), as the merge stage requires (`E501`). A field set to `null` is absent.
pub(crate) fn patch_rules(schema: &mut Schema) {
    let absent = json!({"type": "null"});
    schema.insert(
        "oneOf".into(),
        json!([
            {
                "title": "patches in a file",
                "required": ["file"],
                "properties": {"file": {"type": "string"}, "target": absent, "json": absent, "merge": absent},
            },
            {
                "title": "an RFC 6902 JSON patch",
                "required": ["json"],
                "properties": {"json": {"type": "array"}, "merge": absent, "file": absent},
            },
            {
                "title": "an RFC 7386 merge patch",
                "required": ["merge"],
                "properties": {"merge": {"not": absent}, "json": absent, "file": absent},
            },
        ]),
    );
}
