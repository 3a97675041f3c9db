//! `build -o DIR`: one file per object, and never a file lost that meshedge did not write.
//!
//! DIR must be absent, an empty directory, or an earlier output of meshedge: a directory holding
//! [`MARKER`], which lists every file meshedge wrote there with its SHA-256, and nothing else —
//! no file added, none changed since. Anything else (a file, a symbolic link, a directory with
//! other content, the working directory or one of its ancestors, a directory meshedge reads its
//! input from) is refused before anything is written.
//!
//! The new output is staged in a sibling temporary directory (`.<name>.tmp-*`, removed on every
//! failure path by its drop guard) and then takes DIR's place in one step: a rename when DIR is
//! absent or empty, an exchange of the two directories (`renameat2(RENAME_EXCHANGE)`, `RENAME_SWAP`
//! on macOS) when it replaces an earlier output, so that a reader sees the old output or the new
//! one, never a mix and never nothing. The earlier output is then deleted file by file, as its
//! marker lists them and only while they hold what meshedge wrote; whatever appeared in it or
//! changed meanwhile stays where it is (a W903 names the directory).
//!
//! Objects go to `<namespace or _cluster>/<kind in lower case>-<name>.<yaml|json>`. Two objects
//! that would share a file (kinds of one name in two API groups, such as Istio's and the Gateway
//! API's `Gateway`) are both written as `<kind>.<group>-<name>`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diagnostic::{Diagnostic, SourceText};
use crate::error::{Error, UsageError};
use crate::render::Form;
use crate::render::Object;
use crate::resource::split_api_version;

/// The file in an output directory that lists what meshedge wrote there.
pub const MARKER: &str = ".meshedge-output";

const MARKER_HEAD: &str = "# Written by `meshedge build -o`: the files meshedge wrote in this directory and their SHA-256.\n\
# meshedge replaces this directory only while it holds exactly these files, unchanged.\n";

/// Offending entries named in a refusal.
const SHOWN: usize = 5;

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

fn refused(dir: &Path, message: String, help: &str) -> DirError {
    DirError::Refused(UsageError::OutputRefused { dir: dir.to_path_buf(), message, help: help.to_string() }.report())
}

fn io_error(dir: &Path, what: &str, e: &io::Error) -> DirError {
    // DIR is a mount point (a container volume), which cannot be renamed.
    let help = matches!(e.kind(), io::ErrorKind::ResourceBusy | io::ErrorKind::CrossesDevices).then(|| {
        "meshedge replaces the output directory as a whole; when it is a mount point, mount its parent and name a directory inside it".to_string()
    });
    let message = format!("cannot {what}: {e}");
    DirError::Io(UsageError::OutputIo { dir: dir.to_path_buf(), message, help }.report())
}

/// What DIR holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Previous {
    Absent,
    Empty,
    /// An earlier output: the files it lists (relative, `/`-separated) and their SHA-256.
    Output(BTreeMap<String, String>),
}

/// A checked destination.
#[derive(Debug, Clone)]
pub struct Destination {
    /// Absolute, every existing component resolved.
    pub path: PathBuf,
    pub previous: Previous,
}

/// What a write did.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub files: usize,
    /// Where the earlier output was left because something meshedge did not write appeared in it.
    pub left_behind: Option<PathBuf>,
}

/// `path` made absolute with every existing component resolved (symbolic links included), the
/// rest appended as given. Nothing is created.
fn resolve(path: &Path, cwd: &Path) -> Result<PathBuf, DirError> {
    let absolute = if path.is_absolute() { path.to_path_buf() } else { cwd.join(path) };
    let mut existing = absolute.clone();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(real) => {
                let mut out = real;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let Some(name) = existing.file_name() else {
                    return Err(io_error(path, "resolve the output path", &e));
                };
                // `..` after a missing directory: nothing to resolve it against.
                if matches!(existing.components().next_back(), Some(Component::ParentDir)) {
                    return Err(io_error(path, "resolve the output path", &e));
                }
                rest.push(name.to_os_string());
                if !existing.pop() {
                    return Err(io_error(path, "resolve the output path", &e));
                }
            }
            Err(e) => return Err(io_error(path, "resolve the output path", &e)),
        }
    }
}

