//! `meshedge build`: its flags, and the options they give.

use std::path::PathBuf;

use clap::ValueEnum;
use meshedge::render::Form;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Yaml,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The environment: a path (`environments/prod`, or its `meshedge.yaml`) or a name (`prod`).
    #[arg(value_hint = clap::ValueHint::DirPath)]
    pub env: String,
    /// Write one file per object under DIR instead of printing. DIR must be absent, empty, or an
    /// earlier output of meshedge; it is replaced as a whole.
    #[arg(short, long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: OutputFormat,
    /// The repository root (default: the git work tree, else the working directory).
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub root: Option<PathBuf>,
    /// Print (or write) only shard K of N, counted from 0, as `meshedge generate` does for one
    /// Argo CD Application of several: the objects of the tenants whose names hash to K, and in
    /// shard 0 also every object no one tenant owns. The whole environment is still validated.
    #[arg(long, value_name = "K/N", allow_hyphen_values = true, value_hint = clap::ValueHint::Other)]
    pub shard: Option<String>,
}

/// What `meshedge build` does.
#[derive(Debug)]
pub struct BuildOptions {
    /// The environment, as given.
    pub env: String,
    /// One file per object under this directory, instead of stdout.
    pub output: Option<PathBuf>,
    pub form: Form,
    pub root: Option<PathBuf>,
    /// `--shard`, as given (validated by the command, with a diagnostic code).
    pub shard: Option<String>,
}

impl BuildArgs {
    pub fn options(self) -> BuildOptions {
        let form = match self.format {
            OutputFormat::Yaml => Form::Yaml,
            OutputFormat::Json => Form::Json,
        };
        BuildOptions { env: self.env, output: self.output, form, root: self.root, shard: self.shard }
    }
}
