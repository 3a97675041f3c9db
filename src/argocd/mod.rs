//! Argo CD Config Management Plugin entry point: `meshedge generate`.
//!
//! Argo CD's CMP server extracts the repository into a fresh `…/_cmp_server/<uuid>/` (usually
//! without `.git`) and runs `meshedge generate` in `<that dir>/<ARGOCD_APP_SOURCE_PATH>`. The
//! repository root is therefore the working directory with `ARGOCD_APP_SOURCE_PATH` taken off its
//! end, and the environment is the working directory unless an option names another one.
//!
//! Options come from the Application's plugin env (`ARGOCD_ENV_MESHEDGE_*`) and its parameters
//! (`ARGOCD_APP_PARAMETERS`, or the `PARAM_*` variables when that one is absent); a parameter
//! overrides the env entry of the same option. An empty variable counts as absent: Argo CD before
//! 3.0 does not pass empty variables at all. Unknown option names are errors, never ignored.
//!
//! With the `shard` option (`K/N`, or `--shard K/N` on the command line, which wins over both),
//! the whole environment is built and validated as always, and only the objects of that shard
//! are printed (see [`crate::shard`]): one Application per shard splits a large environment.
//!
//! The command only reads: it writes nothing but stdout and stderr, so any number of runs on one
//! extracted tree are safe. On success the YAML stream goes to stdout in one write, with the
//! `meshedge.io/revision` annotation (`<repo url>@<revision>`) on every object when the revision
//! is known. On failure stdout stays empty and stderr carries a short report, because Argo CD shows
//! it in its UI: a headline, at most three diagnostics, and a count of the rest.

mod report;
mod request;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tracing::debug;

use crate::compiler::{self, Build};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::error::{Diagnosed, Error, Summary, Trouble, UsageError};
use crate::layers::layout::{MANIFEST, within};
use crate::locate;
use crate::shard::Shard;
use crate::source::{FsSource, Tree};

pub use report::{REPORT_LIMIT, report};
pub use request::{ENV_PREFIX, OPTIONS, OptionError, OptionKind, OptionSpec, Options, Request, redact_url};

/// The annotation that ties every object to the commit it was generated from.
pub const REVISION_ANNOTATION: &str = "meshedge.io/revision";

/// A successful generation: the stream for stdout, and the warnings for stderr.
#[derive(Debug)]
pub struct Generated {
    /// The environment built, as shown in messages (`.` for the root).
    pub env_dir: String,
    pub yaml: String,
    /// Warnings, to be shown in short like a failure report.
    pub warnings: Option<Diagnosed>,
    /// The objects printed (those of the shard, when one was asked for).
    pub objects: usize,
    /// The shard printed ([`Shard::WHOLE`] without the option).
    pub shard: Shard,
}

/// `--discover`: the manifest of the environment the request selects, if there is one. Invalid
/// options still match (the app is clearly meant for meshedge), so `generate` reports them.
pub fn discover(vars: &BTreeMap<String, String>, cwd: &Path) -> Option<String> {
    let request = match Request::from_vars(vars) {
        Ok(request) => request,
        Err(_) => return Some("meshedge: options to report".into()),
    };
    let root = find_root(&request, cwd).ok()?;
    let source = FsSource::new(&root);
    let arg = request.options.env.as_deref().unwrap_or(".");
    let env_dir = locate::find_environment(&Tree::new(&source), &root, cwd, arg).ok()?;
    Some(within(&env_dir, MANIFEST))
}

/// Input errors, reported in short under `headline`.
fn reported(
    headline: String,
    diagnostics: Diagnostics,
    texts: crate::diagnostic::SourceText,
    env: Option<&str>,
) -> Diagnosed {
    Diagnosed { diagnostics, texts, summary: Some(Summary { headline, environment: env.map(str::to_string) }) }
}

/// Builds the environment the request selects.
pub fn generate(vars: &BTreeMap<String, String>, cwd: &Path) -> Result<Generated, Error> {
    generate_with(vars, cwd, None)
}

