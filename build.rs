//! Embeds the vendored schemas (`data/platform/`, `data/schemas/`) in the binary, compressed:
//! one deflate stream of `path\0length\0bytes` records, paths relative to `data/`, sorted.
//! `meshedge check` unpacks it (src/check/bundle.rs).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let data = manifest.join("data");
    let mut files = Vec::new();
    for dir in ["platform", "schemas"] {
        println!("cargo:rerun-if-changed=data/{dir}");
        walk(&data.join(dir), &mut files);
    }
    files.sort();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("schemas.bundle");
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    for file in &files {
        let bytes = fs::read(file).expect("a vendored schema is readable");
        let relative = file.strip_prefix(&data).expect("under data/").to_string_lossy().replace('\\', "/");
        write!(encoder, "{relative}\0{}\0", bytes.len()).expect("in memory");
        encoder.write_all(&bytes).expect("in memory");
    }
    fs::write(&out, encoder.finish().expect("in memory")).expect("OUT_DIR is writable");
}
