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
//! The command only reads: it writes nothing but stdout and stderr, so any number of runs on one
//! extracted tree are safe. On success the YAML stream goes to stdout in one write, with the
//! `meshedge.io/revision` annotation (`<repo url>@<revision>`) on every object when the revision
//! is known. On failure stdout stays empty and stderr carries a short report, because Argo CD shows
//! it in its UI: a headline, at most three diagnostics, and a count of the rest.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tracing::debug;

use crate::cli::Failure;
use crate::compiler::{self, Build};
use crate::diagnostic::{Diagnostic, Diagnostics, Severity, SourceText};
use crate::locate;
use crate::source::{FsSource, Tree};

/// The annotation that ties every object to the commit it was generated from.
pub const REVISION_ANNOTATION: &str = "meshedge.io/revision";
/// Prefix Argo CD puts before the names in `spec.source.plugin.env`.
pub const ENV_PREFIX: &str = "ARGOCD_ENV_";
/// Upper bound of the failure report on stderr, in bytes (what the Argo CD UI shows).
pub const REPORT_LIMIT: usize = 1900;
/// Diagnostics shown in a failure report; the rest are counted.
const REPORT_DIAGNOSTICS: usize = 3;
/// Longest line of a failure report (longer source lines are cut).
const REPORT_LINE: usize = 200;

/// Options of `meshedge generate` (the rest comes from the environment Argo CD sets).
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Discovery for the plugin's `discover.find.command`: print the environment's manifest when
    /// the working directory (and the options) select one, print nothing otherwise; exit 0.
    #[arg(long)]
    pub discover: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    Text,
    Bool,
}

/// One option: its parameter name, its plugin env name, its default and what it does.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// The name in `spec.source.plugin.parameters` (and in the UI).
    pub parameter: &'static str,
    /// The name in `spec.source.plugin.env`; the process sees it prefixed with `ARGOCD_ENV_`.
    pub variable: &'static str,
    pub kind: OptionKind,
    /// The default, as the plugin announces it to the UI (`""`: none).
    pub default: &'static str,
    pub help: &'static str,
}

/// Every option `meshedge generate` understands.
pub const OPTIONS: [OptionSpec; 3] = [
    OptionSpec {
        parameter: "env",
        variable: "MESHEDGE_ENV",
        kind: OptionKind::Text,
        default: "",
        help: "the environment to build: a directory holding a meshedge.yaml, relative to the \
               application directory or the repository root, or a name looked up under \
               environments/, env/ and envs/ (default: the application directory)",
    },
    OptionSpec {
        parameter: "strict",
        variable: "MESHEDGE_STRICT",
        kind: OptionKind::Bool,
        default: "false",
        help: "true: warnings fail the build like errors",
    },
    OptionSpec {
        parameter: "provenance",
        variable: "MESHEDGE_PROVENANCE",
        kind: OptionKind::Bool,
        default: "true",
        help: "false: leave out the meshedge.io/revision annotation (objects then change only \
               when their content does)",
    },
];

/// The options after defaults, plugin env and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub env: Option<String>,
    /// Where `env` came from, for messages (`parameter \`env\``, `plugin env MESHEDGE_ENV`).
    pub env_from: Option<String>,
    pub strict: bool,
    pub provenance: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { env: None, env_from: None, strict: false, provenance: true }
    }
}

/// What Argo CD tells the plugin about one manifest request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub app_name: Option<String>,
    pub app_namespace: Option<String>,
    pub revision: Option<String>,
    pub revision_short: Option<String>,
    pub source_path: Option<String>,
    pub repo_url: Option<String>,
    pub target_revision: Option<String>,
    pub kube_version: Option<String>,
    pub options: Options,
}

/// A problem with the options, rendered as one diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    pub message: String,
    pub help: String,
}