/// Checks that `dir` (as given on the command line, relative to `cwd`) may receive an output:
/// absent, empty, or an unchanged earlier output (every file's content compared with its
/// SHA-256). Reads only.
pub fn check(dir: &Path, cwd: &Path) -> Result<Destination, DirError> {
    check_with(dir, cwd, Contents::Compared)
}

/// [`check`] without reading the files of an earlier output: what it holds, not their content.
/// Cheap enough to run before a build; [`write`] checks again in full before it replaces.
pub fn precheck(dir: &Path, cwd: &Path) -> Result<Destination, DirError> {
    check_with(dir, cwd, Contents::NotRead)
}

/// Whether the content of an earlier output's files is compared with its listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contents {
    Compared,
    NotRead,
}

fn check_with(dir: &Path, cwd: &Path, contents: Contents) -> Result<Destination, DirError> {
    // Without trailing slashes: `out/` would make lstat follow a symbolic link.
    let given: PathBuf = dir.components().collect();
    if given.as_os_str().is_empty() {
        return Err(refused(dir, "the output directory is empty".into(), "name a directory: -o out"));
    }
    let meta = match std::fs::symlink_metadata(&given) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(dir, "inspect the output directory", &e)),
    };
    if meta.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
        return Err(refused(
            dir,
            format!("`{}` is a symbolic link", dir.display()),
            "name the directory it points to: meshedge replaces the directory itself, never a link",
        ));
    }
    if meta.as_ref().is_some_and(|m| !m.is_dir()) {
        return Err(refused(
            dir,
            format!("`{}` is a file, not a directory", dir.display()),
            "-o takes a directory (absent, empty, or an earlier output of meshedge); to write one file, redirect stdout: `> file.yaml`",
        ));
    }
    let path = resolve(&given, cwd)?;
    if path.parent().is_none() {
        return Err(refused(dir, "the output directory is the file system root".into(), "name a directory: -o out"));
    }
    let here = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    if here.starts_with(&path) {
        return Err(refused(
            dir,
            format!("`{}` is the working directory or contains it", dir.display()),
            "meshedge replaces the output directory as a whole, which would leave this shell in a deleted directory; run from its parent and name it (`-o out`)",
        ));
    }
    let previous = match meta {
        None => Previous::Absent,
        Some(_) => inspect(dir, &path, contents)?,
    };
    Ok(Destination { path, previous })
}

/// Refuses a destination inside a directory meshedge reads its input from: a layer's
/// `resources/` or `tenants/` (the next build would read its own output). `read` are those
/// directories, repo-relative (see `layers::layout::read_directories`).
pub fn check_outside_inputs(
    dir: &Path,
    destination: &Destination,
    root: &Path,
    read: &[String],
) -> Result<(), DirError> {
    let Ok(root) = root.canonicalize() else { return Ok(()) };
    for relative in read {
        let mut inside = root.join(relative);
        // Through symbolic links, where they exist.
        if let Ok(real) = inside.canonicalize() {
            inside = real;
        }
        if destination.path.starts_with(&inside) {
            return Err(refused(
                dir,
                format!("`{}` is inside `{relative}`, which meshedge reads", dir.display()),
                "the next build would read its own output: write it outside the layers' resources/ and tenants/",
            ));
        }
    }
    Ok(())
}

