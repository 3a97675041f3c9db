//! `meshedge check [ENV...|--all]`.

use std::io::Write as _;
use std::process::ExitCode;

use meshedge::check;
use meshedge::error::Error;
use meshedge::locate::WorkTree;
use meshedge::report;

use crate::cli::{CheckFormat, CheckOptions, Stderr};
use crate::commands::{working_directory, write_stdout};

pub fn run(options: &CheckOptions, stderr: &Stderr) -> Result<ExitCode, Error> {
    let cwd = working_directory()?;
    let work_tree = WorkTree::open(options.root.as_deref(), &cwd)?;
    let all = check::run(&work_tree, &cwd, options.environments.as_deref(), &options.schemas)?;
    let environments = &all.environments;
    match options.format {
        CheckFormat::Text => {
            stderr.report(&report::text::render_with(environments, &all.texts, stderr.quiet(), options.strict))
        }
        CheckFormat::Json => write_stdout(|out| out.write_all(report::json::render(environments).as_bytes()))?,
        CheckFormat::Sarif => write_stdout(|out| out.write_all(report::sarif::render(environments).as_bytes()))?,
        CheckFormat::Github => write_stdout(|out| out.write_all(report::github::render(environments).as_bytes()))?,
    }
    let failed = all.errors() > 0 || (options.strict && all.warnings() > 0);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
