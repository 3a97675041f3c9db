//! Layer resolution: from an environment directory to the ordered list of layers it is made of.
//!
//! A layer is a directory with a `meshedge.yaml`. Its `bases` are applied first, in order,
//! depth first; a layer reached twice is applied once, at its first position; a cycle is an
//! error that names every layer on it. Each layer's `resources/` (plain manifests) and
//! `tenants/` (tenant and request documents) are found by convention, recursively, and read on
//! every core; tenant documents are read into their typed form as they are parsed
//! ([`TenantDocument`]), and merged across layers by [`crate::merge`]. Every path stays inside
//! the repository root ([`crate::source::Tree`] enforces it).

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Diagnostics, Location, SourceText};
use crate::input::{API_VERSION, EdgeRequestDoc, LayerDoc, LayerKind, MANIFEST, TenantDoc};
use crate::load::{self, Document};
use crate::source::{self, SourceError, Tree, WalkedFile};

/// Reads and parses files through a [`Tree`], remembering their text and which files were read.
///
/// One build reads at most [`source::MAX_TOTAL_BYTES`] in all (each file at most
/// [`source::MAX_FILE_BYTES`]); the first file past the total is an error and nothing is read
/// after it. A file reached by walks under two paths (through symlinks, say from two layers'
/// `tenants/`) is read once, under its first path; the second path is an error.
pub struct Loader<'a> {
    pub tree: Tree<'a>,
    pub texts: SourceText,
    /// Every file read, for fingerprints of an environment's inputs.
    pub read: BTreeSet<String>,
    /// Bytes read so far.
    bytes: u64,
    /// Whether a file went past the total: nothing more is read.
    over: bool,
    /// The physical path of every walked file read → the path it was read under.
    walked: BTreeMap<String, String>,
}

impl<'a> Loader<'a> {
    pub fn new(tree: Tree<'a>) -> Self {
        Loader {
            tree,
            texts: SourceText::default(),
            read: BTreeSet::new(),
            bytes: 0,
            over: false,
            walked: BTreeMap::new(),
        }
    }

    /// Reads and parses a file; `context` says why it is read ("layer manifest").
    pub fn load(&mut self, path: &str, context: &str) -> Result<Vec<Document>, Diagnostic> {
        if self.over {
            return Err(self.over_total(path, 0));
        }
        let text = self.tree.read_to_string(path).map_err(|e| source_error(&e, context))?;
        self.count(path, text.len() as u64)?;
        self.parse(path, text)
    }

