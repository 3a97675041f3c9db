//! The command line: raw flags (clap) → validated options → a command over the compiler.
//!
//! Exit status: 0 success, 1 errors in the input (diagnostics on stderr, nothing on stdout),
//! 2 usage or I/O trouble.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

use anstyle::{AnsiColor, Style};
use clap::{Parser, Subcommand, ValueEnum};
use tracing::{debug, trace};

use crate::compiler::{self, Build};
use crate::diagnostic::{Diagnostics, SourceText};
use crate::locate;
use crate::render::{self, Form, dir::DirError};
use crate::source::{FsSource, Tree};

#[derive(Debug, Parser)]
#[command(name = "meshedge", version, about = "Compile a layered GitOps repository into the edge of a service mesh")]
pub struct Cli {
    /// More detail on stderr: -v the root, environment, layers and stages; -vv every file read.
    /// RUST_LOG works too.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Errors only on stderr: no warnings, no tracing.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
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
    /// The environment: a path (`environments/prod`, or its `meshedge.yaml`) or a name (`prod`).
    pub env: String,
    /// Write one file per object under DIR instead of printing. DIR must be absent, empty, or an
    /// earlier output of meshedge; it is replaced as a whole.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: OutputFormat,
    /// The repository root (default: the git work tree, else the working directory).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// Failure of a command, with its report for stderr.
pub enum Failure {
    /// Errors in the input (exit 1): rendered diagnostics.
    Input(String),
    /// A usage error reported as rendered diagnostics (exit 2): an unknown environment, an
    /// output directory meshedge may not replace.
    Usage(String),
    /// Usage or I/O trouble in a sentence (exit 2), printed after `error: `.
    Trouble(String),
}

/// How diagnostics go to stderr: set once by [`main`] from `-q` and the terminal.
#[derive(Debug, Clone, Copy, Default)]
struct Stderr {
    quiet: bool,
    colour: bool,
}

static STDERR: OnceLock<Stderr> = OnceLock::new();

fn stderr_mode() -> Stderr {
    STDERR.get().copied().unwrap_or_default()
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // anstream's choice: NO_COLOR (non-empty) turns colour off, CLICOLOR_FORCE on; otherwise
    // colour only when stderr is a terminal that supports it.
    let colour = anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
    let _ = STDERR.set(Stderr { quiet: cli.quiet, colour });
    init_tracing(cli.verbose, cli.quiet, colour);
    let result = match cli.command {
        Command::Build(args) => build(&args),
        Command::Diff(args) => crate::diff::run(&args),
        Command::Generate(args) => crate::argocd::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(text)) => {
            print_report(&text);
            ExitCode::from(1)
        }
        Err(Failure::Usage(text)) => {
            print_report(&text);
            ExitCode::from(2)
        }
        Err(Failure::Trouble(text)) => {
            print_report(&format!("error: {text}\n"));
            ExitCode::from(2)
        }
    }
}

/// Prints a report of diagnostics on stderr, coloured on a terminal.
pub fn print_report(text: &str) {
    let text = if stderr_mode().colour { colourize(text) } else { text.to_string() };
    eprint!("{text}");
}

/// Prints a report that holds only warnings, unless `-q` is given.
pub fn print_warnings(text: &str) {
    if !stderr_mode().quiet {
        print_report(text);
    }
}

/// Rendered diagnostics, without the warnings under `-q`.
pub fn render_diagnostics(diagnostics: &Diagnostics, texts: &SourceText) -> String {
    if stderr_mode().quiet {
        let errors: Diagnostics = diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
        errors.render(texts)
    } else {
        diagnostics.render(texts)
    }
}

/// Styles the parts of a rendered report a reader looks for first: the `error[E…]` and
/// `warning[W…]` headers with their codes, the `-->` places and gutters, `help:` and `note:`.
fn colourize(text: &str) -> String {
    let error = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
    let warning = Style::new().bold().fg_color(Some(AnsiColor::Yellow.into()));
    let accent = Style::new().bold().fg_color(Some(AnsiColor::Blue.into()));
    let help = Style::new().bold().fg_color(Some(AnsiColor::Cyan.into()));
    let bold = Style::new().bold();
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for line in text.split_inclusive('\n') {
        let (body, end) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        let header = |level: &str, style: Style| {
            let rest = body.strip_prefix(level)?;
            let code_end = if rest.starts_with('[') { rest.find("]:").map(|i| i + 1)? } else { 0 };
            let (code, message) = rest.split_at(code_end);
            let message = message.strip_prefix(':')?;
            Some(format!("{style}{level}{code}:{style:#}{bold}{message}{bold:#}"))
        };
        let styled = header("error", error).or_else(|| header("warning", warning)).or_else(|| {
            let trimmed = body.trim_start();
            let indent = &body[..body.len() - trimmed.len()];
            if let Some(rest) = trimmed.strip_prefix("= help:") {
                Some(format!("{indent}{help}= help:{help:#}{rest}"))
            } else if let Some(rest) = trimmed.strip_prefix("= note:") {
                Some(format!("{indent}{bold}= note:{bold:#}{rest}"))
            } else if let Some(rest) = trimmed.strip_prefix("--> ") {
                Some(format!("{indent}{accent}-->{accent:#} {rest}"))
            } else {
                // A source line's gutter: `12 | text`, ` | ^`.
                let (gutter, rest) = body.split_once(" |")?;
                gutter.trim().bytes().all(|b| b.is_ascii_digit()).then(|| format!("{accent}{gutter} |{accent:#}{rest}"))
            }
        });
        out.push_str(styled.as_deref().unwrap_or(body));
        out.push_str(end);
    }
    out
}

