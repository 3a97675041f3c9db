//! What every source answers — an entry, a listing, a file's bytes — and the errors and limits
//! of reading one.

use std::fmt;
use std::io;

/// What an entry is, without following it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    /// Anything else: a FIFO, a socket, a device. Never opened — opening a FIFO for reading
    /// blocks until a writer comes, and a device may never end.
    Special,
    /// A symbolic link and its target, as written in the link.
    Symlink(String),
    /// An entry whose name is not UTF-8, listed under its name with the bytes that are not
    /// escaped (`r\xff.yaml`): never read, refused by name wherever it is listed.
    BadName,
}

/// A file name as listed: its text, or its bytes escaped (`\xff`) with [`EntryKind::BadName`]
/// when it is not UTF-8, the same from every source.
pub fn listed_name(bytes: &[u8]) -> Option<String> {
    std::str::from_utf8(bytes).is_err().then(|| bytes.escape_ascii().to_string())
}

pub trait Source: Send + Sync {
    /// A short description for messages: the directory, or the revision.
    fn describe(&self) -> String;
    /// What is at `path` (not following a final symlink); `None` when nothing is there.
    fn entry(&self, path: &str) -> io::Result<Option<EntryKind>>;
    /// The entries of a directory, in any order.
    fn list(&self, dir: &str) -> io::Result<Vec<(String, EntryKind)>>;
    /// The bytes of a file.
    fn read(&self, file: &str) -> io::Result<Vec<u8>>;
    /// The size of a file in bytes, without reading it when the source can tell.
    fn size(&self, file: &str) -> io::Result<u64> {
        self.read(file).map(|bytes| bytes.len() as u64)
    }
    /// The git blob id of a file's bytes (the same id whichever source holds the file), without
    /// keeping the bytes in memory: how a file too large to read is still compared by content.
    fn content_id(&self, file: &str) -> io::Result<String> {
        let bytes = self.read(file)?;
        git2::Oid::hash_object(git2::ObjectType::Blob, &bytes).map(|oid| oid.to_string()).map_err(io::Error::other)
    }
}

/// The largest file meshedge reads: 8 MiB. Kubernetes keeps no object over 1.5 MiB (etcd's
/// request limit), so a larger input file is a mistake or an attack.
pub const MAX_FILE_BYTES: u64 = 8 << 20;
/// The most bytes one build reads in all: 64 MiB (see [`crate::layers::Loader`]).
pub const MAX_TOTAL_BYTES: u64 = 64 << 20;

/// The most components a path under the root may have: 64. A repository's inputs sit a few
/// directories deep (`environments/prod/tenants/shop/x.yaml` is 5); the limit keeps the cost of
/// resolving one path (each symbolic link on it re-resolved from the root) a small constant,
/// whatever the tree, where a 1,000-deep chain of directories would make every link on it cost
/// a thousand look-ups.
pub const MAX_PATH_DEPTH: usize = 64;
/// The longest symbolic link target meshedge follows: 4 KiB, Linux's `PATH_MAX` (4,096 bytes,
/// `include/uapi/linux/limits.h`), so no link a work tree can hold is refused. In a git tree a
/// link's target is a blob of any size; its size is checked before it is read.
pub const MAX_LINK_TARGET: u64 = 4096;
/// What each directory entry a walk lists (file, directory or symbolic link) counts for
/// against [`MAX_TOTAL_BYTES`]: 256 bytes, so one build lists at most 262,144 entries.
pub const ENTRY_BYTES: u64 = 256;

/// A symbolic link whose target is over [`MAX_LINK_TARGET`] bytes, carried inside an
/// [`io::Error`] from a source to [`crate::source::Tree`].
#[derive(Debug)]
pub struct LinkTooLong {
    pub size: u64,
    /// The link's name when a directory listing found it (the error is then the listing's).
    pub name: Option<String>,
}

impl fmt::Display for LinkTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a symbolic link target of {} bytes, over the limit of {MAX_LINK_TARGET} bytes", self.size)
    }
}

impl std::error::Error for LinkTooLong {}

/// Why a path could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// The path, or a symlink on its way, points outside the repository root.
    Escapes {
        path: String,
        target: String,
    },
    NotFound {
        path: String,
    },
    NotAFile {
        path: String,
    },
    NotADirectory {
        path: String,
    },
    NotUtf8 {
        path: String,
    },
    /// An entry whose name is not UTF-8 (`path` shows its bytes escaped).
    NameNotUtf8 {
        path: String,
    },
    SymlinkLoop {
        path: String,
    },
    /// A directory or file that the walk already reached by another path (`first`).
    ReachedTwice {
        path: String,
        first: String,
    },
    /// A path of more than [`MAX_PATH_DEPTH`] components (as reached, or once its links are
    /// followed).
    TooDeep {
        path: String,
    },
    /// A symbolic link to a path inside a `.git` directory: the repository's own data is never
    /// an input.
    IntoGit {
        path: String,
        target: String,
    },
    /// The walks of one build listed more entries than [`MAX_TOTAL_BYTES`] allows at
    /// [`ENTRY_BYTES`] each.
    TooManyEntries {
        path: String,
    },
    /// A file larger than [`MAX_FILE_BYTES`] (or than what is left of [`MAX_TOTAL_BYTES`]),
    /// or a symbolic link whose target is over [`MAX_LINK_TARGET`] bytes.
    TooLarge {
        path: String,
        size: u64,
        limit: u64,
    },
    Io {
        path: String,
        message: String,
    },
}

