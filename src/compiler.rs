//! The compiler: the pipeline chained in one place.
//!
//! source → load and locate → resolve layers → merge → validate → generate → stamp → patch →
//! analyse → sort. Each stage returns its diagnostics; the pipeline stops after the first stage
//! that reports an error, so a later stage never sees input an earlier one refused. Warnings
//! travel with the result.

use std::collections::BTreeSet;

use tracing::debug;

use crate::diagnostic::{Diagnostics, SourceText};
use crate::input::Flavor;
use crate::layers::{self, Loader};
use crate::patch::Applied;
use crate::resource::{self, Resource};
use crate::source::{Source, Tree};
use crate::{analyse, generate, merge, render, validate};

/// A successful build.
#[derive(Debug)]
pub struct Build {
    pub environment: String,
    pub flavor: Flavor,
    /// Sorted in kustomize's legacy order.
    pub resources: Vec<Resource>,
    /// Per resource: the patches applied to it, in order.
    pub patched_by: Vec<Vec<String>>,
    /// Warnings (a build with errors is a [`Failed`]).
    pub diagnostics: Diagnostics,
    /// Every file the build read.
    pub inputs: BTreeSet<String>,
    pub texts: SourceText,
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

/// `Err` when the diagnostics hold an error (they hold nothing else worth keeping then).
fn errors_only(diagnostics: Diagnostics) -> Result<(), Diagnostics> {
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok(()) }
}

/// Builds the environment at the repo-relative directory `env_dir` of `source`.
pub fn compile(source: &dyn Source, env_dir: &str) -> Result<Build, Failed> {
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
    let layers = stage!("layers", layers::resolve(&mut loader, env_dir));
    let patch_files = stage!("patch files", layers::load_patch_files(&mut loader, &layers));
    let merged = stage!("merge", merge::merge(layers, &patch_files));
    let (plan, validate_warnings) = stage!("validate", validate::validate(&merged));
    // The plan holds what generation needs: the tenants' documents can go.
    let merge::Merged { resources: plain, patches, .. } = merged;
    warnings.extend(validate_warnings);

    let started = std::time::Instant::now();
    let mut resources = generate::generate(&plan);
    debug!(stage = "generate", elapsed_ms = started.elapsed().as_secs_f64() * 1e3, objects = resources.len(), "done");
    for doc in plain {
        let sources = BTreeSet::from([doc.file.clone()]);
        resources.push(Resource::new(doc.value, sources, None));
    }
    stage!("unique", errors_only(generate::check_unique(&resources)));

    stage!("stamp", {
        resource::stamp(&mut resources);
        Ok::<(), Diagnostics>(())
    });
    let applied = stage!("patch", {
        let (applied, diagnostics) = crate::patch::apply(&mut resources, &patches);
        errors_only(diagnostics).map(|()| applied)
    });

    let findings = stage!("analyse", {
        let findings = analyse::analyse(&resources);
        if findings.has_errors() { Err(findings) } else { Ok(findings) }
    });
    warnings.extend(findings);

    let Applied { by_resource } = applied;
    let mut indexed: Vec<(Resource, Vec<String>)> = resources.into_iter().zip(by_resource).collect();
    stage!("sort", {
        indexed.sort_by_cached_key(|(r, _)| render::sort_key(r));
        Ok::<(), Diagnostics>(())
    });
    let (resources, patched_by) = indexed.into_iter().unzip();
    Ok(Build {
        environment: plan.environment,
        flavor: plan.flavor,
        resources,
        patched_by,
        diagnostics: warnings,
        inputs: loader.read,
        texts: loader.texts,
    })
}
