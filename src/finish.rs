//! Finish: each generated (or plain) object, one at a time — stamped, patched, noted for the
//! analyses and rendered — so that only its text and identity are kept.

use crate::analyse::Facts;
use crate::diagnostic::Diagnostics;
use crate::generate::Pending;
use crate::patch::{Matches, Patches};
use crate::render::{self, Form, Object};
use crate::resource::{self, Resource};

/// Objects finished, and what finishing them found.
#[derive(Debug, Default)]
pub struct Finished {
    pub objects: Vec<Object>,
    pub matches: Matches,
    /// Patch errors.
    pub diagnostics: Diagnostics,
    pub facts: Facts,
    /// The final objects of the kinds the flows stage reads (`flows::index::reads`), in the
    /// value form: only those are kept, so memory grows with them, not with the whole output.
    pub flow_objects: Vec<serde_json::Value>,
}

impl Finished {
    /// The parts of a build, joined in the order given; `matches` counts from zero.
    pub(crate) fn join(parts: Vec<Finished>, matches: Matches) -> Finished {
        let mut all = Finished { matches, ..Default::default() };
        all.objects.reserve(parts.iter().map(|p| p.objects.len()).sum());
        for part in parts {
            all.objects.extend(part.objects);
            all.matches.add(&part.matches);
            all.diagnostics.extend(part.diagnostics);
            all.facts.extend(part.facts);
            all.flow_objects.extend(part.flow_objects);
        }
        all
    }
}

/// Stamps, patches, notes for the analyses and renders a batch of objects; `annotations` go on
/// every object after the patches. With `record`, each object keeps what every patch changed in
/// it (`Object::changes`).
pub(crate) fn batch(
    batch: Vec<Pending>,
    patches: &Patches,
    annotations: &[(String, String)],
    form: Form,
    record: bool,
) -> Finished {
    let mut part =
        Finished { objects: Vec::with_capacity(batch.len()), matches: patches.matches(), ..Default::default() };
    let mut scratch = String::new();
    for pending in batch {
        let mut resource = pending.into_resource();
        resource::stamp(&mut resource);
        let mut changes = Vec::new();
        let recorder = record.then_some(&mut changes);
        let applied = patches.apply(&mut resource, &mut part.matches, &mut part.diagnostics, recorder);
        for (key, value) in annotations {
            resource::annotate(&mut resource, key, value);
        }
        let reference = resource.reference();
        part.facts.add(&resource, &reference);
        let text = render::object_text(&resource.value, form, &mut scratch);
        if let Some(refused) = render::limits::check_size(
            &resource.value,
            &text,
            &reference,
            &resource.sources,
            resource.tenant.as_deref(),
        ) {
            part.diagnostics.push(refused);
        }
        let origin = applied.before.filter(|before| *before != reference).map(Box::new);
        let Resource { sources, value, .. } = resource;
        if crate::flows::index::reads(&reference.api_version, &reference.kind) {
            part.flow_objects.push(value);
        }
        part.objects.push(Object { reference, origin, sources, patched_by: applied.names, changes, form, text });
    }
    part
}