    /// Reads the files the walk found and parses them on every core; results in file order.
    pub fn load_all<'f>(
        &mut self,
        files: &'f [WalkedFile],
        context: &str,
    ) -> Vec<(&'f WalkedFile, Result<Vec<Document>, Diagnostic>)> {
        self.load_all_with(files, context, |doc| doc)
    }

    /// [`Loader::load_all`], with `each` applied to every document on the thread that parsed it.
    pub fn load_all_with<'f, T: Send>(
        &mut self,
        files: &'f [WalkedFile],
        context: &str,
        each: impl Fn(Document) -> T + Sync + Send,
    ) -> Vec<(&'f WalkedFile, Result<Vec<T>, Diagnostic>)> {
        // Which files are read is settled first, in file order, from their sizes: the total
        // stops the read before the bytes are in memory.
        let tree = &self.tree;
        let sizes = crate::parallel::map(files, |file| tree.size_walked(file));
        let mut admitted: Vec<Result<bool, Diagnostic>> = Vec::with_capacity(files.len());
        for (file, size) in files.iter().zip(sizes) {
            admitted.push(self.admit(file, size, context));
        }
        // Reading and parsing on every core; the loader's records are written here, in file order.
        let tree = &self.tree;
        let jobs: Vec<(&WalkedFile, bool)> =
            files.iter().zip(&admitted).map(|(f, a)| (f, a.as_ref().is_ok_and(|read| *read))).collect();
        let loaded = crate::parallel::map(&jobs, |&(file, admitted)| {
            if !admitted {
                return (None, Ok(Vec::new()));
            }
            match tree.read_walked(file) {
                Ok(text) => {
                    let text = load::without_bom(text);
                    let parsed = load::parse(&file.path, &text).map(|docs| docs.into_iter().map(&each).collect());
                    (Some(text), parsed)
                }
                Err(e) => (None, Err(source_error(&e, context))),
            }
        });
        let mut out = Vec::with_capacity(files.len());
        for ((file, (text, parsed)), admitted) in files.iter().zip(loaded).zip(admitted) {
            if let Some(text) = text {
                self.read.insert(file.path.clone());
                self.texts.insert(&file.path, text);
            }
            out.push((file, admitted.and(parsed)));
        }
        out
    }

    /// Whether a walked file of `size` bytes is read (`Ok(true)`): not past the total, and not
    /// already read under another path. Past the first file over the total, files are skipped
    /// (`Ok(false)`) without an error each.
    fn admit(&mut self, file: &WalkedFile, size: Result<u64, SourceError>, context: &str) -> Result<bool, Diagnostic> {
        if self.over {
            return Ok(false);
        }
        let size = size.map_err(|e| source_error(&e, context))?;
        if let Some(first) = self.walked.get(&file.physical) {
            if *first != file.path {
                let error = SourceError::ReachedTwice { path: file.path.clone(), first: first.clone() };
                return Err(source_error(&error, context));
            }
        }
        self.count(&file.path, size)?;
        self.walked.insert(file.physical.clone(), file.path.clone());
        Ok(true)
    }

    /// Adds `size` bytes to the total read; the file that goes past it is an error.
    fn count(&mut self, path: &str, size: u64) -> Result<(), Diagnostic> {
        self.bytes = self.bytes.saturating_add(size);
        if self.bytes > source::MAX_TOTAL_BYTES {
            self.over = true;
            return Err(self.over_total(path, self.bytes));
        }
        Ok(())
    }

    fn over_total(&self, path: &str, bytes: u64) -> Diagnostic {
        let limit = source::MAX_TOTAL_BYTES;
        let message = if bytes > 0 {
            format!("`{path}` brings the input to {bytes} bytes, over the limit of {limit} bytes for one build")
        } else {
            format!("`{path}` is not read: the input is over the limit of {limit} bytes for one build")
        };
        Diagnostic::error("E114", message)
            .at(Location::file(path))
            .help("the repository's layers, resources and tenants are too large for one build; split the environment")
    }

    fn parse(&mut self, path: &str, text: String) -> Result<Vec<Document>, Diagnostic> {
        let text = load::without_bom(text);
        let parsed = load::parse(path, &text);
        self.read.insert(path.to_string());
        self.texts.insert(path, text);
        parsed
    }
}

/// A source error as a diagnostic, with the context of the read.
pub fn source_error(error: &SourceError, context: &str) -> Diagnostic {
    let diagnostic = Diagnostic::error("E100", format!("{context}: {error}")).at(Location::file(error.path()));
    match error {
        SourceError::Escapes { .. } => Diagnostic { code: "E105", ..diagnostic }
            .help("every path and symlink must stay inside the repository root (see --root)"),
        SourceError::NotFound { .. } => {
            diagnostic.help("check the path; it is relative to the directory of the file naming it")
        }
        SourceError::SymlinkLoop { .. } => diagnostic.help("remove the symlink that points back at its own directory"),
        SourceError::ReachedTwice { .. } => Diagnostic { code: "E113", ..diagnostic }
            .help("each file is read once, under one path: remove one of the two (a symlink)"),
        SourceError::TooLarge { .. } => Diagnostic { code: "E114", ..diagnostic }
            .help("split the file; no manifest needs this much (see the limits in docs/reference.md)"),
        _ => diagnostic,
    }
}

