//! `meshedge explain`: its flags, and the options they give.

use std::path::PathBuf;

use clap::ValueEnum;

/// How `meshedge explain` writes its report.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExplainFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The environment: a path (`environments/prod`) or a name (`prod`).
    #[arg(value_hint = clap::ValueHint::DirPath)]
    pub env: String,
    /// The object: KIND/NAMESPACE/NAME, KIND/NAME for a cluster object, or a unique prefix of
    /// either (the kind without case; namespace and name case-sensitive, as in Kubernetes).
    #[arg(value_name = "OBJECT", value_hint = clap::ValueHint::Other)]
    pub object: String,
    /// Output: text for a terminal, json for tools.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ExplainFormat,
    /// The repository root (default: the git work tree, else the working directory).
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub root: Option<PathBuf>,
}

/// What `meshedge explain` does.
#[derive(Debug)]
pub struct ExplainOptions {
    pub env: String,
    pub object: String,
    pub format: ExplainFormat,
    pub root: Option<PathBuf>,
}

impl ExplainArgs {
    /// The options; an empty OBJECT (`""`, blanks, `/`) is a usage error that exits 2 with the
    /// usage text, as clap's own errors do: it names no object, and is not a search.
    pub fn options(self) -> ExplainOptions {
        if self.object.trim().trim_end_matches('/').trim().is_empty() {
            let mut command = super::describe();
            if let Some(explain) = command.find_subcommand_mut("explain") {
                explain
                    .clone()
                    .bin_name("meshedge explain")
                    .error(
                        clap::error::ErrorKind::InvalidValue,
                        "OBJECT is empty: name one object, as KIND/NAMESPACE/NAME, KIND/NAME or a unique prefix",
                    )
                    .exit();
            }
        }
        ExplainOptions { env: self.env, object: self.object, format: self.format, root: self.root }
    }
}
