//! Sources: where the repository's bytes come from.
//!
//! A [`Source`] answers three questions about repo-relative paths (`/`-separated, no `.` or
//! `..`, `""` is the root) without following symlinks: what is here, what is in this directory,
//! what are this file's bytes. The work tree on disk ([`FsSource`]) and a git tree at a revision
//! ([`GitSource`]) implement it the same way; a repository in memory ([`MemSource`]) serves tests
//! and fuzzing.
//!
//! [`Tree`] sits on top and owns the rules every source shares: lexical path joins, symlinks
//! followed one component at a time, and root containment (no path or link target may leave
//! the root), the size limit of a file ([`MAX_FILE_BYTES`]), plus the recursive walk (hidden
//! entries skipped, sorted, so the file-system order never shows). The walk reaches each
//! directory and each file once: a second path to one (through symlinks) is an error, so a web of
//! symlinks costs what its directories cost, and no file is read twice.

mod access;
mod fs;
mod git;
mod mem;
#[cfg(test)]
mod tests;
mod tree;

pub use access::{
    ENTRY_BYTES, EntryKind, LinkTooLong, MAX_FILE_BYTES, MAX_LINK_TARGET, MAX_PATH_DEPTH, MAX_TOTAL_BYTES, Source,
    SourceError, join, parent, read_within,
};
pub use fs::FsSource;
pub use git::GitSource;
pub use mem::MemSource;
pub use tree::{Tree, WalkedFile};
