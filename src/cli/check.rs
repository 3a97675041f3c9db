//! `meshedge check`: its flags, and the options they give.

use std::path::PathBuf;

use clap::ValueEnum;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Environments to check: paths (`environments/prod`) or names (`prod`); a directory without
    /// `meshedge.yaml` is checked as plain Kubernetes and Istio manifests. None: all of them.
    #[arg(value_name = "ENV", value_hint = clap::ValueHint::DirPath)]
    pub envs: Vec<String>,
    /// Check every environment (`environments/*`, `env/*`, `envs/*`).
    #[arg(long, conflicts_with = "envs")]
    pub all: bool,
    /// text (rustc-style, on stderr), json (see docs/ci.md), sarif (2.1.0, for code scanning) or github
    /// (workflow annotations); the last three on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
    /// A directory of CustomResourceDefinitions or OpenAPI documents for kinds meshedge does not
    /// ship schemas for (repeatable). The repository's `schemas/` directory is always read.
    #[arg(long = "schemas", value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub schemas: Vec<PathBuf>,
    /// Warnings fail the check too (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// The repository root (default: the git work tree, else the working directory).
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CheckFormat {
    Text,
    Json,
    Sarif,
    Github,
}

/// What `meshedge check` does.
#[derive(Debug)]
pub struct CheckOptions {
    /// The environments or directories named; `None`: every environment.
    pub environments: Option<Vec<String>>,
    pub format: CheckFormat,
    pub schemas: Vec<PathBuf>,
    pub strict: bool,
    pub root: Option<PathBuf>,
}

impl CheckArgs {
    pub fn options(self) -> CheckOptions {
        let environments = if self.all || self.envs.is_empty() { None } else { Some(self.envs) };
        CheckOptions { environments, format: self.format, schemas: self.schemas, strict: self.strict, root: self.root }
    }
}