/// One entry of `ARGOCD_APP_PARAMETERS`.
#[derive(Debug, Deserialize)]
struct Parameter {
    name: String,
    #[serde(default)]
    string: Option<String>,
    #[serde(default)]
    array: Option<Vec<String>>,
    #[serde(default)]
    map: Option<BTreeMap<String, String>>,
}

impl Request {
    /// Reads a request from environment variables (empty values count as absent).
    pub fn from_vars(vars: &BTreeMap<String, String>) -> Result<Request, Vec<OptionError>> {
        let get = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_string);
        let mut errors = Vec::new();
        let mut values: BTreeMap<&'static str, (String, String)> = BTreeMap::new();

        // 1. The Application's plugin env: ARGOCD_ENV_MESHEDGE_*.
        for (name, value) in vars {
            let Some(rest) = strip_prefix_ignore_case(name, ENV_PREFIX) else { continue };
            if !rest.to_ascii_uppercase().starts_with("MESHEDGE_") {
                continue;
            }
            match OPTIONS.iter().find(|o| o.variable == rest) {
                Some(spec) if !value.trim().is_empty() => {
                    values.insert(spec.parameter, (value.trim().to_string(), format!("plugin env {}", spec.variable)));
                }
                Some(_) => {}
                None => errors.push(OptionError {
                    message: format!("unknown plugin env `{rest}`{}", suggest(rest, OPTIONS.map(|o| o.variable))),
                    help: format!(
                        "spec.source.plugin.env takes {}",
                        OPTIONS.iter().map(|o| o.variable).collect::<Vec<_>>().join(", ")
                    ),
                }),
            }
        }

        // 2. The Application's parameters, which override the plugin env.
        match get("ARGOCD_APP_PARAMETERS").filter(|p| p != "null") {
            Some(json) => match serde_json::from_str::<Option<Vec<Parameter>>>(&json) {
                Ok(parameters) => {
                    let mut seen = BTreeMap::new();
                    for parameter in parameters.unwrap_or_default() {
                        read_parameter(parameter, &mut seen, &mut values, &mut errors);
                    }
                }
                Err(e) => errors.push(OptionError {
                    message: format!("ARGOCD_APP_PARAMETERS is not a JSON list of parameters: {e}"),
                    help: "set spec.source.plugin.parameters as a list of {name, string}".into(),
                }),
            },
            None => {
                // Without the JSON form, the PARAM_<NAME> variables carry the same parameters.
                for spec in &OPTIONS {
                    let variable = format!("PARAM_{}", param_env_name(spec.parameter));
                    if let Some(value) = get(&variable) {
                        values.insert(spec.parameter, (value, format!("parameter `{}`", spec.parameter)));
                    }
                }
            }
        }

        let mut options = Options::default();
        for (parameter, (value, from)) in values {
            let spec = OPTIONS.iter().find(|o| o.parameter == parameter).expect("known option");
            match (parameter, spec.kind) {
                ("env", _) => {
                    options.env = Some(value);
                    options.env_from = Some(from);
                }
                (_, OptionKind::Bool) => match parse_bool(&value) {
                    Some(b) if parameter == "strict" => options.strict = b,
                    Some(b) => options.provenance = b,
                    None => errors.push(OptionError {
                        message: format!("{from} must be true or false, not `{value}`"),
                        help: format!("{}: {}", spec.parameter, spec.help),
                    }),
                },
                (_, OptionKind::Text) => {}
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Request {
            app_name: get("ARGOCD_APP_NAME"),
            app_namespace: get("ARGOCD_APP_NAMESPACE"),
            revision: get("ARGOCD_APP_REVISION"),
            revision_short: get("ARGOCD_APP_REVISION_SHORT"),
            source_path: get("ARGOCD_APP_SOURCE_PATH"),
            repo_url: get("ARGOCD_APP_SOURCE_REPO_URL"),
            target_revision: get("ARGOCD_APP_SOURCE_TARGET_REVISION"),
            kube_version: get("KUBE_VERSION"),
            options,
        })
    }