/// What an existing directory holds.
fn inspect(dir: &Path, path: &Path, contents: Contents) -> Result<Previous, DirError> {
    let mut entries = std::fs::read_dir(path).map_err(|e| io_error(dir, "read the output directory", &e))?;
    if entries.next().is_none() {
        return Ok(Previous::Empty);
    }
    let marker = path.join(MARKER);
    let text = match std::fs::symlink_metadata(&marker) {
        Ok(meta) if meta.is_file() => std::fs::read_to_string(&marker).ok(),
        Ok(_) => None,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut names: Vec<String> = std::fs::read_dir(path)
                .map_err(|e| io_error(dir, "read the output directory", &e))?
                .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect();
            names.sort();
            return Err(refused(
                dir,
                format!(
                    "`{}` is not empty and is not an output of meshedge (it has no {MARKER}): it holds {}",
                    dir.display(),
                    shown(&names)
                ),
                "meshedge writes only into an absent or empty directory, or over its own earlier output: name another directory",
            ));
        }
        Err(e) => return Err(io_error(dir, "read the output directory", &e)),
    };
    let Some(listed) = text.as_deref().and_then(parse_marker) else {
        return Err(refused(
            dir,
            format!("`{}` holds a {MARKER} that meshedge cannot read", dir.display()),
            "meshedge replaces only its own earlier output: name another directory, or remove the directory yourself",
        ));
    };
    let mut foreign: Vec<String> = Vec::new();
    let mut changed: Vec<String> = Vec::new();
    let dirs: BTreeSet<String> =
        listed.keys().flat_map(|file| file.match_indices('/').map(move |(i, _)| file[..i].to_string())).collect();
    // Listed files, compared after the walk, on every core.
    let mut present: Vec<(PathBuf, String)> = Vec::new();
    let mut pending: Vec<(PathBuf, String)> = vec![(path.to_path_buf(), String::new())];
    while let Some((real, relative)) = pending.pop() {
        let entries = std::fs::read_dir(&real).map_err(|e| io_error(dir, "read the output directory", &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error(dir, "read the output directory", &e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if relative.is_empty() { name.clone() } else { format!("{relative}/{name}") };
            if rel == MARKER {
                continue;
            }
            let file_type = entry.file_type().map_err(|e| io_error(dir, "read the output directory", &e))?;
            if file_type.is_dir() && dirs.contains(&rel) {
                pending.push((entry.path(), rel));
            } else if file_type.is_file() && listed.contains_key(&rel) {
                present.push((entry.path(), rel));
            } else {
                foreign.push(if file_type.is_dir() { format!("{rel}/") } else { rel });
            }
        }
        if foreign.len() > SHOWN {
            break;
        }
    }
    if foreign.is_empty() && contents == Contents::Compared {
        let compared = crate::parallel::map(&present, |(real, rel): &(PathBuf, String)| {
            std::fs::read(real).map(|bytes| listed.get(rel).is_some_and(|sum| *sum == sha256(&bytes)))
        });
        for ((_, rel), same) in present.iter().zip(compared) {
            match same {
                Ok(true) => {}
                Ok(false) => changed.push(rel.clone()),
                Err(e) => return Err(io_error(dir, "read the output directory", &e)),
            }
        }
    }
    foreign.sort();
    changed.sort();
    if !foreign.is_empty() {
        return Err(refused(
            dir,
            format!("`{}` holds files meshedge did not write: {}", dir.display(), shown(&foreign)),
            "move them out of the directory (meshedge never deletes what it did not write), or name another directory",
        ));
    }
    if !changed.is_empty() {
        return Err(refused(
            dir,
            format!("`{}` holds files changed since meshedge wrote them: {}", dir.display(), shown(&changed)),
            "keep the changes elsewhere (they belong in the repository: a patch or a plain resource), or name another directory",
        ));
    }
    Ok(Previous::Output(listed))
}

fn shown(names: &[String]) -> String {
    let mut out: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        out.push(format!("and {} more", names.len() - SHOWN));
    }
    out.join(", ")
}

fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Whether `path` is a relative, `/`-separated path of plain names.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty() && path.split('/').all(is_plain_name)
}

/// A name usable as one path component everywhere: not empty, not `.` or `..`, no separator,
/// no control character.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.chars().any(|c| c == '/' || c == '\\' || c.is_control())
}

