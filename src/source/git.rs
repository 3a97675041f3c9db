//! A git tree at a revision as a [`crate::source::Source`].
//!
//! [`GitSource`] reads the tree of a commit straight from the object database: no checkout, no
//! work tree, nothing written. It reports what is in the tree the way the work tree would show it
//! (directories, files, and symlinks with their target, which git stores as the content of a
//! blob of mode `120000`), so [`crate::source::Tree`] applies the same symlink and containment
//! rules to both. The root of the source may be a directory inside the repository (the
//! `prefix`): paths are relative to it, and a symlink leaving it escapes the root.
//!
//! `git2::Repository` may move between threads but not be shared, so the repository sits behind a
//! mutex; directory listings are cached, so each tree object is read once.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use git2::{ObjectType, Oid, Repository};

use crate::source::access::{EntryKind, LinkTooLong, MAX_LINK_TARGET, Source};

/// Tree entry modes, as git writes them.
const MODE_TREE: i32 = 0o040000;
const MODE_LINK: i32 = 0o120000;
const MODE_GITLINK: i32 = 0o160000;

/// One entry of a git tree.
#[derive(Debug, Clone)]
enum Node {
    Tree(Oid),
    Blob(Oid),
    Link(String),
    /// A submodule: a directory whose content is not in this repository.
    Gitlink,
    /// An entry whose name is not UTF-8.
    BadName,
}

impl Node {
    fn kind(&self) -> EntryKind {
        match self {
            Node::Tree(_) | Node::Gitlink => EntryKind::Dir,
            Node::Blob(_) => EntryKind::File,
            Node::Link(target) => EntryKind::Symlink(target.clone()),
            Node::BadName => EntryKind::BadName,
        }
    }
}

type Listing = Arc<HashMap<String, Node>>;

struct Inner {
    repo: Repository,
    /// Listings of the directories read so far, by path relative to the source root.
    dirs: HashMap<String, Listing>,
}

/// The tree of one revision of a git repository.
pub struct GitSource {
    revision: String,
    commit: Option<String>,
    prefix: String,
    /// The tree at `prefix`; `None` when the revision has no such directory.
    root: Option<Oid>,
    inner: Mutex<Inner>,
}

impl GitSource {
    /// Opens the repository at `repository` (its work tree or its git directory) and reads the
    /// revision `revision` (anything `git rev-parse` accepts: a branch, a tag, `HEAD~2`, a commit
    /// id, `origin/main`). `prefix` is the repo-relative directory that serves as the root
    /// (`""` for the repository's top level).
    pub fn open(repository: &Path, revision: &str, prefix: &str) -> Result<GitSource, git2::Error> {
        GitSource::from_repository(Repository::open(repository)?, revision, prefix)
    }

    /// Like [`GitSource::open`], with a repository already opened.
    pub fn from_repository(repo: Repository, revision: &str, prefix: &str) -> Result<GitSource, git2::Error> {
        let prefix = prefix.trim_matches('/').to_string();
        let (commit, root) = {
            let object = repo.revparse_single(revision)?;
            let commit = object.peel_to_commit().ok().map(|c| c.id().to_string());
            let tree = object.peel_to_tree()?;
            let root = if prefix.is_empty() {
                Some(tree.id())
            } else {
                match tree.get_path(Path::new(&prefix)) {
                    Ok(entry) if entry.kind() == Some(ObjectType::Tree) => Some(entry.id()),
                    _ => None,
                }
            };
            (commit, root)
        };
        Ok(GitSource {
            revision: revision.to_string(),
            commit,
            prefix,
            root,
            inner: Mutex::new(Inner { repo, dirs: HashMap::new() }),
        })
    }

    /// The revision as given.
    pub fn revision(&self) -> &str {
        &self.revision
    }

    /// The full id of the commit the revision names (`None` when it names a bare tree).
    pub fn commit_id(&self) -> Option<&str> {
        self.commit.as_deref()
    }

