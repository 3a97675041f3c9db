//! The compiler: the pipeline chained in one place.
//!
//! source → load and locate → resolve layers → merge → validate → generate → stamp → patch →
//! analyse → render → sort. Each stage returns its diagnostics; the build reports those of the
//! first stage with an error and goes no further, so later findings never pile onto input an
//! earlier stage refused. Warnings travel with the result.
//!
//! The stages after generation run object by object: each object is built in the generic value
//! form, stamped, patched, noted for the analyses and rendered, and only its text is kept. Objects are finished in batches on every core while generation goes on; the patches'
//! errors, the analyses' facts and the objects are joined in generation order, so the result
//! never depends on which thread finished what.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing::{debug, trace};

use crate::analyse::Facts;
use crate::diagnostic::{Diagnostics, SourceText};
use crate::error::Error;
use crate::generate::{Generated, Pending};
use crate::input::Flavor;
use crate::layers::{self, Loader};
use crate::patch::{Matches, Patches};
use crate::render::Form;
use crate::render::Object;
use crate::resource::{self, Resource};
use crate::source::{Source, Tree};
use crate::{analyse, generate, merge, parallel, render, validate};

/// What a build renders, beyond the repository.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The form each object is rendered in.
    pub form: Form,
    /// Annotations set on every object after the patches (Argo CD's revision).
    pub annotations: Vec<(String, String)>,
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
    /// Warnings (a build with errors is a [`Failed`]).
    pub diagnostics: Diagnostics,
    /// Every file the build read.
    pub inputs: BTreeSet<String>,
    pub texts: SourceText,
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

/// `Err` when the diagnostics hold an error (they hold nothing else worth keeping then).
fn errors_only(diagnostics: Diagnostics) -> Result<(), Diagnostics> {
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok(()) }
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
    macro_rules! stage {
        ($name:literal, $result:expr) => {{
            let started = std::time::Instant::now();
            let result = $result;
            debug!(stage = $name, elapsed_ms = started.elapsed().as_secs_f64() * 1e3, "done");
            match result {
                Ok(value) => value,
                Err(diagnostics) => {
                    let mut all = warnings;
                    all.extend(diagnostics);
                    return Err(Failed { diagnostics: all, texts: loader.texts, inputs: loader.read });
                }
            }
        }};
    }
    let (layers, layer_warnings) = stage!("layers", layers::resolve(&mut loader, env_dir));
    warnings.extend(layer_warnings);
    let patch_files = stage!("patch files", layers::load_patch_files(&mut loader, &layers));
    let merged = stage!("merge", merge::merge(layers, &patch_files));
    let (plan, validate_warnings) = stage!("validate", validate::validate(&merged));
    // The plan holds what generation needs: the documents of tenants and layers go now, so that
    // generation reuses their memory.
    let merge::Merged { resources: plain, patches, tenants, manifests, .. } = merged;
    drop((tenants, manifests));
    warnings.extend(validate_warnings);

    let (patches, mut patch_errors) = Patches::compile(&patches);
    let Finished { objects, matches, diagnostics, facts } = stage!("generate", {
        let finished = generate_and_finish(&plan, plain, &patches, options);
        debug!(objects = finished.objects.len(), "generated");
        Ok::<_, Diagnostics>(finished)
    });
    // Checked and sorted at once; reported in stage order.
    let (duplicates, (findings, order)) = stage!(
        "check and sort",
        Ok::<_, Diagnostics>(parallel::join(
            || analyse::unique(&objects),
            || parallel::join(|| facts.check(), || render::order(&objects)),
        ))
    );
    stage!("unique", errors_only(duplicates));
    patch_errors.extend(diagnostics);
    patch_errors.extend(patches.unmatched(&matches));
    stage!("patch", errors_only(patch_errors));
    let findings = stage!("analyse", if findings.has_errors() { Err(findings) } else { Ok(findings) });
    warnings.extend(findings);
    let objects = render::arrange(objects, &order);
    Ok(Build {
        environment: plan.environment,
        flavor: plan.flavor,
        form: options.form,
        objects,
        diagnostics: warnings,
        inputs: loader.read,
        texts: loader.texts,
    })
}

/// The objects finished so far, and what finishing them found.
#[derive(Debug, Default)]
struct Finished {
    objects: Vec<Object>,
    matches: Matches,
    /// Patch errors.
    diagnostics: Diagnostics,
    facts: Facts,
}

/// Generates every object and finishes it: generation hands batches of objects to the pool as it
/// goes, so that only the batches being finished are ever in the value form. Batches are numbered
/// and joined in order.
fn generate_and_finish(
    plan: &validate::Plan,
    plain: Vec<crate::load::Document>,
    patches: &Patches,
    options: &Options,
) -> Finished {
    let done: Mutex<Vec<(usize, Finished)>> = Mutex::new(Vec::new());
    let run = |hand_on: &mut dyn FnMut(usize, Vec<Pending>)| {
        let mut index = 0;
        let mut sink = |batch: Vec<Pending>| {
            hand_on(index, batch);
            index += 1;
        };
        let mut out = Generated::new(&mut sink);
        generate::generate(plan, &mut out);
        for doc in plain {
            out.push_pending(Pending::plain(doc.value, &doc.file));
        }
        out.flush();
    };
    let keep = |index: usize, batch: Vec<Pending>| {
        let part = finish(batch, patches, options);
        done.lock().unwrap_or_else(|e| e.into_inner()).push((index, part));
    };
    match parallel::pool() {
        Some(pool) => {
            // A short queue: when the pool is behind, generation finishes the batch itself.
            let queued = AtomicUsize::new(0);
            let limit = 2 * pool.current_num_threads();
            pool.scope(|scope| {
                run(&mut |index, batch| {
                    if queued.load(Ordering::Acquire) >= limit {
                        return keep(index, batch);
                    }
                    queued.fetch_add(1, Ordering::AcqRel);
                    let queued = &queued;
                    scope.spawn(move |_| {
                        keep(index, batch);
                        queued.fetch_sub(1, Ordering::AcqRel);
                    })
                })
            })
        }
        None => run(&mut |index, batch| keep(index, batch)),
    }
    let mut parts = done.into_inner().unwrap_or_else(|e| e.into_inner());
    parts.sort_unstable_by_key(|(index, _)| *index);
    let mut all = Finished { matches: patches.matches(), ..Default::default() };
    all.objects.reserve(parts.iter().map(|(_, p)| p.objects.len()).sum());
    for (_, part) in parts {
        all.objects.extend(part.objects);
        all.matches.add(&part.matches);
        all.diagnostics.extend(part.diagnostics);
        all.facts.extend(part.facts);
    }
    all
}

/// Stamps, patches, notes for the analyses and renders a batch of objects.
fn finish(batch: Vec<Pending>, patches: &Patches, options: &Options) -> Finished {
    let mut part =
        Finished { objects: Vec::with_capacity(batch.len()), matches: patches.matches(), ..Default::default() };
    let mut scratch = String::new();
    for pending in batch {
        let mut resource = pending.into_resource();
        resource::stamp(&mut resource);
        let applied = patches.apply(&mut resource, &mut part.matches, &mut part.diagnostics);
        for (key, value) in &options.annotations {
            resource::annotate(&mut resource, key, value);
        }
        let reference = resource.reference();
        part.facts.add(&resource, &reference);
        let text = render::object_text(&resource.value, options.form, &mut scratch);
        let origin = applied.before.filter(|before| *before != reference).map(Box::new);
        let Resource { sources, .. } = resource;
        part.objects.push(Object { reference, origin, sources, patched_by: applied.names, form: options.form, text });
    }
    part
}
