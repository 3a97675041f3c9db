//! The schemas objects are validated against: the vendored ones of the environment's target
//! platform, embedded in the binary (build.rs packs `data/platform/` and `data/schemas/` into
//! one deflate stream), plus the CRDs and OpenAPI documents of `--schemas DIR` and of the
//! repository's `schemas/` directory for kinds meshedge does not emit.
//!
//! The bundle is unpacked once per run into a temporary directory, so that the platform model
//! picks a target's files ([`Target::schema_files`]) as it does from `data/`; each target's set
//! is loaded (its patterns compiled) once, the first time an object of that target is validated,
//! and then shared by the threads that finish the objects.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use flate2::read::DeflateDecoder;
use serde_json::Value;
use tempfile::TempDir;

use crate::diagnostic::{Explain as _, SourceText};
use crate::error::{Error, Trouble};
use crate::finish::Validator;
use crate::locate::{WorkTree, relative_to_root};
use crate::platform::constraint;
use crate::platform::{AdmissionEngine, Target, admission_engine_schema_files};
use crate::schema::{SchemaSet, Validation};
use crate::source::{FsSource, SourceError, Tree, WalkedFile};

/// The directory of a repository whose CRDs `check` always reads.
pub const REPOSITORY_SCHEMAS: &str = "schemas";

/// Gatekeeper's constraint match schema, under `data/`.
const MATCH_CRD: &str = "schemas/gatekeeper-constraint-match.crd.yaml";

/// `path\0length\0bytes` records, paths relative to `data/` (see build.rs).
static BUNDLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/schemas.bundle"));

/// The embedded files: (path relative to `data/`, contents).
pub fn embedded_files() -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut bytes = Vec::new();
    DeflateDecoder::new(BUNDLE).read_to_end(&mut bytes).map_err(|e| format!("embedded schemas: {e}"))?;
    let mut files = Vec::new();
    let mut rest = bytes.as_slice();
    let field = |rest: &mut &[u8]| -> Result<String, String> {
        let end = rest.iter().position(|b| *b == 0).ok_or("embedded schemas: truncated")?;
        let text = String::from_utf8_lossy(&rest[..end]).into_owned();
        *rest = &rest[end + 1..];
        Ok(text)
    };
    while !rest.is_empty() {
        let path = field(&mut rest)?;
        let len: usize = field(&mut rest)?.parse().map_err(|_| "embedded schemas: bad length")?;
        let (data, tail) = rest.split_at_checked(len).ok_or("embedded schemas: truncated")?;
        files.push((path, data.to_vec()));
        rest = tail;
    }
    Ok(files)
}

/// Schemas by target, and the extra ones.
pub struct Schemas {
    /// The embedded `data/` tree, unpacked on first use, and each target's set once loaded.
    loaded: Mutex<Loaded>,
    /// `--schemas DIR` and `schemas/`.
    extra: SchemaSet,
}

#[derive(Default)]
struct Loaded {
    data: Option<TempDir>,
    targets: Vec<(Target, Arc<SchemaSet>)>,
    /// The first trouble with the embedded data; it ends the check.
    trouble: Option<String>,
}

impl Loaded {
    fn data_dir(&mut self) -> Result<PathBuf, String> {
        if let Some(dir) = &self.data {
            return Ok(dir.path().to_path_buf());
        }
        let dir = tempfile::Builder::new()
            .prefix("meshedge-schemas-")
            .tempdir()
            .map_err(|e| format!("a temporary directory for the schemas: {e}"))?;
        for (path, bytes) in embedded_files()? {
            let to = dir.path().join(&path);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            std::fs::write(&to, bytes).map_err(|e| format!("{}: {e}", to.display()))?;
        }
        let path = dir.path().to_path_buf();
        self.data = Some(dir);
        Ok(path)
    }

    /// The schema of a Gatekeeper constraint's `spec.match` (see [`constraint`]).
    fn match_schema(&mut self) -> Result<Value, String> {
        let path = self.data_dir()?.join(MATCH_CRD);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let docs = crate::load::parse(MATCH_CRD, &text).map_err(|d| format!("{MATCH_CRD}: {}", d.message))?;
        docs.into_iter()
            .find_map(|d| d.value.pointer(constraint::MATCH_POINTER).cloned())
            .ok_or_else(|| format!("{MATCH_CRD}: no {}", constraint::MATCH_POINTER))
    }