    /// The value of the `meshedge.io/revision` annotation: `<repo url>@<revision>`, or the
    /// revision alone; `None` without a revision or with `provenance: false`.
    pub fn provenance(&self) -> Option<String> {
        if !self.options.provenance {
            return None;
        }
        let revision = self.revision.as_deref()?;
        Some(match self.repo_url.as_deref() {
            Some(url) => format!("{}@{revision}", redact_url(url)),
            None => revision.to_string(),
        })
    }

    /// ` (app edge-prod, main at 1a2b3c4)`, or `""` outside Argo CD.
    fn context(&self) -> String {
        let mut parts = Vec::new();
        if let Some(name) = &self.app_name {
            parts.push(format!("app {name}"));
        }
        let revision =
            self.revision_short.clone().or_else(|| self.revision.as_ref().map(|r| r.chars().take(7).collect()));
        match (&self.target_revision, revision) {
            (Some(target), Some(rev)) if *target != rev => parts.push(format!("{target} at {rev}")),
            (_, Some(rev)) => parts.push(format!("revision {rev}")),
            (Some(target), None) => parts.push(format!("revision {target}")),
            (None, None) => {}
        }
        if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) }
    }
}

fn read_parameter(
    parameter: Parameter,
    seen: &mut BTreeMap<String, ()>,
    values: &mut BTreeMap<&'static str, (String, String)>,
    errors: &mut Vec<OptionError>,
) {
    let Some(spec) = OPTIONS.iter().find(|o| o.parameter == parameter.name) else {
        errors.push(OptionError {
            message: format!(
                "unknown parameter `{}`{}",
                parameter.name,
                suggest(&parameter.name, OPTIONS.map(|o| o.parameter))
            ),
            help: format!(
                "spec.source.plugin.parameters takes {}",
                OPTIONS.iter().map(|o| o.parameter).collect::<Vec<_>>().join(", ")
            ),
        });
        return;
    };
    if seen.insert(parameter.name.clone(), ()).is_some() {
        errors.push(OptionError {
            message: format!("parameter `{}` is set twice", spec.parameter),
            help: "keep one entry per parameter in spec.source.plugin.parameters".into(),
        });
        return;
    }
    if parameter.array.is_some() || parameter.map.is_some() {
        errors.push(OptionError {
            message: format!("parameter `{}` takes a string, not an array or a map", spec.parameter),
            help: format!("write `- name: {}` with `string: ...`", spec.parameter),
        });
        return;
    }
    if let Some(value) = parameter.string.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        values.insert(spec.parameter, (value, format!("parameter `{}`", spec.parameter)));
    }
}

fn strip_prefix_ignore_case<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let head = name.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &name[prefix.len()..])
}

/// Argo CD's `PARAM_` name of a parameter: non-word characters become `_`, upper case.
fn param_env_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c.to_ascii_uppercase() } else { '_' }).collect()
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn suggest<const N: usize>(name: &str, known: [&str; N]) -> String {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&name.to_ascii_lowercase(), &k.to_ascii_lowercase()), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

/// A repository URL without credentials (`https://user:token@host/…` → `https://host/…`).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// A successful generation: the stream for stdout and what to print on stderr.
#[derive(Debug)]
pub struct Generated {
    pub env_dir: String,
    pub yaml: String,
    /// Warnings, already capped like a failure report.
    pub warnings: Option<String>,
    pub objects: usize,
}

pub fn run(args: &GenerateArgs) -> Result<(), Failure> {
    let vars: BTreeMap<String, String> =
        std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect();
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::Trouble(format!("meshedge generate: cannot read the working directory: {e}")))?;
    if args.discover {
        if let Some(found) = discover(&vars, &cwd) {
            println!("{found}");
        }
        return Ok(());
    }
    let generated = generate(&vars, &cwd)?;
    if let Some(warnings) = &generated.warnings {
        crate::cli::print_warnings(warnings);
    }
    debug!(environment = %generated.env_dir, objects = generated.objects, "generated");
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(generated.yaml.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::Trouble(format!("meshedge generate: cannot write to stdout: {e}")))
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
    Some(if env_dir.is_empty() {
        crate::input::MANIFEST.to_string()
    } else {
        format!("{env_dir}/{}", crate::input::MANIFEST)
    })
}

