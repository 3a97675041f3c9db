//! Comparing: the environments of two revisions, built where their fingerprints differ.

use std::collections::{BTreeSet, HashMap};

use tracing::debug;

use crate::compiler::{self, Build, Failed, Options};
use crate::diagnostic::{Diagnostic, ResourceRef, Severity};
use crate::diff::edge::edge_change;
use crate::diff::fingerprint::{Cached, Fingerprint, changed_files, fingerprint};
use crate::diff::mask::{object_diff, shown_yaml};
use crate::diff::report::{ChangedObject, EnvironmentDiff, FlowChanges, Status};
use crate::flows::{Outcome, Report};
use crate::parallel;
use crate::render::Object;
use crate::source::Source;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Base,
    Head,
}

/// Compares the environments at `env_dirs` between two sources.
pub fn compare(base: &dyn Source, head: &dyn Source, env_dirs: &[String]) -> Vec<EnvironmentDiff> {
    let source = |side: Side| if side == Side::Base { base } else { head };
    let jobs: Vec<(usize, Side)> = (0..env_dirs.len()).flat_map(|i| [(i, Side::Base), (i, Side::Head)]).collect();
    let start = std::time::Instant::now();
    let prints = parallel::map(&jobs, |&(i, side)| fingerprint(source(side), &env_dirs[i]));
    debug!(elapsed = ?start.elapsed(), "fingerprinted every environment at both revisions");
    let prints: Vec<(Option<Fingerprint>, Option<Fingerprint>)> = {
        let mut it = prints.into_iter();
        env_dirs.iter().map(|_| (it.next().flatten(), it.next().flatten())).collect()
    };

    // One environment at a time (its two builds in parallel), so that memory holds one pair.
    let mut out = Vec::with_capacity(env_dirs.len());
    for (dir, (b, h)) in env_dirs.iter().zip(prints) {
        let same = matches!((&b, &h), (Some(b), Some(h)) if b.digest == h.digest);
        let files = |f: &Option<Fingerprint>| f.as_ref().map(|f| f.files.len());
        debug!(environment = %dir, same, base_files = ?files(&b), head_files = ?files(&h), "fingerprinted");
        let name = h
            .as_ref()
            .and_then(|f| f.name.clone())
            .or_else(|| b.as_ref().and_then(|f| f.name.clone()))
            .unwrap_or_else(|| dir.rsplit('/').next().unwrap_or(dir).to_string());
        let mut sides = Vec::new();
        if !same {
            sides.extend(b.as_ref().map(|print| (Side::Base, print)));
            sides.extend(h.as_ref().map(|print| (Side::Head, print)));
        }
        let built = parallel::map(&sides, |&(side, print)| {
            let start = std::time::Instant::now();
            // The flows are kept for the flows section; a violation still fails the revision.
            let options = Options { report_flows: true, ..Default::default() };
            let built =
                compiler::compile_with(&Cached { inner: source(side), contents: &print.contents }, dir, &options);
            let (result, flows, flows_failed) = settle_flows(built);
            // Right after the build, while its objects are still in the processor's cache.
            let identities = result.as_ref().map(|b| identities(&b.objects)).unwrap_or_default();
            let label = if side == Side::Base { "base" } else { "head" };
            debug!(environment = %dir, side = label, ok = result.is_ok(), elapsed = ?start.elapsed(), "built");
            (side, Built { result, identities, flows, flows_failed })
        });
        let find = |wanted: Side| built.iter().find(|(side, _)| *side == wanted).map(|(_, b)| b);
        let mut env = diff_environment(name, dir.clone(), !same, find(Side::Base), find(Side::Head));
        if !same {
            env.inputs = changed_files(b.as_ref(), h.as_ref());
        }
        out.push(env);
        debug!(environment = %dir, elapsed = ?start.elapsed(), "compared");
        free_in_background(built);
    }
    out
}

/// Drops `value` on a detached thread. Freeing the objects of two large builds (tens of thousands
/// of texts and identities each) takes a few percent of a build's time, and nothing needs to wait
/// for it (a command that exits meanwhile leaves it to the operating system).
fn free_in_background<T: Send + 'static>(value: T) {
    // Should the thread not start, the closure, and `value` with it, is dropped right here.
    let _ = std::thread::Builder::new().name("free".into()).spawn(move || drop(value));
}

/// A build, with the identity of each of its objects and its flows.
struct Built {
    result: Result<Build, Failed>,
    identities: Vec<Identity>,
    /// `None` when the build stopped before the flows stage.
    flows: Option<Report>,
    /// The build went through every stage, but its flows break the requests (E801, E802): the
    /// revision fails, and its objects are still shown, with those errors.
    flows_failed: bool,
}

