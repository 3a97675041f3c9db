//! `meshedge build ENV [-o DIR] [--shard K/N]`.

use std::process::ExitCode;

use meshedge::compiler::{self, Options};
use meshedge::error::{Error, UsageError};
use meshedge::locate::WorkTree;
use meshedge::render::{self, dir as output};
use meshedge::shard::Shard;
use tracing::debug_span;

use crate::cli::{BuildOptions, Stderr};
use crate::commands::{working_directory, write_stdout};

pub fn run(options: &BuildOptions, stderr: &Stderr) -> Result<ExitCode, Error> {
    let cwd = working_directory()?;
    let shard = match options.shard.as_deref().map(Shard::parse) {
        None => Shard::WHOLE,
        Some(Ok(shard)) => shard,
        Some(Err(refusal)) => {
            return Err(Error::Usage(refusal.usage("--shard").report().into()));
        }
    };
    // A destination meshedge may not replace is refused before the build.
    let destination = options.output.as_deref().map(|dir| output::precheck(dir, &cwd)).transpose()?;
    let work_tree = WorkTree::open(options.root.as_deref(), &cwd)?;
    let env_dir = work_tree.environment(&cwd, &options.env)?;
    let mut build =
        compiler::compile_with(&work_tree.source, &env_dir, &Options { form: options.form, ..Default::default() })?;
    // The whole environment was built and checked; only the output is narrowed.
    build.objects = shard.narrow(std::mem::take(&mut build.objects));
    stderr.warn(&build.diagnostics, &build.texts);
    let _write = debug_span!("stage", name = "write").entered();
    match (&options.output, &destination) {
        (Some(dir), Some(destination)) => {
            output::check_outside_inputs(dir, destination, &work_tree.root, &build.read_directories())?;
            let written = output::write(&build.objects, destination, dir, &cwd)?;
            if let Some(left) = written.left_behind {
                stderr.warning(UsageError::LeftBehind(left).report());
            }
        }
        _ => write_stdout(|out| render::write_stream(out, &build.objects, build.form))?,
    }
    // The process ends right after: freeing tens of thousands of objects one by one is wasted work.
    std::mem::forget(build);
    Ok(ExitCode::SUCCESS)
}
