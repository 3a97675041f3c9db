//! The schema of a Gatekeeper constraint, derived from its ConstraintTemplate as Gatekeeper
//! derives the CustomResourceDefinition it creates for the template's kind.
//!
//! Sources: open-policy-agent/frameworks e1eaa1bf6d62ff831975a57a34a161cbc49a7e9c (the
//! `constraint` module Gatekeeper v3.23.0 builds with): `constraint/pkg/client/crds/schema.go`
//! `CreateSchema` (`metadata.name` at most 63 characters; `spec.match` the target's match
//! schema, `spec.enforcementAction` a string, `spec.scopedEnforcementActions`, and
//! `spec.parameters` the template's `spec.crd.spec.validation.openAPIV3Schema`; `status` kept
//! as written) and `constraint/pkg/client/crds/crds.go` (group `constraints.gatekeeper.sh`,
//! versions `v1beta1` and `v1alpha1`, cluster scoped). The match schema is Gatekeeper's
//! (open-policy-agent/gatekeeper v3.23.0 `pkg/target/match_schema.go`, `embeddedMatch` of the
//! CRD in `pkg/target/matchcrd_constant.go`), vendored as
//! `data/schemas/gatekeeper-constraint-match.crd.yaml`.

use serde_json::{Value, json};

/// The API group of every constraint.
pub const GROUP: &str = "constraints.gatekeeper.sh";

/// The match schema (`spec.match` of every constraint) in the vendored match CRD.
pub const MATCH_POINTER: &str = "/spec/versions/0/schema/openAPIV3Schema/properties/embeddedMatch";

/// The CustomResourceDefinition Gatekeeper creates for the constraints of `template` (a
/// `templates.gatekeeper.sh` ConstraintTemplate), with `match_schema` for `spec.match`. `None`
/// when the template names no kind (`spec.crd.spec.names.kind`).
pub fn constraint_crd(template: &Value, match_schema: &Value) -> Option<Value> {
    let kind = template.pointer("/spec/crd/spec/names/kind").and_then(Value::as_str)?;
    let named = |name: &str| json!({"type": "object", "properties": {"name": {"type": name}}});
    let mut spec = json!({
        "match": match_schema,
        "enforcementAction": {"type": "string"},
        "scopedEnforcementActions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "action": {"type": "string"},
                    "enforcementPoints": {"type": "array", "items": named("string")},
                },
            },
        },
    });
    if let Some(parameters) = template.pointer("/spec/crd/spec/validation/openAPIV3Schema")
        && let Some(props) = spec.as_object_mut()
    {
        props.insert("parameters".into(), parameters.clone());
    }
    let schema = json!({
        "type": "object",
        "properties": {
            "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 63}}},
            "spec": {"type": "object", "properties": spec},
            "status": {"x-kubernetes-preserve-unknown-fields": true},
        },
    });
    let version = |name: &str| json!({"name": name, "served": true, "schema": {"openAPIV3Schema": schema}});
    Some(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "spec": {
            "group": GROUP,
            "names": {"kind": kind},
            "scope": "Cluster",
            "versions": [version("v1beta1"), version("v1alpha1")],
        },
    }))
}
