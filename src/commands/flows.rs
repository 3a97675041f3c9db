//! `meshedge flows ENV [--format text|json|mermaid]`: the flows of SPEC §5.1 and their verdicts.
//! Exit 1 when a flow breaks what the requests ask for (its error on stderr, as `build` reports
//! it), after printing every flow.

use std::io::Write;
use std::process::ExitCode;

use meshedge::compiler::{self, Options};
use meshedge::error::Error;
use meshedge::flows::output;
use meshedge::locate::WorkTree;

use crate::cli::{FlowsFormat, FlowsOptions, Stderr};
use crate::commands::{working_directory, write_stdout};

pub fn run(options: &FlowsOptions, stderr: &Stderr) -> Result<ExitCode, Error> {
    let cwd = working_directory()?;
    let work_tree = WorkTree::open(options.root.as_deref(), &cwd)?;
    let env_dir = work_tree.environment(&cwd, &options.env)?;
    let build =
        compiler::compile_with(&work_tree.source, &env_dir, &Options { report_flows: true, ..Default::default() })?;
    stderr.warn(&build.diagnostics, &build.texts);
    let Some(report) = &build.flows else { return Ok(ExitCode::SUCCESS) };
    write_stdout(|out| match options.format {
        FlowsFormat::Text => out.write_all(output::text(report).as_bytes()),
        FlowsFormat::Json => output::write_json(report, out),
        FlowsFormat::Mermaid => out.write_all(output::mermaid(report).as_bytes()),
    })?;
    if build.flow_violations.has_errors() {
        stderr.errors(&build.flow_violations, &build.texts);
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
