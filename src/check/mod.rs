//! Check: what `meshedge check` reports for an environment (or a bare directory of plain
//! manifests): the build's diagnostics, every analysis of the final objects
//! ([`crate::analyzers`], indexed while the build finishes its objects), the validation of every
//! object against its kind's schema for the environment's target platform ([`schemas`], also
//! while the objects are finished), and the flows ([`flows`]); suppressed findings are counted,
//! never dropped. Each finding is located in the input ([`locate`]) and goes into a
//! [`crate::report::Environment`] that the formats of [`crate::report`] render.
//!
//! Unlike `build`, `check` does not stop at the analyses' findings: an environment that
//! generates is analysed and validated in full. One that does not is reported with the errors
//! that stopped it.

mod bare;
mod error;
pub(crate) mod flows;
mod locate;
pub mod schemas;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analyzers::suppress::{SuppressRule, suppress};
use crate::analyzers::{Finding, Severity};
use crate::compiler::{self, Options, Validate, Validated};
use crate::diagnostic::{Code, Diagnostic, Explain, Location, MESSAGE_CHARS, SourceText, excerpt};
use crate::error::{Error, Trouble};
use crate::locate::WorkTree;
use crate::render::Form;
use crate::report::{Environment, Suppression};
use crate::schema::Validation;
use crate::source::Source;

pub use error::CheckError;
pub use locate::{Locator, pointer_of};
pub use schemas::Schemas;

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

    /// Keeps W703 once per rule: a rule of a base that several environments share and that
    /// suppresses nothing in any of them is one finding, in the first.
    fn unused_once(&mut self) {
        let mut seen = std::collections::BTreeSet::new();
        for env in &mut self.environments {
            env.diagnostics.retain(|d| d.code != Code::W703 || seen.insert((d.location.clone(), d.message.clone())));
        }
    }

    /// What every format reports the same way: a message, note or help line cut at
    /// [`MESSAGE_CHARS`] characters, and one finding once — the same code, place and message
    /// found again (the same object reached by two routes, one input file in several layers)
    /// is dropped.
    fn tidy(&mut self) {
        let cut = |text: &mut String| {
            if let std::borrow::Cow::Owned(short) = excerpt(text, MESSAGE_CHARS) {
                *text = short;
            }
        };
        for env in &mut self.environments {
            let all = env.diagnostics.iter_mut().chain(env.suppressed.iter_mut().map(|s| &mut s.diagnostic));
            for d in all {
                cut(&mut d.message);
                d.help.as_mut().map(cut);
                d.notes.iter_mut().for_each(|(_, note)| cut(note));
            }
            // One finding per code, place, message and object: one patch operation that breaks
            // five objects is five findings.
            let key = |d: &Diagnostic| {
                (d.code, d.location.clone(), d.message.clone(), d.resource.as_ref().map(ToString::to_string))
            };
            let mut seen = std::collections::BTreeSet::new();
            env.diagnostics.retain(|d| seen.insert(key(d)));
            let mut seen = std::collections::BTreeSet::new();
            env.suppressed.retain(|s| seen.insert(key(&s.diagnostic)));
        }
    }

    fn count(&self, severity: Severity) -> usize {
        self.environments.iter().flat_map(|e| &e.diagnostics).filter(|d| d.severity == severity).count()
    }
}

/// Checks what the command line names in the work tree: every environment (`names` is
/// `None`), or each name in turn — an environment (`prod`, `environments/prod`), or a directory
/// without `meshedge.yaml`, whose files are checked as plain manifests. `schema_dirs` are
/// `--schemas` directories (relative to `cwd`); the repository's `schemas/` is always read.
pub fn run(work_tree: &WorkTree, cwd: &Path, names: Option<&[String]>, schema_dirs: &[PathBuf]) -> Result<Run, Error> {
    let schemas = Schemas::for_repository(work_tree, cwd, schema_dirs)?;
    let schemas = Arc::new(schemas);
    let Some(names) = names else {
        let all = crate::layers::layout::all_environments(&[&work_tree.source]);
        if all.is_empty() {
            return Err(nothing_to_check(".", &work_tree.root));
        }
        let mut run = environments(&work_tree.source, &all, &schemas).map_err(Trouble::Check)?;
        run.unused_once();
        run.tidy();
        return Ok(run);
    };
    let mut all = Run::default();
    // Each environment once, however many times (and under whichever path) it is named.
    let mut seen = std::collections::BTreeSet::new();
    for name in names {
        let path = if Path::new(name).is_absolute() { PathBuf::from(name) } else { cwd.join(name) };
        let folder = bare::environments_in(&path);
        if !folder.is_empty() {
            // `meshedge check environments`: each environment in it.
            for env in folder {
                let dir = work_tree.environment(cwd, &env.to_string_lossy())?;
                if seen.insert(dir.clone()) {
                    all.extend(environments(&work_tree.source, &[dir], &schemas).map_err(Trouble::Check)?);
                }
            }
        } else if bare::is_bare(&path) {
            all.extend(bare::directory(work_tree, &path, name, &schemas)?);
        } else {
            let dir = work_tree.environment(cwd, name)?;
            if seen.insert(dir.clone()) {
                all.extend(environments(&work_tree.source, &[dir], &schemas).map_err(Trouble::Check)?);
            }
        }
    }
    all.unused_once();
    all.tidy();
    Ok(all)
}

