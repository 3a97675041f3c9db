//! Fingerprints: what a build of an environment can read, hashed, found through the layout the
//! layers stage reads by ([`LayerInputs`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use crate::layers::layout::{LayerInputs, MANIFEST, within};
use crate::source::{self, EntryKind, Source, Tree};

/// What a build of an environment can read, hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// sha256 over every path and its bytes (or the reason it cannot be read).
    pub digest: [u8; 32],
    /// The files hashed.
    pub files: BTreeSet<String>,
    /// `metadata.name` of the environment's manifest, when it can be read.
    pub name: Option<String>,
    /// The bytes read, by physical path: the build reads them from here instead of again.
    pub(crate) contents: HashMap<String, Vec<u8>>,
    /// Each file hashed: its physical path, or why it cannot be read (`missing`, …).
    pub(crate) states: BTreeMap<String, Result<String, String>>,
}

impl Fingerprint {
    /// The bytes of `path` (repo-relative, as hashed), when it could be read.
    fn bytes(&self, path: &str) -> Option<&[u8]> {
        let physical = self.states.get(path)?.as_ref().ok()?;
        self.contents.get(physical).map(Vec::as_slice)
    }
}

/// How an input file differs between two revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileChange {
    Added,
    Removed,
    Modified,
}

impl FileChange {
    pub fn as_str(self) -> &'static str {
        match self {
            FileChange::Added => "added",
            FileChange::Removed => "removed",
            FileChange::Modified => "modified",
        }
    }
}

/// The input files that differ between two fingerprints of an environment, sorted by path: a
/// file (or an entry that cannot be read, such as a link out of the root) at one side only is
/// added or removed; one at both sides whose bytes, or whose reason not to be read, differ is
/// modified. A directory is never listed: a walk that fails is hashed entry by entry.
pub fn changed_files(base: Option<&Fingerprint>, head: Option<&Fingerprint>) -> Vec<(String, FileChange)> {
    let mut paths = BTreeSet::new();
    for print in [base, head].into_iter().flatten() {
        paths.extend(print.states.keys().map(String::as_str));
    }
    paths
        .into_iter()
        .filter_map(|path| {
            let change = match (State::of(base, path), State::of(head, path)) {
                (State::Absent, State::Absent) => return None,
                (State::Absent, _) => FileChange::Added,
                (_, State::Absent) => FileChange::Removed,
                (State::Bytes(b), State::Bytes(h)) if b == h => return None,
                (State::Unread(b), State::Unread(h)) if b == h => return None,
                _ => FileChange::Modified,
            };
            Some((path.to_string(), change))
        })
        .collect()
}

