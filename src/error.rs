//! What a command fails with, as data: errors in the input, usage errors, and trouble outside
//! the input. The binary decides how each is shown and which exit status it gives (0 success, 1
//! errors in the input, 2 usage or trouble); the library never prints.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Explain, Location, SourceText};

/// Why a command did not do its job.
#[derive(Debug)]
pub enum Error {
    /// The input has errors (exit 1).
    Input(Box<Diagnosed>),
    /// The command line names what is not there or may not be used (exit 2).
    Usage(Diagnostics),
    /// Trouble outside the input: the working directory, git, writing stdout (exit 2).
    Trouble(Trouble),
}

/// Diagnostics with the texts of the files they quote.
#[derive(Debug, Default)]
pub struct Diagnosed {
    pub diagnostics: Diagnostics,
    pub texts: SourceText,
    /// When set, shown in short under a headline, as a plugin reports to its host.
    pub summary: Option<Summary>,
}

/// The short form of a report (see `argocd::report`).
#[derive(Debug, Clone)]
pub struct Summary {
    pub headline: String,
    /// The environment, named in the hint that a build in a checkout shows everything.
    pub environment: Option<String>,
}

impl Error {
    /// Errors in the input, shown in full.
    pub fn input(diagnostics: Diagnostics, texts: SourceText) -> Error {
        Error::Input(Box::new(Diagnosed { diagnostics, texts, summary: None }))
    }
}

impl From<Trouble> for Error {
    fn from(trouble: Trouble) -> Error {
        Error::Trouble(trouble)
    }
}

/// Trouble outside the input, said in one sentence.
#[derive(Debug)]
pub enum Trouble {
    WorkingDirectory(io::Error),
    RootNotADirectory(PathBuf),
    NotInGit {
        root: PathBuf,
        message: String,
    },
    OutsideWorkTree {
        root: PathBuf,
        work_tree: PathBuf,
    },
    BareRepository,
    UnknownRevision {
        revision: String,
        message: String,
    },
    Stdout(io::Error),
    /// `meshedge generate` run outside `<repository>/<ARGOCD_APP_SOURCE_PATH>`.
    NotApplicationDirectory {
        cwd: PathBuf,
        source_path: String,
    },
    /// Trouble of `meshedge generate`, said as the plugin's.
    Plugin(Box<Trouble>),
    /// `meshedge check`: a schema directory (`--schemas`, `schemas/`) or a file of a bare
    /// directory that cannot be read, or a schema that cannot be loaded.
    Check(String),
}

impl Trouble {
    /// Trouble of `meshedge generate`.
    pub fn plugin(self) -> Trouble {
        Trouble::Plugin(Box::new(self))
    }

    /// A reader of stdout that stopped early (`| head`): not trouble for any command.
    pub fn is_closed_pipe(&self) -> bool {
        match self {
            Trouble::Stdout(e) => e.kind() == io::ErrorKind::BrokenPipe,
            Trouble::Plugin(inner) => inner.is_closed_pipe(),
            _ => false,
        }
    }
}

impl fmt::Display for Trouble {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trouble::WorkingDirectory(e) => write!(f, "cannot read the working directory: {e}"),
            Trouble::RootNotADirectory(root) => write!(f, "repository root {} is not a directory", root.display()),
            Trouble::NotInGit { root, message } => {
                write!(f, "{} is not inside a git repository: {message}", root.display())
            }
            Trouble::OutsideWorkTree { root, work_tree } => {
                write!(f, "{} is not inside the work tree {}", root.display(), work_tree.display())
            }
            Trouble::BareRepository => f.write_str("a bare repository has no work tree: give --head REV"),
            Trouble::UnknownRevision { revision, message } => write!(f, "unknown revision `{revision}`: {message}"),
            Trouble::Stdout(e) => write!(f, "cannot write to stdout: {e}"),
            Trouble::NotApplicationDirectory { cwd, source_path } => write!(
                f,
                "the working directory {} is not <repository>/{source_path} (ARGOCD_APP_SOURCE_PATH); run it in \
                 the application directory",
                cwd.display()
            ),
            Trouble::Plugin(inner) => write!(f, "meshedge generate: {inner}"),
            Trouble::Check(message) => write!(f, "meshedge check: {message}"),
        }
    }
}

