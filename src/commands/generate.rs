//! `meshedge generate [--discover] [--shard K/N]`, as Argo CD's Config Management Plugin server runs it.

use std::io::Write as _;
use std::process::ExitCode;

use meshedge::argocd;
use meshedge::error::{Error, Trouble};
use tracing::debug;

use crate::cli::{GenerateOptions, Stderr};
use crate::commands::{working_directory, write_stdout};

pub fn run(options: &GenerateOptions, stderr: &Stderr) -> Result<ExitCode, Error> {
    let cwd = working_directory().map_err(Trouble::plugin)?;
    if options.discover {
        if let Some(found) = argocd::discover(&options.vars, &cwd) {
            write_stdout(|out| writeln!(out, "{found}")).map_err(Trouble::plugin)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let generated = argocd::generate_with(&options.vars, &cwd, options.shard.as_deref())?;
    if let Some(warnings) = &generated.warnings {
        stderr.warnings(warnings);
    }
    debug!(environment = %generated.env_dir, shard = %generated.shard, objects = generated.objects, "generated");
    write_stdout(|out| out.write_all(generated.yaml.as_bytes())).map_err(Trouble::plugin)?;
    Ok(ExitCode::SUCCESS)
}
