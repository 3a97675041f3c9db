//! A bare directory of plain Kubernetes and Istio manifests (no `meshedge.yaml`): every
//! `*.yaml`, `*.yml` and `*.json` file under it, walked by the source stage's bounded walk
//! ([`Tree::walk`]: hidden entries skipped, each file reached once, sizes limited), analysed and
//! validated for the newest target meshedge models.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::{CheckError, Run, Schemas, nothing_to_check, report_findings, report_validation};
use crate::analyzers::{self, Context, Object, ResourceRef, Trace, default_ingress_gateway};
use crate::compiler::Validated;
use crate::diagnostic::{Diagnostic, Explain};
use crate::error::{Error, Trouble};
use crate::layers::layout::MANIFEST;
use crate::locate::{WorkTree, relative_to_root};
use crate::platform::Target;
use crate::report::Environment;
use crate::schema::Validation;
use crate::source::{FsSource, SourceError, Tree};

/// The API group of meshedge's own input documents (Environment, Layer, Tenant, EdgeRequest).
const MESHEDGE_GROUP: &str = "meshedge.io";

/// Whether `path` is a directory to check as plain manifests: one without `meshedge.yaml`.
pub fn is_bare(path: &Path) -> bool {
    path.is_dir() && !path.join(MANIFEST).is_file()
}

/// The environments of a folder of environments (`environments/`, `env/`, `envs/`): its
/// subdirectories with a `meshedge.yaml`, sorted; empty for any other directory, which is then
/// checked as plain manifests.
pub fn environments_in(path: &Path) -> Vec<PathBuf> {
    let folder = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if !crate::layers::layout::ENVIRONMENT_DIRS.contains(&folder) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(path) else { return Vec::new() };
    let mut found: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.is_dir() && p.join(MANIFEST).is_file()).collect();
    found.sort();
    found
}

/// How deep Lists nested in Lists are read.
pub(crate) const MAX_LIST_DEPTH: usize = 8;

/// The objects of a document, each with its pointer in it: the document itself, or the items of
/// a `v1 List` (those of a List among them in turn, up to [`MAX_LIST_DEPTH`] deep), each checked
/// as a manifest of its own. A List deeper than that is kept as it is (and has no schema).
fn list_items(value: Value, pointer: &str, depth: usize, out: &mut Vec<(String, Value)>) {
    let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    if depth >= MAX_LIST_DEPTH || !crate::platform::is_list(&text("apiVersion"), &text("kind")) {
        out.push((pointer.to_string(), value));
        return;
    }
    let Value::Object(mut list) = value else { return };
    let items = match list.remove("items") {
        Some(Value::Array(items)) => items,
        // A List without items holds nothing to check.
        _ => return,
    };
    for (i, item) in items.into_iter().enumerate() {
        list_items(item, &format!("{pointer}/items/{i}"), depth + 1, out);
    }
}

/// The target a bare directory's manifests are validated for: [`Target::newest_known`].
fn bare_target() -> Option<Target> {
    Some(Target::newest_known())
}

/// The files of `dir` as (name, text): named relative to the work tree's root when `dir` is in
/// it, else by their absolute path. An input that cannot be read — a symbolic link out of the
/// root (E105), a file that is not UTF-8 or not a regular file (E100), one over the size limit
/// (E114) — is a diagnostic at its file, as in an environment's build, and the other files are
/// still checked; a walk that cannot finish (a link out of the root, a loop) reads nothing more.
fn files(work_tree: &WorkTree, dir: &Path) -> (Vec<(String, String)>, Vec<Diagnostic>) {
    let read = |tree: &Tree, source: &FsSource, prefix: &str, walk_from: &str| {
        let mut out = Vec::new();
        let mut unreadable = Vec::new();
        let refused =
            |e: SourceError| crate::layers::source_error(&super::schemas::named(e, prefix), "cannot read a manifest");
        let walked = match tree.walk(walk_from) {
            Ok(walked) => walked,
            Err(e) => return (out, vec![refused(e)]),
        };
        for file in walked.into_iter().filter(|f| super::schemas::is_manifest(&f.path)) {
            match super::schemas::read_regular(tree, source, &file) {
                Ok(text) => out.push((format!("{prefix}{}", file.path), crate::load::strip_bom(&text).to_string())),
                Err(e) => unreadable.push(refused(e)),
            }
        }
        (out, unreadable)
    };
    match relative_to_root(&work_tree.root, dir) {
        Some(relative) => read(&Tree::new(&work_tree.source), &work_tree.source, "", &relative),
        None => {
            let source = FsSource::new(dir);
            read(&Tree::new(&source), &source, &format!("{}/", dir.display()), "")
        }
    }
}

