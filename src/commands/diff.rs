//! `meshedge diff [ENV...] --base REV [--head REV]`.

use std::io::Write as _;
use std::process::ExitCode;

use meshedge::diff::{self, Revisions};
use meshedge::error::Error;

use crate::cli::{DiffFormat, DiffOptions};
use crate::commands::{working_directory, write_stdout};

pub fn run(options: &DiffOptions) -> Result<ExitCode, Error> {
    let cwd = working_directory()?;
    let revisions = Revisions::open(options.root.as_deref(), &cwd, &options.base, options.head.as_deref())?;
    let environments = match &options.environments {
        None => revisions.all_environments(),
        Some(named) => revisions.environments(&cwd, named)?,
    };
    let report = revisions.compare(&environments);
    let text = match options.format {
        DiffFormat::Text { color } => diff::render_text(&report, color),
        DiffFormat::Markdown => diff::render_markdown(&report),
        DiffFormat::Json => diff::render_json(&report),
    };
    write_stdout(|out| out.write_all(text.as_bytes()))?;
    // `--exit-code`: differences found are an outcome, not an error.
    Ok(if options.exit_code && report.has_differences() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
