//! `build -o DIR`: one file per object, and never a file lost that meshedge did not write.
//!
//! DIR must be absent, an empty directory, or an earlier output of meshedge: a directory holding
//! [`MARKER`], which lists every file meshedge wrote there with its SHA-256, and nothing else —
//! no file added, none changed since. Anything else (a file, a symbolic link, a directory with
//! other content, the working directory or one of its ancestors, a directory meshedge reads its
//! input from) is refused before anything is written.
//!
//! The new output is staged in a sibling temporary directory (`.<name>.tmp-*`, removed on every
//! failure path by its drop guard) and then takes DIR's place in one step: a rename when DIR is
//! absent or empty, an exchange of the two directories (`renameat2(RENAME_EXCHANGE)`, `RENAME_SWAP`
//! on macOS) when it replaces an earlier output, so that a reader sees the old output or the new
//! one, never a mix and never nothing. The earlier output is then deleted file by file, as its
//! marker lists them and only while they hold what meshedge wrote; whatever appeared in it or
//! changed meanwhile stays where it is (a W903 names the directory).
//!
//! Objects go to `<namespace or _cluster>/<kind in lower case>-<name>.<yaml|json>`. Two objects
//! that would share a file (kinds of one name in two API groups, such as Istio's and the Gateway
//! API's `Gateway`) are both written as `<kind>.<group>-<name>`.

mod check;
mod error;
mod marker;
mod write;

pub use check::{Destination, Previous, check, check_outside_inputs, precheck};
pub use error::DirError;
pub use marker::MARKER;
pub use write::{Written, object_files, write};

#[cfg(test)]
mod tests;
