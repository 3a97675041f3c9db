//! Argo CD Config Management Plugin entry point (`meshedge generate`).

use crate::cli::Failure;

/// Options of `meshedge generate` (most come from the environment Argo CD sets).
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {}

pub fn run(_args: &GenerateArgs) -> Result<(), Failure> {
    Err(Failure::Trouble("generate is not available yet".into()))
}