    /// The repo-relative directory serving as the root.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn lock(&self) -> io::Result<std::sync::MutexGuard<'_, Inner>> {
        self.inner.lock().map_err(|_| io::Error::other("the git repository handle is poisoned"))
    }

    fn git_error(e: git2::Error) -> io::Error {
        io::Error::other(e.message().to_string())
    }

    /// The listing of the real directory `dir`, or `None` when `dir` is not a directory.
    fn listing(&self, inner: &mut Inner, dir: &str) -> io::Result<Option<Listing>> {
        if let Some(listing) = inner.dirs.get(dir) {
            return Ok(Some(listing.clone()));
        }
        let node = if dir.is_empty() {
            match self.root {
                Some(oid) => Node::Tree(oid),
                None => return Ok(None),
            }
        } else {
            let (parent, name) = match dir.rfind('/') {
                Some(i) => (&dir[..i], &dir[i + 1..]),
                None => ("", dir),
            };
            let Some(parent) = self.listing(inner, parent)? else { return Ok(None) };
            match parent.get(name) {
                Some(node) => node.clone(),
                None => return Ok(None),
            }
        };
        let listing: Listing = match node {
            Node::Tree(oid) => Arc::new(Self::read_tree(&inner.repo, oid)?),
            Node::Gitlink => Arc::new(HashMap::new()),
            Node::Blob(_) | Node::Link(_) | Node::BadName => return Ok(None),
        };
        inner.dirs.insert(dir.to_string(), listing.clone());
        Ok(Some(listing))
    }

    fn read_tree(repo: &Repository, oid: Oid) -> io::Result<HashMap<String, Node>> {
        let tree = repo.find_tree(oid).map_err(Self::git_error)?;
        let mut entries = HashMap::with_capacity(tree.len());
        for entry in tree.iter() {
            if let Some(name) = crate::source::access::listed_name(entry.name_bytes()) {
                entries.insert(name, Node::BadName);
                continue;
            }
            let name = String::from_utf8_lossy(entry.name_bytes()).into_owned();
            let node = match entry.filemode() {
                MODE_TREE => Node::Tree(entry.id()),
                MODE_GITLINK => Node::Gitlink,
                MODE_LINK => {
                    // The target's size from the object's header: a huge link is refused unread.
                    let odb = repo.odb().map_err(Self::git_error)?;
                    let (size, _) = odb.read_header(entry.id()).map_err(Self::git_error)?;
                    if size as u64 > MAX_LINK_TARGET {
                        return Err(io::Error::other(LinkTooLong { size: size as u64, name: Some(name) }));
                    }
                    let blob = repo.find_blob(entry.id()).map_err(Self::git_error)?;
                    Node::Link(String::from_utf8_lossy(blob.content()).replace('\\', "/"))
                }
                _ => Node::Blob(entry.id()),
            };
            entries.insert(name, node);
        }
        Ok(entries)
    }

    fn node(&self, inner: &mut Inner, path: &str) -> io::Result<Option<Node>> {
        if path.is_empty() {
            return Ok(self.root.map(Node::Tree));
        }
        let (parent, name) = match path.rfind('/') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path),
        };
        Ok(self.listing(inner, parent)?.and_then(|listing| listing.get(name).cloned()))
    }
}

impl Source for GitSource {
    fn describe(&self) -> String {
        let mut text = format!("revision `{}`", self.revision);
        if let Some(commit) = &self.commit {
            text.push_str(&format!(" ({})", &commit[..commit.len().min(12)]));
        }
        if !self.prefix.is_empty() {
            text.push_str(&format!(", directory `{}`", self.prefix));
        }
        text
    }

    fn entry(&self, path: &str) -> io::Result<Option<EntryKind>> {
        let mut inner = self.lock()?;
        Ok(self.node(&mut inner, path)?.map(|node| node.kind()))
    }

    fn list(&self, dir: &str) -> io::Result<Vec<(String, EntryKind)>> {
        let mut inner = self.lock()?;
        match self.listing(&mut inner, dir)? {
            Some(listing) => Ok(listing.iter().map(|(name, node)| (name.clone(), node.kind())).collect()),
            None => {
                Err(io::Error::new(io::ErrorKind::NotFound, format!("`{dir}` is not a directory at this revision")))
            }
        }
    }