    /// The schema set of `target`, loaded on first use.
    fn target_set(&mut self, target: Target) -> Result<Arc<SchemaSet>, String> {
        if let Some((_, set)) = self.targets.iter().find(|(t, _)| *t == target) {
            return Ok(set.clone());
        }
        let data = self.data_dir()?;
        let mut files = target.schema_files(&data).map_err(|e| e.to_string())?;
        // The admission engines' kinds, at the oldest release meshedge writes for: an object
        // meant for every supported release must fit that one (ConstraintTemplate at Gatekeeper
        // 3.16, ClusterPolicy at Kyverno 1.12).
        for engine in [AdmissionEngine::Gatekeeper, AdmissionEngine::Kyverno] {
            let releases = admission_engine_schema_files(engine, &data).map_err(|e| e.to_string())?;
            files.extend(releases.into_iter().next().map(|(_, file)| file));
        }
        let mut set = SchemaSet::new();
        for file in files {
            set.load_file(&file)?;
        }
        let set = Arc::new(set);
        self.targets.push((target, set.clone()));
        Ok(set)
    }
}

impl Schemas {
    /// The extra schema directories, each read as its own root (see [`Schemas::for_repository`]).
    /// Errors as for [`Schemas::for_repository`].
    pub fn new(extra_dirs: &[PathBuf]) -> Result<Schemas, Error> {
        let mut extra = SchemaSet::new();
        for dir in extra_dirs {
            load_dir(&mut extra, &FsSource::new(dir), "", &format!("{}/", dir.display()))?;
        }
        Ok(Schemas { loaded: Mutex::new(Loaded::default()), extra })
    }

    /// The schemas of a check of the repository in `work_tree`: `--schemas` directories
    /// (relative to `cwd`), then the repository's [`REPOSITORY_SCHEMAS`] directory when there is
    /// one. They are read as every input is ([`crate::source::Tree`]): a directory inside the
    /// repository under its root (a symbolic link out of it is E105), one outside it under
    /// itself; files of at most [`crate::source::MAX_FILE_BYTES`] (E114), regular files only (a
    /// FIFO or a device is E100). Those are errors in the input (exit 1, each naming its file);
    /// a `--schemas` path that is not a directory, a file that is not a readable CRD or OpenAPI
    /// document, or two schemas for one kind, is trouble (exit 2) naming the file.
    pub fn for_repository(work_tree: &WorkTree, cwd: &Path, given: &[PathBuf]) -> Result<Schemas, Error> {
        let mut extra = SchemaSet::new();
        for dir in given {
            let dir = if dir.is_absolute() { dir.clone() } else { cwd.join(dir) };
            if !dir.is_dir() {
                return Err(Trouble::Check(format!("--schemas {}: not a directory", dir.display())).into());
            }
            match relative_to_root(&work_tree.root, &dir) {
                Some(relative) => load_dir(&mut extra, &work_tree.source, &relative, "")?,
                None => load_dir(&mut extra, &FsSource::new(&dir), "", &format!("{}/", dir.display()))?,
            }
        }
        load_dir(&mut extra, &work_tree.source, REPOSITORY_SCHEMAS, "")?;
        Ok(Schemas { loaded: Mutex::new(Loaded::default()), extra })
    }

    fn loaded(&self) -> std::sync::MutexGuard<'_, Loaded> {
        self.loaded.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Loads the schema set of `target` now (an error here is trouble with the embedded data).
    pub fn prepare(&self, target: Target) -> Result<(), String> {
        self.loaded().target_set(target).map(|_| ())
    }

    /// Trouble met while loading the embedded schemas during validation, if any.
    pub fn trouble(&self) -> Option<String> {
        self.loaded().trouble.clone()
    }

    /// Validates `object` against its kind's schema for `target`, else an extra one. Trouble
    /// loading the target's set is kept for [`Schemas::trouble`]; the object then counts as
    /// having no schema.
    pub fn validate(&self, target: Target, object: &Value) -> Validation {
        let set = {
            let mut loaded = self.loaded();
            match loaded.target_set(target) {
                Ok(set) => Some(set),
                Err(e) => {
                    loaded.trouble.get_or_insert(e);
                    None
                }
            }
        };
        match set.map(|set| set.validate(object)) {
            Some(Validation::NoSchema { .. }) | None => self.extra.validate(object),
            Some(found) => found,
        }
    }
}