/// Builds the environment the request selects; the error is the report for stderr.
pub fn generate(vars: &BTreeMap<String, String>, cwd: &Path) -> Result<Generated, Failure> {
    let request = Request::from_vars(vars).map_err(|errors| {
        let context = Request { app_name: vars.get("ARGOCD_APP_NAME").cloned(), ..Request::default() }.context();
        let diagnostics: Diagnostics =
            errors.into_iter().map(|e| Diagnostic::error("E902", e.message).help(e.help)).collect();
        Failure::Input(report(
            &format!("meshedge generate: invalid plugin options{context}"),
            &diagnostics,
            &SourceText::default(),
            None,
        ))
    })?;
    debug!(?request, cwd = %cwd.display(), "argo cd request");
    let context = request.context();
    let root = find_root(&request, cwd).map_err(Failure::Trouble)?;
    let source = FsSource::new(&root);
    let env_dir = find_environment(&request, &source, &root, cwd).map_err(|d| {
        Failure::Input(report(
            &format!("meshedge generate: no environment to build{context}"),
            &d.into(),
            &SourceText::default(),
            None,
        ))
    })?;
    let shown = if env_dir.is_empty() { ".".to_string() } else { env_dir.clone() };
    // The revision annotation goes on every object, after the repository's patches.
    let annotations = request.provenance().map(|p| (REVISION_ANNOTATION.to_string(), p)).into_iter().collect();
    let options = compiler::Options { annotations, ..Default::default() };
    let build: Build = compiler::compile_with(&source, &env_dir, &options).map_err(|failed| {
        Failure::Input(report(
            &format!("meshedge generate: cannot build {shown}{context}"),
            &failed.diagnostics,
            &failed.texts,
            Some(&shown),
        ))
    })?;
    if request.options.strict && !build.diagnostics.is_empty() {
        return Err(Failure::Input(report(
            &format!(
                "meshedge generate: {shown} has warnings and strict is on{context}; fix them, or set strict to false"
            ),
            &build.diagnostics,
            &build.texts,
            Some(&shown),
        )));
    }
    let warnings = (!build.diagnostics.is_empty()).then(|| {
        report(
            &format!("meshedge generate: {shown} built with warnings{context}"),
            &build.diagnostics,
            &build.texts,
            Some(&shown),
        )
    });
    Ok(Generated { yaml: build.stream(), objects: build.objects.len(), env_dir: shown, warnings })
}

/// The repository root: the working directory with `ARGOCD_APP_SOURCE_PATH` taken off its end.
fn find_root(request: &Request, cwd: &Path) -> Result<PathBuf, String> {
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
        format!(
            "meshedge generate: the working directory {} is not <repository>/{source_path} \
             (ARGOCD_APP_SOURCE_PATH); run it in the application directory",
            cwd.display()
        )
    })
}

fn find_environment(request: &Request, source: &FsSource, root: &Path, cwd: &Path) -> Result<String, Diagnostic> {
    let tree = Tree::new(source);
    match (&request.options.env, &request.options.env_from) {
        (Some(env), from) => locate::find_environment(&tree, root, cwd, env).map_err(|_| {
            Diagnostic::error("E901", format!("no environment `{env}` (from {})", from.as_deref().unwrap_or("options")))
                .help("name a directory holding a meshedge.yaml, relative to the application directory or the repository root (environments/prod), or an environment name (prod)")
        }),
        (None, _) => locate::find_environment(&tree, root, cwd, ".").map_err(|_| {
            let here = locate::relative_to_root(root, cwd).filter(|p| !p.is_empty()).unwrap_or_else(|| ".".into());
            Diagnostic::error("E901", format!("the application directory `{here}` holds no meshedge.yaml")).help(
                "point the Application's source.path at an environment (environments/<name>), or name one with the plugin env MESHEDGE_ENV or the parameter `env`",
            )
        }),
    }
}

