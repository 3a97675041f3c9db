//! The report of `meshedge diff`, presented: [`text`] for a terminal, [`markdown`] for a
//! pull-request comment (cut at [`MARKDOWN_LIMIT`] characters), [`json`] for tools (documented in
//! `docs/diff-preview.md`).

mod cut;
pub mod json;
pub mod markdown;
mod pieces;
pub mod text;

pub use json::render_json;
pub use markdown::{MARKDOWN_LIMIT, render_markdown};
pub use text::render_text;
