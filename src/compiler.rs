//! The compiler: the pipeline chained in one place.
//!
//! source → load and locate → resolve layers → merge → validate → generate → stamp → patch →
//! refuse what the target would not take →
//! index for the analyses → render → analyse → flows → sort. Each stage returns its diagnostics; the build reports those of the
//! first stage with an error and goes no further, so later findings never pile onto input an
//! earlier stage refused. Warnings travel with the result.
//!
//! The stages after generation run object by object ([`finish`]): each object is built in the
//! generic value form, stamped, patched, indexed for the analyses ([`analyzers::Index`]) and
//! rendered, and only its text is kept. Batches of objects are finished on every core while generation goes on, and joined
//! in generation order ([`parallel::in_order`]), so the result never depends on which thread
//! finished what. Each stage runs in a `tracing` span named after it: `-v` prints its time.

use std::collections::BTreeSet;

use tracing::{debug, debug_span, trace};

use crate::analyzers::suppress::SuppressRule;
use crate::analyzers::{self, Finding, origin_file};
use crate::diagnostic::{Diagnostics, Explain, Location, SourceText};
use crate::error::Error;
use crate::finish::{self, Finish, Finished};
use crate::generate::{Generated, Pending};
use crate::input::{Flavor, SuppressSetting};
use crate::layers::{self, Loader};
use crate::patch::Patches;
use crate::render::{Form, Object};
use crate::source::{Source, Tree};
use crate::{flows, generate, merge, parallel, render, validate};

pub use crate::finish::{Validate, Validated, Validator};

/// What a build renders, beyond the repository.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The form each object is rendered in.
    pub form: Form,
    /// Annotations set on every object after the patches (Argo CD's revision).
    pub annotations: Vec<(String, String)>,
    /// Keep, per object, what each patch changed in it (`Object::changes`), for
    /// `meshedge explain`. Off, a build records nothing.
    pub record_patches: bool,
    /// Keep the flows of the build ([`Build::flows`]) and hand their violations to the caller
    /// ([`Build::flow_violations`]) instead of failing on them (`meshedge flows`, `meshedge check`).
    pub report_flows: bool,
    /// With [`Options::report_flows`]: hand over the violations only, without the report
    /// ([`Build::flows`] stays `None`; `meshedge check`). The stage then keeps no verdict that
    /// breaks nothing.
    pub flow_violations_only: bool,
    /// A build for `meshedge check`: every object is validated with this, and the findings of the
    /// analyses and the validation are handed to the caller ([`Build::findings`],
    /// [`Build::validated`]) instead of stopping the build.
    pub check: Option<Validate>,
}

/// A successful build.
#[derive(Debug)]
pub struct Build {
    pub environment: String,
    pub flavor: Flavor,
    /// The form the objects are rendered in.
    pub form: Form,
    /// Sorted in kustomize's legacy order.
    pub objects: Vec<Object>,
    /// Warnings (a build with errors is a [`Failed`]); for a check, also the E705/E706 of the
    /// objects the target would not take, which were left out.
    pub diagnostics: Diagnostics,
    /// Every file the build read.
    pub inputs: BTreeSet<String>,
    pub texts: SourceText,
    /// `settings.mesh.controlPlane.version`, as merged (the target platform's release).
    pub control_plane_version: String,
    /// The platform the objects are for: mesh release and cluster release.
    pub target: crate::platform::Target,
    /// `settings.check.suppress`, as merged.
    pub suppress: Vec<SuppressSetting>,
    /// The validated plan the objects were generated from (for `graph` and the diff's graph).
    pub(crate) plan: crate::plan::Plan,
    /// The flows of SPEC §5.1 and their verdicts, when [`Options::report_flows`] asked for them.
    pub flows: Option<crate::flows::Report>,
    /// The flows that break what the requests ask for (E801, E802), when
    /// [`Options::report_flows`] asked for them; otherwise they fail the build.
    pub flow_violations: Diagnostics,
    /// For `meshedge check`: every finding of the analyses, none suppressed yet.
    pub findings: Vec<Finding>,
    /// For `meshedge check`: the objects their schema refuses, or that have none.
    pub validated: Vec<Validated>,
}

impl Build {
    /// The output stream (`---`-separated YAML, or one JSON `List`).
    pub fn stream(&self) -> String {
        render::stream(&self.objects, self.form)
    }

