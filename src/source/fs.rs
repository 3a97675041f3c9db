//! The work tree on disk as a source.

use std::io;
use std::path::PathBuf;

use crate::source::access::{EntryKind, LinkTooLong, MAX_LINK_TARGET, Source};

/// The target of the symbolic link at `full`, refused over [`MAX_LINK_TARGET`] bytes.
/// `name`: the link's name, when a directory listing reads it.
fn link_target(full: &std::path::Path, name: Option<&str>) -> io::Result<String> {
    let target = std::fs::read_link(full)?.to_string_lossy().replace('\\', "/");
    if target.len() as u64 > MAX_LINK_TARGET {
        return Err(io::Error::other(LinkTooLong { size: target.len() as u64, name: name.map(String::from) }));
    }
    Ok(target)
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
            EntryKind::Symlink(link_target(full, None)?)
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
                EntryKind::Symlink(link_target(&entry.path(), Some(&name))?)
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