fn init_tracing(verbose: u8, quiet: bool, colour: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "meshedge=debug",
        (false, _) => "meshedge=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .without_time()
        .try_init();
}

fn cwd() -> Result<PathBuf, Failure> {
    std::env::current_dir().map_err(|e| Failure::Trouble(format!("cannot read the working directory: {e}")))
}

/// A build from the work tree, and the root it was found in.
pub struct DiskBuild {
    pub build: Build,
    pub root: PathBuf,
}

/// Finds the root and the environment, and builds it from the work tree.
pub fn build_from_disk(root: Option<&Path>, env: &str, options: &compiler::Options) -> Result<DiskBuild, Failure> {
    let cwd = cwd()?;
    let root = locate::find_root(root, &cwd, None);
    if !root.is_dir() {
        return Err(Failure::Trouble(format!("repository root {} is not a directory", root.display())));
    }
    debug!(root = %root.display(), "repository root");
    let source = FsSource::new(&root);
    let env_dir = locate::find_environment(&Tree::new(&source), &root, &cwd, env)
        .map_err(|d| Failure::Usage(render_diagnostics(&d.into(), &SourceText::default())))?;
    match compiler::compile_with(&source, &env_dir, options) {
        Ok(build) => {
            for file in &build.inputs {
                trace!(%file, "read");
            }
            Ok(DiskBuild { build, root })
        }
        Err(failed) => {
            for file in &failed.inputs {
                trace!(%file, "read");
            }
            Err(Failure::Input(render_diagnostics(&failed.diagnostics, &failed.texts)))
        }
    }
}

fn dir_failure(error: DirError) -> Failure {
    let text = render_diagnostics(&error.diagnostic().clone().into(), &SourceText::default());
    match error {
        DirError::Unwritable(_) => Failure::Input(text),
        DirError::Refused(_) | DirError::Io(_) => Failure::Usage(text),
    }
}

fn build(args: &BuildArgs) -> Result<(), Failure> {
    let form = match args.format {
        OutputFormat::Yaml => Form::Yaml,
        OutputFormat::Json => Form::Json,
    };
    // A destination meshedge may not replace is refused before the build.
    let cwd = cwd()?;
    let destination = match &args.output {
        Some(dir) => Some(render::dir::precheck(dir, &cwd).map_err(dir_failure)?),
        None => None,
    };
    let DiskBuild { build, root } =
        build_from_disk(args.root.as_deref(), &args.env, &compiler::Options { form, ..Default::default() })?;
    if !build.diagnostics.is_empty() {
        print_warnings(&render_diagnostics(&build.diagnostics, &build.texts));
    }
    if let (Some(dir), Some(destination)) = (&args.output, &destination) {
        render::dir::check_outside_inputs(dir, destination, &root, &build.inputs).map_err(dir_failure)?;
        let started = std::time::Instant::now();
        let written = render::dir::write(&build.objects, destination, dir, &cwd).map_err(dir_failure)?;
        debug!(stage = "write", files = written.files, elapsed_ms = started.elapsed().as_secs_f64() * 1e3, "done");
        if let Some(left) = written.left_behind {
            let warning = crate::diagnostic::Diagnostic::warning(
                "W903",
                format!("the earlier output was replaced, but {} holds files meshedge did not write", left.display()),
            )
            .help("they appeared while meshedge was writing; look at them, then remove the directory");
            print_warnings(&render_diagnostics(&warning.into(), &SourceText::default()));
        }
        return Ok(());
    }
    let started = std::time::Instant::now();
    let mut stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let written = render::write_stream(&mut stdout, &build.objects, build.form)
        .and_then(|()| stdout.flush())
        // A reader that stops early (`| head`) is not an error.
        .or_else(|e| if e.kind() == std::io::ErrorKind::BrokenPipe { Ok(()) } else { Err(e) })
        .map_err(|e| Failure::Trouble(format!("cannot write to stdout: {e}")));
    debug!(stage = "write", elapsed_ms = started.elapsed().as_secs_f64() * 1e3, "done");
    // The process ends right after: freeing tens of thousands of objects one by one is wasted work.
    std::mem::forget(build);
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_marks_headers_codes_places_and_help() {
        let text = "error[E102]: unknown field `hots`\n --> a.yaml:2:1\n  |\n2 | hots: x\n  | ^\n   = help: did you mean `host`?\nwarning: 1 warning\n";
        let styled = colourize(text);
        assert_ne!(styled, text);
        // Only escape codes were added.
        let stripped: String = anstream::adapter::strip_str(&styled).to_string();
        assert_eq!(stripped, text);
        for part in ["error[E102]:", "-->", "= help:", "warning:", "2 |"] {
            let at = styled.find(part).unwrap_or_else(|| panic!("{part} in {styled:?}"));
            assert!(styled[..at].ends_with('m'), "{part} is styled: {styled:?}");
        }
    }
}
