//! Layers and merge: a repository in memory (an archive of files and symlinks, see
//! `meshedge::source::MemSource`) → the merged environment, or diagnostics that render short.

#![no_main]

use libfuzzer_sys::fuzz_target;
use meshedge::diagnostic::Diagnostics;
use meshedge::source::{MemSource, Tree};
use meshedge::stages::{self, Loader, Merged};
use meshedge_fuzz::check_rendered;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = MemSource::from_archive(text);
    let mut loader = Loader::new(Tree::new(&source));
    let merged = (|| -> Result<Merged, Diagnostics> {
        let (layers, _) = stages::resolve(&mut loader, "environments/prod")?;
        let patch_files = stages::load_patch_files(&mut loader, &layers)?;
        stages::merge(layers, &patch_files)
    })();
    match merged {
        Ok(merged) => {
            let _ = merged.settings_location("/ingress/gateways/public/domain");
            for tenant in merged.tenants.values() {
                for request in tenant.requests.values() {
                    let at = request.location("/spec/ingress/0/host");
                    assert!(at.file.is_empty() || request.sources().contains(&at.file), "{at:?}");
                }
            }
        }
        Err(diagnostics) => {
            for diagnostic in diagnostics.iter() {
                check_rendered(diagnostic, &loader.texts);
            }
        }
    }
});
