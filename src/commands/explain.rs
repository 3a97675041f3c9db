//! `meshedge explain ENV OBJECT`.

use std::io::Write as _;
use std::process::ExitCode;

use meshedge::error::Error;
use meshedge::explain;
use meshedge::locate::WorkTree;

use crate::cli::{ExplainFormat, ExplainOptions, Stderr};
use crate::commands::{working_directory, write_stdout};

pub fn run(options: &ExplainOptions, stderr: &Stderr) -> Result<ExitCode, Error> {
    let cwd = working_directory()?;
    let work_tree = WorkTree::open(options.root.as_deref(), &cwd)?;
    let env_dir = work_tree.environment(&cwd, &options.env)?;
    let (explanation, build) = explain::explain(&work_tree.source, &env_dir, &options.object)?;
    stderr.warn(&build.diagnostics, &build.texts);
    // The flows that break the requests: the explanation marks those the object decides.
    stderr.would_fail(&build.flow_violations, &build.texts);
    let text = match options.format {
        ExplainFormat::Text => explain::render_text(&explanation),
        ExplainFormat::Json => explain::render_json(&explanation),
    };
    write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
