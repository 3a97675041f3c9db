//! `meshedge schema`: which input documents to describe.

use meshedge::input_schema::InputKind;

/// Options of `meshedge schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// The documents the schema describes: every document with a `kind`, one kind, or the
    /// documents of a patch file. Without case: a kind is written as in `kind:`, `all` and
    /// `patch` (no kind) in lower case, and any casing of each is accepted.
    #[arg(long, value_enum, ignore_case = true, default_value = "all")]
    pub kind: InputKind,
}
