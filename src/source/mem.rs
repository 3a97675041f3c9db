//! A repository held in memory, as a [`crate::source::Source`]: for tests and fuzzing, which
//! build repositories without touching the disk.
//!
//! [`MemSource::from_archive`] reads a whole repository from one text, each file introduced by a
//! header line: `=== path` then the file's lines, or `=== path -> target` for a symlink. Paths are
//! repo-relative and `/`-separated; `.` and empty components are dropped, and a path with `..`
//! is left out (a symlink's target may hold `..`: [`crate::source::Tree`] judges it).

use std::collections::BTreeMap;
use std::io;

use crate::source::access::{EntryKind, Source};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Dir,
    File(Vec<u8>),
    Link(String),
}

/// Files, directories and symlinks by repo-relative path; the root (`""`) is a directory.
#[derive(Debug, Clone, Default)]
pub struct MemSource {
    nodes: BTreeMap<String, Node>,
}

/// The path with `.` and empty components dropped; `None` when it has `..` or is the root.
fn normal(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if parts.is_empty() || parts.contains(&"..") {
        return None;
    }
    Some(parts.join("/"))
}

impl MemSource {
    pub fn new() -> Self {
        MemSource::default()
    }

    /// The repository an archive describes (see the module documentation).
    pub fn from_archive(text: &str) -> Self {
        let mut source = MemSource::new();
        let mut current: Option<(String, String)> = None;
        let flush = |source: &mut MemSource, current: Option<(String, String)>| {
            if let Some((path, body)) = current {
                source.file(&path, body.into_bytes());
            }
        };
        for line in text.split_inclusive('\n') {
            if let Some(header) = line.strip_prefix("=== ") {
                flush(&mut source, current.take());
                let header = header.trim_end_matches(['\n', '\r']);
                match header.split_once(" -> ") {
                    Some((path, target)) => {
                        source.symlink(path, target);
                    }
                    None => current = Some((header.to_string(), String::new())),
                }
            } else if let Some((_, body)) = &mut current {
                body.push_str(line);
            }
        }
        flush(&mut source, current);
        source
    }

    /// Adds (or replaces) a file, and the directories above it.
    pub fn file(&mut self, path: &str, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.add(path, Node::File(bytes.into()))
    }

    /// Adds (or replaces) a symlink to `target` (as written in the link).
    pub fn symlink(&mut self, path: &str, target: &str) -> &mut Self {
        self.add(path, Node::Link(target.to_string()))
    }

    fn add(&mut self, path: &str, node: Node) -> &mut Self {
        let Some(path) = normal(path) else { return self };
        let mut at = 0;
        while let Some(slash) = path[at..].find('/') {
            self.nodes.entry(path[..at + slash].to_string()).or_insert(Node::Dir);
            at += slash + 1;
        }
        self.nodes.insert(path, node);
        self
    }

    fn kind(node: &Node) -> EntryKind {
        match node {
            Node::Dir => EntryKind::Dir,
            Node::File(_) => EntryKind::File,
            Node::Link(target) => EntryKind::Symlink(target.clone()),
        }
    }
}

impl Source for MemSource {
    fn describe(&self) -> String {
        "a repository in memory".to_string()
    }

    fn entry(&self, path: &str) -> io::Result<Option<EntryKind>> {
        if path.is_empty() {
            return Ok(Some(EntryKind::Dir));
        }
        Ok(self.nodes.get(path).map(MemSource::kind))
    }

    fn list(&self, dir: &str) -> io::Result<Vec<(String, EntryKind)>> {
        if !dir.is_empty() && self.nodes.get(dir) != Some(&Node::Dir) {
            return Err(io::Error::new(io::ErrorKind::NotFound, format!("`{dir}` is not a directory")));
        }
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        Ok(self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(path, _)| path.starts_with(&prefix))
            .filter(|(path, _)| !path[prefix.len()..].contains('/'))
            .map(|(path, node)| (path[prefix.len()..].to_string(), MemSource::kind(node)))
            .collect())
    }

    fn read(&self, file: &str) -> io::Result<Vec<u8>> {
        match self.nodes.get(file) {
            Some(Node::File(bytes)) => Ok(bytes.clone()),
            _ => Err(io::Error::new(io::ErrorKind::NotFound, format!("`{file}` is not a file"))),
        }
    }

    fn size(&self, file: &str) -> io::Result<u64> {
        match self.nodes.get(file) {
            Some(Node::File(bytes)) => Ok(bytes.len() as u64),
            _ => Err(io::Error::new(io::ErrorKind::NotFound, format!("`{file}` is not a file"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceError, Tree};

    #[test]
    fn an_archive_holds_files_directories_and_symlinks() {
        let source = MemSource::from_archive(
            "=== a/b/x.yaml\nx: 1\n=== ./a//c.yaml\n=== a/link -> b\n=== ../outside.yaml\ns: 1\n=== a/up -> ../../etc\n",
        );
        let tree = Tree::new(&source);
        assert_eq!(tree.read_to_string("a/b/x.yaml").unwrap(), "x: 1\n");
        assert_eq!(tree.read_to_string("a/c.yaml").unwrap(), "");
        assert_eq!(tree.read_to_string("a/link/x.yaml").unwrap(), "x: 1\n");
        assert_eq!(source.entry("outside.yaml").unwrap(), None, "a path with `..` is left out");
        assert!(matches!(tree.walk("a"), Err(SourceError::Escapes { .. })));
        let names: Vec<String> = source.list("a").unwrap().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["b", "c.yaml", "link", "up"]);
        assert_eq!(source.list("").unwrap().len(), 1);
        assert!(source.list("a/c.yaml").is_err());
        assert_eq!(source.size("a/b/x.yaml").unwrap(), 5);
    }

    #[test]
    fn the_example_repository_builds_from_memory() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut source = MemSource::new();
        for top in ["base", "environments"] {
            for entry in walkdir::WalkDir::new(root.join(top)) {
                let entry = entry.unwrap();
                if entry.file_type().is_file() {
                    let path = entry.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                    source.file(&path, std::fs::read(entry.path()).unwrap());
                }
            }
        }
        let from_memory = crate::compiler::compile(&source, "environments/prod").unwrap();
        let from_disk = crate::compiler::compile(&crate::source::FsSource::new(root), "environments/prod").unwrap();
        assert_eq!(from_memory.stream(), from_disk.stream());
    }
}