/// One layer, its documents loaded.
#[derive(Debug, Clone)]
pub struct Layer {
    pub dir: String,
    pub manifest_path: String,
    pub manifest: Document,
    pub spec: LayerDoc,
    /// Plain manifests under `resources/`.
    pub resources: Vec<Document>,
    /// Documents under `tenants/<tenant>/`, keyed by the tenant directory name.
    pub tenants: BTreeMap<String, Vec<TenantDocument>>,
}

/// A document under `tenants/`, read into its typed form on the thread that parsed it. Its value
/// tree is released there and then: tenants make up most of a repository, and their documents
/// are needed again only to merge a request that several layers write (read again from the text)
/// and to place diagnostics.
#[derive(Debug, Clone)]
pub struct TenantDocument {
    pub doc: Document,
    pub read: TenantRead,
}

#[derive(Debug, Clone)]
pub enum TenantRead {
    Tenant(TenantDoc),
    Request(EdgeRequestDoc),
    /// Not a tenant document, or not a valid one.
    Refused(Diagnostic),
}

fn read_tenant_document(mut doc: Document) -> TenantDocument {
    let read = match doc.api_kind() {
        (Some(API_VERSION), Some("Tenant")) => doc.typed("").map_or_else(TenantRead::Refused, TenantRead::Tenant),
        (Some(API_VERSION), Some("EdgeRequest")) => doc.typed("").map_or_else(TenantRead::Refused, TenantRead::Request),
        (Some(API_VERSION), other) => TenantRead::Refused(
            Diagnostic::error("E305", format!("`{}` is not a tenant document", other.unwrap_or("(no kind)")))
                .at(doc.location("/kind"))
                .help("tenants supply only `kind: Tenant` and `kind: EdgeRequest` documents"),
        ),
        _ => TenantRead::Refused(
            Diagnostic::error("E305", "tenants supply only Tenant and EdgeRequest documents")
                .at(doc.location("/apiVersion"))
                .help(format!("use `apiVersion: {API_VERSION}`; raw manifests belong in a layer's resources/")),
        ),
    };
    doc.release_value();
    TenantDocument { doc, read }
}

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
            let d = Diagnostic::error("E203", format!("`{}` is a Layer, not an Environment", env.dir))
                .at(env.manifest.location("/kind"))
                .help("build a directory whose meshedge.yaml has `kind: Environment`");
            return Err(d.into());
        }
    }
    let mut diagnostics = Diagnostics::new();
    for layer in &mut layers {
        load_contents(loader, layer, &mut diagnostics);
    }
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok((layers, diagnostics)) }
}