    /// The directories whose files the build read (the layers' `resources/` and `tenants/`).
    pub fn read_directories(&self) -> Vec<String> {
        layers::layout::read_directories(&self.inputs)
    }
}

/// A build that stopped at a stage with errors.
#[derive(Debug)]
pub struct Failed {
    pub diagnostics: Diagnostics,
    pub texts: SourceText,
    pub inputs: BTreeSet<String>,
}

impl Failed {
    pub fn render(&self) -> String {
        self.diagnostics.render(&self.texts)
    }
}

impl From<Failed> for Error {
    fn from(failed: Failed) -> Error {
        Error::input(failed.diagnostics, failed.texts)
    }
}

/// `Err` when the diagnostics hold an error, else the warnings among them.
fn errors_only(diagnostics: Diagnostics) -> Result<Diagnostics, Diagnostics> {
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok(diagnostics) }
}

/// Runs one stage in its span; its warnings are kept, its errors end the build.
fn stage<T>(
    name: &'static str,
    warnings: &mut Diagnostics,
    run: impl FnOnce() -> Result<(T, Diagnostics), Diagnostics>,
) -> Result<T, Diagnostics> {
    let _span = debug_span!("stage", name).entered();
    match run() {
        Ok((value, found)) => {
            warnings.extend(found);
            Ok(value)
        }
        Err(errors) => {
            let mut all = std::mem::take(warnings);
            all.extend(errors);
            Err(all)
        }
    }
}

/// Builds the environment at the repo-relative directory `env_dir` of `source`, as YAML.
pub fn compile(source: &dyn Source, env_dir: &str) -> Result<Build, Failed> {
    compile_with(source, env_dir, &Options::default())
}

/// Builds the environment at the repo-relative directory `env_dir` of `source`.
pub fn compile_with(source: &dyn Source, env_dir: &str, options: &Options) -> Result<Build, Failed> {
    let result = match parallel::pool() {
        Some(pool) => pool.install(|| compile_in(source, env_dir, options)),
        None => compile_in(source, env_dir, options),
    };
    let read = match &result {
        Ok(build) => &build.inputs,
        Err(failed) => &failed.inputs,
    };
    for file in read {
        trace!(%file, "read");
    }
    result
}

fn compile_in(source: &dyn Source, env_dir: &str, options: &Options) -> Result<Build, Failed> {
    let mut loader = Loader::new(Tree::new(source));
    let mut warnings = Diagnostics::new();
    match chain(&mut loader, env_dir, options, &mut warnings) {
        Ok(Chained { plan, objects, suppress, findings, validated, flows, flow_violations }) => Ok(Build {
            flows,
            flow_violations,
            control_plane_version: plan.mesh.version.clone(),
            target: plan.target,
            suppress,
            findings,
            validated,
            environment: plan.environment.clone(),
            flavor: plan.flavor,
            plan,
            form: options.form,
            objects,
            diagnostics: warnings,
            inputs: loader.read,
            texts: loader.texts,
        }),
        Err(diagnostics) => Err(Failed { diagnostics, texts: loader.texts, inputs: loader.read }),
    }
}

/// What the stages make of an environment.
struct Chained {
    plan: crate::plan::Plan,
    /// Sorted.
    objects: Vec<Object>,
    suppress: Vec<SuppressSetting>,
    flows: Option<flows::Report>,
    flow_violations: Diagnostics,
    findings: Vec<Finding>,
    validated: Vec<Validated>,
}

/// The findings a build reports: those no suppression hides (`settings.check.suppress`, the
/// objects' annotations), each at the input file its object came from.
fn reported(findings: Vec<Finding>, suppress: &[SuppressSetting]) -> Diagnostics {
    let rules: Vec<SuppressRule> = suppress.iter().map(SuppressRule::from).collect();
    let outcome = analyzers::suppress::suppress(findings, &rules);
    outcome
        .kept
        .into_iter()
        .map(|f| {
            let location = origin_file(&f.trace.sources).map(Location::file);
            let object = f.object.clone();
            f.at_opt(location).resource(object)
        })
        .collect()
}

