//! `meshedge schema`: which input documents to describe.

use meshedge::input_schema::InputKind;

/// Options of `meshedge schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// The documents the schema describes: every document with a `kind`, one kind, or the
    /// documents of a patch file.
    #[arg(long, value_enum, default_value = "all")]
    pub kind: InputKind,
}
