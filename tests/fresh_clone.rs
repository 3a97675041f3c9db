//! The test suite needs nothing outside the repository: no source file reaches beside the checkout,
//! every file under `data/` is listed in the `SOURCES.md` of its directory (upstream repository,
//! path, commit, licence) and every listed file is there, and the vendored schemas hold only what
//! validation reads (no `description` keywords, no OpenAPI `paths`).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// Every file under `dir`, recursively, skipping build output and hidden directories.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.map(|e| e.expect("readable directory entry")) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().expect("file type").is_dir() {
            if name != "target" && !name.starts_with('.') {
                files_under(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

/// The Rust sources, manifests and CI scripts: what builds and runs the tests.
fn sources() -> Vec<PathBuf> {
    let root = common::repo_root();
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "fuzz", ".ci"] {
        files_under(&root.join(dir), &mut files);
    }
    files.extend(["build.rs", "Cargo.toml"].map(|f| root.join(f)).into_iter().filter(|p| p.is_file()));
    // Code and manifests anywhere; every script of `.ci/`. Fuzz corpora and other data stay out.
    let ci = root.join(".ci");
    files.retain(|p| p.starts_with(&ci) || p.extension().is_some_and(|e| e == "rs" || e == "toml" || e == "sh"));
    files.sort();
    assert!(files.len() > 20, "only {} source files found", files.len());
    assert!(files.contains(&ci.join("run")), "the CI script is checked");
    files
}

/// `line` climbs out of the repository: it names the `shared` directory one level above a path
/// (unless as the tail of a deeper relative path, such as a symlink target three levels up inside
/// a temporary repository), or it builds a path from the manifest directory that starts with `..`.
fn reaches_beside_the_checkout(line: &str) -> bool {
    let shared = ["..", "shared"].join("/");
    let up = ["..", ""].join("/");
    let beside = line.match_indices(&shared).any(|(i, _)| !line[..i].ends_with(&up));
    let from_root = ["CARGO_MANIFEST_DIR", "repo_root()"].iter().any(|r| line.contains(r));
    let climbs = [format!("\"{up}"), format!("\"/{up}"), format!("\"{}\"", "..")].iter().any(|s| line.contains(s));
    beside || (from_root && climbs)
}

#[test]
fn no_source_reads_beside_the_checkout() {
    let mut offenders = Vec::new();
    for file in sources() {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        for (n, line) in text.lines().enumerate() {
            if reaches_beside_the_checkout(line) {
                offenders.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "tests must read only what the repository holds (see data/):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_guard_catches_what_it_must() {
    // Built from pieces, so that this file does not trip the guard itself.
    let (shared, dots) = (["..", "shared"].join("/"), "..");
    for bad in [
        format!("let dir = repo_root().join(\"{shared}/schemas\");"),
        format!("PathBuf::from(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{shared}/schemas\"))"),
        format!("    .join(\"{shared}/conformance/json-patch-tests\")"),
        format!("Path::new(env!(\"CARGO_MANIFEST_DIR\")).join(\"{dots}/elsewhere\")"),
        format!("common::repo_root().join(\"{dots}\")"),
    ] {
        assert!(reaches_beside_the_checkout(&bad), "{bad}");
    }
    for fine in [
        format!("std::os::unix::fs::symlink(\"../../../{shared}/news.yaml\", &link).unwrap();"),
        "repo_root().join(\"data/schemas\")".to_string(),
        "write(root, \"a/meshedge.yaml\", &layer(\"Layer\", \"a\", &[\"../b\"]));".to_string(),
    ] {
        assert!(!reaches_beside_the_checkout(&fine), "{fine}");
    }
}

/// The file names in the first column of the tables of a `SOURCES.md`.
fn listed(sources_md: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(sources_md).expect("SOURCES.md reads");
    let mut names = BTreeSet::new();
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let name = line[3..].split('`').next().unwrap_or_default();
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert!(
            cells
                .iter()
                .any(|c| c.split_whitespace().any(|w| w.len() == 40 && w.chars().all(|ch| ch.is_ascii_hexdigit()))),
            "{}: {name}: no upstream commit",
            sources_md.display()
        );
        assert!(cells.iter().any(|c| c.contains("Apache-2.0")), "{}: {name}: no licence", sources_md.display());
        assert!(names.insert(name.to_string()), "{}: {name} listed twice", sources_md.display());
    }
    names
}

#[test]
fn every_vendored_file_is_listed_in_its_sources_and_every_listed_file_is_there() {
    let data = common::repo_root().join("data");
    let mut files = Vec::new();
    files_under(&data, &mut files);
    let indexes: Vec<&PathBuf> = files.iter().filter(|f| f.file_name().is_some_and(|n| n == "SOURCES.md")).collect();
    assert!(indexes.len() >= 3, "schemas, conformance and licences each have a SOURCES.md");
    let mut unlisted = Vec::new();
    for file in files.iter().filter(|f| !indexes.contains(f)) {
        // The nearest SOURCES.md above the file, inside data/.
        let index = file
            .ancestors()
            .skip(1)
            .take_while(|d| d.starts_with(&data))
            .map(|d| d.join("SOURCES.md"))
            .find(|s| s.is_file());
        let Some(index) = index else {
            unlisted.push(format!("{}: no SOURCES.md above it", file.display()));
            continue;
        };
        let relative = file.strip_prefix(index.parent().unwrap()).unwrap().to_string_lossy().into_owned();
        if !listed(&index).contains(&relative) {
            unlisted.push(format!("{relative}: not listed in {}", index.display()));
        }
    }
    assert!(unlisted.is_empty(), "{}", unlisted.join("\n"));
    for index in indexes {
        let dir = index.parent().unwrap();
        let names = listed(index);
        assert!(!names.is_empty(), "{} lists nothing", index.display());
        for name in names {
            assert!(dir.join(&name).is_file(), "{} lists {name}, which is not there", index.display());
        }
    }
}

/// The `description` keywords of `schema` and of every schema nested in it, by path. A property
/// named `description` is a field (a key of `properties`), not the keyword.
fn descriptions(schema: &Value, at: &str, out: &mut Vec<String>) {
    let Some(object) = schema.as_object() else { return };
    if object.contains_key("description") {
        out.push(at.to_string());
    }
    for (key, value) in object {
        match (key.as_str(), value) {
            ("properties" | "patternProperties", Value::Object(map)) => {
                map.iter().for_each(|(name, sub)| descriptions(sub, &format!("{at}.{name}"), out))
            }
            ("additionalProperties" | "items" | "not", Value::Object(_)) => {
                descriptions(value, &format!("{at}/{key}"), out)
            }
            ("items" | "allOf" | "anyOf" | "oneOf", Value::Array(subs)) => {
                subs.iter().enumerate().for_each(|(i, sub)| descriptions(sub, &format!("{at}/{key}[{i}]"), out))
            }
            _ => {}
        }
    }
}

#[test]
fn vendored_schemas_hold_only_what_validation_reads() {
    let mut files = Vec::new();
    files_under(&common::schemas_dir(), &mut files);
    files.sort();
    let mut found = Vec::new();
    let (mut crds, mut documents) = (0, 0);
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "yaml" || e == "json")) {
        let text = std::fs::read_to_string(file).expect("schema file reads");
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            let doc: Value = serde_json::from_str(&text).expect("JSON schema document");
            assert!(doc.get("paths").is_none(), "{name}: OpenAPI paths are not needed");
            let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).expect("components.schemas");
            schemas.iter().for_each(|(key, s)| descriptions(s, &format!("{name} {key}"), &mut found));
            documents += 1;
        } else {
            for de in serde_norway::Deserializer::from_str(&text) {
                let crd = Value::deserialize(de).expect("YAML CRD");
                for version in crd.pointer("/spec/versions").and_then(Value::as_array).expect("spec.versions") {
                    let schema = version.pointer("/schema/openAPIV3Schema").expect("openAPIV3Schema");
                    descriptions(schema, &format!("{name} {}", version["name"]), &mut found);
                }
                crds += 1;
            }
        }
    }
    assert!(found.is_empty(), "description keywords left in:\n{}", found.join("\n"));
    assert!(crds >= 30 && documents == 5, "{crds} CRDs, {documents} OpenAPI documents");

    // The walk finds a description where there is one, and keeps a field named `description`.
    let probe = serde_json::json!({"properties": {"description": {"type": "string"},
        "spec": {"anyOf": [{"items": {"description": "text"}}]}}});
    let mut in_probe = Vec::new();
    descriptions(&probe, "probe", &mut in_probe);
    assert_eq!(in_probe, ["probe.spec/anyOf[0]/items"]);
}
