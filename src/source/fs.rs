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

    /// What an entry is, from its type as `lstat` (or the directory listing) tells it: a FIFO,
    /// a socket or a device is [`EntryKind::Special`], never a file.
    fn kind_of(file_type: std::fs::FileType, full: &std::path::Path, name: Option<&str>) -> io::Result<EntryKind> {
        Ok(if file_type.is_symlink() {
            EntryKind::Symlink(link_target(full, name)?)
        } else if file_type.is_dir() {
            EntryKind::Dir
        } else if file_type.is_file() {
            EntryKind::File
        } else {
            EntryKind::Special
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
            Ok(meta) => Ok(Some(Self::kind_of(meta.file_type(), &full, None)?)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn list(&self, dir: &str) -> io::Result<Vec<(String, EntryKind)>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(self.full(dir))? {
            let entry = entry?;
            #[cfg(unix)]
            let bad = crate::source::access::listed_name(std::os::unix::ffi::OsStrExt::as_bytes(
                entry.file_name().as_os_str(),
            ));
            #[cfg(not(unix))]
            let bad = entry.file_name().to_str().is_none().then(|| entry.file_name().to_string_lossy().into_owned());
            if let Some(name) = bad {
                out.push((name, EntryKind::BadName));
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = Self::kind_of(entry.file_type()?, &entry.path(), Some(&name))?;
            out.push((name, kind));
        }
        Ok(out)
    }

    /// The bytes of a regular file. The file is opened without blocking and its type checked on
    /// the open handle, so a FIFO or a device put in the file's place after it was listed is
    /// refused rather than waited on.
    fn read(&self, file: &str) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
        }
        let mut handle = options.open(self.full(file))?;
        if !handle.metadata()?.is_file() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
        }
        let mut bytes = Vec::new();
        handle.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    fn size(&self, file: &str) -> io::Result<u64> {
        std::fs::metadata(self.full(file)).map(|meta| meta.len())
    }

    /// Hashed by libgit2 as it streams the file (`git hash-object`, no filters): the bytes are
    /// not held in memory, and the id equals the one a git tree holds for the same bytes.
    fn content_id(&self, file: &str) -> io::Result<String> {
        let full = self.full(file);
        if !std::fs::metadata(&full)?.is_file() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
        }
        git2::Oid::hash_file(git2::ObjectType::Blob, &full).map(|oid| oid.to_string()).map_err(io::Error::other)
    }
}
