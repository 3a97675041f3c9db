//! The commands, one function each over the library: it takes the validated options, calls the
//! library, writes stdout, and returns the exit status — or the error, which `main` shows and
//! turns into the exit status. A new command is one more module here, with its options in `cli/`.

mod build;
mod check;
mod diff;
mod explain;
mod flows;
mod generate;
mod graph;
mod schema;
mod shell;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use meshedge::error::{Error, Trouble};

use crate::cli::{Command, Stderr};

/// Runs a command.
pub fn run(command: &Command, stderr: &Stderr) -> Result<ExitCode, Error> {
    match command {
        Command::Build(options) => build::run(options, stderr),
        Command::Check(options) => check::run(options, stderr),
        Command::Diff(options) => diff::run(options),
        Command::Flows(options) => flows::run(options, stderr),
        Command::Generate(options) => generate::run(options, stderr),
        Command::Explain(options) => explain::run(options, stderr),
        Command::Graph(options) => graph::run(options, stderr),
        Command::Schema(kind) => schema::run(*kind),
        Command::Completions(shell) => shell::completions(*shell),
        Command::Man => shell::man(),
    }
}

fn working_directory() -> Result<PathBuf, Trouble> {
    std::env::current_dir().map_err(Trouble::WorkingDirectory)
}

/// Writes to stdout through one buffer, and flushes it.
fn write_stdout(write: impl FnOnce(&mut io::BufWriter<io::StdoutLock>) -> io::Result<()>) -> Result<(), Trouble> {
    let mut stdout = io::BufWriter::with_capacity(1 << 20, io::stdout().lock());
    write(&mut stdout).and_then(|()| stdout.flush()).map_err(Trouble::Stdout)
}