/// A build made with [`Options::report_flows`], as a plain build would end: its flow
/// violations among its diagnostics; its flows apart, kept either way. A build whose only errors
/// are its flow violations got through every stage: it stays a build, with `true` (the revision
/// fails, and its objects are known).
fn settle_flows(built: Result<Build, Failed>) -> (Result<Build, Failed>, Option<Report>, bool) {
    let mut build = match built {
        Ok(build) => build,
        Err(failed) => return (Err(failed), None, false),
    };
    let flows = build.flows.take();
    let violations = std::mem::take(&mut build.flow_violations);
    let failed = violations.has_errors();
    build.diagnostics.extend(violations);
    (Ok(build), flows, failed)
}

/// The descriptions of the flows of `report` that are allowed (see
/// [`crate::flows::stage::describe`]).
fn allowed_flows(report: &Report) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    report.each(|evaluated| {
        if evaluated.verdict.verdict == Outcome::Allowed {
            out.insert(crate::flows::stage::describe(&evaluated.flow));
        }
    });
    out
}

/// The flows allowed at head and not at base (opened), and the reverse (closed). A side that is
/// absent (the environment is added or removed) has no flows; `None` when a side that is present
/// stopped before the flows stage, so its flows are unknown.
fn flow_changes(base: Option<&Built>, head: Option<&Built>) -> Option<FlowChanges> {
    let allowed = |side: Option<&Built>| match side {
        None => Some(BTreeSet::new()),
        Some(built) => built.flows.as_ref().map(allowed_flows),
    };
    let (before, after) = (allowed(base)?, allowed(head)?);
    Some(FlowChanges {
        opened: after.difference(&before).cloned().collect(),
        closed: before.difference(&after).cloned().collect(),
    })
}

/// API group, kind, namespace and name.
type Identity = (String, String, String, String);

fn identities(objects: &[Object]) -> Vec<Identity> {
    objects
        .iter()
        .map(|o| {
            let r = &o.reference;
            let group = r.api_version.rsplit_once('/').map_or("", |(group, _)| group);
            (group.to_string(), r.kind.clone(), r.namespace.clone().unwrap_or_default(), r.name.clone())
        })
        .collect()
}

/// An object's identity and its rank among objects of the same identity.
type Key<'a> = (&'a Identity, usize);

fn keyed<'a>(objects: &'a [Object], identities: &'a [Identity]) -> Vec<(Key<'a>, &'a Object)> {
    let mut seen: HashMap<&Identity, usize> = HashMap::with_capacity(identities.len());
    identities
        .iter()
        .zip(objects)
        .map(|(id, r)| {
            let rank = seen.entry(id).or_insert(0);
            let key = (id, *rank);
            *rank += 1;
            (key, r)
        })
        .collect()
}

fn plan_of(build: Option<&Result<Build, Failed>>) -> Option<&crate::plan::Plan> {
    match build {
        Some(Ok(b)) => Some(&b.plan),
        _ => None,
    }
}

fn diagnostics_of(build: Option<&Result<Build, Failed>>) -> Vec<Diagnostic> {
    match build {
        Some(Ok(b)) => b.diagnostics.clone().sorted(),
        Some(Err(f)) => f.diagnostics.clone().sorted(),
        None => Vec::new(),
    }
}

/// A diagnostic without its line and column (which move with unrelated edits).
fn diagnostic_key(d: &Diagnostic) -> (Severity, &str, Option<&str>, &str, Option<&ResourceRef>, Option<&str>) {
    (
        d.severity,
        d.code.as_str(),
        d.istio,
        &d.message,
        d.resource.as_ref(),
        d.location.as_ref().map(|l| l.file.as_str()),
    )
}