/// Builds the environment the request selects; `shard` is the command line's `--shard`, which
/// wins over the option (an invalid one is a usage error, E909).
pub fn generate_with(vars: &BTreeMap<String, String>, cwd: &Path, shard: Option<&str>) -> Result<Generated, Error> {
    let command_line = shard
        .map(|text| Shard::parse(text).map_err(|refusal| Error::Usage(refusal.usage("--shard").report().into())))
        .transpose()?;
    let invalid = |diagnostics: Diagnostics| {
        let context = Request { app_name: vars.get("ARGOCD_APP_NAME").cloned(), ..Request::default() }.context();
        let headline = format!("meshedge generate: invalid plugin options{context}");
        Error::Input(Box::new(reported(headline, diagnostics, Default::default(), None)))
    };
    let request = Request::from_vars(vars).map_err(|errors| {
        invalid(
            errors
                .into_iter()
                .map(|e| UsageError::PluginOption { message: e.message, help: e.help }.report())
                .collect(),
        )
    })?;
    let shard = match (command_line, &request.options.shard) {
        (Some(shard), _) => shard,
        (None, None) => Shard::WHOLE,
        (None, Some(text)) => Shard::parse(text).map_err(|refusal| {
            let from = request.options.shard_from.clone().unwrap_or_else(|| "shard".into());
            invalid(refusal.usage(from).report().into())
        })?,
    };
    debug!(?request, cwd = %cwd.display(), "argo cd request");
    let context = request.context();
    let root = find_root(&request, cwd).map_err(|trouble| Error::Trouble(trouble.plugin()))?;
    let source = FsSource::new(&root);
    let env_dir = find_environment(&request, &source, &root, cwd).map_err(|d| {
        let headline = format!("meshedge generate: no environment to build{context}");
        Error::Input(Box::new(reported(headline, d.into(), Default::default(), None)))
    })?;
    let shown = if env_dir.is_empty() { ".".to_string() } else { env_dir.clone() };
    // The revision annotation goes on every object, after the repository's patches.
    let annotations = request.provenance().map(|p| (REVISION_ANNOTATION.to_string(), p)).into_iter().collect();
    let options = compiler::Options { annotations, ..Default::default() };
    let build: Build = compiler::compile_with(&source, &env_dir, &options).map_err(|failed| {
        let headline = format!("meshedge generate: cannot build {shown}{context}");
        Error::Input(Box::new(reported(headline, failed.diagnostics, failed.texts, Some(&shown))))
    })?;
    if request.options.strict && !build.diagnostics.is_empty() {
        let headline = format!(
            "meshedge generate: {shown} has warnings and strict is on{context}; fix them, or set strict to false"
        );
        return Err(Error::Input(Box::new(reported(headline, build.diagnostics, build.texts, Some(&shown)))));
    }
    // Everything above saw the whole environment; only the output is narrowed.
    let objects = shard.narrow(build.objects);
    let yaml = crate::render::stream(&objects, build.form);
    let objects = objects.len();
    let warnings = (!build.diagnostics.is_empty()).then(|| {
        let headline = format!("meshedge generate: {shown} built with warnings{context}");
        reported(headline, build.diagnostics, build.texts, Some(&shown))
    });
    Ok(Generated { yaml, objects, env_dir: shown, warnings, shard })
}

/// The repository root: the working directory with `ARGOCD_APP_SOURCE_PATH` taken off its end.
fn find_root(request: &Request, cwd: &Path) -> Result<PathBuf, Trouble> {
    let source_path =
        request.source_path.as_deref().map(|p| p.trim_matches('/')).filter(|p| !p.is_empty() && *p != ".");
    let root = locate::find_root(None, cwd, source_path);
    let Some(source_path) = source_path else { return Ok(root) };
    let resolves_to_cwd = |candidate: &Path| {
        let joined = candidate.join(source_path);
        joined == cwd || matches!((joined.canonicalize(), cwd.canonicalize()), (Ok(a), Ok(b)) if a == b)
    };
    if resolves_to_cwd(&root) {
        return Ok(root);
    }
    // The application path may run through a symlink: look for the ancestor it resolves from.
    cwd.ancestors().skip(1).find(|a| resolves_to_cwd(a)).map(Path::to_path_buf).ok_or_else(|| {
        Trouble::NotApplicationDirectory { cwd: cwd.to_path_buf(), source_path: source_path.to_string() }
    })
}

fn find_environment(request: &Request, source: &FsSource, root: &Path, cwd: &Path) -> Result<String, Diagnostic> {
    let tree = Tree::new(source);
    match (&request.options.env, &request.options.env_from) {
        (Some(env), from) => locate::find_environment(&tree, root, cwd, env).map_err(|_| {
            let from = from.clone().unwrap_or_else(|| "options".to_string());
            UsageError::NoPluginEnvironment { env: env.clone(), from }.report()
        }),
        (None, _) => locate::find_environment(&tree, root, cwd, ".").map_err(|_| {
            let here = locate::relative_to_root(root, cwd).filter(|p| !p.is_empty()).unwrap_or_else(|| ".".into());
            UsageError::NotAnEnvironment { here }.report()
        }),
    }
}
