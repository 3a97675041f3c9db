//! `meshedge diff`: what a change does to each environment, straight from git objects.

use crate::cli::Failure;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {}

pub fn run(_args: &DiffArgs) -> Result<(), Failure> {
    Err(Failure::Trouble("diff is not available yet".into()))
}
