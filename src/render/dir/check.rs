//! Whether a directory may receive an output: absent, empty, or an unchanged earlier output of
//! meshedge, and not inside a directory meshedge reads.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Component, Path, PathBuf};

use super::error::{DirError, io_error, refused};
use super::marker::{MARKER, parse_marker, sha256};

/// The file that makes a directory a layer.
const LAYER_MANIFEST: &str = "meshedge.yaml";

/// Offending entries named in a refusal.
const SHOWN: usize = 5;

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
/// Cheap enough to run before a build; [`write`](super::write::write) checks again in full before it replaces.
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

/// Refuses a destination inside a directory meshedge reads its input from: the `resources/` or
/// `tenants/` of any layer under `root` (a directory holding `meshedge.yaml`, whether or not the
/// built environment uses it; the next build would read its own output), or a `.git` directory.
/// `read` are the built environment's input directories, repo-relative (see
/// `layers::layout::read_directories`), compared through symbolic links.
pub fn check_outside_inputs(
    dir: &Path,
    destination: &Destination,
    root: &Path,
    read: &[String],
) -> Result<(), DirError> {
    let Ok(root) = root.canonicalize() else { return Ok(()) };
    if let Ok(relative) = destination.path.strip_prefix(&root) {
        let mut parent = root.clone();
        let mut shown = String::new();
        for component in relative.components() {
            let name = component.as_os_str();
            if !shown.is_empty() {
                shown.push('/');
            }
            shown.push_str(&name.to_string_lossy());
            if name == ".git" {
                return Err(refused(
                    dir,
                    format!("`{}` is inside `{shown}`, the repository's own data", dir.display()),
                    "write the output outside .git",
                ));
            }
            if (name == "resources" || name == "tenants") && parent.join(LAYER_MANIFEST).is_file() {
                return Err(refused(
                    dir,
                    format!("`{}` is inside `{shown}`, which meshedge reads", dir.display()),
                    "a build of that layer would read its own output: write it outside every layer's resources/ and tenants/",
                ));
            }
            parent.push(name);
        }
    }
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