/// Usage errors and warnings of the commands (`E9xx`, `W903`): each variant's code, message and
/// help in one place.
#[derive(Debug, Clone)]
pub enum UsageError {
    /// E901: no environment where the command line (or the plugin's options) point.
    NoEnvironment { arg: String, root: PathBuf, help: String },
    /// E901: the plugin's `env` option names no environment.
    NoPluginEnvironment { env: String, from: String },
    /// E901: the plugin's application directory is not an environment.
    NotAnEnvironment { here: String },
    /// E902: an invalid plugin option.
    PluginOption { message: String, help: String },
    /// E903: the output directory is not meshedge's to fill or replace.
    OutputRefused { dir: PathBuf, message: String, help: String },
    /// E903: the file system failed while writing the output.
    OutputIo { dir: PathBuf, message: String, help: Option<String> },
    /// E904: an object that cannot have a file of its own.
    Unwritable { object: crate::diagnostic::ResourceRef, file: Option<String> },
    /// W903: the earlier output was left where it was.
    LeftBehind(PathBuf),
    /// E905: no object of the environment is the one `meshedge explain` names; the nearest names.
    UnknownObject { query: String, environment: String, near: Vec<String> },
    /// E906: the prefix `meshedge explain` was given names more than one object: some of them, and
    /// how many there are.
    AmbiguousObject { query: String, matches: Vec<String>, count: usize },
    /// E907: `--tenant` names no tenant of the environment: the tenants there are.
    UnknownTenant { tenant: String, environment: String, tenants: Vec<String> },
    /// E908: `meshedge graph --format svg` on a graph larger than the in-process layout draws in
    /// bounded time.
    GraphTooLarge { environment: String, tenant: Option<String>, nodes: usize, edges: usize, limit: usize },
    /// E907: `--tenant` names a tenant the environment excludes (`settings.tenants.exclude`).
    ExcludedTenant { tenant: String, environment: String },
    /// E913: `meshedge graph --format mermaid` on a graph larger than mermaid draws with its
    /// default limits (GitHub's): `why` says which limit.
    MermaidTooLarge { environment: String, tenant: Option<String>, why: String },
    /// E909: a shard that is not `K/N` with `K < N ≤ 1024`; `from` names the flag, parameter or
    /// plugin env it came from.
    InvalidShard { from: String, message: String, help: String },
    /// E910: `meshedge diff --base/--head` names no revision; the branches there are.
    UnknownRevision { revision: String, message: String, branches: Vec<String> },
    /// E911: `meshedge diff` where no git repository holds the root.
    NotInGit { root: PathBuf },
}

impl Explain for UsageError {
    fn code(&self) -> Code {
        match self {
            UsageError::NoEnvironment { .. } | UsageError::NoPluginEnvironment { .. } => Code::E901,
            UsageError::NotAnEnvironment { .. } => Code::E901,
            UsageError::PluginOption { .. } => Code::E902,
            UsageError::OutputRefused { .. } | UsageError::OutputIo { .. } => Code::E903,
            UsageError::Unwritable { .. } => Code::E904,
            UsageError::LeftBehind(_) => Code::W903,
            UsageError::UnknownObject { .. } => Code::E905,
            UsageError::AmbiguousObject { .. } => Code::E906,
            UsageError::UnknownTenant { .. } | UsageError::ExcludedTenant { .. } => Code::E907,
            UsageError::GraphTooLarge { .. } => Code::E908,
            UsageError::MermaidTooLarge { .. } => Code::E913,
            UsageError::InvalidShard { .. } => Code::E909,
            UsageError::UnknownRevision { .. } => Code::E910,
            UsageError::NotInGit { .. } => Code::E911,
        }
    }

