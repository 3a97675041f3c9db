//! `meshedge graph ENV [--format mermaid|dot|svg] [--tenant T]`.

use std::io::Write as _;
use std::process::ExitCode;

use meshedge::error::{Error, UsageError};
use meshedge::graph::{self, dot, mermaid};
use meshedge::locate::WorkTree;

use crate::cli::{GraphFormat, GraphOptions, Stderr};
use crate::commands::{working_directory, write_stdout};

pub fn run(options: &GraphOptions, stderr: &Stderr) -> Result<ExitCode, Error> {
    let cwd = working_directory()?;
    let work_tree = WorkTree::open(options.root.as_deref(), &cwd)?;
    let env_dir = work_tree.environment(&cwd, &options.env)?;
    let (graph, build) = graph::graph(&work_tree.source, &env_dir, options.tenant.as_deref())?;
    stderr.warn(&build.diagnostics, &build.texts);
    // The flows that break the requests: the graph draws them, stderr names them.
    stderr.would_fail(&build.flow_violations, &build.texts);
    let text = match options.format {
        GraphFormat::Mermaid => {
            let text = mermaid::render(&graph);
            // GitHub and GitLab draw with mermaid's default limits: past them they show an error.
            if let Some(why) = mermaid::over_limits(&graph, &text) {
                let error = UsageError::MermaidTooLarge {
                    environment: graph.environment.clone(),
                    tenant: options.tenant.clone(),
                    why,
                };
                return Err(Error::Usage(error.report().into()));
            }
            text
        }
        GraphFormat::Dot => dot::render(&graph),
        GraphFormat::Svg => dot::svg(&graph).map_err(|mut e| {
            if let UsageError::GraphTooLarge { tenant, .. } = &mut e {
                tenant.clone_from(&options.tenant);
            }
            Error::Usage(e.report().into())
        })?,
    };
    write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
