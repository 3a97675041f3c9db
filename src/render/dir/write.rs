//! Writing the output: one file per object, staged beside DIR and swapped into its place; the
//! earlier output removed as its marker lists it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use super::check::{Destination, Previous, check};
use super::error::{DirError, io_error, refused};
use super::marker::{MARKER, MARKER_HEAD, is_plain_name, parse_marker, sha256};
use crate::diagnostic::Diagnostic;
use crate::error::UsageError;
use crate::render::{Form, Object};
use crate::resource::split_api_version;

/// What a write did.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub files: usize,
    /// Where the earlier output was left because something meshedge did not write appeared in it.
    pub left_behind: Option<PathBuf>,
}

/// The file of each object under the output directory, in object order. Kinds that share a
/// name across API groups are told apart by their group where they would share a file.
pub fn object_files(objects: &[Object], form: Form) -> Result<Vec<String>, DirError> {
    let extension = match form {
        Form::Yaml => "yaml",
        Form::Json => "json",
    };
    let mut paths = Vec::with_capacity(objects.len());
    for object in objects {
        let r = &object.reference;
        let namespace = r.namespace.as_deref().unwrap_or("_cluster");
        if !is_plain_name(namespace) || !is_plain_name(&r.name) || !is_plain_name(&r.kind) {
            return Err(DirError::Unwritable(unwritable(object)));
        }
        paths.push((namespace, r.kind.to_ascii_lowercase(), r));
    }
    let mut count: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for (namespace, kind, r) in &paths {
        *count.entry((namespace, kind.as_str(), r.name.as_str())).or_default() += 1;
    }
    let files: Vec<String> = paths
        .iter()
        .map(|(namespace, kind, r)| {
            let shared = count.get(&(*namespace, kind.as_str(), r.name.as_str())).is_some_and(|n| *n > 1);
            let group = split_api_version(&r.api_version).0;
            if shared && !group.is_empty() {
                format!("{namespace}/{kind}.{group}-{}.{extension}", r.name)
            } else {
                format!("{namespace}/{kind}-{}.{extension}", r.name)
            }
        })
        .collect();
    // Kinds that differ only in case, in one group: not told apart by a file name.
    let mut seen = BTreeSet::new();
    for (object, file) in objects.iter().zip(&files) {
        if !seen.insert(file.as_str()) {
            return Err(DirError::Unwritable(unwritable(object)));
        }
    }
    Ok(files)
}

fn unwritable(object: &Object) -> Diagnostic {
    UsageError::Unwritable { object: object.reference.clone(), file: object.sources.first().cloned() }.report()
}

/// The bytes of one object's file: its text, as a document of its own.
fn file_text(object: &Object) -> String {
    match object.form {
        Form::Yaml => object.text.clone(),
        // The text is indented as an item of the stream's `List`: undo the indent.
        Form::Json => {
            let mut text = object.text.replace("\n    ", "\n");
            text.push('\n');
            text
        }
    }
}

/// Writes one file per object under `dir` (as given, relative to `cwd`; `destination` is what
/// [`precheck`](super::check::precheck) found there), in the objects' form, when `dir` may receive them (see [`check`](super::check::check));
/// otherwise changes nothing.
pub fn write(objects: &[Object], destination: &Destination, dir: &Path, cwd: &Path) -> Result<Written, DirError> {
    let form = objects.first().map_or(Form::Yaml, |o| o.form);
    let files = object_files(objects, form)?;
    let parent = destination.path.parent().map(Path::to_path_buf).unwrap_or_default();
    std::fs::create_dir_all(&parent).map_err(|e| io_error(dir, "create the output directory's parent", &e))?;
    let base = destination.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // Removed on drop, whichever way this function returns before the swap.
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{base}.tmp-"))
        .tempdir_in(&parent)
        .map_err(|e| io_error(dir, "create a staging directory", &e))?;
    let folders: BTreeSet<&str> = files.iter().filter_map(|f| f.rsplit_once('/').map(|(d, _)| d)).collect();
    for folder in folders {
        std::fs::create_dir(staging.path().join(folder)).map_err(|e| io_error(dir, "write the output", &e))?;
    }
    // One file after the other: creating files in one directory from several threads only makes
    // them wait for each other in the kernel.
    let mut marker = String::from(MARKER_HEAD);
    for (object, file) in objects.iter().zip(&files) {
        let text = file_text(object);
        std::fs::write(staging.path().join(file), &text).map_err(|e| io_error(dir, "write the output", &e))?;
        let _ = writeln!(marker, "{}  {file}", sha256(text.as_bytes()));
    }
    std::fs::write(staging.path().join(MARKER), marker).map_err(|e| io_error(dir, "write the output", &e))?;

    // DIR again, in full, right before it is replaced: it may have changed while the build ran.
    let now = check(dir, cwd)?;
    let target = &now.path;
    if *target != destination.path {
        return Err(refused(
            dir,
            format!("`{}` now resolves to {}, not {}", dir.display(), target.display(), destination.path.display()),
            "a symbolic link on the way changed while meshedge was building: run it again",
        ));
    }
    let mut written = Written { files: files.len(), left_behind: None };
    match &now.previous {
        Previous::Absent | Previous::Empty => {
            // rename(2) replaces an empty directory and fails on anything else.
            std::fs::rename(staging.path(), target).map_err(|e| io_error(dir, "move the output into place", &e))?;
            let _ = staging.keep();
        }
        Previous::Output(_) => {
            let old = exchange(staging.path(), target).map_err(|e| io_error(dir, "swap the output into place", &e))?;
            // From here the staging path is the earlier output (or gone): removed as listed, never whole.
            let _ = staging.keep();
            if !remove_output(&old) {
                written.left_behind = Some(old);
            }
        }
    }
    Ok(written)
}

/// Puts the directory `new` in the place of `old` in one step where the platform can (an
/// exchange), else in two renames. Returns where the earlier `old` now is.
fn exchange(new: &Path, old: &Path) -> io::Result<PathBuf> {
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, new, CWD, old, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(new.to_path_buf()),
            // Not supported by this kernel or file system: fall back below.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    // Old aside (rename(2) replaces the empty directory made for it), then new in.
    let parent = old.parent().unwrap_or(Path::new("."));
    let aside = tempfile::Builder::new().prefix(".meshedge-old-").tempdir_in(parent)?.keep();
    if let Err(e) = std::fs::rename(old, &aside) {
        let _ = std::fs::remove_dir(&aside);
        return Err(e);
    }
    if let Err(e) = std::fs::rename(new, old) {
        let _ = std::fs::rename(&aside, old);
        return Err(e);
    }
    Ok(aside)
}

/// Deletes an earlier output that has been swapped out: the files its marker lists that still
/// have the content meshedge wrote, the marker, then the directories left empty, then `dir`.
/// Returns whether everything went: a file changed or added meanwhile stays, with its directory.
pub(super) fn remove_output(dir: &Path) -> bool {
    let listed = std::fs::read_to_string(dir.join(MARKER)).ok().as_deref().and_then(parse_marker).unwrap_or_default();
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for (file, sum) in &listed {
        let path = dir.join(file);
        if std::fs::read(&path).is_ok_and(|bytes| sha256(&bytes) == *sum) {
            let _ = std::fs::remove_file(&path);
        }
        let mut parent = Path::new(file).parent();
        while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
            dirs.insert(dir.join(p));
            parent = p.parent();
        }
    }
    let _ = std::fs::remove_file(dir.join(MARKER));
    // Deepest first; remove_dir leaves a directory that is not empty.
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(d);
    }
    std::fs::remove_dir(dir).is_ok()
}
