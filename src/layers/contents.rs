//! A layer's contents: the documents under its `resources/` and `tenants/`, and warnings about
//! files and directories there that are not read.

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
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
    let is_layer = |dir: &str| loader.tree.is_file(&within(dir, MANIFEST)).unwrap_or(true);
    for (above, stray) in layer.inputs.above() {
        let is_dir = matches!(loader.tree.resolve(&stray), Ok((_, Some(EntryKind::Dir))));
        if is_dir && !is_layer(&above) && !is_layer(&stray) {
            diagnostics.push(
                Diagnostic::warning("W206", format!("`{stray}/` is not read: it is not inside a layer"))
                    .at(Location::file(&stray))
                    .help(format!(
                        "tenants/ is read only beside a {MANIFEST}: move its tenant directories into the tenants/ of a layer"
                    )),
            );
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
