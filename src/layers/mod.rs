//! Layer resolution: from an environment directory to the ordered list of layers it is made of.
//!
//! A layer is a directory with a `meshedge.yaml`; what it reads is named by [`layout`]. Its `bases` are applied first, in order,
//! depth first; a layer reached twice is applied once, at its first position; a cycle is an
//! error that names every layer on it. Each layer's `resources/` (plain manifests) and
//! `tenants/` (tenant and request documents) are found by convention, recursively, and read on
//! every core; tenant documents are read into their typed form as they are parsed
//! ([`TenantDocument`]), and merged across layers by [`crate::merge`]. Every path stays inside
//! the repository root ([`crate::source::Tree`] enforces it).

mod contents;
mod error;
mod layer;
pub(crate) mod layout;
mod loader;

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostics, Explain, Location};
use crate::input::{API_VERSION, LayerDoc, LayerKind};
use crate::layers::error::MAX_BASES_DEPTH;
use crate::load::Document;

pub use error::LayerError;
pub use layer::{Layer, TenantDocument, TenantRead};
pub use layout::LayerInputs;
pub use loader::Loader;
pub(crate) use loader::source_error;

/// Loads the environment at `env_dir` and all its bases, in application order; with the
/// warnings about files and directories meshedge leaves unread.
pub fn resolve(loader: &mut Loader, env_dir: &str) -> Result<(Vec<Layer>, Diagnostics), Diagnostics> {
    let mut state =
        Resolver { order: Vec::new(), done: BTreeSet::new(), stack: Vec::new(), diagnostics: Diagnostics::new() };
    state.visit(loader, env_dir, None);
    if state.diagnostics.has_errors() {
        return Err(state.diagnostics);
    }
    let mut layers = state.order;
    if let Some(env) = layers.last() {
        if env.spec.kind != LayerKind::Environment {
            let d = LayerError::NotAnEnvironment { dir: env.inputs.dir.clone() }.at(env.manifest.location("/kind"));
            return Err(d.into());
        }
    }
    let mut diagnostics = Diagnostics::new();
    for layer in &mut layers {
        contents::load(loader, layer, &mut diagnostics);
    }
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok((layers, diagnostics)) }
}

struct Resolver {
    order: Vec<Layer>,
    done: BTreeSet<String>,
    /// The layers being visited, with the place each names the next.
    stack: Vec<(String, Option<Location>)>,
    diagnostics: Diagnostics,
}

impl Resolver {
    fn visit(&mut self, loader: &mut Loader, dir: &str, named_at: Option<Location>) {
        if self.done.contains(dir) {
            return;
        }
        if let Some(start) = self.stack.iter().position(|(d, _)| d == dir) {
            let mut cycle: Vec<String> = self.stack[start..].iter().map(|(d, _)| d.clone()).collect();
            cycle.push(dir.to_string());
            let mut d = LayerError::Cycle { cycle }.at_opt(named_at);
            for (_, at) in &self.stack[start + 1..] {
                if let Some(at) = at {
                    d = d.note(at.clone(), "part of the cycle");
                }
            }
            self.diagnostics.push(d);
            return;
        }
        // Visiting recurses on `bases`: a chain is bounded before it can exhaust the stack.
        if self.stack.len() >= MAX_BASES_DEPTH {
            let d = LayerError::BasesTooDeep.at_opt(named_at);
            return self.diagnostics.push(d);
        }
        let inputs = LayerInputs::new(dir);
        let manifest_path = &inputs.manifest;
        let docs = match loader.tree.is_file(manifest_path) {
            Ok(true) => loader.load(manifest_path, "cannot read layer manifest"),
            // Something that is not a file stands there: the reading says what, at the file.
            Ok(false) | Err(_) if named_at.is_none() && loader.tree.has_entry(manifest_path) => {
                loader.load(manifest_path, "cannot read layer manifest")
            }
            Ok(false) => Err(LayerError::NotALayer { dir: dir.to_string(), manifest: manifest_path.clone() }
                .at_opt(named_at.clone())),
            Err(e) => Err(source_error(&e, "cannot resolve layer").at_opt(named_at.clone())),
        };
        let docs = match docs {
            Ok(docs) => docs,
            Err(d) => return self.diagnostics.push(d),
        };
        let mut docs = docs;
        if docs.len() != 1 {
            let error = LayerError::NotOneDocument { manifest: manifest_path.clone(), count: docs.len() };
            return self.diagnostics.push(error.at(Location::file(manifest_path)));
        }
        let manifest = docs.remove(0);
        let spec: LayerDoc = match manifest.typed("") {
            Ok(spec) => spec,
            Err(d) => return self.diagnostics.push(d),
        };
        if spec.api_version != API_VERSION {
            let error = LayerError::ApiVersion { found: spec.api_version.clone() };
            self.diagnostics.push(error.at(manifest.location("/apiVersion")));
        }
        let inputs = inputs.named_in(&manifest.value);
        self.stack.push((dir.to_string(), named_at));
        for (i, (base, joined)) in spec.bases.iter().zip(&inputs.bases).enumerate() {
            let at = manifest.location(&format!("/bases/{i}"));
            match joined {
                Ok(base_dir) => {
                    self.visit(loader, base_dir, Some(at));
                }
                Err(outside) => self
                    .diagnostics
                    .push(LayerError::BaseOutside { base: base.clone(), outside: outside.clone() }.at(at)),
            }
        }
        self.stack.pop();
        self.done.insert(dir.to_string());
        self.order.push(Layer { inputs, manifest, spec, resources: Vec::new(), tenants: BTreeMap::new() });
    }
}

