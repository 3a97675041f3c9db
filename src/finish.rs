//! Finish: each generated (or plain) object, one at a time — stamped, patched, refused when the
//! target would not take it ([`refused`]: no `apiVersion`, `kind` or `metadata.name`, or an API
//! version the target does not serve), indexed for the analyses, validated against its schema
//! when `meshedge check` asks, and rendered — so that only its text and identity are kept.

pub(crate) mod refused;

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::analyzers::{self, Index, Trace};
use crate::diagnostic::{Diagnostics, ResourceRef};
use crate::generate::Pending;
use crate::patch::{Matches, Patches};
use crate::platform::Target;
use crate::platform::constraint;
use crate::render::{self, Form, Object};
use crate::resource::{self, Resource};
use crate::schema::{SchemaSet, Validation};

/// Validates final objects against their kind's schema for a target (`meshedge check`'s schemas).
pub trait Validator: Send + Sync {
    fn validate(&self, target: Target, object: &Value) -> Validation;

    /// The schemas of the Gatekeeper constraints of `templates` (ConstraintTemplates of the same
    /// build), as Gatekeeper derives them ([`constraint::constraint_crd`]). A template that does
    /// not make one is left out: its constraints stay without a schema.
    fn constraint_schemas(&self, templates: &[&Value]) -> SchemaSet;
}

/// A validator to run on every final object, for the target of the build.
#[derive(Clone)]
pub struct Validate(pub Arc<dyn Validator>);

impl fmt::Debug for Validate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Validate")
    }
}

/// An object whose validation against its schema was not [`Validation::Valid`].
#[derive(Debug, Clone)]
pub struct Validated {
    pub object: ResourceRef,
    pub result: Validation,
    pub trace: Trace,
    /// The object itself while its schema depends on other objects of the build (a Gatekeeper
    /// constraint, on its ConstraintTemplate): see [`validate_constraints`].
    pub pending: Option<Value>,
}

impl Validated {
    /// The outcome of validating `value`; the object is kept when it is a constraint with no
    /// schema yet.
    pub fn new(object: ResourceRef, result: Validation, trace: Trace, value: &Value) -> Validated {
        let pending = matches!(result, Validation::NoSchema { .. }
            if object.api_version.split_once('/').is_some_and(|(group, _)| group == constraint::GROUP))
        .then(|| value.clone());
        Validated { object, result, trace, pending }
    }
}

/// Whether `value` is a Gatekeeper ConstraintTemplate.
pub fn is_constraint_template(value: &Value) -> bool {
    value.get("kind").and_then(Value::as_str) == Some("ConstraintTemplate")
        && value
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|v| v.split_once('/').is_some_and(|(group, _)| group == "templates.gatekeeper.sh"))
}

/// Validates the constraints among `validated` that had no schema against the schemas their
/// ConstraintTemplates (`templates`, of the same build) define; those now valid are dropped.
pub fn validate_constraints(validator: &dyn Validator, templates: &[&Value], validated: &mut Vec<Validated>) {
    if validated.iter().all(|v| v.pending.is_none()) {
        return;
    }
    let set = validator.constraint_schemas(templates);
    validated.retain_mut(|v| {
        let Some(value) = v.pending.take() else { return true };
        match set.validate(&value) {
            Validation::Valid => false,
            Validation::NoSchema { .. } => true,
            invalid => {
                v.result = invalid;
                true
            }
        }
    });
}

/// The objects `value` stands for: itself, or the items of a `v1 List` that are objects (those
/// of a List among them in turn, up to eight deep).
fn list_objects(value: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut pending = vec![(value, 0)];
    while let Some((value, depth)) = pending.pop() {
        let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default();
        if depth < 8 && crate::platform::is_list(text("apiVersion"), text("kind")) {
            let items = value.get("items").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            pending.extend(items.iter().rev().filter(|item| item.is_object()).map(|item| (item, depth + 1)));
        } else {
            out.push(value);
        }
    }
    out
}

/// Objects finished, and what finishing them found.
#[derive(Debug, Default)]
pub struct Finished {
    pub objects: Vec<Object>,
    pub matches: Matches,
    /// Patch errors.
    pub diagnostics: Diagnostics,
    /// Objects the target would not take (E705, E706): left out of everything else.
    pub refused: Diagnostics,
    /// What the analyses need of the objects.
    pub index: Index,
    /// Objects their schema refuses, or that have none.
    pub validated: Vec<Validated>,
    /// The final objects of the kinds the flows stage reads (`flows::index::reads`), parsed
    /// ([`crate::flows::read::Read`]): a few hundred bytes each instead of their value form.
    /// One list per batch, in order: joining the batches moves the lists, not their objects.
    pub flow_objects: Vec<Vec<crate::flows::read::Read>>,
    /// The Gatekeeper ConstraintTemplates, when validating: their constraints' schemas.
    pub templates: Vec<Value>,
}

