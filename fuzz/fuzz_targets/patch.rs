//! Patches: the first document of the input is an object, the others are patches (as a patch
//! file holds them); applying them gives an object within the bounds, or diagnostics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use meshedge::diagnostic::SourceText;
use meshedge::render;
use meshedge::stages::{self as patch, LayerPatch, PatchSpec, Resource};
use meshedge::stages as load;
use meshedge_fuzz::{check_rendered, depth};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = "patches/input.yaml";
    let Ok(docs) = load::parse(file, text) else { return };
    let mut docs = docs.into_iter();
    let Some(object) = docs.next() else { return };
    let patches: Vec<LayerPatch> = docs
        .filter_map(|doc| {
            let spec = doc.typed::<PatchSpec>("").ok()?;
            LayerPatch::new(spec, format!("{file}#{}", doc.index), doc.location("")).ok()
        })
        .collect();
    let before = object.value.clone();
    let mut resources = vec![Resource::new(object.value, Vec::new(), None)];
    let (applied, diagnostics) = patch::apply(&mut resources, &patches);
    let after = &resources[0].value;
    assert!(depth(after) <= patch::MAX_PATCHED_DEPTH.max(depth(&before)) + 1, "nested past the bound");
    if applied[0].is_empty() {
        assert_eq!(after, &before, "no patch applied, the object is as it was");
    }
    let mut files = SourceText::default();
    files.insert(file, text);
    for diagnostic in diagnostics.iter() {
        check_rendered(diagnostic, &files);
    }
    let _ = render::to_yaml(after);
});