/// Loads the files named by `file:` patches, keyed by repo-relative path.
pub fn load_patch_files(loader: &mut Loader, layers: &[Layer]) -> Result<BTreeMap<String, Vec<Document>>, Diagnostics> {
    let mut files = BTreeMap::new();
    let mut diagnostics = Diagnostics::new();
    for layer in layers {
        for (index, path) in &layer.inputs.patch_files {
            // A path outside the root is reported by the merge stage, with the patch's place.
            let Ok(path) = path else { continue };
            if files.contains_key(path) {
                continue;
            }
            match loader.load(path, "cannot read patch file") {
                Ok(docs) => {
                    files.insert(path.clone(), docs);
                }
                Err(d) => {
                    let at = layer.manifest.location(&format!("/patches/{index}/file"));
                    // An error found in the file (syntax, a tag, a limit) points into it; one
                    // about the file as a whole (missing, unreadable) at the patch that names it.
                    let in_file = d.location.as_ref().is_some_and(|l| &l.file == path && l.line.is_some());
                    diagnostics.push(if in_file { d } else { d.at(at) });
                }
            }
        }
    }
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok(files) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FsSource, Tree};

    fn write(root: &std::path::Path, path: &str, text: &str) {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    fn layer(kind: &str, name: &str, bases: &[&str]) -> String {
        format!("apiVersion: meshedge.io/v1alpha1\nkind: {kind}\nmetadata: {{name: {name}}}\nbases: {bases:?}\n")
    }

    #[test]
    fn bases_apply_first_and_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "base/meshedge.yaml", &layer("Layer", "base", &[]));
        write(root, "profiles/a/meshedge.yaml", &layer("Layer", "a", &["../../base"]));
        write(root, "env/p/meshedge.yaml", &layer("Environment", "p", &["../../base", "../../profiles/a"]));
        let source = FsSource::new(root);
        let mut loader = Loader::new(Tree::new(&source));
        let (layers, _) = resolve(&mut loader, "env/p").unwrap();
        let dirs: Vec<&str> = layers.iter().map(|l| l.inputs.dir.as_str()).collect();
        assert_eq!(dirs, ["base", "profiles/a", "env/p"]);
    }

    #[test]
    fn a_cycle_is_named_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "a/meshedge.yaml", &layer("Layer", "a", &["../b"]));
        write(root, "b/meshedge.yaml", &layer("Layer", "b", &["../a"]));
        write(root, "env/meshedge.yaml", &layer("Environment", "e", &["../a"]));
        let source = FsSource::new(root);
        let mut loader = Loader::new(Tree::new(&source));
        let err = resolve(&mut loader, "env").unwrap_err().sorted();
        assert_eq!(err[0].code, "E201");
        assert!(err[0].message.contains("a -> b -> a"), "{}", err[0].message);
        assert_eq!(err[0].location.as_ref().unwrap().file, "b/meshedge.yaml");
    }

    #[test]
    fn a_base_outside_the_root_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "env/meshedge.yaml", &layer("Environment", "e", &["../../elsewhere"]));
        let source = FsSource::new(root);
        let mut loader = Loader::new(Tree::new(&source));
        let err = resolve(&mut loader, "env").unwrap_err().sorted();
        assert_eq!(err[0].code, "E105");
        assert_eq!(err[0].location.as_ref().unwrap().line, Some(4));
    }

    #[test]
    fn a_long_chain_of_bases_is_refused_before_the_stack_runs_out() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let depth = MAX_BASES_DEPTH + 10;
        for i in 0..depth {
            let base = format!("../l{}", i + 1);
            let bases: &[&str] = if i + 1 < depth { &[&base] } else { &[] };
            write(root, &format!("l{i}/meshedge.yaml"), &layer("Layer", &format!("l{i}"), bases));
        }
        write(root, "env/meshedge.yaml", &layer("Environment", "e", &["../l0"]));
        let source = FsSource::new(root);
        let mut loader = Loader::new(Tree::new(&source));
        let err = resolve(&mut loader, "env").unwrap_err().sorted();
        assert_eq!(err[0].code, "E114");
        assert!(err[0].message.contains("nested deeper than 64 layers"), "{}", err[0].message);
        assert_eq!(err[0].location.as_ref().unwrap().file, format!("l{}/meshedge.yaml", MAX_BASES_DEPTH - 2));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_reached_from_two_layers_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "base/meshedge.yaml", &layer("Layer", "base", &[]));
        write(
            root,
            "base/tenants/shop/web.yaml",
            "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata: {name: shop}\n",
        );
        write(root, "env/meshedge.yaml", &layer("Environment", "e", &["../base"]));
        std::fs::create_dir_all(root.join("env/tenants/blog")).unwrap();
        std::os::unix::fs::symlink("../../../base/tenants/shop/web.yaml", root.join("env/tenants/blog/web.yaml"))
            .unwrap();
        let source = FsSource::new(root);
        let mut loader = Loader::new(Tree::new(&source));
        let err = resolve(&mut loader, "env").unwrap_err().sorted();
        assert_eq!(err.len(), 1, "{err:?}");
        assert_eq!(err[0].code, "E113");
        assert_eq!(err[0].location.as_ref().unwrap().file, "env/tenants/blog/web.yaml");
        assert!(err[0].message.contains("`base/tenants/shop/web.yaml`"), "{}", err[0].message);
    }
}
