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

mod git;
mod mem;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::PathBuf;

pub use git::GitSource;
pub use mem::MemSource;

/// What an entry is, without following it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    /// A symbolic link and its target, as written in the link.
    Symlink(String),
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
}

/// The largest file meshedge reads: 8 MiB. Kubernetes keeps no object over 1.5 MiB (etcd's
/// request limit), so a larger input file is a mistake or an attack.
pub const MAX_FILE_BYTES: u64 = 8 << 20;
/// The most bytes one build reads in all: 64 MiB (see [`crate::layers::Loader`]).
pub const MAX_TOTAL_BYTES: u64 = 64 << 20;

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
    SymlinkLoop {
        path: String,
    },
    /// A directory or file that the walk already reached by another path (`first`).
    ReachedTwice {
        path: String,
        first: String,
    },
    /// A file larger than [`MAX_FILE_BYTES`] (or than what is left of [`MAX_TOTAL_BYTES`]).
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
            | SourceError::SymlinkLoop { path }
            | SourceError::ReachedTwice { path, .. }
            | SourceError::TooLarge { path, .. }
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
            SourceError::SymlinkLoop { path } => write!(f, "`{path}`: too many levels of symlinks"),
            SourceError::ReachedTwice { path, first } => {
                write!(f, "`{path}` and `{first}` are the same file or directory (through a symlink)")
            }
            SourceError::TooLarge { path, size, limit } => {
                write!(f, "`{path}` has {size} bytes, over the limit of {limit} bytes")
            }
            SourceError::Io { path, message } => write!(f, "cannot read `{path}`: {message}"),
        }
    }
}

/// The bytes of the file at the physical path `physical` of `source`, within the limits: at
/// most [`MAX_FILE_BYTES`], and at most `budget` (what is left of a total, lowered by what is
/// read). For readers that keep bytes outside a [`Tree`] read (the fingerprints of `diff`).
pub fn read_within(source: &dyn Source, physical: &str, budget: &mut u64) -> io::Result<Vec<u8>> {
    let size = source.size(physical)?;
    if size > MAX_FILE_BYTES {
        return Err(io::Error::other(format!("{size} bytes, over the limit of {MAX_FILE_BYTES} bytes")));
    }
    if size > *budget {
        return Err(io::Error::other(format!("not read: over the limit of {MAX_TOTAL_BYTES} bytes in all")));
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

fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

const MAX_LINKS: usize = 40;

/// A file found by [`Tree::walk`]: the path as reached, and where its bytes really are.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkedFile {
    pub path: String,
    pub physical: String,
}

/// The rules shared by every source: symlinks, containment, walking.
pub struct Tree<'a> {
    source: &'a dyn Source,
}

impl<'a> Tree<'a> {
    pub fn new(source: &'a dyn Source) -> Self {
        Tree { source }
    }

