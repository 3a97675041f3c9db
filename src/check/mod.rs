//! Check: what `meshedge check` reports for an environment (or a bare directory of plain
//! manifests): the build's diagnostics, every analysis of the final objects
//! ([`crate::analyzers`]), the validation of every object against its kind's schema for the
//! environment's target platform ([`schemas`]), and the flows ([`flows`]); suppressed findings
//! are counted, never dropped. Each finding is located in the input ([`locate`]) and goes into a
//! [`report::Environment`] that the formats of [`crate::report`] render.
//!
//! Unlike `build`, `check` does not stop at the first stage with an error after generation: an
//! environment that generates is analysed and validated in full. One that does not is reported
//! with the errors that stopped it.

mod context;
pub(crate) mod flows;
mod locate;
pub mod schemas;

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use crate::analyzers::suppress::{SuppressRule, suppress};
use crate::analyzers::{self, Object, ObjectRef, Severity};
use crate::compiler::{self, Options};
use crate::diagnostic::{self, Code, SourceText};
use crate::input::{Flavor, SuppressSetting};
use crate::platform::{ClusterSetting, Target};
use crate::render::Form;
use crate::report::{Diagnostic, Environment, Suppression};
use crate::schema::Validation;
use crate::source::Source;

pub use locate::{Checked, origin_file, pointer_of};
pub use schemas::Schemas;

impl From<diagnostic::ResourceRef> for ObjectRef {
    fn from(r: diagnostic::ResourceRef) -> Self {
        ObjectRef { api_version: r.api_version, kind: r.kind, namespace: r.namespace, name: r.name }
    }
}

/// What a check of one or more environments found, and the texts of the files it read (for
/// the excerpts of the text format).
#[derive(Debug, Default)]
pub struct Run {
    pub environments: Vec<Environment>,
    pub texts: SourceText,
}

impl Run {
    /// Appends the environments of `other`.
    pub fn extend(&mut self, other: Run) {
        self.environments.extend(other.environments);
        self.texts.absorb(other.texts);
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.environments.iter().flat_map(|e| &e.diagnostics).filter(|d| d.severity == severity).count()
    }
}

/// The target a bare directory's manifests are validated for: the newest Istio meshedge models,
/// on the newest OpenShift (which also serves Routes and the OVN kinds).
fn bare_target() -> Option<Target> {
    Target::new(Flavor::Istio, "v1.24", ClusterSetting::OpenShift("4.19")).ok()
}

fn severity(s: diagnostic::Severity) -> Severity {
    match s {
        diagnostic::Severity::Error => Severity::Error,
        diagnostic::Severity::Warning => Severity::Warning,
    }
}

/// A diagnostic of a stage of the build, as `check` reports it.
pub fn from_build(d: &diagnostic::Diagnostic) -> Diagnostic {
    Diagnostic {
        severity: severity(d.severity),
        code: d.code.to_string(),
        istio: d.istio.map(str::to_string),
        message: d.message.clone(),
        resource: d.resource.as_ref().map(|r| ObjectRef {
            api_version: r.api_version.clone(),
            kind: r.kind.clone(),
            namespace: r.namespace.clone(),
            name: r.name.clone(),
        }),
        file: d.location.as_ref().map(|l| l.file.clone()),
        line: d.location.as_ref().and_then(|l| l.line),
        column: d.location.as_ref().and_then(|l| l.column),
        help: d.help.clone(),
    }
}

/// A diagnostic of `check`'s own (schema, suppression), with its code's severity.
fn own(code: Code, message: String, help: &str) -> Diagnostic {
    Diagnostic {
        severity: severity(code.severity()),
        code: code.to_string(),
        istio: None,
        message,
        resource: None,
        file: None,
        line: None,
        column: None,
        help: Some(help.to_string()),
    }
}

/// Every environment of `source` (`environments/*`, `env/*`, `envs/*`), sorted.
pub fn all_environments(source: &dyn Source) -> Vec<String> {
    crate::layers::layout::all_environments(&[source])
}

