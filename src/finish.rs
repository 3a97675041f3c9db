//! Finish: each generated (or plain) object, one at a time — stamped, patched, kept for the
//! analyses if they read its kind, and rendered — so that only its text and identity are kept;
//! then [`analyse`] runs the analyses over the objects kept.

use serde_json::Value;

use crate::analyzers::{self, Object as Analysed, origin_file};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, Explain, Location};
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
    /// The objects the analyses read ([`analyzers::reads`]), in the value form, with their
    /// input files.
    pub analysed: Vec<(Value, Vec<String>)>,
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
            all.analysed.extend(part.analysed);
        }
        all
    }
}

/// Stamps, patches, keeps for the analyses and renders a batch of objects; `annotations` go on
/// every object after the patches.
pub(crate) fn batch(batch: Vec<Pending>, patches: &Patches, annotations: &[(String, String)], form: Form) -> Finished {
    let mut part =
        Finished { objects: Vec::with_capacity(batch.len()), matches: patches.matches(), ..Default::default() };
    let mut scratch = String::new();
    for pending in batch {
        let mut resource = pending.into_resource();
        resource::stamp(&mut resource);
        let applied = patches.apply(&mut resource, &mut part.matches, &mut part.diagnostics);
        for (key, value) in annotations {
            resource::annotate(&mut resource, key, value);
        }
        let reference = resource.reference();
        if analyzers::reads(resource.group_version().0, resource.kind()) {
            part.analysed.push((resource.value.clone(), resource.sources.clone()));
        }
        let text = render::object_text(&resource.value, form, &mut scratch);
        let origin = applied.before.filter(|before| *before != reference).map(Box::new);
        let Resource { sources, .. } = resource;
        part.objects.push(Object { reference, origin, sources, patched_by: applied.names, form, text });
    }
    part
}

/// An analysis finding, as a build reports it: at the input file of its object.
struct Reported<'a>(&'a analyzers::Finding, Code);

impl Explain for Reported<'_> {
    fn code(&self) -> Code {
        self.1
    }

    fn istio(&self) -> Option<&'static str> {
        self.0.istio()
    }

    fn message(&self) -> String {
        self.0.message.clone()
    }

    fn help(&self) -> Option<String> {
        Some(self.0.rule.help.to_string())
    }
}

/// The analyses a build runs and reports: those of the verdicts it has always given (A601–A609:
/// missing gateways, hosts not served, conflicting mesh hosts and gateways, missing subsets,
/// TLS origination without a CA, claims without authentication). `meshedge check` runs them all.
pub(crate) fn analyse(analysed: &[(Value, Vec<String>)]) -> Diagnostics {
    const BUILD: [Code; 9] =
        [Code::A601, Code::A602, Code::A603, Code::A604, Code::A605, Code::A606, Code::A607, Code::A608, Code::A609];
    let objects: Vec<Analysed> = analysed.iter().map(|(v, s)| Analysed::new(v, s)).collect();
    let context = analyzers::context::from_objects(analysed.iter().map(|(v, _)| v));
    let mut out = Diagnostics::new();
    for finding in analyzers::analyse(&objects, &context) {
        let Some(code) = BUILD.iter().copied().find(|c| *c == finding.code()) else { continue };
        let object = &finding.object;
        let resource = crate::diagnostic::ResourceRef {
            api_version: object.api_version.clone(),
            kind: object.kind.clone(),
            namespace: object.namespace.clone(),
            name: object.name.clone(),
        };
        let location = origin_file(&finding.sources).map(Location::file);
        let d: Diagnostic = Reported(&finding, code).at_opt(location).resource(resource);
        out.push(d);
    }
    out
}
