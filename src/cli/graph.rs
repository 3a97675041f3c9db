//! `meshedge graph`: its flags, and the options they give.

use std::path::PathBuf;

use clap::ValueEnum;

/// How `meshedge graph` draws the edge.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GraphFormat {
    /// A mermaid flowchart (GitHub and GitLab draw it in markdown).
    Mermaid,
    /// Graphviz's dot language.
    Dot,
    /// An SVG drawing, laid out by meshedge itself.
    Svg,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The environment: a path (`environments/prod`) or a name (`prod`).
    #[arg(value_hint = clap::ValueHint::DirPath)]
    pub env: String,
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: GraphFormat,
    /// Draw only what this tenant asked for.
    #[arg(long, value_name = "TENANT", value_hint = clap::ValueHint::Other)]
    pub tenant: Option<String>,
    /// The repository root (default: the git work tree, else the working directory).
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub root: Option<PathBuf>,
}

/// What `meshedge graph` does.
#[derive(Debug)]
pub struct GraphOptions {
    pub env: String,
    pub format: GraphFormat,
    pub tenant: Option<String>,
    pub root: Option<PathBuf>,
}

impl GraphArgs {
    pub fn options(self) -> GraphOptions {
        GraphOptions { env: self.env, format: self.format, tenant: self.tenant, root: self.root }
    }
}
