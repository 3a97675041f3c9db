//! Layout: where the inputs of an environment are — the one place that knows the repository's
//! conventions.
//!
//! An environment is a layer: a directory with a [`MANIFEST`] under one of [`ENVIRONMENT_DIRS`].
//! A layer reads its manifest, the layers its `bases` name, the files its `patches` name, and
//! every manifest file under its `resources/` and `tenants/` ([`LayerInputs`]). The layers stage
//! reads what this module names; `diff` fingerprints what it names (so the two cannot drift);
//! `locate` and `diff --all` look for environments where it says they are.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::source::{self, EntryKind, Source, Tree};

/// A layer's manifest, in the layer's directory.
pub(crate) const MANIFEST: &str = "meshedge.yaml";

/// The directories whose children are environments (`environments/prod`, `env/dev`, `envs/qa`).
pub(crate) const ENVIRONMENT_DIRS: [&str; 3] = ["environments", "env", "envs"];

/// `name` inside the repo-relative directory `dir` (`""` is the root).
pub(crate) fn within(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
}

/// What one layer reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerInputs {
    /// The layer's directory, repo-relative.
    pub dir: String,
    pub manifest: String,
    /// The directories `bases` names, in order; `Err` holds one that leaves the root.
    pub bases: Vec<Result<String, String>>,
    /// The files `patches[index].file` names, by index; `Err` holds one that leaves the root.
    pub patch_files: Vec<(usize, Result<String, String>)>,
    /// Plain manifests, read recursively.
    pub resources: String,
    /// Tenant directories, read recursively.
    pub tenants: String,
}

impl LayerInputs {
    /// The inputs of the layer at `dir` that its manifest does not name.
    pub(crate) fn new(dir: &str) -> LayerInputs {
        LayerInputs {
            dir: dir.to_string(),
            manifest: within(dir, MANIFEST),
            bases: Vec::new(),
            patch_files: Vec::new(),
            resources: within(dir, "resources"),
            tenants: within(dir, "tenants"),
        }
    }

    /// With the layers and files its manifest (`bases`, `patches[].file`) names. Read from the
    /// manifest's value, so that what a manifest names is known even where it is not a valid
    /// layer (a fingerprint hashes it; a build reads it only from a valid one).
    pub(crate) fn named_in(mut self, manifest: &Value) -> LayerInputs {
        let list = |field: &str| manifest.get(field).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        self.bases = list("bases").iter().filter_map(Value::as_str).map(|base| source::join(&self.dir, base)).collect();
        self.patch_files = list("patches")
            .iter()
            .enumerate()
            .filter_map(|(index, patch)| Some((index, source::join(&self.dir, patch.get("file")?.as_str()?))))
            .collect();
        self
    }

    /// The directories walked for the layer's documents.
    pub(crate) fn walked(&self) -> [&str; 2] {
        [&self.resources, &self.tenants]
    }

    /// Each directory above the layer, up to the root, with the `tenants/` in it: a `tenants/`
    /// there is read only when that directory (or the `tenants/` itself) is a layer (W206).
    pub(crate) fn above(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut above = self.dir.as_str();
        while !above.is_empty() {
            above = source::parent(above);
            out.push((above.to_string(), within(above, "tenants")));
        }
        out
    }
}

/// Whether a file under `resources/` or `tenants/` is read: `.yaml`, `.yml` and `.json`, in
/// lower case.
pub(crate) fn is_manifest_file(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with(".json")
}

/// The directories whose files a build reads: the `resources/` and `tenants/` of every layer
/// among the files it read (`inputs`, repo-relative).
pub(crate) fn read_directories(inputs: &BTreeSet<String>) -> Vec<String> {
    inputs
        .iter()
        .filter_map(|file| {
            let (dir, name) = file.rsplit_once('/').unwrap_or(("", file));
            (name == MANIFEST).then(|| LayerInputs::new(dir))
        })
        .flat_map(|layer| [layer.resources, layer.tenants])
        .collect()
}

/// Where an environment named `name` may be: `environments/<name>`, `env/<name>`, `envs/<name>`.
pub(crate) fn environment_candidates(name: &str) -> impl Iterator<Item = String> + '_ {
    ENVIRONMENT_DIRS.iter().map(move |dir| format!("{dir}/{name}"))
}

/// Every `environments/*`, `env/*` and `envs/*` directory whose manifest is an Environment (or
/// cannot be read as anything else) in any of `sources`, sorted.
pub fn all_environments(sources: &[&dyn Source]) -> Vec<String> {
    let mut found = BTreeSet::new();
    for source in sources {
        let tree = Tree::new(*source);
        for parent in ENVIRONMENT_DIRS {
            let Ok((physical, Some(EntryKind::Dir))) = tree.resolve(parent) else { continue };
            let Ok(entries) = source.list(&physical) else { continue };
            for (name, _) in entries {
                if name.starts_with('.') {
                    continue;
                }
                let dir = format!("{parent}/{name}");
                let Ok(text) = tree.read_to_string(&within(&dir, MANIFEST)) else {
                    // A manifest that is there but cannot be read (a directory, a FIFO, a dangling
                    // link or one out of the repository) is an environment the build reports on
                    // (E100, E105), not one to pass over.
                    if tree.has_entry(&within(&dir, MANIFEST)) {
                        found.insert(dir);
                    }
                    continue;
                };
                let kind = crate::load::parse(MANIFEST, &text)
                    .ok()
                    .and_then(|docs| docs.first().and_then(|d| d.str_at("/kind").map(str::to_string)));
                if kind.is_none_or(|k| k == "Environment") {
                    found.insert(dir);
                }
            }
        }
    }
    found.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layer_reads_what_its_manifest_names_and_its_conventional_directories() {
        let manifest = serde_json::json!({
            "apiVersion": "meshedge.io/v1alpha1", "kind": "Environment", "metadata": {"name": "prod"},
            "bases": ["../../base", "../../../outside"],
            "patches": [{"target": {"kind": "Gateway"}, "merge": {}}, {"file": "patches/a.yaml"}]
        });
        // What a valid manifest names, as the build reads it.
        let spec: crate::input::LayerDoc = crate::load::typed_value(&manifest).unwrap();
        assert_eq!(spec.bases.len(), 2);
        let inputs = LayerInputs::new("environments/prod").named_in(&manifest);
        assert_eq!(inputs.manifest, "environments/prod/meshedge.yaml");
        assert_eq!(inputs.bases, [Ok("base".to_string()), Err("../outside".to_string())]);
        assert_eq!(inputs.patch_files, [(1, Ok("environments/prod/patches/a.yaml".to_string()))]);
        assert_eq!(inputs.walked(), ["environments/prod/resources", "environments/prod/tenants"]);
        let above: Vec<String> = inputs.above().into_iter().map(|(_, tenants)| tenants).collect();
        assert_eq!(above, ["environments/tenants", "tenants"]);
        assert_eq!(LayerInputs::new("").manifest, MANIFEST);
        let read = BTreeSet::from(["base/meshedge.yaml".to_string(), "base/tenants/a/b.yaml".to_string()]);
        assert_eq!(read_directories(&read), ["base/resources", "base/tenants"]);
    }
}