/// What a fingerprint holds at a path.
enum State<'a> {
    Absent,
    Bytes(&'a [u8]),
    /// Why it cannot be read.
    Unread(&'a str),
}

impl<'a> State<'a> {
    fn of(print: Option<&'a Fingerprint>, path: &str) -> State<'a> {
        match print.and_then(|p| p.states.get(path)) {
            None => State::Absent,
            Some(Err(e)) if e == MISSING => State::Absent,
            Some(Err(e)) => State::Unread(e),
            Some(Ok(_)) => print.and_then(|p| p.bytes(path)).map_or(State::Unread(""), State::Bytes),
        }
    }
}

/// The state of a file named (a manifest, a patch file) that is not there.
const MISSING: &str = "missing";

/// Fingerprints the environment at `env_dir`, or `None` when it has no `meshedge.yaml` there.
///
/// Hashes what the compiler reads, named by the same [`LayerInputs`] the layers stage reads by:
/// each layer's manifest, then the layers its `bases` name (parsing only the manifests), the
/// files its `patches` name, every file under its `resources/` and `tenants/` (symlinks followed
/// within the root), and what the directories above it hold where a stray `tenants/` would be
/// reported. Whatever cannot be read is hashed as its error. The walk depends only on what it hashes, so
/// equal fingerprints mean the compiler would see identical input.
pub fn fingerprint(source: &dyn Source, env_dir: &str) -> Option<Fingerprint> {
    let tree = Tree::new(source);
    if !tree.is_file(&within(env_dir, MANIFEST)).unwrap_or(false) {
        return None;
    }
    let mut hashing = Hashing::new(source);
    let mut name = None;
    let mut pending = vec![env_dir.to_string()];
    let mut seen = BTreeSet::new();
    while let Some(dir) = pending.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        let inputs = LayerInputs::new(&dir);
        let manifest = hashing.file(&tree, &inputs.manifest);
        let doc = manifest.and_then(|text| crate::load::parse(&inputs.manifest, &text).ok()?.into_iter().next());
        if dir == env_dir {
            name = doc.as_ref().and_then(|d| d.str_at("/metadata/name")).map(str::to_string);
        }
        let inputs = inputs.named_in(doc.as_ref().map_or(&serde_json::Value::Null, |d| &d.value));
        for (_, file) in &inputs.patch_files {
            if let Ok(file) = file {
                hashing.file(&tree, file);
            }
        }
        for walked in inputs.walked() {
            let mut found = Vec::new();
            walk_each(&tree, walked, &mut BTreeSet::new(), &mut hashing, &mut found);
            for (path, physical) in found {
                let content = physical.and_then(|physical| {
                    source::read_within(source, &physical, &mut hashing.budget)
                        .map(|bytes| (physical, bytes))
                        .map_err(|e| e.to_string())
                });
                hashing.add(&path, content);
            }
        }
        for (above, stray) in inputs.above() {
            for path in [within(&above, MANIFEST), within(&stray, MANIFEST), stray] {
                hashing.entry(&tree, &path);
            }
        }
        // Depth first, in the order written (the order does not change the set hashed).
        pending.extend(inputs.bases.iter().rev().filter_map(|base| base.as_ref().ok().cloned()));
    }
    let Hashing { hasher, files, contents, states, .. } = hashing;
    Some(Fingerprint { digest: hasher.finalize().into(), files, name, contents, states })
}

/// The files under `dir` as the build's walk finds them, each with its physical path. Where
/// that walk fails (a link out of the root, a loop, a link into `.git`), the failure is hashed
/// and the directory is walked again entry by entry: each entry at fault is kept with its own
/// error and every other file with its path, so the files listed as changed are the files that
/// changed, never the directory. Each physical directory is listed once (`listed`), so links
/// that loop cost one listing.
fn walk_each(
    tree: &Tree,
    dir: &str,
    listed: &mut BTreeSet<String>,
    hashing: &mut Hashing,
    out: &mut Vec<(String, Result<String, String>)>,
) {
    let error = match tree.walk(dir) {
        Ok(files) => {
            out.extend(files.into_iter().map(|file| (file.path, Ok(file.physical))));
            return;
        }
        Err(e) => e.to_string(),
    };
    hashing.part(dir.as_bytes());
    hashing.part(error.as_bytes());
    let physical = match tree.resolve(dir) {
        Ok((physical, Some(EntryKind::Dir))) => physical,
        Ok(_) => return,
        Err(e) => return out.push((dir.to_string(), Err(e.to_string()))),
    };
    // A directory reached again (a loop, or two links to it): its files are listed once, under
    // the first path; the failure is hashed above.
    if !listed.insert(physical.clone()) {
        return;
    }
    let mut entries = match tree.source().list(&physical) {
        Ok(entries) => entries,
        Err(e) => return out.push((dir.to_string(), Err(e.to_string()))),
    };
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, kind) in entries.into_iter().filter(|(name, _)| !name.starts_with('.')) {
        let child = within(dir, &name);
        if kind == EntryKind::BadName {
            let error = source::SourceError::NameNotUtf8 { path: child.clone() };
            out.push((child, Err(error.to_string())));
            continue;
        }
        match tree.resolve(&child) {
            Ok((_, Some(EntryKind::Dir))) => walk_each(tree, &child, listed, hashing, out),
            Ok((physical, Some(_))) => out.push((child, Ok(physical))),
            // A dangling link inside the root: skipped, as the build skips it.
            Ok((_, None)) => {}
            Err(e) => out.push((child, Err(e.to_string()))),
        }
    }
}

