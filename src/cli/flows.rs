//! `meshedge flows`: its flags, and the options they give.

use std::path::PathBuf;

use clap::ValueEnum;

/// How `meshedge flows` prints the flows.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FlowsFormat {
    /// A table per tenant: ✓ allowed, ✗ blocked, ↪ redirected, and the deciding object.
    Text,
    /// JSON, in the shape docs/flows.md gives.
    Json,
    /// A Mermaid flowchart of the allowed flows.
    Mermaid,
}

#[derive(Debug, clap::Args)]
pub struct FlowsArgs {
    /// The environment: a path (`environments/prod`, or its `meshedge.yaml`) or a name (`prod`).
    #[arg(value_hint = clap::ValueHint::DirPath)]
    pub env: String,
    #[arg(long, value_enum, default_value = "text")]
    pub format: FlowsFormat,
    /// The repository root (default: the git work tree, else the working directory).
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub root: Option<PathBuf>,
}

/// What `meshedge flows` does.
#[derive(Debug)]
pub struct FlowsOptions {
    /// The environment, as given.
    pub env: String,
    pub format: FlowsFormat,
    pub root: Option<PathBuf>,
}

impl FlowsArgs {
    pub fn options(self) -> FlowsOptions {
        FlowsOptions { env: self.env, format: self.format, root: self.root }
    }
}
