//! Why `-o DIR` did not write, as the diagnostics the command reports.

use std::io;
use std::path::Path;

use crate::diagnostic::{Diagnostic, SourceText};
use crate::error::{Error, UsageError};

/// Why `-o DIR` did not write.
#[derive(Debug)]
pub enum DirError {
    /// DIR is not meshedge's to fill or replace (a usage error: exit 2). Nothing was changed.
    Refused(Diagnostic),
    /// An object's namespace or name cannot be a file name (an input error: exit 1).
    Unwritable(Diagnostic),
    /// The file system failed (exit 2). The staging directory is gone; DIR is as it was.
    Io(Diagnostic),
}

impl DirError {
    pub fn diagnostic(&self) -> &Diagnostic {
        match self {
            DirError::Refused(d) | DirError::Unwritable(d) | DirError::Io(d) => d,
        }
    }
}

impl From<DirError> for Error {
    fn from(error: DirError) -> Error {
        match error {
            DirError::Unwritable(d) => Error::input(d.into(), SourceText::default()),
            DirError::Refused(d) | DirError::Io(d) => Error::Usage(d.into()),
        }
    }
}

pub(super) fn refused(dir: &Path, message: String, help: &str) -> DirError {
    DirError::Refused(UsageError::OutputRefused { dir: dir.to_path_buf(), message, help: help.to_string() }.report())
}

pub(super) fn io_error(dir: &Path, what: &str, e: &io::Error) -> DirError {
    // DIR is a mount point (a container volume), which cannot be renamed.
    let help = matches!(e.kind(), io::ErrorKind::ResourceBusy | io::ErrorKind::CrossesDevices).then(|| {
        "meshedge replaces the output directory as a whole; when it is a mount point, mount its parent and name a directory inside it".to_string()
    });
    let message = format!("cannot {what}: {e}");
    DirError::Io(UsageError::OutputIo { dir: dir.to_path_buf(), message, help }.report())
}
