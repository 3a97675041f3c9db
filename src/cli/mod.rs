//! The command line: raw flags (clap) → validated options, in one place, before any command
//! runs. Each command has its module here: its clap `Args` and the options it validates them
//! into (ripgrep's low-level arguments → high-level arguments). A new command adds its module
//! here and its function under `commands/`.

mod build;
mod check;
mod diff;
mod explain;
mod flows;
mod generate;
mod graph;
mod schema;
mod shell;
mod stderr;

use clap::{CommandFactory, Parser, Subcommand};
use meshedge::input_schema::InputKind;

pub use build::BuildOptions;
pub use check::{CheckFormat, CheckOptions};
pub use diff::{DiffFormat, DiffOptions};
pub use explain::{ExplainFormat, ExplainOptions};
pub use flows::{FlowsFormat, FlowsOptions};
pub use generate::GenerateOptions;
pub use graph::{GraphFormat, GraphOptions};
pub use shell::Shell;
pub use stderr::Stderr;

#[derive(Debug, Parser)]
#[command(name = "meshedge", version, about = "Compile a layered GitOps repository into the edge of a service mesh")]
struct Args {
    /// More detail on stderr: -v the root, environment, layers and stages; -vv every file read.
    /// RUST_LOG works too.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Errors only on stderr: no warnings, no tracing.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    #[command(subcommand)]
    command: CommandArgs,
}

#[derive(Debug, Subcommand)]
enum CommandArgs {
    /// Build an environment and print its manifests.
    Build(build::BuildArgs),
    /// Build environments, run every analysis and schema validation, and report all findings.
    Check(check::CheckArgs),
    /// Compare environments between two git revisions (a pull-request preview).
    Diff(diff::DiffArgs),
    /// Print the flows an environment lets through, and those it shuts (docs/flows.md).
    Flows(flows::FlowsArgs),
    /// Argo CD Config Management Plugin: build the environment of the working directory.
    Generate(generate::GenerateArgs),
    /// Show where one object comes from: layers, requests, plain resources, and every patch.
    Explain(explain::ExplainArgs),
    /// Draw the edge: clients, exposure, gateways, hosts, services, egress (mermaid, dot, svg).
    Graph(graph::GraphArgs),
    /// Print the JSON Schema of the input documents, for editors (docs/editors.md).
    Schema(schema::SchemaArgs),
    /// Print a completion script for a shell.
    Completions(shell::CompletionsArgs),
    /// Print the manual page (roff), for `man`.
    Man,
}

/// A command with its validated options.
#[derive(Debug)]
pub enum Command {
    Build(BuildOptions),
    Check(CheckOptions),
    Diff(DiffOptions),
    Flows(FlowsOptions),
    Generate(GenerateOptions),
    Explain(ExplainOptions),
    Graph(GraphOptions),
    Schema(InputKind),
    Completions(Shell),
    Man,
}

/// What to run, and where its diagnostics go.
pub struct Invocation {
    pub command: Command,
    pub stderr: Stderr,
}

/// Reads the command line (a usage error exits here, with status 2) and validates it.
pub fn parse() -> Invocation {
    let args = Args::parse();
    let stderr = Stderr::new(args.quiet, args.verbose);
    let command = match args.command {
        CommandArgs::Build(args) => Command::Build(args.options()),
        CommandArgs::Check(args) => Command::Check(args.options()),
        CommandArgs::Diff(args) => Command::Diff(args.options()),
        CommandArgs::Flows(args) => Command::Flows(args.options()),
        CommandArgs::Generate(args) => Command::Generate(args.options()),
        CommandArgs::Explain(args) => Command::Explain(args.options()),
        CommandArgs::Graph(args) => Command::Graph(args.options()),
        CommandArgs::Schema(args) => Command::Schema(args.kind),
        CommandArgs::Completions(args) => Command::Completions(args.shell),
        CommandArgs::Man => Command::Man,
    };
    Invocation { command, stderr }
}

/// The whole command line as clap describes it: for completion scripts and the manual page.
pub fn describe() -> clap::Command {
    Args::command()
}