/// How deep `bases` may chain layers (E114).
pub const MAX_BASES_DEPTH: usize = 64;

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
            let mut d = Diagnostic::error("E201", format!("`bases` form a cycle: {}", cycle.join(" -> ")))
                .at_opt(named_at)
                .help("remove one of these `bases` entries so that no layer includes itself");
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
            let d = Diagnostic::error("E114", format!("`bases` nested deeper than {MAX_BASES_DEPTH} layers"))
                .at_opt(named_at)
                .help("a chain of bases this long is a mistake: have a layer name its bases directly");
            return self.diagnostics.push(d);
        }
        let manifest_path = if dir.is_empty() { MANIFEST.to_string() } else { format!("{dir}/{MANIFEST}") };
        let docs = match loader.tree.is_file(&manifest_path) {
            Ok(true) => loader.load(&manifest_path, "cannot read layer manifest"),
            Ok(false) => Err(Diagnostic::error("E202", format!("`{dir}` is not a layer: it has no {MANIFEST}"))
                .at_opt(named_at.clone())
                .help(format!("create {manifest_path}, or fix the path in `bases`"))),
            Err(e) => Err(source_error(&e, "cannot resolve layer").at_opt(named_at.clone())),
        };
        let docs = match docs {
            Ok(docs) => docs,
            Err(d) => return self.diagnostics.push(d),
        };
        let mut docs = docs;
        if docs.len() != 1 {
            return self.diagnostics.push(
                Diagnostic::error(
                    "E202",
                    format!("{manifest_path} must hold exactly one document, not {}", docs.len()),
                )
                .at(Location::file(&manifest_path))
                .help("a layer manifest is one document with apiVersion, kind (Layer or Environment) and metadata"),
            );
        }
        let manifest = docs.remove(0);
        let spec: LayerDoc = match manifest.typed("") {
            Ok(spec) => spec,
            Err(d) => return self.diagnostics.push(d),
        };
        if spec.api_version != API_VERSION {
            self.diagnostics.push(
                Diagnostic::error("E106", format!("unsupported apiVersion `{}`", spec.api_version))
                    .at(manifest.location("/apiVersion"))
                    .help(format!("use `apiVersion: {API_VERSION}`")),
            );
        }
        self.stack.push((dir.to_string(), named_at));
        for (i, base) in spec.bases.iter().enumerate() {
            let at = manifest.location(&format!("/bases/{i}"));
            match source::join(dir, base) {
                Ok(base_dir) => {
                    self.visit(loader, &base_dir, Some(at));
                }
                Err(outside) => self.diagnostics.push(
                    Diagnostic::error(
                        "E105",
                        format!("base `{base}` resolves to `{outside}`, outside the repository root"),
                    )
                    .at(at)
                    .help(
                        "bases are paths relative to the layer's directory and must stay inside the root (see --root)",
                    ),
                ),
            }
        }
        self.stack.pop();
        self.done.insert(dir.to_string());
        self.order.push(Layer {
            dir: dir.to_string(),
            manifest_path,
            manifest,
            spec,
            resources: Vec::new(),
            tenants: BTreeMap::new(),
        });
    }
}

/// Loads the files named by `file:` patches, keyed by repo-relative path.
pub fn load_patch_files(loader: &mut Loader, layers: &[Layer]) -> Result<BTreeMap<String, Vec<Document>>, Diagnostics> {
    let mut files = BTreeMap::new();
    let mut diagnostics = Diagnostics::new();
    for layer in layers {
        for (index, spec) in layer.spec.patches.iter().enumerate() {
            let Some(file) = &spec.file else { continue };
            // A path outside the root is reported by the merge stage, with the patch's place.
            let Ok(path) = source::join(&layer.dir, file) else { continue };
            if files.contains_key(&path) {
                continue;
            }
            match loader.load(&path, "cannot read patch file") {
                Ok(docs) => {
                    files.insert(path, docs);
                }
                Err(d) => {
                    let at = layer.manifest.location(&format!("/patches/{index}/file"));
                    diagnostics.push(if d.code == "E101" { d } else { d.at(at) });
                }
            }
        }
    }
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok(files) }
}

/// Whether a file under `resources/` or `tenants/` is read: `.yaml`, `.yml` and `.json`, in
/// lower case.
fn is_manifest_file(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with(".json")
}

