//! The command line: raw flags (clap) → validated options → a command over the compiler.
//!
//! Exit status: 0 success, 1 errors in the input (diagnostics on stderr, nothing on stdout),
//! 2 usage or I/O trouble.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::compiler::{self, Build};
use crate::diagnostic::SourceText;
use crate::locate;
use crate::render::{self, Form};
use crate::source::{FsSource, Tree};

#[derive(Debug, Parser)]
#[command(name = "meshedge", version, about = "Compile a layered GitOps repository into the edge of a service mesh")]
pub struct Cli {
    /// More detail on stderr (-v debug, -vv trace); RUST_LOG works too.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build an environment and print its manifests.
    Build(BuildArgs),
    /// Compare environments between two git revisions (a pull-request preview).
    Diff(crate::diff::DiffArgs),
    /// Argo CD Config Management Plugin: build the environment of the working directory.
    Generate(crate::argocd::GenerateArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Yaml,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The environment: a path (`environments/prod`) or a name (`prod`).
    pub env: String,
    /// Write one file per object under DIR instead of printing.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: OutputFormat,
    /// The repository root (default: the git work tree, else the working directory).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// Failure of a command: input errors (exit 1) or usage and I/O trouble (exit 2).
pub enum Failure {
    Input(String),
    Trouble(String),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let result = match cli.command {
        Command::Build(args) => build(&args),
        Command::Diff(args) => crate::diff::run(&args),
        Command::Generate(args) => crate::argocd::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(text)) => {
            eprint!("{text}");
            ExitCode::from(1)
        }
        Err(Failure::Trouble(text)) => {
            eprintln!("error: {text}");
            ExitCode::from(2)
        }
    }
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "meshedge=debug",
        _ => "meshedge=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).without_time().try_init();
}

fn cwd() -> Result<PathBuf, Failure> {
    std::env::current_dir().map_err(|e| Failure::Trouble(format!("cannot read the working directory: {e}")))
}

/// Finds the root and the environment, and builds it from the work tree.
pub fn build_from_disk(root: Option<&Path>, env: &str, options: &compiler::Options) -> Result<Build, Failure> {
    let cwd = cwd()?;
    let root = locate::find_root(root, &cwd, None);
    if !root.is_dir() {
        return Err(Failure::Trouble(format!("repository root {} is not a directory", root.display())));
    }
    let source = FsSource::new(&root);
    let env_dir = locate::find_environment(&Tree::new(&source), &root, &cwd, env)
        .map_err(|d| Failure::Input(d.render(&SourceText::default())))?;
    compiler::compile_with(&source, &env_dir, options).map_err(|failed| Failure::Input(failed.render()))
}

fn build(args: &BuildArgs) -> Result<(), Failure> {
    // `-o DIR` writes one YAML file per object, whatever the format.
    let form = match args.format {
        OutputFormat::Json if args.output.is_none() => Form::Json,
        _ => Form::Yaml,
    };
    let build = build_from_disk(args.root.as_deref(), &args.env, &compiler::Options { form, ..Default::default() })?;
    if !build.diagnostics.is_empty() {
        eprint!("{}", build.diagnostics.render(&build.texts));
    }
    if let Some(dir) = &args.output {
        return render::write_dir(&build.objects, dir)
            .map_err(|e| Failure::Trouble(format!("cannot write {}: {e}", dir.display())));
    }
    let started = std::time::Instant::now();
    let mut stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let written = render::write_stream(&mut stdout, &build.objects, build.form)
        .and_then(|()| stdout.flush())
        // A reader that stops early (`| head`) is not an error.
        .or_else(|e| if e.kind() == std::io::ErrorKind::BrokenPipe { Ok(()) } else { Err(e) })
        .map_err(|e| Failure::Trouble(format!("cannot write to stdout: {e}")));
    tracing::debug!(stage = "write", elapsed_ms = started.elapsed().as_secs_f64() * 1e3, "done");
    // The process ends right after: freeing tens of thousands of objects one by one is wasted work.
    std::mem::forget(build);
    written
}
