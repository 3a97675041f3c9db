//! The diagnostics of the flows that break what the requests ask for: each names the flow, the
//! objects that decide it (at most [`NAMED_OBJECTS`], then how many more), the input files they
//! come from and the patches that changed them.

use std::collections::{BTreeSet, HashMap};

use super::error::FlowError;
use super::requests::Flow;
use super::{Evaluated, ObjectRef, Violation};
use crate::diagnostic::{Diagnostic, Diagnostics, Explain, Location};
use crate::plan::Place;
use crate::render::Object;

/// How many deciding objects a diagnostic names before it counts the rest.
const NAMED_OBJECTS: usize = 6;

/// The diagnostics of `violations`: `objects` (the build's objects) name the input files of the
/// objects that decide each, `manifest` is where a violation that concerns no request is
/// reported, `patch_at` where a patch is written.
pub(super) fn of(
    violations: &[(Evaluated, Violation)],
    objects: &[Object],
    manifest: &str,
    patch_at: &(dyn Fn(&str) -> Option<Location> + Sync),
) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if violations.is_empty() {
        return diagnostics;
    }
    {
        let sources: Sources<'_> = objects
            .iter()
            .map(|o| {
                let r = &o.reference;
                ((r.api_version.as_str(), r.kind.as_str(), r.namespace.as_deref(), r.name.as_str()), o)
            })
            .collect();
        // Where no object decides a flow (nothing routes it), the patched objects the flows read
        // are what may have made it so.
        let patched: Vec<&Object> = objects
            .iter()
            .filter(|o| {
                !o.patched_by.is_empty() && crate::flows::index::reads(&o.reference.api_version, &o.reference.kind)
            })
            .take(NAMED_OBJECTS)
            .collect();
        for (e, violation) in violations {
            let mut d = diagnostic(e, violation, &sources, manifest, patch_at);
            if e.verdict.decided_by.is_empty() {
                for object in &patched {
                    for patch in &object.patched_by {
                        let what = format!("no object decides this flow; {patch} patches {}", object.reference);
                        d = d.note(patch_location(patch, patch_at), what);
                    }
                }
            }
            diagnostics.push(d);
        }
    }
    diagnostics
}

/// Where a patch is written: from the build, else the file its name starts with.
fn patch_location(name: &str, patch_at: &dyn Fn(&str) -> Option<Location>) -> Location {
    patch_at(name).unwrap_or_else(|| Location::file(name.rsplit_once('#').map_or(name, |(file, _)| file)))
}

/// A flow as a diagnostic names it.
pub fn describe(flow: &Flow) -> String {
    let mut out = format!("{} → {}", flow.from, flow.to);
    if let Some(path) = &flow.path {
        out.push_str(&format!(" {path}"));
    }
    if let Some(backend) = &flow.backend {
        out.push_str(&format!(" → {backend}"));
    }
    if let Some(credential) = flow.credential {
        out.push_str(&format!(" with credential {}", credential.as_str()));
    }
    out
}

fn named(objects: &[ObjectRef]) -> String {
    if objects.is_empty() {
        return "no object (nothing routes it)".to_string();
    }
    let mut out: Vec<String> = objects.iter().take(NAMED_OBJECTS).map(ToString::to_string).collect();
    if objects.len() > NAMED_OBJECTS {
        out.push(format!("{} more", objects.len() - NAMED_OBJECTS));
    }
    out.join(", ")
}

type Sources<'a> = HashMap<(&'a str, &'a str, Option<&'a str>, &'a str), &'a Object>;

fn diagnostic(
    e: &Evaluated,
    violation: &Violation,
    sources: &Sources<'_>,
    manifest: &str,
    patch_at: &dyn Fn(&str) -> Option<Location>,
) -> Diagnostic {
    let flow = describe(&e.flow);
    let object_of = |decided: &ObjectRef| {
        let key =
            (decided.api_version.as_str(), decided.kind.as_str(), decided.namespace.as_deref(), decided.name.as_str());
        sources.get(&key).copied()
    };
    let mut by = named(&e.verdict.decided_by);
    let patches: BTreeSet<&str> = e
        .verdict
        .decided_by
        .iter()
        .filter_map(object_of)
        .flat_map(|o| o.patched_by.iter().map(String::as_str))
        .collect();
    if !patches.is_empty() {
        by.push_str(&format!(", as patched by {}", patches.iter().copied().collect::<Vec<_>>().join(", ")));
    }
    let reason = e.verdict.reason.clone();
    let error = match violation {
        Violation::Blocked => FlowError::RequestedBlocked { flow, objects: by, reason },
        Violation::Misrouted(reached) => FlowError::Misrouted { flow, reached: reached.clone(), objects: by },
        Violation::Open => FlowError::UnrequestedOpen { flow, objects: by, reason },
    };
    let at = e.flow.place.as_ref().map_or_else(|| Location::file(manifest), Place::location);
    let mut diagnostic = error.at(at);
    // Where the deciding objects the output holds come from (a plain resource's document by its
    // line), so that a plain resource or a patch is found at once.
    for (i, decided) in e.verdict.decided_by.iter().enumerate() {
        let Some(object) = object_of(decided) else { continue };
        if i >= NAMED_OBJECTS && object.patched_by.is_empty() {
            continue;
        }
        if let Some(source) = object.source_location() {
            diagnostic = diagnostic.note(source, format!("{decided} comes from here"));
        }
        for patch in &object.patched_by {
            diagnostic = diagnostic.note(patch_location(patch, patch_at), format!("{patch} patches {decided}"));
        }
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::requests;

    #[test]
    fn a_flow_is_described_with_its_path_backend_and_credential() {
        let mut flow = requests::egress_flow("shop", "shop", "api.example", 80, true);
        assert_eq!(describe(&flow), "namespace/shop → api.example:80");
        flow.path = Some("/api".into());
        flow.backend = Some("service/shop/api:8080".into());
        flow.credential = Some(requests::CredentialKind::ForeignToken);
        assert_eq!(
            describe(&flow),
            "namespace/shop → api.example:80 /api → service/shop/api:8080 with credential foreign-token"
        );
    }
}