fn diff_environment(
    name: String,
    path: String,
    inputs_changed: bool,
    base: Option<&Built>,
    head: Option<&Built>,
) -> EnvironmentDiff {
    let no_identities: &[Identity] = &[];
    let (base_identities, head_identities) =
        (base.map_or(no_identities, |b| &b.identities), head.map_or(no_identities, |b| &b.identities));
    let flows = if inputs_changed && (base.is_some() || head.is_some()) { flow_changes(base, head) } else { None };
    let flows_failed = [base, head].into_iter().flatten().any(|b| b.flows_failed);
    let flow_errors = |side: Option<&Built>| -> Vec<Diagnostic> {
        match side {
            Some(b) if b.flows_failed => {
                diagnostics_of(Some(&b.result)).into_iter().filter(Diagnostic::is_error).collect()
            }
            _ => Vec::new(),
        }
    };
    let (base_flow_errors, head_flow_errors) = (flow_errors(base), flow_errors(head));
    let (base, head) = (base.map(|b| &b.result), head.map(|b| &b.result));
    let mut env = EnvironmentDiff {
        name,
        path,
        status: Status::Unchanged,
        inputs_changed,
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        introduced: Vec::new(),
        fixed: Vec::new(),
        base_errors: Vec::new(),
        head_errors: Vec::new(),
        added_yaml: Vec::new(),
        removed_yaml: Vec::new(),
        inputs: Vec::new(),
        graph: None,
        flows,
    };
    if !inputs_changed {
        return env;
    }
    let base_diagnostics = diagnostics_of(base);
    let head_diagnostics = diagnostics_of(head);
    // A build that failed stopped early: it lacks the other side's diagnostics of later stages,
    // which are then neither fixed (head failed) nor introduced (base failed).
    let (base_failed, head_failed) = (matches!(base, Some(Err(_))), matches!(head, Some(Err(_))));
    let compare_fixed = !head_failed || base_failed;
    let compare_introduced = !base_failed || head_failed;
    let base_keys: BTreeSet<_> = base_diagnostics.iter().map(diagnostic_key).collect();
    let head_keys: BTreeSet<_> = head_diagnostics.iter().map(diagnostic_key).collect();
    let errors = |build: Option<&Result<Build, Failed>>| -> Vec<Diagnostic> {
        match build {
            Some(Err(failed)) => failed.diagnostics.clone().sorted().into_iter().filter(Diagnostic::is_error).collect(),
            _ => Vec::new(),
        }
    };
    let (mut base_errors, mut head_errors) = (errors(base), errors(head));
    base_errors.extend(base_flow_errors);
    head_errors.extend(head_flow_errors);
    // A failed revision's errors are reported once, as its errors: not also as introduced (head)
    // or fixed (base).
    let mut reported: BTreeSet<_> = base_errors.iter().chain(&head_errors).map(diagnostic_key).collect();
    env.introduced = head_diagnostics
        .iter()
        .filter(|d| compare_introduced && !base_keys.contains(&diagnostic_key(d)) && reported.insert(diagnostic_key(d)))
        .cloned()
        .collect();
    env.fixed = base_diagnostics
        .iter()
        .filter(|d| compare_fixed && !head_keys.contains(&diagnostic_key(d)) && reported.insert(diagnostic_key(d)))
        .cloned()
        .collect();
    (env.base_errors, env.head_errors) = (base_errors, head_errors);
    let empty: &[Object] = &[];
    let (base_objects, head_objects) = match (base, head) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => {
            env.status = Status::Error;
            return env;
        }
        (None, Some(Ok(h))) => {
            env.status = Status::Added;
            (empty, h.objects.as_slice())
        }
        (Some(Ok(b)), None) => {
            env.status = Status::Removed;
            (b.objects.as_slice(), empty)
        }
        (Some(Ok(b)), Some(Ok(h))) => (b.objects.as_slice(), h.objects.as_slice()),
        (None, None) => return env,
    };
    // Indexing tens of thousands of objects per side: both sides at once.
    let sides = [(base_objects, base_identities), (head_objects, head_identities)];
    let mut indexed = parallel::map(&sides, |&(objects, identities)| {
        let keyed = keyed(objects, identities);
        let index: HashMap<Key<'_>, &Object> = keyed.iter().copied().collect();
        (keyed, index)
    })
    .into_iter();
    let (Some((base_keyed, base_index)), Some((head_keyed, head_index))) = (indexed.next(), indexed.next()) else {
        return env;
    };
    // Comparing texts and writing the diffs of changed objects: in chunks, on every core.
    let chunks: Vec<&[(Key<'_>, &Object)]> = head_keyed.chunks(head_keyed.len().div_ceil(16).max(1)).collect();
    let found = parallel::map(&chunks, |chunk| {
        let mut found = Vec::new();
        for (key, after) in chunk.iter() {
            match base_index.get(key) {
                None => found.push(Err((after.reference.clone(), shown_yaml(after)))),
                // Rendering is deterministic: equal texts are equal objects.
                Some(before) if before.text != after.text => {
                    found.push(Ok(ChangedObject { object: after.reference.clone(), diff: object_diff(before, after) }))
                }
                Some(_) => {}
            }
        }
        found
    });
    for item in found.into_iter().flatten() {
        match item {
            Ok(changed) => env.changed.push(changed),
            Err((added, yaml)) => {
                env.added.push(added);
                env.added_yaml.push(yaml);
            }
        }
    }
    for (key, before) in &base_keyed {
        if !head_index.contains_key(key) {
            env.removed.push(before.reference.clone());
            env.removed_yaml.push(shown_yaml(before));
        }
    }
    env.graph = edge_change(plan_of(base), plan_of(head));
    if flows_failed {
        env.status = Status::Error;
    } else if env.status == Status::Unchanged
        && (!env.added.is_empty()
            || !env.removed.is_empty()
            || !env.changed.is_empty()
            || !env.introduced.is_empty()
            || !env.fixed.is_empty()
            || env.flows.as_ref().is_some_and(|f| !f.is_empty()))
    {
        env.status = Status::Changed;
    }
    env
}
