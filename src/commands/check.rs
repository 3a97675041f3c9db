//! `meshedge check [ENV...|--all]`.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use meshedge::check::{self, Run, Schemas};
use meshedge::error::{Error, Trouble};
use meshedge::locate::{WorkTree, relative_to_root};
use meshedge::report;

use crate::cli::{CheckFormat, CheckOptions, Stderr};
use crate::commands::{working_directory, write_stdout};

pub fn run(options: &CheckOptions, stderr: &Stderr) -> Result<ExitCode, Error> {
    let cwd = working_directory()?;
    let work_tree = WorkTree::open(options.root.as_deref(), &cwd)?;
    let mut dirs =
        options.schemas.iter().map(|d| if d.is_absolute() { d.clone() } else { cwd.join(d) }).collect::<Vec<_>>();
    let own = work_tree.root.join("schemas");
    if own.is_dir() {
        dirs.push(own);
    }
    let mut schemas = Schemas::new(&dirs).map_err(Trouble::Check)?;
    let mut all = Run::default();
    let mut add = |run: Run| all.extend(run);
    match &options.environments {
        None => add(check::environments(&work_tree.source, &check::all_environments(&work_tree.source), &mut schemas)
            .map_err(Trouble::Check)?),
        Some(named) => {
            for arg in named {
                let path = if Path::new(arg).is_absolute() { Path::new(arg).to_path_buf() } else { cwd.join(arg) };
                if path.is_dir() && !path.join("meshedge.yaml").is_file() {
                    let name = relative_to_root(&work_tree.root, &path).unwrap_or_else(|| arg.clone());
                    add(check::directory(&work_tree.root, &path, &name, &mut schemas).map_err(Trouble::Check)?);
                } else {
                    let dir = work_tree.environment(&cwd, arg)?;
                    add(check::environments(&work_tree.source, &[dir], &mut schemas).map_err(Trouble::Check)?);
                }
            }
        }
    }
    let environments = &all.environments;
    match options.format {
        CheckFormat::Text => stderr.report(&report::text::render(environments, &all.texts)),
        CheckFormat::Json => write_stdout(|out| out.write_all(report::json::render(environments).as_bytes()))?,
        CheckFormat::Sarif => write_stdout(|out| out.write_all(report::sarif::render(environments).as_bytes()))?,
        CheckFormat::Github => write_stdout(|out| out.write_all(report::github::render(environments).as_bytes()))?,
    }
    let failed = all.errors() > 0 || (options.strict && all.warnings() > 0);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
