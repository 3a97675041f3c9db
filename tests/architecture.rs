//! The house plan, checked on the sources: the modules of the library import each other in one
//! direction only (no cycle, each file a module), stages point one way, and the library never
//! reaches into the command line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

/// Every module of the library: its path (`validate::ingress`) → its source without comments
/// and without its tests.
fn modules() -> BTreeMap<String, String> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        let relative = path.strip_prefix(&src).unwrap();
        let binary = ["main.rs", "cli", "commands"].iter().any(|b| relative.starts_with(b));
        if path.extension().is_none_or(|e| e != "rs") || binary || entry.file_name() == "tests.rs" {
            continue;
        }
        let Some(module) = module_of(relative) else { continue };
        let text = std::fs::read_to_string(path).unwrap();
        let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
        let code: String =
            text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
        out.insert(module, code);
    }
    out
}

/// `validate/ingress.rs` → `validate::ingress`; `validate/mod.rs` → `validate`; `lib.rs`: none.
fn module_of(relative: &Path) -> Option<String> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop()?;
    match last.strip_suffix(".rs")? {
        "lib" => return None,
        "mod" => {}
        name => parts.push(name.to_string()),
    }
    Some(parts.join("::"))
}

/// The modules each module uses: through `crate::` and `super::` module paths, and a parent's
/// uses of the children it declares. A child's use of its parent's own items (`super::Type`,
/// `super::{…}`) is not an edge: parent and children are one unit (docs/architecture.md).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let known: BTreeSet<&str> = modules.keys().map(String::as_str).collect();
    let path = Regex::new(r"\b(crate|super)((?:::[a-z_][a-z0-9_]*)+)").unwrap();
    let declared = Regex::new(r"(?m)^\s*(?:pub(?:\([a-z]+\))?\s+)?mod ([a-z_][a-z0-9_]*);").unwrap();
    let child_use = Regex::new(r"\b([a-z_][a-z0-9_]*)::").unwrap();
    let resolve = |segments: Vec<&str>| {
        (1..=segments.len()).rev().map(|n| segments[..n].join("::")).find(|m| known.contains(m.as_str()))
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &modules {
        let is_mod_rs = true; // a module's children are `module::child` whichever file holds it
        let mut uses = BTreeSet::new();
        for found in path.captures_iter(code) {
            let rest: Vec<&str> = found[2].split("::").filter(|s| !s.is_empty()).collect();
            let mut segments: Vec<&str> = Vec::new();
            if &found[1] == "super" {
                segments.extend(module.split("::"));
                segments.pop();
            }
            segments.extend(rest);
            if let Some(target) = resolve(segments) {
                uses.insert(target);
            }
        }
        if is_mod_rs {
            let children: BTreeSet<&str> = declared.captures_iter(code).map(|c| c.get(1).unwrap().as_str()).collect();
            for found in child_use.captures_iter(code) {
                if children.contains(&found[1]) {
                    uses.insert(format!("{module}::{}", &found[1]));
                }
            }
        }
        uses.remove(module);
        out.insert(module.clone(), uses);
    }
    out
}

/// The cycles of a graph: its strongly connected components of more than one module.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Kosaraju: finish order on the graph, then components on the reversed graph.
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    for start in graph.keys() {
        if seen.contains(start) {
            continue;
        }
        let mut stack = vec![(start.clone(), false)];
        while let Some((node, done)) = stack.pop() {
            if done {
                order.push(node);
                continue;
            }
            if !seen.insert(node.clone()) {
                continue;
            }
            stack.push((node.clone(), true));
            for next in graph.get(&node).into_iter().flatten() {
                if !seen.contains(next) {
                    stack.push((next.clone(), false));
                }
            }
        }
    }
    let mut reversed: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, tos) in graph {
        for to in tos {
            reversed.entry(to.as_str()).or_default().push(from.as_str());
        }
    }
    let mut assigned = BTreeSet::new();
    let mut out = Vec::new();
    for node in order.iter().rev() {
        if assigned.contains(node.as_str()) {
            continue;
        }
        let mut component = Vec::new();
        let mut stack = vec![node.as_str()];
        while let Some(n) = stack.pop() {
            if !assigned.insert(n) {
                continue;
            }
            component.push(n.to_string());
            stack.extend(reversed.get(n).into_iter().flatten().copied().filter(|m| !assigned.contains(m)));
        }
        if component.len() > 1 {
            component.sort();
            out.push(component);
        }
    }
    out
}

#[test]
fn no_module_imports_another_that_imports_it_back() {
    let graph = graph();
    assert!(graph.len() > 40, "{} modules", graph.len());
    let found = cycles(&graph);
    assert!(found.is_empty(), "modules that import each other, directly or around: {found:#?}");
}

#[test]
fn the_cycle_check_finds_cycles() {
    let edges = |list: &[(&str, &str)]| {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in list {
            graph.entry(a.to_string()).or_default().insert(b.to_string());
            graph.entry(b.to_string()).or_default();
        }
        graph
    };
    assert_eq!(cycles(&edges(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])), [["a", "b", "c"]]);
    assert!(cycles(&edges(&[("a", "b"), ("b", "c"), ("a", "c")])).is_empty());
}

#[test]
fn stages_point_one_way() {
    let graph = graph();
    let uses = |from: &str, to: &str| {
        graph.iter().any(|(m, targets)| {
            (m == from || m.starts_with(&format!("{from}::")))
                && targets.iter().any(|t| t == to || t.starts_with(&format!("{to}::")))
        })
    };
    for (from, to) in [
        ("validate", "generate"),
        ("generate::workload", "generate::ingress"),
        ("merge", "patch"),
        ("patch", "merge"),
        ("render", "resource::Object"),
        ("resource", "render"),
        ("layers", "diff"),
        ("load", "layers"),
    ] {
        assert!(!uses(from, to), "{from} uses {to}");
    }
    // The library never reaches into the command line, which is the binary's.
    for (module, code) in modules() {
        assert!(!code.contains("crate::cli") && !code.contains("crate::commands"), "{module} uses the command line");
    }
}

#[test]
fn no_clippy_allowance_for_long_parameter_lists() {
    for (module, code) in modules() {
        assert!(!code.contains("too_many_arguments"), "{module} allows too many arguments");
    }
}