impl Finished {
    /// The parts of a build, joined in the order given; `matches` counts from zero.
    pub(crate) fn join(parts: Vec<Finished>, matches: Matches) -> Finished {
        let mut all = Finished { matches, ..Default::default() };
        all.objects.reserve(parts.iter().map(|p| p.objects.len()).sum());
        all.validated.reserve(parts.iter().map(|p| p.validated.len()).sum());
        all.flow_objects.reserve(parts.iter().map(|p| p.flow_objects.len()).sum());
        all.index.reserve_for(parts.iter().map(|p| &p.index));
        for part in parts {
            all.objects.extend(part.objects);
            all.matches.add(&part.matches);
            all.diagnostics.extend(part.diagnostics);
            all.refused.extend(part.refused);
            all.index.extend(part.index);
            all.validated.extend(part.validated);
            all.flow_objects.extend(part.flow_objects);
            all.templates.extend(part.templates);
        }
        all
    }
}

/// How objects are finished.
pub(crate) struct Finish<'a> {
    pub patches: &'a Patches<'a>,
    /// Set on every object after the patches.
    pub annotations: &'a [(String, String)],
    pub form: Form,
    /// The platform the objects are for: every object must be one it serves.
    pub target: Target,
    /// A schema validation of every object, for the build's target.
    pub validate: Option<(&'a dyn Validator, Target)>,
    /// Keep, per object, what every patch changed in it (`Object::changes`).
    pub record: bool,
}

/// Stamps, patches, indexes for the analyses, validates and renders a batch of objects.
pub(crate) fn batch(batch: Vec<Pending>, how: &Finish<'_>) -> Finished {
    let mut part = Finished {
        objects: Vec::with_capacity(batch.len()),
        matches: how.patches.matches(),
        index: Index::new(analyzers::Context::default().default_namespace()),
        ..Default::default()
    };
    let mut scratch = String::new();
    let mut flow_objects = Vec::new();
    for mut pending in batch {
        let document = pending.document.take();
        let mut resource = pending.into_resource();
        resource.start = document.as_ref().and_then(|document| document.start);
        resource::stamp(&mut resource);
        let mut changes = Vec::new();
        let recorder = how.record.then_some(&mut changes);
        let applied = how.patches.apply(&mut resource, &mut part.matches, &mut part.diagnostics, recorder);
        for (key, value) in how.annotations {
            resource::annotate(&mut resource, key, value);
        }
        if let Some(refused) = refused::check(&resource, how.target, &applied, document.as_ref()) {
            part.refused.push(refused);
            continue;
        }
        let reference = resource.reference();
        let origin = applied.before.filter(|before| *before != reference);
        let analysed = analyzers::Object {
            value: &resource.value,
            sources: &resource.sources,
            origin: origin.as_ref(),
            patched_by: &applied.names,
        };
        part.index.add(&analysed);
        if let Some((validator, target)) = how.validate {
            // A `v1 List`'s items, each against its own kind's schema (the List has none).
            for value in list_objects(&resource.value) {
                let result = validator.validate(target, value);
                if result != Validation::Valid {
                    let trace = Trace::of(value, &analysed);
                    part.validated.push(Validated::new(ResourceRef::of(value), result, trace, value));
                }
            }
            if is_constraint_template(&resource.value) {
                part.templates.push(resource.value.clone());
            }
        }
        let text = render::object_text(&resource.value, how.form, &mut scratch);
        if let Some(refused) = render::limits::check_size(
            &resource.value,
            &text,
            &reference,
            &resource.sources,
            resource.start,
            resource.tenant.as_deref(),
        ) {
            part.diagnostics.push(refused);
        }
        let Resource { sources, value, tenant, start } = resource;
        if crate::flows::index::reads(&reference.api_version, &reference.kind) {
            flow_objects.extend(crate::flows::read::Read::of(value));
        }
        part.objects.push(Object {
            reference,
            origin: origin.map(Box::new),
            sources,
            start,
            tenant,
            patched_by: applied.names,
            changes,
            form: how.form,
            text,
        });
    }
    part.flow_objects.push(flow_objects);
    part
}