/// Reads a layer's `resources/` and `tenants/`. Files there that are not read (other
/// extensions, `.YAML`, `.yaml.bak`) get a W205, and a `tenants/` directory in a directory above
/// the layer that is not a layer itself (`environments/tenants/`, or at a root that is not a
/// layer) a W206: both would otherwise be silently ignored.
fn load_contents(loader: &mut Loader, layer: &mut Layer, diagnostics: &mut Diagnostics) {
    let prefix = if layer.dir.is_empty() { String::new() } else { format!("{}/", layer.dir) };
    tracing::debug!(layer = %if layer.dir.is_empty() { "." } else { &layer.dir }, "layer");
    let unread = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        let help = if is_manifest_file(&lower) {
            let stem = name.rfind('.').map_or(name, |dot| &name[..dot]);
            let extension = lower.rsplit('.').next().unwrap_or_default();
            format!("extensions are matched in lower case: rename it to `{stem}.{extension}`")
        } else if [".yaml.", ".yml.", ".json."].iter().any(|e| lower.contains(e)) {
            "a copy or backup of a manifest? delete it, or move it out of resources/ and tenants/".to_string()
        } else {
            "give a manifest a `.yaml`, `.yml` or `.json` name; move anything else out of resources/ and tenants/"
                .to_string()
        };
        Diagnostic::warning(
            "W205",
            format!("`{path}` is not read: meshedge reads only `.yaml`, `.yml` and `.json` files"),
        )
        .at(Location::file(path))
        .help(help)
    };
    // Each directory above the layer, up to the root, that is not a layer: nothing reads a
    // tenants/ there.
    let is_layer = |dir: &str| {
        let manifest = if dir.is_empty() { MANIFEST.to_string() } else { format!("{dir}/{MANIFEST}") };
        loader.tree.is_file(&manifest).unwrap_or(true)
    };
    let mut above = layer.dir.as_str();
    while !above.is_empty() {
        above = source::parent(above);
        let stray = if above.is_empty() { "tenants".to_string() } else { format!("{above}/tenants") };
        let is_dir = matches!(loader.tree.resolve(&stray), Ok((_, Some(crate::source::EntryKind::Dir))));
        if is_dir && !is_layer(above) && !is_layer(&stray) {
            diagnostics.push(
                Diagnostic::warning("W206", format!("`{stray}/` is not read: it is not inside a layer"))
                    .at(Location::file(&stray))
                    .help(format!(
                        "tenants/ is read only beside a {MANIFEST}: move its tenant directories into the tenants/ of a layer"
                    )),
            );
        }
    }
    match loader.tree.walk(&format!("{prefix}resources")) {
        Ok(files) => {
            let (files, skipped): (Vec<WalkedFile>, Vec<WalkedFile>) =
                files.into_iter().partition(|f| is_manifest_file(&f.path));
            diagnostics.extend(skipped.iter().map(|f| unread(&f.path)).collect());
            for (_, loaded) in loader.load_all(&files, "cannot read resource") {
                match loaded {
                    Ok(docs) => layer.resources.extend(docs),
                    Err(d) => diagnostics.push(d),
                }
            }
        }
        Err(e) => diagnostics.push(source_error(&e, "cannot read resources")),
    }
    let tenants_dir = format!("{prefix}tenants");
    match loader.tree.walk(&tenants_dir) {
        Ok(files) => {
            let mut inside = Vec::new();
            let (files, skipped): (Vec<WalkedFile>, Vec<WalkedFile>) =
                files.into_iter().partition(|f| is_manifest_file(&f.path));
            diagnostics.extend(skipped.iter().map(|f| unread(&f.path)).collect());
            for file in files {
                if file.path[tenants_dir.len() + 1..].contains('/') {
                    inside.push(file);
                } else {
                    diagnostics.push(
                        Diagnostic::error("E204", format!("`{}` is not inside a tenant directory", file.path))
                            .at(Location::file(&file.path))
                            .help(format!("move it to {tenants_dir}/<tenant>/")),
                    );
                }
            }
            for (file, loaded) in loader.load_all_with(&inside, "cannot read tenant file", read_tenant_document) {
                let rest = &file.path[tenants_dir.len() + 1..];
                let tenant = rest.split('/').next().unwrap_or_default();
                match loaded {
                    Ok(docs) => layer.tenants.entry(tenant.to_string()).or_default().extend(docs),
                    Err(d) => diagnostics.push(d),
                }
            }
        }
        Err(e) => diagnostics.push(source_error(&e, "cannot read tenants")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FsSource;

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
        let dirs: Vec<&str> = layers.iter().map(|l| l.dir.as_str()).collect();
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
