//! `meshedge schema`: the JSON Schema of the input documents on stdout.

use std::io::Write;
use std::process::ExitCode;

use meshedge::error::Error;
use meshedge::input_schema::{InputKind, input_schema_text};

use super::write_stdout;

/// Prints the schema of `kind` (the text `docs/schema/` keeps for the same kind).
pub fn run(kind: InputKind) -> Result<ExitCode, Error> {
    let text = input_schema_text(kind);
    write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
