//! The schemas objects are validated against: the vendored ones of the environment's target
//! platform, embedded in the binary (build.rs packs `data/platform/` and `data/schemas/` into
//! one deflate stream), plus the CRDs and OpenAPI documents of `--schemas DIR` and of the
//! repository's `schemas/` directory for kinds meshedge does not emit.
//!
//! The bundle is unpacked once per run into a temporary directory, so that the platform model
//! picks a target's files ([`Target::schema_files`]) as it does from `data/`; each target's set
//! is loaded the first time an environment needs it.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use flate2::read::DeflateDecoder;
use serde_json::Value;
use tempfile::TempDir;

use crate::platform::Target;
use crate::schema::{SchemaSet, Validation};

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
    /// The embedded `data/` tree, unpacked on first use.
    data: Option<TempDir>,
    targets: Vec<(Target, SchemaSet)>,
    /// `--schemas DIR` and `schemas/`.
    extra: SchemaSet,
}

impl Schemas {
    /// The extra schema directories, loaded now: a file that is not a readable CRD or OpenAPI
    /// document, or two schemas for one kind, is an error naming the file.
    pub fn new(extra_dirs: &[PathBuf]) -> Result<Schemas, String> {
        let mut extra = SchemaSet::new();
        for dir in extra_dirs {
            let mut files = Vec::new();
            walk(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
            files.sort();
            for file in files {
                extra.load_file(&file)?;
            }
        }
        Ok(Schemas { data: None, targets: Vec::new(), extra })
    }

    fn data_dir(&mut self) -> Result<&Path, String> {
        if self.data.is_none() {
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
            self.data = Some(dir);
        }
        Ok(self.data.as_ref().map(TempDir::path).unwrap_or(Path::new(".")))
    }

    /// The schema set of `target`, loaded on first use.
    fn target_set(&mut self, target: Target) -> Result<usize, String> {
        if let Some(i) = self.targets.iter().position(|(t, _)| *t == target) {
            return Ok(i);
        }
        let data = self.data_dir()?.to_path_buf();
        let files = target.schema_files(&data).map_err(|e| e.to_string())?;
        let mut set = SchemaSet::new();
        for file in files {
            set.load_file(&file)?;
        }
        self.targets.push((target, set));
        Ok(self.targets.len() - 1)
    }

    /// Loads the schema set of `target` now (an error here is trouble with the embedded data).
    pub fn prepare(&mut self, target: Target) -> Result<(), String> {
        self.target_set(target).map(|_| ())
    }

    /// Validates `object` against its kind's schema for `target` (prepared), else an extra one.
    pub fn validate(&self, target: Target, object: &Value) -> Validation {
        let own = self.targets.iter().find(|(t, _)| *t == target).map(|(_, set)| set.validate(object));
        match own {
            Some(Validation::NoSchema { .. }) | None => self.extra.validate(object),
            Some(found) => found,
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_holds_every_vendored_schema() {
        let files = embedded_files().expect("the bundle unpacks");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let mut on_disk = Vec::new();
        for dir in ["platform", "schemas"] {
            walk(&root.join(dir), &mut on_disk).expect("data/ is readable");
        }
        assert_eq!(files.len(), on_disk.len());
        for (path, bytes) in &files {
            assert_eq!(&std::fs::read(root.join(path)).expect("the file exists"), bytes, "{path}");
        }
    }
}