    fn read(&self, file: &str) -> io::Result<Vec<u8>> {
        let mut inner = self.lock()?;
        match self.node(&mut inner, file)? {
            Some(Node::Blob(oid)) => {
                let blob = inner.repo.find_blob(oid).map_err(Self::git_error)?;
                Ok(blob.content().to_vec())
            }
            Some(_) => Err(io::Error::other(format!("`{file}` is not a file"))),
            None => Err(io::Error::new(io::ErrorKind::NotFound, format!("`{file}` does not exist at this revision"))),
        }
    }

    fn size(&self, file: &str) -> io::Result<u64> {
        let mut inner = self.lock()?;
        match self.node(&mut inner, file)? {
            // The object's header holds its size: a large blob is not inflated to be refused.
            Some(Node::Blob(oid)) => {
                let odb = inner.repo.odb().map_err(Self::git_error)?;
                odb.read_header(oid).map(|(size, _)| size as u64).map_err(Self::git_error)
            }
            Some(_) => Err(io::Error::other(format!("`{file}` is not a file"))),
            None => Err(io::Error::new(io::ErrorKind::NotFound, format!("`{file}` does not exist at this revision"))),
        }
    }

    fn content_id(&self, file: &str) -> io::Result<String> {
        let mut inner = self.lock()?;
        match self.node(&mut inner, file)? {
            // The tree entry holds it: the blob is not read.
            Some(Node::Blob(oid)) => Ok(oid.to_string()),
            Some(_) => Err(io::Error::other(format!("`{file}` is not a file"))),
            None => Err(io::Error::new(io::ErrorKind::NotFound, format!("`{file}` does not exist at this revision"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceError, Tree};

    fn commit_all(repo: &Repository, message: &str) -> Oid {
        let mut index = repo.index().unwrap();
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let signature = git2::Signature::now("test", "test@example.com").unwrap();
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        repo.commit(Some("HEAD"), &signature, &signature, message, &tree, &parents).unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn reads_a_revision_with_symlinks_inside_the_root_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let repo = Repository::init(root).unwrap();
        std::fs::create_dir_all(root.join("sub/a/b")).unwrap();
        std::fs::write(root.join("sub/a/b/x.yaml"), "x: 1").unwrap();
        std::fs::write(root.join("outside.yaml"), "s: 1").unwrap();
        std::os::unix::fs::symlink("b", root.join("sub/a/link")).unwrap();
        let first = commit_all(&repo, "first");
        std::fs::write(root.join("sub/a/b/x.yaml"), "x: 2").unwrap();
        std::os::unix::fs::symlink("../../outside.yaml", root.join("sub/a/out.yaml")).unwrap();
        commit_all(&repo, "second");

        let old = GitSource::open(root, &first.to_string(), "sub").unwrap();
        let tree = Tree::new(&old);
        assert_eq!(tree.read_to_string("a/link/x.yaml").unwrap(), "x: 1");
        // The walk reaches each directory once: `a/link` is a second path to `a/b`.
        assert_eq!(tree.walk("a"), Err(SourceError::ReachedTwice { path: "a/link".into(), first: "a/b".into() }));
        assert_eq!(old.entry("a/link").unwrap(), Some(EntryKind::Symlink("b".into())));
        assert_eq!(old.entry("a/nothing").unwrap(), None);
        assert_eq!(old.entry("a/b/x.yaml/deeper").unwrap(), None);

        let new = GitSource::open(root, "HEAD", "sub").unwrap();
        let tree = Tree::new(&new);
        assert_eq!(tree.read_to_string("a/b/x.yaml").unwrap(), "x: 2");
        assert!(matches!(tree.walk("a"), Err(SourceError::Escapes { .. })));
        assert!(matches!(tree.read_to_string("a/out.yaml"), Err(SourceError::Escapes { .. })));
        assert!(new.describe().starts_with("revision `HEAD` ("), "{}", new.describe());

        // The whole repository as the root: the same link stays inside.
        let whole = GitSource::open(root, "HEAD", "").unwrap();
        assert_eq!(Tree::new(&whole).read_to_string("sub/a/out.yaml").unwrap(), "s: 1");
    }

    #[test]
    fn an_unknown_revision_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        Repository::init(dir.path()).unwrap();
        assert!(GitSource::open(dir.path(), "no-such-branch", "").is_err());
    }
}