/// The stages, one after the other: the plan and the objects, sorted; or the diagnostics of the
/// first stage with an error.
fn chain(
    loader: &mut Loader,
    env_dir: &str,
    options: &Options,
    warnings: &mut Diagnostics,
) -> Result<Chained, Diagnostics> {
    let layers = stage("layers", warnings, || layers::resolve(loader, env_dir))?;
    let patch_files =
        stage("patch files", warnings, || Ok((layers::load_patch_files(loader, &layers)?, Diagnostics::new())))?;
    let merged = stage("merge", warnings, || Ok((merge::merge(layers, &patch_files)?, Diagnostics::new())))?;
    let plan = stage("validate", warnings, || validate::validate(&merged))?;
    // The plan holds what generation needs: the documents of tenants and layers go now, so that
    // generation reuses their memory.
    let merge::Merged { resources: plain, patches, tenants, manifests, settings, .. } = merged;
    let suppress = settings.check.and_then(|c| c.suppress).unwrap_or_default();
    drop((tenants, manifests));
    let (patches, patch_errors) = Patches::compile(&patches);
    let how = Finish {
        patches: &patches,
        annotations: &options.annotations,
        form: options.form,
        target: plan.target,
        validate: options.check.as_ref().map(|v| (&*v.0, plan.target)),
        record: options.record_patches,
    };
    let Finished { objects, matches, diagnostics, refused, index, mut validated, flow_objects, templates } =
        stage("generate", warnings, || {
            let parts = parallel::in_order(
                |hand_on| {
                    let mut out = Generated::new(hand_on);
                    generate::generate(&plan, &mut out);
                    for doc in plain {
                        out.push_pending(Pending::plain_document(doc));
                    }
                    out.flush();
                },
                |batch| finish::batch(batch, &how),
            );
            let finished = Finished::join(parts, patches.matches());
            debug!(objects = finished.objects.len(), "generated");
            Ok((finished, Diagnostics::new()))
        })?;
    // An object the target would not take stops the build here, before anything reads it; a
    // check reports it with the rest (the object itself is left out of everything else).
    if options.check.is_some() {
        warnings.extend(refused)
    } else {
        stage("final objects", warnings, || errors_only(refused).map(|w| ((), w)))?
    }
    if let Some((validator, _)) = how.validate {
        let templates: Vec<&serde_json::Value> = templates.iter().collect();
        finish::validate_constraints(validator, &templates, &mut validated);
    }
    drop(templates);
    // A TLS origination without a CA is a finding only where the target's proxies would not
    // verify the server anyway: a platform fact, the same for `build` and `check`.
    let proxies_verify_without_ca = plan.proxies_verify_without_ca();
    let context =
        analyzers::Context { proxies_verify_without_ca, secrets: plan.existing_secrets(), ..Default::default() };
    // Checked, evaluated and sorted at once; reported in stage order.
    let manifest = format!("{env_dir}/meshedge.yaml");
    let ((duplicates, flowed), (findings, order)) = parallel::join(
        || {
            parallel::join(
                || analyzers::unique(&objects),
                || {
                    let _span = debug_span!("stage", name = "flows").entered();
                    let keep = if options.report_flows && !options.flow_violations_only {
                        flows::stage::Keep::Report
                    } else {
                        flows::stage::Keep::Violations
                    };
                    flows::stage::run(&plan, flow_objects, &objects, &manifest, &|name| patches.location(name), keep)
                },
            )
        },
        || parallel::join(|| analyzers::run(index, context), || render::order(&objects)),
    );
    stage("unique", warnings, || errors_only(duplicates).map(|w| ((), w)))?;
    let mut patch_errors = patch_errors;
    patch_errors.extend(diagnostics);
    patch_errors.extend(patches.unmatched(&matches));
    stage("patch", warnings, || errors_only(patch_errors).map(|w| ((), w)))?;
    let findings = if options.check.is_some() {
        findings
    } else {
        let found = reported(findings, &suppress);
        stage("analyse", warnings, || errors_only(found).map(|w| ((), w)))?;
        Vec::new()
    };
    let (report, flow_violations) = flowed;
    let (flows, flow_violations) = if options.report_flows {
        (report, flow_violations)
    } else {
        drop(report);
        stage("flows", warnings, || errors_only(flow_violations).map(|w| ((), w)))?;
        (None, Diagnostics::new())
    };
    Ok(Chained {
        plan,
        objects: render::arrange(objects, &order),
        suppress,
        findings,
        validated,
        flows,
        flow_violations,
    })
}