    fn message(&self) -> String {
        match self {
            UsageError::NoEnvironment { arg, root, .. } => format!("no environment `{arg}` under {}", root.display()),
            UsageError::NoPluginEnvironment { env, from } => format!("no environment `{env}` (from {from})"),
            UsageError::NotAnEnvironment { here } => {
                format!("the application directory `{here}` holds no meshedge.yaml")
            }
            UsageError::PluginOption { message, .. }
            | UsageError::OutputRefused { message, .. }
            | UsageError::OutputIo { message, .. } => message.clone(),
            UsageError::Unwritable { object, .. } => format!("{object} cannot be written to a file of its own"),
            UsageError::LeftBehind(left) => {
                format!("the earlier output was replaced, but {} holds files meshedge did not write", left.display())
            }
            UsageError::UnknownObject { query, environment, .. } => {
                format!("environment `{environment}` has no object `{query}`")
            }
            UsageError::AmbiguousObject { query, count, .. } => format!("`{query}` names {count} objects"),
            UsageError::InvalidShard { from, message, .. } => format!("{from}: {message}"),
            UsageError::UnknownRevision { revision, message, .. } => {
                format!("unknown revision `{revision}`: {message}")
            }
            UsageError::NotInGit { root } => format!("{} is not inside a git repository", root.display()),
            UsageError::UnknownTenant { tenant, environment, .. } => {
                format!("environment `{environment}` has no tenant `{tenant}`")
            }
            UsageError::GraphTooLarge { environment, nodes, edges, limit, .. } => format!(
                "the graph of `{environment}` is too large to lay out as svg ({nodes} nodes and {edges} edges; at most {limit} in all)"
            ),
            UsageError::ExcludedTenant { tenant, environment } => {
                format!("tenant `{tenant}` is excluded in environment `{environment}`")
            }
            UsageError::MermaidTooLarge { environment, why, .. } => {
                format!("the graph of `{environment}` is too large for mermaid's default limits ({why})")
            }
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            UsageError::NoEnvironment { help, .. } => help.clone(),
            UsageError::NoPluginEnvironment { .. } => "name a directory holding a meshedge.yaml, relative to the \
                application directory or the repository root (environments/prod), or an environment name (prod)"
                .into(),
            UsageError::NotAnEnvironment { .. } => "point the Application's source.path at an environment \
                (environments/<name>), or name one with the plugin env MESHEDGE_ENV or the parameter `env`"
                .into(),
            UsageError::PluginOption { help, .. } | UsageError::OutputRefused { help, .. } => help.clone(),
            UsageError::OutputIo { help, .. } => return help.clone(),
            UsageError::Unwritable { .. } => "its namespace, kind or name is not a file name, or another object's \
                file has its name: Kubernetes names are DNS names (lower-case letters, digits, `-` and `.`)"
                .into(),
            UsageError::LeftBehind(_) => {
                "they appeared while meshedge was writing; look at them, then remove the directory".into()
            }
            UsageError::UnknownObject { near, .. } if !near.is_empty() => {
                format!("did you mean {}? Name it KIND/NAMESPACE/NAME, KIND/NAME or a unique prefix", quoted(near))
            }
            UsageError::UnknownObject { .. } => "name it KIND/NAMESPACE/NAME (KIND/NAME for a cluster object) or a \
                unique prefix of one; `meshedge build ENV` lists the objects"
                .into(),
            UsageError::AmbiguousObject { matches, count, .. } => {
                let more = count.saturating_sub(matches.len());
                let more = if more > 0 { format!(" and {more} more") } else { String::new() };
                format!("name one of {}{more}", quoted(matches))
            }
            UsageError::UnknownTenant { tenants, .. } if tenants.is_empty() => "the environment has no tenants".into(),
            UsageError::UnknownTenant { tenants, .. } => format!("the tenants are {}", quoted(tenants)),
            UsageError::GraphTooLarge { tenant: Some(tenant), .. } => format!(
                "tenant `{tenant}` alone is too large: use `--format dot` and Graphviz (`dot -Tsvg`), or `--format mermaid`"
            ),
            UsageError::GraphTooLarge { .. } => "draw one tenant (`--tenant TENANT`), or use `--format dot` and \
                Graphviz (`dot -Tsvg`), or `--format mermaid`"
                .into(),
            UsageError::ExcludedTenant { environment, .. } => format!(
                "it has no objects here: `settings.tenants.exclude` of `{environment}` lists it; draw another environment, or the whole graph"
            ),
            UsageError::MermaidTooLarge { tenant: Some(tenant), .. } => format!(
                "tenant `{tenant}` alone is too large for GitHub's mermaid: use `--format dot` and Graphviz (`dot -Tsvg`)"
            ),
            UsageError::MermaidTooLarge { .. } => "draw one tenant (`--tenant TENANT`), or use `--format dot` and \
                Graphviz (`dot -Tsvg`)"
                .into(),
            UsageError::InvalidShard { help, .. } => help.clone(),
            UsageError::UnknownRevision { branches, .. } if branches.is_empty() => {
                "name a commit, tag or branch (`git log --oneline` lists the commits)".into()
            }
            UsageError::UnknownRevision { branches, .. } => {
                format!("name a commit, tag or branch: the branches are {}", quoted(branches))
            }
            UsageError::NotInGit { .. } => "diff compares git revisions: run it in a clone of the repository, or \
                point `--root` at one (`meshedge build` needs no git)"
                .into(),
        })
    }
}

/// `a`, `b`, `c`: names as help lines list them.
fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

impl UsageError {
    /// The diagnostic, at the place the error concerns.
    pub fn report(self) -> Diagnostic {
        match &self {
            UsageError::OutputRefused { dir, .. } | UsageError::OutputIo { dir, .. } => {
                let at = Location::file(dir.display().to_string());
                self.at(at)
            }
            UsageError::Unwritable { object, file } => {
                let (object, at) = (object.clone(), file.as_ref().map(Location::file));
                self.at_opt(at).resource(object)
            }
            _ => self.diagnostic(),
        }
    }
}