/// Checks the plain manifests under `dir` (absolute); `arg` is how the command line named it.
pub fn directory(work_tree: &WorkTree, dir: &Path, arg: &str, schemas: &Arc<Schemas>) -> Result<Run, Error> {
    let name = relative_to_root(&work_tree.root, dir)
        .filter(|relative| !relative.is_empty())
        .unwrap_or_else(|| if arg.is_empty() { ".".to_string() } else { arg.to_string() });
    let mut run = Run::default();
    let mut documents: Vec<(Value, Vec<String>)> = Vec::new();
    let (files, mut diagnostics) = files(work_tree, dir);
    if files.is_empty() && diagnostics.is_empty() {
        return Err(nothing_to_check(arg, &work_tree.root));
    }
    // Items of a List that are not objects: (file, document, pointer).
    let mut not_objects = Vec::new();
    for (file, text) in files {
        match crate::load::parse(&file, &text) {
            Ok(docs) => {
                for doc in docs.into_iter().filter(|d| !d.value.is_null()) {
                    let mut items = Vec::new();
                    list_items(doc.value, "", 0, &mut items);
                    for (pointer, value) in items {
                        if value.is_object() {
                            documents.push((value, vec![file.clone()]));
                        } else {
                            not_objects.push((file.clone(), doc.index, pointer));
                        }
                    }
                }
            }
            Err(d) => diagnostics.push(d),
        }
        run.texts.insert(&file, text);
    }
    // Files that hold only empty documents: nothing to check, as with no file at all.
    if documents.is_empty() && not_objects.is_empty() && diagnostics.is_empty() {
        return Err(nothing_to_check(arg, &work_tree.root));
    }
    let mut objects: Vec<Object> = documents.iter().map(|(value, sources)| Object::new(value, sources)).collect();
    // An object at an API version the target does not serve (E705) is left out of the rest, as
    // in an environment's build.
    let mut refused = Vec::new();
    let mut inputs = Vec::new();
    if let Some(target) = bare_target() {
        objects.retain(|object| {
            let reference = ResourceRef::of(object.value);
            if reference.api_version.is_empty() || reference.kind.is_empty() {
                return true;
            }
            if reference.api_version.split_once('/').is_some_and(|(group, _)| group == MESHEDGE_GROUP) {
                let own = CheckError::MeshedgeInput { kind: reference.kind.clone() };
                let trace = Trace::of(object.value, object);
                inputs.push((own, reference, trace));
                return false;
            }
            if let Some((bad, pointer)) = crate::finish::refused::bad_name(object.value) {
                refused.push((bad, reference, Trace::of(object.value, object), pointer));
                return false;
            }
            match crate::finish::refused::unserved(&reference, target) {
                Some(not_served) => {
                    refused.push((not_served, reference, Trace::of(object.value, object), "/apiVersion".to_string()));
                    false
                }
                None => true,
            }
        });
    }
    let context = Context { workloads: vec![default_ingress_gateway()], ..Context::default() };
    let findings = analyzers::analyse(&objects, &context);
    let mut validated = Vec::new();
    if let Some(target) = bare_target() {
        schemas.prepare(target).map_err(Trouble::Check)?;
        for object in &objects {
            let result = schemas.validate(target, object.value);
            if result != Validation::Valid {
                let trace = Trace::of(object.value, object);
                validated.push(Validated::new(ResourceRef::of(object.value), result, trace, object.value));
            }
        }
        let templates: Vec<&Value> =
            objects.iter().map(|o| o.value).filter(|v| crate::finish::is_constraint_template(v)).collect();
        crate::finish::validate_constraints(&**schemas, &templates, &mut validated);
    }
    let manifest = documents.first().map(|(_, sources)| sources[0].clone()).unwrap_or_else(|| name.clone());
    let mut locator = super::Locator::new(&run.texts);
    for (file, index, pointer) in not_objects {
        if pointer.is_empty() {
            // A document that is not a mapping: the same error as in an environment's resources/.
            let found = crate::merge::MergeError::ResourceIncomplete {
                missing: crate::finish::refused::missing_fields(&Value::Null),
            };
            diagnostics.push(found.at(locator.in_document(&file, index, &pointer)));
            continue;
        }
        let found = CheckError::SchemaInvalid {
            path: pointer.trim_start_matches('/').replace("items/", "items[").replace('/', "].") + "]",
            problem: "a List's item must be an object (a manifest)".into(),
        };
        diagnostics.push(found.at(locator.in_document(&file, index, &pointer)));
    }
    for (not_served, reference, trace, pointer) in refused {
        let location = locator.locate(&reference, &trace, &pointer);
        let help = not_served.bare_help();
        let mut found = not_served.at_opt(location).resource(reference);
        found.help = help;
        diagnostics.push(found);
    }
    for (own, reference, trace) in inputs {
        let location = locator.locate(&reference, &trace, "");
        diagnostics.push(own.at_opt(location).resource(reference));
    }
    let suppressed = report_findings(findings, &[], &manifest, &[], &mut locator, &mut diagnostics);
    report_validation(&validated, &mut locator, &mut diagnostics);
    run.environments.push(Environment { name, manifest, diagnostics, suppressed });
    Ok(run)
}