    pub fn source(&self) -> &'a dyn Source {
        self.source
    }

    fn io(path: &str, e: io::Error) -> SourceError {
        SourceError::Io { path: path.to_string(), message: e.to_string() }
    }

    /// Resolves every symlink on `path`; the result names a real entry (or nothing) inside root.
    pub fn resolve(&self, path: &str) -> Result<(String, Option<EntryKind>), SourceError> {
        let mut pending: Vec<String> = path.split('/').filter(|p| !p.is_empty()).map(String::from).collect();
        pending.reverse();
        let mut current = String::new();
        let mut links = 0;
        let mut kind = Some(EntryKind::Dir);
        while let Some(part) = pending.pop() {
            let candidate = if current.is_empty() { part.clone() } else { format!("{current}/{part}") };
            match self.source.entry(&candidate).map_err(|e| Self::io(path, e))? {
                Some(EntryKind::Symlink(target)) => {
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(SourceError::SymlinkLoop { path: path.to_string() });
                    }
                    let resolved = join(parent(&candidate), &target)
                        .map_err(|outside| SourceError::Escapes { path: path.to_string(), target: outside })?;
                    // Restart from the root with the link replaced by its target.
                    let mut rest: Vec<String> =
                        resolved.split('/').filter(|p| !p.is_empty()).map(String::from).collect();
                    rest.reverse();
                    pending.extend(rest);
                    current.clear();
                    kind = Some(EntryKind::Dir);
                }
                Some(found) => {
                    current = candidate;
                    kind = Some(found);
                }
                None => {
                    current = candidate;
                    kind = None;
                    if !pending.is_empty() {
                        return Err(SourceError::NotFound { path: path.to_string() });
                    }
                }
            }
            if kind == Some(EntryKind::File) && !pending.is_empty() {
                return Err(SourceError::NotADirectory { path: current });
            }
        }
        Ok((current, kind))
    }

    pub fn is_file(&self, path: &str) -> Result<bool, SourceError> {
        Ok(self.resolve(path)?.1 == Some(EntryKind::File))
    }

    /// The text of a file, symlinks followed within the root.
    pub fn read_to_string(&self, path: &str) -> Result<String, SourceError> {
        let (physical, kind) = self.resolve(path)?;
        match kind {
            Some(EntryKind::File) => {}
            Some(_) => return Err(SourceError::NotAFile { path: path.to_string() }),
            None => return Err(SourceError::NotFound { path: path.to_string() }),
        }
        self.read_physical(path, &physical, MAX_FILE_BYTES)
    }

    /// The text of a file found by [`Tree::walk`] (already resolved and contained).
    pub fn read_walked(&self, file: &WalkedFile) -> Result<String, SourceError> {
        self.read_physical(&file.path, &file.physical, MAX_FILE_BYTES)
    }

    /// The size of a file found by [`Tree::walk`].
    pub fn size_walked(&self, file: &WalkedFile) -> Result<u64, SourceError> {
        self.source.size(&file.physical).map_err(|e| Self::io(&file.path, e))
    }

    /// The size of a file, symlinks followed within the root.
    pub fn size(&self, path: &str) -> Result<u64, SourceError> {
        let (physical, _) = self.resolve(path)?;
        self.source.size(&physical).map_err(|e| Self::io(path, e))
    }

    /// The text of the file at `physical` (reached as `path`), refused when over `limit` bytes.
    fn read_physical(&self, path: &str, physical: &str, limit: u64) -> Result<String, SourceError> {
        let too_large = |size| SourceError::TooLarge { path: path.to_string(), size, limit };
        let size = self.source.size(physical).map_err(|e| Self::io(path, e))?;
        if size > limit {
            return Err(too_large(size));
        }
        let bytes = self.source.read(physical).map_err(|e| Self::io(path, e))?;
        // The file may have grown since its size was asked.
        if bytes.len() as u64 > limit {
            return Err(too_large(bytes.len() as u64));
        }
        String::from_utf8(bytes).map_err(|_| SourceError::NotUtf8 { path: path.to_string() })
    }

    /// Every non-hidden file under `dir` (recursively, symlinks followed within the root),
    /// sorted by path. A missing `dir` gives no files.
    ///
    /// Each directory and each file is reached once: the walk goes level by level, each level
    /// in path order, and the first path that reaches a directory or a file is its path. Another
    /// path to it (a symlink to a directory or file the walk has already reached, or is inside)
    /// is an error: [`SourceError::SymlinkLoop`] when it leads back to a directory it is in,
    /// [`SourceError::ReachedTwice`] otherwise. So the walk costs one listing per directory,
    /// whatever the symlinks, and no file is read under two names (say, in two tenants).
    pub fn walk(&self, dir: &str) -> Result<Vec<WalkedFile>, SourceError> {
        let (physical, kind) = self.resolve(dir)?;
        match kind {
            None => return Ok(Vec::new()),
            Some(EntryKind::Dir) => {}
            Some(_) => return Err(SourceError::NotADirectory { path: dir.to_string() }),
        }
        let mut out = Vec::new();
        // Physical path → the path that reached it first.
        let mut reached: BTreeMap<String, String> = BTreeMap::from([(physical.clone(), dir.to_string())]);
        let mut level = vec![(dir.to_string(), physical)];
        while !level.is_empty() {
            // Directories of one level are listed on every core; what they hold is taken in
            // path order, so the first path is the same whatever thread finished first.
            let listed = crate::parallel::map(&level, |(logical, physical)| self.list_dir(logical, physical));
            let mut next = Vec::new();
            for entries in listed {
                for (logical, physical, is_dir) in entries? {
                    if let Some(first) = reached.get(&physical) {
                        let inside = first.is_empty() || logical.starts_with(&format!("{first}/"));
                        return Err(if is_dir && inside {
                            SourceError::SymlinkLoop { path: logical }
                        } else {
                            SourceError::ReachedTwice { path: logical, first: first.clone() }
                        });
                    }
                    reached.insert(physical.clone(), logical.clone());
                    if is_dir {
                        next.push((logical, physical));
                    } else {
                        out.push(WalkedFile { path: logical, physical });
                    }
                }
            }
            level = next;
        }
        out.sort();
        Ok(out)
    }

    /// The non-hidden entries of one directory, sorted by name, symlinks resolved: (path as
    /// reached, physical path, whether it is a directory). Dangling links are left out.
    fn list_dir(&self, logical: &str, physical: &str) -> Result<Vec<(String, String, bool)>, SourceError> {
        let mut entries = self.source.list(physical).map_err(|e| Self::io(logical, e))?;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = Vec::with_capacity(entries.len());
        for (name, kind) in entries {
            if is_hidden(&name) {
                continue;
            }
            let child_logical = if logical.is_empty() { name.clone() } else { format!("{logical}/{name}") };
            let child_physical = if physical.is_empty() { name } else { format!("{physical}/{name}") };
            let (real, real_kind) = match kind {
                EntryKind::Symlink(_) => self.resolve(&child_physical).map_err(|e| match e {
                    SourceError::Escapes { target, .. } => SourceError::Escapes { path: child_logical.clone(), target },
                    other => other,
                })?,
                other => (child_physical, Some(other)),
            };
            match real_kind {
                Some(EntryKind::File) => out.push((child_logical, real, false)),
                Some(EntryKind::Dir) => out.push((child_logical, real, true)),
                // A dangling link inside the root is skipped, like a missing file.
                _ => {}
            }
        }
        Ok(out)
    }
}

