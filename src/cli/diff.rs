//! `meshedge diff`: its flags, and the options they give.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Environments to compare: paths (`environments/prod`) or names (`prod`). None: all of them.
    #[arg(value_name = "ENV", value_hint = clap::ValueHint::DirPath)]
    pub envs: Vec<String>,
    /// Compare every environment (`environments/*`, `env/*`, `envs/*`) found at either revision.
    #[arg(long, conflicts_with = "envs")]
    pub all: bool,
    /// The revision to compare against (a branch, tag, commit, `origin/main`, `HEAD~1`).
    #[arg(long, value_name = "REV", value_hint = clap::ValueHint::Other)]
    pub base: String,
    /// The revision to compare (default: the work tree, uncommitted changes included).
    #[arg(long, value_name = "REV", value_hint = clap::ValueHint::Other)]
    pub head: Option<String>,
    /// Output: text for a terminal, markdown for a pull-request comment, json for tools.
    #[arg(long, value_enum, default_value = "text")]
    pub format: FormatArg,
    /// Exit with 1 when there are differences, 0 when there are none.
    #[arg(long)]
    pub exit_code: bool,
    /// Colours in the text format (auto: when stdout is a terminal and NO_COLOR is unset).
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
    /// The repository root (default: the git work tree, else the working directory).
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatArg {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    Text { color: bool },
    Markdown,
    Json,
}

/// What `meshedge diff` does.
#[derive(Debug)]
pub struct DiffOptions {
    /// The environments named (paths or names); `None`: every environment at either revision.
    pub environments: Option<Vec<String>>,
    pub base: String,
    /// `None`: the work tree.
    pub head: Option<String>,
    pub format: DiffFormat,
    /// Exit with 1 when there are differences.
    pub exit_code: bool,
    pub root: Option<PathBuf>,
}

impl DiffArgs {
    pub fn options(self) -> DiffOptions {
        let format = match self.format {
            FormatArg::Text => DiffFormat::Text {
                color: match self.color {
                    ColorChoice::Always => true,
                    ColorChoice::Never => false,
                    ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                },
            },
            FormatArg::Markdown => DiffFormat::Markdown,
            FormatArg::Json => DiffFormat::Json,
        };
        let environments = (!self.all && !self.envs.is_empty()).then_some(self.envs);
        DiffOptions {
            environments,
            base: self.base,
            head: self.head,
            format,
            exit_code: self.exit_code,
            root: self.root,
        }
    }
}