/// The files a marker lists, or `None` when it is not one.
fn parse_marker(text: &str) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (sum, path) = line.split_once("  ")?;
        if sum.len() != 64 || !sum.bytes().all(|b| b.is_ascii_hexdigit()) || !is_plain_relative(path) || path == MARKER
        {
            return None;
        }
        out.insert(path.to_string(), sum.to_ascii_lowercase());
    }
    Some(out)
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
/// [`precheck`] found there), in the objects' form, when `dir` may receive them (see [`check`]);
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
fn remove_output(dir: &Path) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::ResourceRef;

    #[test]
    fn markers_read_back_and_refuse_paths_that_leave_the_directory() {
        let sum = sha256(b"x");
        let text = format!("{MARKER_HEAD}{sum}  ns/configmap-a.yaml\n");
        assert_eq!(parse_marker(&text).unwrap().get("ns/configmap-a.yaml"), Some(&sum));
        for path in ["../x.yaml", "/etc/passwd", "a//b", "a/./b", MARKER, "a\\b"] {
            assert!(parse_marker(&format!("{sum}  {path}\n")).is_none(), "{path}");
        }
        assert!(parse_marker("not a listing\n").is_none());
    }

    #[test]
    fn a_swapped_out_output_goes_except_what_meshedge_did_not_write() {
        let tmp = tempfile::tempdir().unwrap();
        let old = tmp.path().join("old");
        let files = [("a/x.yaml", "x: 1\n"), ("a/y.yaml", "y: 1\n"), ("b/z.yaml", "z: 1\n")];
        let mut marker = String::from(MARKER_HEAD);
        for (path, text) in files {
            std::fs::create_dir_all(old.join(path).parent().unwrap()).unwrap();
            std::fs::write(old.join(path), text).unwrap();
            marker.push_str(&format!("{}  {path}\n", sha256(text.as_bytes())));
        }
        std::fs::write(old.join(MARKER), &marker).unwrap();
        // Changed and added after the check.
        std::fs::write(old.join("a/y.yaml"), "y: 2\n").unwrap();
        std::fs::write(old.join("b/mine.txt"), "mine\n").unwrap();
        assert!(!remove_output(&old));
        let mut left: Vec<String> = walkdir::WalkDir::new(&old)
            .into_iter()
            .map(|e| e.unwrap().path().strip_prefix(&old).unwrap().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["", "a", "a/y.yaml", "b", "b/mine.txt"]);
        std::fs::remove_file(old.join("a/y.yaml")).unwrap();
        std::fs::remove_file(old.join("b/mine.txt")).unwrap();
        std::fs::write(old.join(MARKER), &marker).unwrap();
        assert!(remove_output(&old));
        assert!(!old.exists());
    }

    fn object(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> Object {
        Object {
            reference: ResourceRef {
                api_version: api_version.into(),
                kind: kind.into(),
                namespace: namespace.map(str::to_string),
                name: name.into(),
            },
            origin: None,
            sources: vec!["base/resources/x.yaml".into()],
            patched_by: Vec::new(),
            form: Form::Yaml,
            text: String::new(),
        }
    }

    #[test]
    fn each_object_gets_a_file_of_its_own() {
        let objects = [
            object("networking.istio.io/v1", "Gateway", Some("gw"), "web"),
            object("gateway.networking.k8s.io/v1", "Gateway", Some("gw"), "web"),
            object("v1", "Namespace", None, "gw"),
            object("networking.istio.io/v1", "Gateway", Some("gw"), "api"),
        ];
        assert_eq!(
            object_files(&objects, Form::Json).unwrap(),
            [
                "gw/gateway.networking.istio.io-web.json",
                "gw/gateway.gateway.networking.k8s.io-web.json",
                "_cluster/namespace-gw.json",
                "gw/gateway-api.json",
            ]
        );
        // Kinds that differ only in case, in one group: refused rather than overwritten.
        let clash =
            [object("example.com/v1", "Thing", Some("a"), "x"), object("example.com/v1", "THING", Some("a"), "x")];
        assert!(matches!(object_files(&clash, Form::Yaml), Err(DirError::Unwritable(_))));
        let odd = [object("v1", "ConfigMap", Some("a"), "../../etc")];
        let Err(DirError::Unwritable(d)) = object_files(&odd, Form::Yaml) else { panic!("refused") };
        assert_eq!((d.code.as_str(), d.location.map(|l| l.file)), ("E904", Some("base/resources/x.yaml".to_string())));
    }

    #[test]
    fn names_that_are_not_file_names_are_refused() {
        for name in ["", ".", "..", "a/b", "a\\b", "a\nb"] {
            assert!(!is_plain_name(name), "{name:?}");
        }
        assert!(is_plain_name("public-shop.apps.example.com"));
    }
}