/// Checks the environments at the repo-relative directories `env_dirs` of `source`. `Err`:
/// trouble with the embedded schemas.
pub fn environments(source: &dyn Source, env_dirs: &[String], schemas: &mut Schemas) -> Result<Run, String> {
    let mut run = Run::default();
    for dir in env_dirs {
        let manifest = format!("{dir}/meshedge.yaml");
        let options = Options { form: Form::Json, skip_analyses: true, report_flows: true, ..Default::default() };
        match compiler::compile_with(source, dir, &options) {
            Err(failed) => {
                let name = dir.rsplit('/').next().unwrap_or(dir).to_string();
                let diagnostics = failed.diagnostics.iter().map(from_build).collect();
                run.environments.push(Environment { name, manifest, diagnostics, suppressed: Vec::new() });
                merge_texts(&mut run.texts, &failed.texts, &failed.inputs);
            }
            Ok(build) => {
                let objects: Vec<Checked> = build
                    .objects
                    .par_iter()
                    .map(|o| Checked {
                        value: o.value(),
                        origin: o.origin.as_deref().unwrap_or(&o.reference).clone().into(),
                        sources: o.sources.clone(),
                        patched_by: o.patched_by.clone(),
                    })
                    .collect();
                let mut diagnostics: Vec<Diagnostic> = build.diagnostics.iter().map(from_build).collect();
                let target = Some(build.target);
                if let Some(target) = target {
                    schemas.prepare(target)?;
                }
                let scope = Scope { texts: &build.texts, manifest: &manifest, target, schemas, bare: false };
                let (found, suppressed) = analyse(&objects, &build.suppress, &scope, &mut diagnostics);
                diagnostics.extend(found);
                diagnostics.extend(flows::evaluate(&build.flow_violations).map(from_build));
                run.environments.push(Environment {
                    name: build.environment.clone(),
                    manifest,
                    diagnostics,
                    suppressed,
                });
                merge_texts(&mut run.texts, &build.texts, &build.inputs);
                // The process ends soon: freeing every object one by one is wasted work.
                std::mem::forget(build);
            }
        }
    }
    Ok(run)
}

fn merge_texts(into: &mut SourceText, from: &SourceText, files: &std::collections::BTreeSet<String>) {
    for file in files {
        if into.get(file).is_none()
            && let Some(text) = from.get(file)
        {
            into.insert(file, text.to_string());
        }
    }
}

/// Checks the plain manifests of a directory without `meshedge.yaml`: every `*.yaml`, `*.yml`
/// and `*.json` file under `dir` (absolute), named relative to `root`; validated for the newest
/// target meshedge models. `name` names the report's environment.
pub fn directory(root: &Path, dir: &Path, name: &str, schemas: &mut Schemas) -> Result<Run, String> {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    let mut run = Run::default();
    let mut objects = Vec::new();
    let mut diagnostics = Vec::new();
    for path in files {
        let file = crate::locate::relative_to_root(root, &path).unwrap_or_else(|| path.display().to_string());
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => crate::load::strip_bom(&text).to_string(),
            Err(e) => return Err(format!("{file}: {e}")),
        };
        match crate::load::parse(&file, &text) {
            Ok(docs) => {
                for doc in docs {
                    if doc.value.is_null() {
                        continue;
                    }
                    let origin = ObjectRef::of(&doc.value);
                    objects.push(Checked {
                        value: doc.value,
                        origin,
                        sources: vec![file.clone()],
                        patched_by: Vec::new(),
                    });
                }
            }
            Err(d) => diagnostics.push(from_build(&d)),
        }
        run.texts.insert(&file, text);
    }
    let target = bare_target();
    if let Some(target) = target {
        schemas.prepare(target)?;
    }
    let manifest = objects.first().map(|o| o.sources[0].clone()).unwrap_or_else(|| name.to_string());
    let scope = Scope { texts: &run.texts, manifest: &manifest, target, schemas, bare: true };
    let (found, suppressed) = analyse(&objects, &[], &scope, &mut diagnostics);
    diagnostics.extend(found);
    diagnostics.extend(flows::evaluate(&diagnostic::Diagnostics::new()).map(from_build));
    run.environments.push(Environment { name: name.to_string(), manifest, diagnostics, suppressed });
    Ok(run)
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, out),
            Ok(t) if t.is_file() && path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") => {
                out.push(path)
            }
            _ => {}
        }
    }
}