/// The work tree on disk.
pub struct FsSource {
    root: PathBuf,
}

impl FsSource {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsSource { root: root.into() }
    }

    pub fn root(&self) -> &std::path::Path {
        &self.root
    }

    fn full(&self, path: &str) -> PathBuf {
        if path.is_empty() { self.root.clone() } else { self.root.join(path) }
    }

    fn kind_of(meta: &std::fs::Metadata, full: &std::path::Path) -> io::Result<EntryKind> {
        let file_type = meta.file_type();
        Ok(if file_type.is_symlink() {
            EntryKind::Symlink(std::fs::read_link(full)?.to_string_lossy().replace('\\', "/"))
        } else if file_type.is_dir() {
            EntryKind::Dir
        } else {
            EntryKind::File
        })
    }
}

impl Source for FsSource {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn entry(&self, path: &str) -> io::Result<Option<EntryKind>> {
        let full = self.full(path);
        match std::fs::symlink_metadata(&full) {
            Ok(meta) => Ok(Some(Self::kind_of(&meta, &full)?)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn list(&self, dir: &str) -> io::Result<Vec<(String, EntryKind)>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(self.full(dir))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let file_type = entry.file_type()?;
            let kind = if file_type.is_symlink() {
                EntryKind::Symlink(std::fs::read_link(entry.path())?.to_string_lossy().replace('\\', "/"))
            } else if file_type.is_dir() {
                EntryKind::Dir
            } else {
                EntryKind::File
            };
            out.push((name, kind));
        }
        Ok(out)
    }

    fn read(&self, file: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.full(file))
    }