/// A failure report short enough for the Argo CD UI: the headline, the first diagnostics
/// (errors first), a count of the rest, under [`REPORT_LIMIT`] bytes.
pub fn report(headline: &str, diagnostics: &Diagnostics, texts: &SourceText, env_dir: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str(&cut_line(headline));
    out.push('\n');
    // Errors first, then in file order (line by line), so the first problem in a file leads.
    let mut all = diagnostics.clone().sorted();
    all.sort_by(|a, b| (a.severity, &a.location).cmp(&(b.severity, &b.location)));
    let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
    // With errors, only errors are shown; warnings are counted.
    let candidates: Vec<&Diagnostic> =
        if errors > 0 { all.iter().filter(|d| d.is_error()).collect() } else { all.iter().collect() };
    let footer_room = 240;
    let mut shown = 0;
    for diagnostic in candidates.iter().take(REPORT_DIAGNOSTICS) {
        let text: String = diagnostic.render(texts).lines().map(|l| cut_line(l) + "\n").collect();
        let room = REPORT_LIMIT.saturating_sub(out.len() + footer_room);
        if text.len() <= room {
            out.push_str(&text);
        } else if shown == 0 {
            // The first diagnostic is always shown, cut at a line boundary.
            for line in text.lines() {
                if out.len() + line.len() + 1 > REPORT_LIMIT - footer_room {
                    break;
                }
                out.push_str(line);
                out.push('\n');
            }
        } else {
            break;
        }
        shown += 1;
    }
    let rest = all.len() - shown;
    if rest > 0 {
        let warnings = all.len() - errors;
        let mut counts = Vec::new();
        if errors > 0 {
            counts.push(format!("{errors} error{}", if errors == 1 { "" } else { "s" }));
        }
        if warnings > 0 {
            counts.push(format!("{warnings} warning{}", if warnings == 1 { "" } else { "s" }));
        }
        let _ = write!(out, "... {rest} more not shown ({} in all)", counts.join(", "));
        match env_dir {
            Some(env) => {
                let _ = writeln!(out, "; `meshedge build {env}` in a checkout shows them all");
            }
            None => out.push('\n'),
        }
    }
    if out.len() > REPORT_LIMIT {
        let mut end = REPORT_LIMIT;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('\n');
    }
    out
}