/// What the analyses of one environment (or one bare directory) read besides its objects.
struct Scope<'a> {
    /// The input files, for locating findings.
    texts: &'a SourceText,
    /// The environment's manifest (or the directory), where settings findings point.
    manifest: &'a str,
    /// The target platform, when known: its schemas validate the objects.
    target: Option<Target>,
    schemas: &'a Schemas,
    /// A bare directory of plain manifests: gateway pods are assumed as `istioctl analyze` does.
    bare: bool,
}

/// The analyses and the schema validation of one environment's objects: the diagnostics kept
/// and the findings suppressed; `diagnostics` also gets the settings rules that suppressed
/// nothing.
fn analyse(
    objects: &[Checked],
    rules: &[SuppressSetting],
    scope: &Scope,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<Diagnostic>, Vec<Suppression>) {
    let Scope { texts, manifest, target, schemas, bare } = *scope;
    let list: Vec<Object> = objects.iter().map(|o| Object::new(&o.value, &o.sources)).collect();
    let mut context = context::of(objects.iter().map(|o| &o.value));
    if bare {
        context.workloads.push(context::default_ingress_gateway());
    }
    let findings = analyzers::analyse(&list, &context);
    let rules: Vec<SuppressRule> = rules
        .iter()
        .map(|r| SuppressRule {
            code: r.code.clone(),
            kind: r.kind.clone(),
            name: r.name.clone(),
            namespace: r.namespace.clone(),
        })
        .collect();
    let outcome = suppress(findings, &rules);
    let by_identity: BTreeMap<ObjectRef, &Checked> = objects.iter().map(|o| (ObjectRef::of(&o.value), o)).collect();
    let mut locator = locate::Locator::new(texts);
    let mut place = |object: &ObjectRef, pointer: &str| match by_identity.get(object) {
        Some(checked) => locator.locate(checked, pointer),
        None => (None, None, None),
    };
    let mut out = Vec::new();
    for finding in &outcome.kept {
        let (file, line, column) = place(&finding.object, &finding.path);
        out.push(Diagnostic::from_finding(finding, file, line, column));
    }
    let mut suppressed = Vec::new();
    for s in &outcome.suppressed {
        let (file, line, column) = place(&s.finding.object, &s.finding.path);
        suppressed.push(Suppression::from_suppressed(s, file, line, column));
    }
    for index in outcome.unused {
        let rule = &rules[index];
        let mut d = own(
            Code::W703,
            format!("`settings.check.suppress[{index}]` (code {}) suppresses no finding", rule.code),
            "remove the rule, or fix its code, kind, name or namespace",
        );
        d.file = Some(manifest.to_string());
        out.push(d);
    }
    if let Some(target) = target {
        let results: Vec<(usize, Validation)> =
            objects.par_iter().enumerate().map(|(i, o)| (i, schemas.validate(target, &o.value))).collect();
        for (i, result) in results {
            let object = &objects[i];
            let identity = ObjectRef::of(&object.value);
            match result {
                Validation::Valid => {}
                Validation::NoSchema { api_version, kind } => {
                    let mut d = own(
                        Code::W702,
                        format!("no schema for {kind} ({api_version}): the object is not validated"),
                        "give its CustomResourceDefinition with `--schemas DIR` or in the repository's `schemas/` directory",
                    );
                    (d.file, d.line, d.column) = place(&identity, "");
                    d.resource = Some(identity);
                    diagnostics.push(d);
                }
                Validation::Invalid(failures) => {
                    for failure in failures {
                        let (path, problem) = failure.split_once(": ").unwrap_or(("<root>", failure.as_str()));
                        let mut d = own(
                            Code::E701,
                            format!("`{path}`: {problem}"),
                            "fix the field as the kind's schema says (the API server would refuse or drop it)",
                        );
                        (d.file, d.line, d.column) = place(&identity, &pointer_of(path));
                        d.resource = Some(identity.clone());
                        out.push(d);
                    }
                }
            }
        }
    }
    (out, suppressed)
}