    fn size(&self, file: &str) -> io::Result<u64> {
        std::fs::metadata(self.full(file)).map(|meta| meta.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_is_lexical_and_contained() {
        assert_eq!(join("environments/prod", "../../base"), Ok("base".to_string()));
        assert_eq!(join("", "./a/./b/"), Ok("a/b".to_string()));
        assert_eq!(join("a", "../../etc"), Err("../etc".to_string()));
        assert!(join("a", "/etc/passwd").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_inside_the_root_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::create_dir_all(root.join("c")).unwrap();
        std::fs::write(root.join("a/b/x.yaml"), "x: 1").unwrap();
        std::fs::write(root.join("c/y.yaml"), "y: 1").unwrap();
        std::fs::write(dir.path().join("secret.yaml"), "s: 1").unwrap();
        std::os::unix::fs::symlink("../c", root.join("a/shared")).unwrap();
        let source = FsSource::new(&root);
        let tree = Tree::new(&source);
        let files: Vec<(String, String)> = tree.walk("a").unwrap().into_iter().map(|f| (f.path, f.physical)).collect();
        let expected = [("a/b/x.yaml", "a/b/x.yaml"), ("a/shared/y.yaml", "c/y.yaml")];
        assert_eq!(files, expected.map(|(p, q)| (p.to_string(), q.to_string())));

        // A second path to a directory or a file already reached is an error naming both; the
        // first path in walk order (level by level, by name) is the one that counts.
        std::os::unix::fs::symlink("b", root.join("a/link")).unwrap();
        assert_eq!(tree.read_to_string("a/link/x.yaml").unwrap(), "x: 1");
        assert_eq!(
            tree.walk("a"),
            Err(SourceError::ReachedTwice { path: "a/link".into(), first: "a/b".into() }),
            "`a/b` comes first by name"
        );
        std::fs::remove_file(root.join("a/link")).unwrap();
        std::os::unix::fs::symlink("b/x.yaml", root.join("a/again.yaml")).unwrap();
        assert_eq!(
            tree.walk("a"),
            Err(SourceError::ReachedTwice { path: "a/b/x.yaml".into(), first: "a/again.yaml".into() }),
            "`a/again.yaml` is one level up, so first"
        );
        std::fs::remove_file(root.join("a/again.yaml")).unwrap();

        std::os::unix::fs::symlink("../../secret.yaml", root.join("a/out.yaml")).unwrap();
        assert!(matches!(tree.walk("a"), Err(SourceError::Escapes { .. })));
        assert!(matches!(tree.read_to_string("a/out.yaml"), Err(SourceError::Escapes { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn a_web_of_symlinks_is_walked_once_per_directory() {
        // Level i links twice to level i + 1: 2^40 paths, 41 directories.
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().join("fan");
        for i in 0..=40 {
            std::fs::create_dir_all(top.join(format!("n{i}"))).unwrap();
        }
        for i in 0..40 {
            for j in 0..2 {
                std::os::unix::fs::symlink(format!("../n{}", i + 1), top.join(format!("n{i}/l{j}"))).unwrap();
            }
        }
        std::fs::write(top.join("n40/leaf.yaml"), "").unwrap();
        let source = FsSource::new(dir.path());
        // Walked path by path, this would not end.
        let err = Tree::new(&source).walk("fan").unwrap_err();
        assert_eq!(err, SourceError::ReachedTwice { path: "fan/n0/l0".into(), first: "fan/n1".into() });
        // Only the links: still one path per directory, and each is an error past the first.
        std::fs::remove_dir_all(&top).unwrap();
        std::fs::create_dir_all(top.join("n0")).unwrap();
        std::fs::create_dir_all(dir.path().join("n1")).unwrap();
        std::os::unix::fs::symlink("../../n1", top.join("n0/l0")).unwrap();
        std::os::unix::fs::symlink("../../n1", top.join("n0/l1")).unwrap();
        let err = Tree::new(&source).walk("fan").unwrap_err();
        assert_eq!(err, SourceError::ReachedTwice { path: "fan/n0/l1".into(), first: "fan/n0/l0".into() });
    }

    #[cfg(unix)]
    #[test]
    fn hidden_entries_are_skipped_and_loops_stop() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("d/.git")).unwrap();
        std::fs::write(root.join("d/.git/x.yaml"), "").unwrap();
        std::fs::write(root.join("d/.hidden.yaml"), "").unwrap();
        std::os::unix::fs::symlink(".", root.join("d/self")).unwrap();
        let source = FsSource::new(root);
        assert!(matches!(Tree::new(&source).walk("d"), Err(SourceError::SymlinkLoop { .. })));
        std::fs::remove_file(root.join("d/self")).unwrap();
        std::fs::create_dir_all(root.join("d/e")).unwrap();
        std::os::unix::fs::symlink("..", root.join("d/e/up")).unwrap();
        assert_eq!(Tree::new(&source).walk("d"), Err(SourceError::SymlinkLoop { path: "d/e/up".into() }));
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::File::create(dir.path().join("big.yaml")).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        std::fs::write(dir.path().join("ok.yaml"), "a: 1").unwrap();
        let source = FsSource::new(dir.path());
        let tree = Tree::new(&source);
        let err = tree.read_to_string("big.yaml").unwrap_err();
        assert_eq!(
            err,
            SourceError::TooLarge { path: "big.yaml".into(), size: MAX_FILE_BYTES + 1, limit: MAX_FILE_BYTES }
        );
        assert!(err.to_string().contains("over the limit of 8388608 bytes"), "{err}");
        assert_eq!(tree.read_to_string("ok.yaml").unwrap(), "a: 1");
        assert_eq!(tree.size("ok.yaml").unwrap(), 4);
        // Outside a tree: the same limit, and a total.
        let mut budget = 6;
        assert!(read_within(&source, "big.yaml", &mut budget).unwrap_err().to_string().contains("over the limit"));
        assert_eq!(read_within(&source, "ok.yaml", &mut budget).unwrap(), b"a: 1");
        assert_eq!(budget, 2);
        assert!(read_within(&source, "ok.yaml", &mut budget).unwrap_err().to_string().contains("in all"));
    }
}
