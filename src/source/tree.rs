//! The rules every source shares: symlinks followed within the root, containment, the size of
//! a file, and the walk that reaches each directory and file once.

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::source::access::{
    ENTRY_BYTES, EntryKind, LinkTooLong, MAX_FILE_BYTES, MAX_LINK_TARGET, MAX_PATH_DEPTH, MAX_TOTAL_BYTES, Source,
    SourceError, join, parent,
};

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
    /// Directory entries listed by the walks so far, against [`MAX_TOTAL_BYTES`].
    entries: AtomicU64,
}

impl<'a> Tree<'a> {
    pub fn new(source: &'a dyn Source) -> Self {
        Tree { source, entries: AtomicU64::new(0) }
    }

    pub fn source(&self) -> &'a dyn Source {
        self.source
    }

    fn io(path: &str, e: io::Error) -> SourceError {
        if let Some(long) = e.get_ref().and_then(|inner| inner.downcast_ref::<LinkTooLong>()) {
            let path = match &long.name {
                Some(name) if !path.is_empty() => format!("{path}/{name}"),
                Some(name) => name.clone(),
                None => path.to_string(),
            };
            return SourceError::TooLarge { path, size: long.size, limit: MAX_LINK_TARGET };
        }
        SourceError::Io { path: path.to_string(), message: e.to_string() }
    }

    /// Resolves every symlink on `path`; the result names a real entry (or nothing) inside root,
    /// never inside a `.git` directory through a link. A path (or what its links make of it) of
    /// more than [`MAX_PATH_DEPTH`] components is refused before anything is looked up, so one
    /// resolution costs at most `MAX_LINKS × MAX_PATH_DEPTH` look-ups.
    pub fn resolve(&self, path: &str) -> Result<(String, Option<EntryKind>), SourceError> {
        let mut pending: Vec<String> = path.split('/').filter(|p| !p.is_empty()).map(String::from).collect();
        if pending.len() > MAX_PATH_DEPTH {
            return Err(SourceError::TooDeep { path: path.to_string() });
        }
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
                    if target.len() as u64 > MAX_LINK_TARGET {
                        let size = target.len() as u64;
                        return Err(SourceError::TooLarge { path: path.to_string(), size, limit: MAX_LINK_TARGET });
                    }
                    let resolved = join(parent(&candidate), &target)
                        .map_err(|outside| SourceError::Escapes { path: path.to_string(), target: outside })?;
                    if resolved.split('/').any(|part| part == ".git") {
                        return Err(SourceError::IntoGit { path: path.to_string(), target: resolved });
                    }
                    if resolved.split('/').filter(|p| !p.is_empty()).count() + pending.len() > MAX_PATH_DEPTH {
                        return Err(SourceError::TooDeep { path: path.to_string() });
                    }
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
            if matches!(kind, Some(EntryKind::File | EntryKind::Special)) && !pending.is_empty() {
                return Err(SourceError::NotADirectory { path: current });
            }
        }
        Ok((current, kind))
    }

    /// Whether there is an entry at `path` itself, of any kind (a dangling link too), its
    /// directory's links followed.
    pub fn has_entry(&self, path: &str) -> bool {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let Ok((physical, Some(EntryKind::Dir))) = self.resolve(dir) else { return false };
        let candidate = if physical.is_empty() { name.to_string() } else { format!("{physical}/{name}") };
        matches!(self.source.entry(&candidate), Ok(Some(_)))
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
    /// A FIFO, socket or device is refused from its type, before anything opens it.
    fn read_physical(&self, path: &str, physical: &str, limit: u64) -> Result<String, SourceError> {
        match self.source.entry(physical).map_err(|e| Self::io(path, e))? {
            Some(EntryKind::File) => {}
            Some(_) => return Err(SourceError::NotAFile { path: path.to_string() }),
            None => return Err(SourceError::NotFound { path: path.to_string() }),
        }
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
                    if is_dir && logical.split('/').count() >= MAX_PATH_DEPTH {
                        return Err(SourceError::TooDeep { path: logical });
                    }
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
    /// reached, physical path, whether it is a directory). A dangling link is listed as a file.
    fn list_dir(&self, logical: &str, physical: &str) -> Result<Vec<(String, String, bool)>, SourceError> {
        let mut entries = self.source.list(physical).map_err(|e| Self::io(logical, e))?;
        // Every entry counts, hidden ones and dangling links included: listing is the cost.
        let listed = self.entries.fetch_add(entries.len() as u64 + 1, Ordering::Relaxed) + entries.len() as u64 + 1;
        if listed.saturating_mul(ENTRY_BYTES) > MAX_TOTAL_BYTES {
            return Err(SourceError::TooManyEntries { path: logical.to_string() });
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = Vec::with_capacity(entries.len());
        for (name, kind) in entries {
            if is_hidden(&name) {
                continue;
            }
            let child_logical = if logical.is_empty() { name.clone() } else { format!("{logical}/{name}") };
            let child_physical = if physical.is_empty() { name } else { format!("{physical}/{name}") };
            let (real, real_kind) = match kind {
                EntryKind::BadName => return Err(SourceError::NameNotUtf8 { path: child_logical }),
                EntryKind::Symlink(_) => self.resolve(&child_physical).map_err(|e| match e {
                    SourceError::Escapes { target, .. } => SourceError::Escapes { path: child_logical.clone(), target },
                    other => other,
                })?,
                other => (child_physical, Some(other)),
            };
            match real_kind {
                // A FIFO, socket or device is listed like a file, so that reading it is refused
                // (not a file) by name rather than skipped in silence.
                Some(EntryKind::File | EntryKind::Special) => out.push((child_logical, real, false)),
                Some(EntryKind::Dir) => out.push((child_logical, real, true)),
                // A dangling link inside the root is listed like a file, so that reading it
                // fails by name (it does not exist) rather than the file being left out in
                // silence.
                None => out.push((child_logical, real, false)),
                Some(EntryKind::Symlink(_) | EntryKind::BadName) => {}
            }
        }
        Ok(out)
    }
}