impl SourceError {
    pub fn path(&self) -> &str {
        match self {
            SourceError::Escapes { path, .. }
            | SourceError::NotFound { path }
            | SourceError::NotAFile { path }
            | SourceError::NotADirectory { path }
            | SourceError::NotUtf8 { path }
            | SourceError::NameNotUtf8 { path }
            | SourceError::SymlinkLoop { path }
            | SourceError::ReachedTwice { path, .. }
            | SourceError::TooLarge { path, .. }
            | SourceError::TooDeep { path }
            | SourceError::IntoGit { path, .. }
            | SourceError::TooManyEntries { path }
            | SourceError::Io { path, .. } => path,
        }
    }

    /// Input errors (exit 1) as opposed to I/O trouble (exit 2).
    pub fn is_input_error(&self) -> bool {
        !matches!(self, SourceError::Io { .. })
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Escapes { path, target } => {
                write!(f, "`{path}` resolves to `{target}`, outside the repository root")
            }
            SourceError::NotFound { path } => write!(f, "`{path}` does not exist"),
            SourceError::NotAFile { path } => write!(f, "`{path}` is not a file"),
            SourceError::NotADirectory { path } => write!(f, "`{path}` is not a directory"),
            SourceError::NotUtf8 { path } => write!(f, "`{path}` is not valid UTF-8"),
            SourceError::NameNotUtf8 { path } => write!(f, "the name of `{path}` is not valid UTF-8"),
            SourceError::SymlinkLoop { path } => write!(f, "`{path}`: too many levels of symlinks"),
            SourceError::ReachedTwice { path, first } => {
                write!(f, "`{path}` and `{first}` are the same file or directory (through a symlink)")
            }
            SourceError::TooLarge { path, size, limit } => {
                write!(f, "`{path}` has {size} bytes, over the limit of {limit} bytes")
            }
            SourceError::TooDeep { path } => {
                write!(f, "`{path}` is more than {MAX_PATH_DEPTH} directories deep (its symbolic links followed)")
            }
            SourceError::IntoGit { path, target } => {
                write!(f, "`{path}` is a symbolic link into `{target}`, the repository's own data")
            }
            SourceError::TooManyEntries { path } => write!(
                f,
                "`{path}` is not listed: the directories read hold over {} entries, the limit of one build",
                MAX_TOTAL_BYTES / ENTRY_BYTES
            ),
            SourceError::Io { path, message } => write!(f, "cannot read `{path}`: {message}"),
        }
    }
}

/// The bytes of the file at the physical path `physical` of `source`, within the limits: at
/// most [`MAX_FILE_BYTES`], and at most `budget` (what is left of a total, lowered by what is
/// read). For readers that keep bytes outside a [`Tree`] read (the fingerprints of `diff`).
pub fn read_within(source: &dyn Source, physical: &str, budget: &mut u64) -> io::Result<Vec<u8>> {
    let size = source.size(physical)?;
    // A file refused is named by its content id, so that two different files refused differ.
    let id = || source.content_id(physical).unwrap_or_else(|e| e.to_string());
    if size > MAX_FILE_BYTES {
        return Err(io::Error::other(format!(
            "{size} bytes, over the limit of {MAX_FILE_BYTES} bytes (blob {})",
            id()
        )));
    }
    if size > *budget {
        return Err(io::Error::other(format!(
            "not read: over the limit of {MAX_TOTAL_BYTES} bytes in all (blob {})",
            id()
        )));
    }
    let bytes = source.read(physical)?;
    *budget = budget.saturating_sub(bytes.len() as u64);
    Ok(bytes)
}

/// Joins `relative` onto the repo-relative directory `dir` lexically.
/// Returns `Err(joined)` when the result would leave the root (or `relative` is absolute).
pub fn join(dir: &str, relative: &str) -> Result<String, String> {
    if relative.starts_with('/') || relative.starts_with('\\') {
        return Err(relative.to_string());
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let mut escaped = false;
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    escaped = true;
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if escaped { Err(format!("../{joined}")) } else { Ok(joined) }
}

/// The directory part of a repo-relative path (`""` for top-level entries).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}
