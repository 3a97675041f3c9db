//! The bounds of reading one file.

/// Deeper documents are refused (E114): no manifest needs them, and later stages recurse.
pub(crate) const MAX_DEPTH: usize = 128;
/// Aliases may copy at most this many times the size of the file they are in (E114), a guard
/// against alias bombs that keeps memory proportional to the input. A copy's size is the bytes
/// of its strings and keys plus [`VALUE_BYTES`] per value.
pub(crate) const ALIAS_FACTOR: usize = 16;
/// What one value counts for in the alias budget, besides its strings.
pub(crate) const VALUE_BYTES: usize = 16;
/// The longest piece of input quoted in a message (longer ones are cut with `…`).
pub(crate) const QUOTE_CHARS: usize = 60;
