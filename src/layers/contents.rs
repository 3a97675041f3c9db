//! A layer's contents: the documents under its `resources/` and `tenants/`, and warnings about
//! files and directories there that are not read.

use crate::diagnostic::{Diagnostics, Explain, Location};
use crate::layers::error::LayerError;
use crate::layers::layer::{Layer, read_tenant_document};
use crate::layers::layout::{MANIFEST, is_manifest_file, within};
use crate::layers::loader::{Loader, source_error};
use crate::source::{EntryKind, WalkedFile};

/// Reads a layer's `resources/` and `tenants/`. Files there that are not read (other
/// extensions, `.YAML`, `.yaml.bak`) get a W205, and a `tenants/` directory in a directory above
/// the layer that is not a layer itself (`environments/tenants/`, or at a root that is not a
/// layer) a W206: both would otherwise be silently ignored.
pub(super) fn load(loader: &mut Loader, layer: &mut Layer, diagnostics: &mut Diagnostics) {
    let dir = &layer.inputs.dir;
    tracing::debug!(layer = %if dir.is_empty() { "." } else { dir }, "layer");
    let unread = |path: &str| LayerError::NotRead { path: path.to_string() }.at(Location::file(path));
    // Each directory above the layer, up to the root, that is not a layer: nothing reads a
    // tenants/ there.
    let is_layer = |dir: &str| loader.tree.is_file(&within(dir, MANIFEST)).unwrap_or(true);
    for (above, stray) in layer.inputs.above() {
        let is_dir = matches!(loader.tree.resolve(&stray), Ok((_, Some(EntryKind::Dir))));
        if is_dir && !is_layer(&above) && !is_layer(&stray) {
            diagnostics.push(LayerError::StrayTenants { dir: stray.clone() }.at(Location::file(&stray)));
        }
    }
    match loader.tree.walk(&layer.inputs.resources) {
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
    let tenants_dir = layer.inputs.tenants.clone();
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
                    let error = LayerError::LooseTenantFile { path: file.path.clone(), tenants: tenants_dir.clone() };
                    diagnostics.push(error.at(Location::file(&file.path)));
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