impl Validator for Schemas {
    fn validate(&self, target: Target, object: &Value) -> Validation {
        Schemas::validate(self, target, object)
    }

    fn constraint_schemas(&self, templates: &[&Value]) -> SchemaSet {
        let mut set = SchemaSet::new();
        let match_schema = {
            let mut loaded = self.loaded();
            match loaded.match_schema() {
                Ok(schema) => schema,
                Err(e) => {
                    loaded.trouble.get_or_insert(e);
                    return set;
                }
            }
        };
        for template in templates {
            let name = template.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
            if let Some(crd) = constraint::constraint_crd(template, &match_schema) {
                // Two templates for one kind: the first one's schema stands.
                _ = set.add_crd(crd, &format!("ConstraintTemplate {name}"));
            }
        }
        set
    }
}

/// Loads the schema files (`*.yaml`, `*.yml`, `*.json`) under `dir` of `source` into `set`,
/// named `{prefix}{path}`; a missing `dir` holds none.
fn load_dir(set: &mut SchemaSet, source: &FsSource, dir: &str, prefix: &str) -> Result<(), Error> {
    let tree = Tree::new(source);
    let refused = |e: SourceError| {
        let e = named(e, prefix);
        Error::input(
            std::iter::once(crate::layers::source_error(&e, "cannot read a schema file")).collect(),
            SourceText::default(),
        )
    };
    let files = tree.walk(dir).map_err(refused)?;
    for file in files.iter().filter(|f| is_manifest(&f.path)) {
        let text = read_regular(&tree, source, file).map_err(refused)?;
        let name = format!("{prefix}{}", file.path);
        let cycles = set.ref_cycles().len();
        set.load_text(&name, crate::load::strip_bom(&text), file.path.ends_with(".json")).map_err(Trouble::Check)?;
        if let Some(cycle) = set.ref_cycles().get(cycles) {
            let (schema, through) = (cycle.schema.clone(), cycle.through.clone());
            let error = super::error::CheckError::RefCycle { schema, through };
            let at = crate::diagnostic::Location::file(&name);
            return Err(Error::input(std::iter::once(error.at(at)).collect(), SourceText::default()));
        }
    }
    Ok(())
}

/// `error` with its path named `{prefix}{path}`.
pub(super) fn named(error: SourceError, prefix: &str) -> SourceError {
    if prefix.is_empty() {
        return error;
    }
    let path = format!("{prefix}{}", error.path());
    match error {
        SourceError::Escapes { target, .. } => SourceError::Escapes { path, target },
        SourceError::TooLarge { size, limit, .. } => SourceError::TooLarge { path, size, limit },
        SourceError::NotUtf8 { .. } => SourceError::NotUtf8 { path },
        SourceError::SymlinkLoop { .. } => SourceError::SymlinkLoop { path },
        SourceError::NotAFile { .. } => SourceError::NotAFile { path },
        other => other,
    }
}

/// The text of a file the walk found, refused unless it is a regular file: a FIFO would block
/// the read for ever, a device (`/dev/zero`) never end.
pub(super) fn read_regular(tree: &Tree, source: &FsSource, file: &WalkedFile) -> Result<String, SourceError> {
    let full = source.root().join(&file.physical);
    match std::fs::metadata(&full) {
        Ok(meta) if meta.file_type().is_file() => tree.read_walked(file),
        Ok(_) => Err(SourceError::NotAFile { path: file.path.clone() }),
        Err(e) => Err(SourceError::Io { path: file.path.clone(), message: e.to_string() }),
    }
}

/// Whether a file of a schemas directory or a bare directory holds manifests (by its extension).
pub(super) fn is_manifest(path: &str) -> bool {
    [".yaml", ".yml", ".json"].iter().any(|e| path.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_holds_every_vendored_schema() {
        let files = embedded_files().expect("the bundle unpacks");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let source = FsSource::new(&root);
        let tree = Tree::new(&source);
        let mut on_disk = Vec::new();
        for dir in ["platform", "schemas"] {
            on_disk.extend(tree.walk(dir).expect("data/ is readable").into_iter().filter(|f| is_manifest(&f.path)));
        }
        assert_eq!(files.len(), on_disk.len());
        for (path, bytes) in &files {
            assert_eq!(&std::fs::read(root.join(path)).expect("the file exists"), bytes, "{path}");
        }
    }
}
