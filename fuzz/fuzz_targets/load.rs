//! Loading: any text → documents, or a located error that renders short. A document read again
//! from its text has the same value; every place asked for is in the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use meshedge::diagnostic::SourceText;
use meshedge::stages::{self as load, Document, EdgeRequestDoc, LayerDoc, TenantDoc};
use meshedge_fuzz::{check_rendered, pointers};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = "tenants/shop/input.yaml";
    let mut files = SourceText::default();
    files.insert(file, load::strip_bom(text));
    // Lines as YAML counts them: a carriage return alone breaks one too.
    let lines = text.matches('\n').count() + text.matches('\r').count() + 2;
    let docs = match load::parse(file, text) {
        Ok(docs) => docs,
        Err(diagnostic) => return check_rendered(&diagnostic, &files),
    };
    let all: Vec<&Document> = docs.iter().collect();
    for (doc, again) in docs.iter().zip(load::reload_all(&all)) {
        assert_eq!(doc.value, again, "a document read again has the same value");
        for pointer in pointers(&doc.value, 200).iter().chain([&"/nowhere/0".to_string()]) {
            let at = doc.location(pointer);
            assert_eq!(at.file, file);
            assert!(at.line.is_none_or(|line| line >= 1 && line <= lines), "{pointer}: {at:?}");
            assert!(at.column.is_none_or(|column| column >= 1), "{pointer}: {at:?}");
            let _ = doc.writes(pointer);
        }
        for typed in
            [doc.typed::<LayerDoc>("").err(), doc.typed::<TenantDoc>("").err(), doc.typed::<EdgeRequestDoc>("").err()]
                .into_iter()
                .flatten()
        {
            check_rendered(&typed, &files);
        }
    }
});