fn cut_line(line: &str) -> String {
    if line.len() <= REPORT_LINE {
        return line.to_string();
    }
    let mut end = REPORT_LINE - 3;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &line[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_without_any_variable() {
        let request = Request::from_vars(&BTreeMap::new()).unwrap();
        assert_eq!(request.options, Options::default());
        assert_eq!(request.provenance(), None);
        assert_eq!(request.context(), "");
    }

    #[test]
    fn empty_values_count_as_absent() {
        let request = Request::from_vars(&vars(&[
            ("ARGOCD_ENV_MESHEDGE_STRICT", ""),
            ("ARGOCD_ENV_MESHEDGE_ENV", " "),
            ("ARGOCD_APP_PARAMETERS", "null"),
            ("ARGOCD_APP_REVISION", ""),
        ]))
        .unwrap();
        assert_eq!(request.options, Options::default());
        assert_eq!(request.revision, None);
    }

    #[test]
    fn parameters_override_the_plugin_env() {
        let request = Request::from_vars(&vars(&[
            ("ARGOCD_ENV_MESHEDGE_STRICT", "true"),
            ("ARGOCD_ENV_MESHEDGE_ENV", "dev"),
            ("ARGOCD_APP_PARAMETERS", r#"[{"name":"strict","string":"false"},{"name":"env","string":""}]"#),
        ]))
        .unwrap();
        assert!(!request.options.strict);
        assert_eq!(request.options.env.as_deref(), Some("dev"));
        assert_eq!(request.options.env_from.as_deref(), Some("plugin env MESHEDGE_ENV"));
    }

    #[test]
    fn param_variables_stand_in_for_the_json_form() {
        let request =
            Request::from_vars(&vars(&[("PARAM_STRICT", "yes"), ("PARAM_PROVENANCE", "off"), ("PARAM_ENV", "prod")]))
                .unwrap();
        assert!(request.options.strict);
        assert!(!request.options.provenance);
        assert_eq!(request.options.env.as_deref(), Some("prod"));
        // The JSON form wins when present.
        let request = Request::from_vars(&vars(&[("PARAM_STRICT", "yes"), ("ARGOCD_APP_PARAMETERS", "[]")])).unwrap();
        assert!(!request.options.strict);
    }

    #[test]
    fn unknown_and_invalid_options_are_errors() {
        let errors = Request::from_vars(&vars(&[
            ("ARGOCD_ENV_MESHEDGE_STIRCT", "true"),
            ("ARGOCD_ENV_OTHER_TOOL", "x"),
            ("ARGOCD_APP_PARAMETERS", r#"[{"name":"provenanse","string":"no"},{"name":"strict","string":"maybe"}]"#),
        ]))
        .unwrap_err();
        let text: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[0].contains("MESHEDGE_STIRCT") && text[0].contains("MESHEDGE_STRICT"), "{text:?}");
        assert!(text[1].contains("`provenanse`") && text[1].contains("`provenance`"), "{text:?}");
        assert!(text[2].contains("maybe"), "{text:?}");
        let errors =
            Request::from_vars(&vars(&[("ARGOCD_APP_PARAMETERS", r#"[{"name":"env","array":["a"]}]"#)])).unwrap_err();
        assert!(errors[0].message.contains("takes a string"));
        assert!(Request::from_vars(&vars(&[("ARGOCD_APP_PARAMETERS", "{")])).is_err());
    }

    #[test]
    fn provenance_is_url_at_revision_without_credentials() {
        let mut request = Request::from_vars(&vars(&[
            ("ARGOCD_APP_REVISION", "0123456789abcdef"),
            ("ARGOCD_APP_SOURCE_REPO_URL", "https://bot:s3cret@git.example.com/edge.git"),
        ]))
        .unwrap();
        assert_eq!(request.provenance().as_deref(), Some("https://git.example.com/edge.git@0123456789abcdef"));
        request.repo_url = Some("git@git.example.com:platform/edge.git".into());
        assert_eq!(request.provenance().as_deref(), Some("git@git.example.com:platform/edge.git@0123456789abcdef"));
        request.repo_url = None;
        assert_eq!(request.provenance().as_deref(), Some("0123456789abcdef"));
        request.options.provenance = false;
        assert_eq!(request.provenance(), None);
    }

    #[test]
    fn reports_stay_short() {
        let mut texts = SourceText::default();
        texts.insert("a.yaml", format!("key: {}\n", "x".repeat(5000)));
        let diagnostics: Diagnostics = (0..50)
            .map(|i| {
                Diagnostic::error("E401", format!("problem {i} {}", "y".repeat(300)))
                    .at(crate::diagnostic::Location::at("a.yaml", 1, 6))
                    .help("z".repeat(1000))
            })
            .collect();
        let text = report("meshedge generate: cannot build x", &diagnostics, &texts, Some("x"));
        assert!(text.len() < REPORT_LIMIT + 2, "{}", text.len());
        assert!(text.contains("a.yaml:1:6"), "{text}");
        assert!(text.contains("more not shown (50 errors in all)"), "{text}");
    }
}
