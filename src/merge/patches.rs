//! The patches a layer lists, inline or from files, checked for shape and parsed.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostics, Explain, Location};
use crate::input::{LayerPatch, PatchSpec};
use crate::layers::Layer;
use crate::load::Document;
use crate::merge::error::MergeError;

pub(super) fn collect_patch(
    layer: &Layer,
    spec: &PatchSpec,
    name: String,
    pointer: &str,
    patch_files: &BTreeMap<String, Vec<Document>>,
    out: &mut Vec<LayerPatch>,
    diagnostics: &mut Diagnostics,
) {
    let location = layer.manifest.location(pointer);
    let shape_error =
        |what: &'static str, location: Location| MergeError::PatchShape { patch: name.clone(), what }.at(location);
    if let Some(file) = &spec.file {
        if spec.json.is_some() || spec.merge.is_some() || spec.target.is_some() {
            diagnostics.push(shape_error("`file` goes alone (with `optional`)", location));
            return;
        }
        let Ok(path) = crate::source::join(&layer.inputs.dir, file) else {
            diagnostics.push(MergeError::PatchFileOutside { file: file.clone() }.at(location));
            return;
        };
        for doc in patch_files.get(&path).into_iter().flatten() {
            match doc.typed::<PatchSpec>("") {
                Ok(mut inner) => {
                    if inner.file.is_some() {
                        diagnostics.push(shape_error("a patch file cannot name another file", doc.location("/file")));
                        continue;
                    }
                    inner.optional |= spec.optional;
                    let name = format!("{path}#{}", doc.index);
                    check_shape(&inner, &name, &|p: &str| doc.location(p), out, diagnostics);
                }
                Err(d) => diagnostics.push(d),
            }
        }
        return;
    }
    check_shape(spec, &name, &|p: &str| layer.manifest.location(&format!("{pointer}{p}")), out, diagnostics);
}

/// Checks a patch's shape and parses its operations; `locate` places a pointer inside the
/// patch (`""` the patch, `/json/2` its third operation).
fn check_shape(
    spec: &PatchSpec,
    name: &str,
    locate: &dyn Fn(&str) -> Location,
    out: &mut Vec<LayerPatch>,
    diagnostics: &mut Diagnostics,
) {
    let location = locate("");
    if spec.json.is_some() == spec.merge.is_some() {
        diagnostics.push(MergeError::PatchJsonOrMerge { patch: name.to_string() }.at(location));
        return;
    }
    match LayerPatch::new(spec.clone(), name.to_string(), location.clone()) {
        Ok(mut patch) => {
            patch.writes = patch.identity_writers().into_iter().map(|(field, at)| (field, locate(&at))).collect();
            out.push(patch)
        }
        Err(e) => {
            let at = e.index.map_or(location, |i| locate(&format!("/json/{i}")));
            diagnostics.push(MergeError::PatchOperations { patch: name.to_string(), message: e.message }.at(at));
        }
    }
}