/// A fingerprint being made: the hash so far, and the bytes read for the build.
struct Hashing<'a> {
    source: &'a dyn Source,
    hasher: Sha256,
    files: BTreeSet<String>,
    contents: HashMap<String, Vec<u8>>,
    states: BTreeMap<String, Result<String, String>>,
    /// Bytes kept for the build, within the limits the build applies (it reports them).
    budget: u64,
}

impl<'a> Hashing<'a> {
    fn new(source: &'a dyn Source) -> Self {
        Hashing {
            source,
            hasher: Sha256::new(),
            files: BTreeSet::new(),
            contents: HashMap::new(),
            states: BTreeMap::new(),
            budget: source::MAX_TOTAL_BYTES,
        }
    }

    fn part(&mut self, part: &[u8]) {
        self.hasher.update((part.len() as u64).to_le_bytes());
        self.hasher.update(part);
    }

    /// Hashes a file's path and its bytes (by physical path), or why it cannot be read.
    fn add(&mut self, path: &str, content: Result<(String, Vec<u8>), String>) {
        self.part(path.as_bytes());
        self.part(if content.is_ok() { b"ok" } else { b"error" });
        let state = match content {
            Ok((physical, bytes)) => {
                self.part(&bytes);
                self.contents.insert(physical.clone(), bytes);
                Ok(physical)
            }
            Err(e) => {
                self.part(e.as_bytes());
                Err(e)
            }
        };
        self.states.insert(path.to_string(), state);
        self.files.insert(path.to_string());
    }

    /// Reads and hashes the file at `path`; its text, when it is one.
    fn file(&mut self, tree: &Tree, path: &str) -> Option<String> {
        let content = match tree.resolve(path).map_err(|e| e.to_string()) {
            Ok((physical, Some(EntryKind::File))) => source::read_within(self.source, &physical, &mut self.budget)
                .map(|bytes| (physical, bytes))
                .map_err(|e| e.to_string()),
            Ok((_, Some(_))) => Err("not a file".into()),
            Ok((_, None)) => Err(MISSING.into()),
            Err(e) => Err(e),
        };
        let text = content.as_ref().ok().and_then(|(_, bytes)| String::from_utf8(bytes.clone()).ok());
        self.add(path, content);
        text
    }

    /// Hashes what is at `path` (a file, a directory, nothing), not its content.
    fn entry(&mut self, tree: &Tree, path: &str) {
        let kind = match tree.resolve(path) {
            Ok((_, Some(EntryKind::File))) => "file".to_string(),
            Ok((_, Some(_))) => "dir".to_string(),
            Ok((_, None)) => "none".to_string(),
            Err(e) => e.to_string(),
        };
        self.part(path.as_bytes());
        self.part(kind.as_bytes());
    }
}

/// A source whose file contents were already read (while fingerprinting).
pub(crate) struct Cached<'a> {
    pub inner: &'a dyn Source,
    pub contents: &'a HashMap<String, Vec<u8>>,
}

impl Source for Cached<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn entry(&self, path: &str) -> std::io::Result<Option<EntryKind>> {
        self.inner.entry(path)
    }

    fn list(&self, dir: &str) -> std::io::Result<Vec<(String, EntryKind)>> {
        self.inner.list(dir)
    }

    fn read(&self, file: &str) -> std::io::Result<Vec<u8>> {
        match self.contents.get(file) {
            Some(bytes) => Ok(bytes.clone()),
            None => self.inner.read(file),
        }
    }

    fn size(&self, file: &str) -> std::io::Result<u64> {
        match self.contents.get(file) {
            Some(bytes) => Ok(bytes.len() as u64),
            None => self.inner.size(file),
        }
    }

    fn content_id(&self, file: &str) -> std::io::Result<String> {
        self.inner.content_id(file)
    }
}