/// E901 (exit 2) for a check that finds neither an environment nor a manifest where it looked:
/// a CI job run in the wrong directory must not pass.
pub(crate) fn nothing_to_check(arg: &str, root: &Path) -> Error {
    // `check` (or `check --all`) in a directory of plain manifests: they are checked when the
    // directory is named.
    let holds_manifests = arg == "."
        && std::fs::read_dir(root).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                e.path().is_file() && !name.starts_with('.') && schemas::is_manifest(&name)
            })
        });
    if holds_manifests {
        let help = format!(
            "{} holds manifests but no environment; to check them as plain manifests, name the directory: \
             `meshedge check .`",
            root.display()
        );
        let usage = crate::error::UsageError::NoEnvironment { arg: arg.to_string(), root: root.to_path_buf(), help };
        return Error::Usage(usage.report().into());
    }
    let help = format!(
        "meshedge looked under {} for environments (`environments/*`, `env/*`, `envs/*`, each with a \
         meshedge.yaml) and for `*.yaml`, `*.yml` and `*.json` manifests; name an environment or a directory \
         that holds them, or give --root",
        root.display()
    );
    let usage = crate::error::UsageError::NoEnvironment { arg: arg.to_string(), root: root.to_path_buf(), help };
    Error::Usage(usage.report().into())
}

