//! Writes a synthetic meshedge repository (see `meshedge_testkit::synth`).
//!
//! ```text
//! cargo run --release --example synth -- DIR TENANTS [VARIANT]
//! meshedge build environments/prod --root DIR
//! ```
//!
//! VARIANT (default 0) selects the revision: any value other than 0 changes exactly one request,
//! so two directories written with different variants make a before/after pair.

use std::path::PathBuf;
use std::process::ExitCode;

use meshedge_testkit::synth::{self, Options};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: synth DIR TENANTS [VARIANT]";
    if args.len() < 2 || args.len() > 3 {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    let dir = PathBuf::from(&args[0]);
    let Ok(tenants) = args[1].parse::<usize>() else {
        eprintln!("TENANTS must be a positive integer, not `{}`\n{usage}", args[1]);
        return ExitCode::from(2);
    };
    let variant = match args.get(2).map(|v| v.parse::<u32>()) {
        None => 0,
        Some(Ok(v)) => v,
        Some(Err(_)) => {
            eprintln!("VARIANT must be a non-negative integer, not `{}`\n{usage}", args[2]);
            return ExitCode::from(2);
        }
    };
    match synth::write_repo_with(&dir, &Options { tenants, variant }) {
        Ok(()) => {
            eprintln!(
                "wrote {} tenants (variant {variant}) to {}; build with: meshedge build {} --root {}",
                tenants,
                dir.display(),
                synth::ENVIRONMENT,
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}