/// Checks the environments at the repo-relative directories `env_dirs` of `source`. `Err`:
/// trouble with the embedded schemas.
pub fn environments(source: &dyn Source, env_dirs: &[String], schemas: &Arc<Schemas>) -> Result<Run, String> {
    let mut run = Run::default();
    for dir in env_dirs {
        let manifest = format!("{dir}/meshedge.yaml");
        let options = Options {
            form: Form::Json,
            check: Some(Validate(schemas.clone())),
            report_flows: true,
            flow_violations_only: true,
            ..Default::default()
        };
        match compiler::compile_with(source, dir, &options) {
            Err(failed) => {
                let name = dir.rsplit('/').next().unwrap_or(dir).to_string();
                let diagnostics = failed.diagnostics.iter().cloned().collect();
                run.environments.push(Environment { name, manifest, diagnostics, suppressed: Vec::new() });
                merge_texts(&mut run.texts, &failed.texts, &failed.inputs);
            }
            Ok(mut build) => {
                if let Some(trouble) = schemas.trouble() {
                    return Err(trouble);
                }
                let mut diagnostics: Vec<Diagnostic> = build.diagnostics.iter().cloned().collect();
                let rules: Vec<SuppressRule> = build.suppress.iter().map(SuppressRule::from).collect();
                let mut locator = Locator::for_environment(&build.texts, &manifest);
                let findings = std::mem::take(&mut build.findings);
                let manifests: Vec<String> =
                    build.inputs.iter().filter(|f| f.rsplit('/').next() == Some("meshedge.yaml")).cloned().collect();
                let suppressed =
                    report_findings(findings, &rules, &manifest, &manifests, &mut locator, &mut diagnostics);
                report_validation(&build.validated, &mut locator, &mut diagnostics);
                diagnostics.extend(flows::evaluate(&build.flow_violations).cloned());
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

/// The findings of the analyses, suppressed or kept, each at the place in the input it comes
/// from; the kept ones, and W703 for each settings rule that suppressed nothing (at the rule, in
/// the first of the layer manifests `manifests` that writes it, else at `manifest`), go to `out`.
fn report_findings(
    findings: Vec<Finding>,
    rules: &[SuppressRule],
    manifest: &str,
    manifests: &[String],
    locator: &mut Locator<'_>,
    out: &mut Vec<Diagnostic>,
) -> Vec<Suppression> {
    let outcome = suppress(findings, rules);
    let mut place = |f: &Finding| locator.locate(&f.object, &f.trace, &f.path);
    for finding in &outcome.kept {
        let location = place(finding);
        out.push(finding.clone().at_opt(location).resource(finding.object.clone()));
    }
    let mut suppressed = Vec::new();
    for s in &outcome.suppressed {
        let location = place(&s.finding);
        let diagnostic = s.finding.clone().at_opt(location).resource(s.finding.object.clone());
        suppressed.push(Suppression { diagnostic, by: s.by.to_string() });
    }
    for (index, code) in &outcome.matched_errors {
        let Some(rule) = rules.get(*index) else { continue };
        let at = locator.suppression(manifests, rule).unwrap_or_else(|| Location::file(manifest));
        let by = format!("`settings.check.suppress[{index}]`");
        out.push(CheckError::SuppressesError { by, code: code.to_string() }.at(at));
    }
    for (finding, annotation, entry) in &outcome.annotation_errors {
        let pointer = format!("/metadata/annotations/{}", annotation.replace('~', "~0").replace('/', "~1"));
        let location = locator.locate(&finding.object, &finding.trace, &pointer);
        let by = format!("annotation {annotation}: {entry}");
        let found = CheckError::SuppressesError { by, code: finding.code().to_string() };
        out.push(found.at_opt(location).resource(finding.object.clone()));
    }
    // Entries of the annotations that name no code, once per object and entry.
    let mut seen = std::collections::BTreeSet::new();
    let all = outcome.kept.iter().chain(outcome.suppressed.iter().map(|s| &s.finding));
    for finding in all {
        for (annotation, value) in &finding.annotations {
            for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                if !matches!(error::rule_code(entry), error::RuleCode::Unknown)
                    || !seen.insert((finding.object.clone(), annotation.clone(), entry.to_string()))
                {
                    continue;
                }
                let pointer = format!("/metadata/annotations/{}", annotation.replace('~', "~0").replace('/', "~1"));
                let location = locator.locate(&finding.object, &finding.trace, &pointer);
                let found =
                    CheckError::UnknownAnnotationCode { annotation: annotation.clone(), entry: entry.to_string() };
                out.push(found.at_opt(location).resource(finding.object.clone()));
            }
        }
    }
    for index in outcome.unused {
        let Some(rule) = rules.get(index) else { continue };
        let at = locator.suppression(manifests, rule).unwrap_or_else(|| Location::file(manifest));
        out.push(CheckError::UnusedSuppression { index, rule: rule.clone() }.at(at));
    }
    suppressed
}

/// E701 for each field a schema refuses, W702 for each object without a schema, at their places.
fn report_validation(validated: &[Validated], locator: &mut Locator<'_>, out: &mut Vec<Diagnostic>) {
    for v in validated {
        match &v.result {
            Validation::Valid => {}
            Validation::NoSchema { api_version, kind } => {
                let found = CheckError::NoSchema { api_version: api_version.clone(), kind: kind.clone() };
                let location = locator.locate(&v.object, &v.trace, "");
                out.push(found.at_opt(location).resource(v.object.clone()));
            }
            Validation::Invalid(failures) => {
                for failure in failures {
                    let found = CheckError::schema_failure(failure);
                    let pointer = match &found {
                        CheckError::SchemaInvalid { path, .. } => pointer_of(path),
                        _ => String::new(),
                    };
                    let location = locator.locate(&v.object, &v.trace, &pointer);
                    out.push(found.at_opt(location).resource(v.object.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_in_an_example_environment_are_located_and_counted() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let source = crate::source::FsSource::new(root);
        let schemas = Arc::new(Schemas::new(&[]).expect("no extra schemas"));
        let run = environments(&source, &["environments/prod".to_string()], &schemas).expect("the schemas load");
        assert_eq!(run.environments.len(), 1);
        assert_eq!(run.errors(), 0, "{:?}", run.environments[0].diagnostics);
    }
}
