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

/// Platform facts live in `src/platform/` only (docs/architecture.md, "A platform fact"): no
/// other module matches on the mesh flavor or writes an API version or a release number. Found
/// by a scan of the sources without comments and tests: a `Flavor::` variant, and a string
/// literal that is an API version (`v1`, `apps/v1`, `…/v1beta1/…`) or a release (`1.22`, `v2.5`).
/// meshedge's own input API (`meshedge.io/…`) is not a platform fact.
fn platform_facts_outside_platform() -> Vec<String> {
    platform_facts_in(modules())
}

/// The scan of [`platform_facts_outside_platform`] over `(module, code)` pairs.
fn platform_facts_in(modules: BTreeMap<String, String>) -> Vec<String> {
    let flavor = Regex::new(r"\b(?:Mesh)?Flavor::[A-Z][A-Za-z0-9]*").unwrap();
    let literal = Regex::new(r#""((?:[^"\\\n]|\\.)*)""#).unwrap();
    let api = Regex::new(r"(?:^|[/{}])v[0-9]+(?:(?:alpha|beta)[0-9]+)?(?:$|/)").unwrap();
    let release = Regex::new(r"^v?[0-9]+\.[0-9]+(?:\.[0-9]+)?$").unwrap();
    let test_module = Regex::new(r"(?m)^#\[cfg\(test\)\]\n(?:pub(?:\([a-z]+\))? )?mod ").unwrap();
    let mut found = Vec::new();
    for (module, code) in modules {
        if module == "platform" || module.starts_with("platform::") {
            continue;
        }
        let code = test_module.split(&code).next().unwrap_or_default();
        for m in flavor.find_iter(code) {
            found.push(format!("{module}: {}", m.as_str()));
        }
        for c in literal.captures_iter(code) {
            let text = &c[1];
            if text.starts_with("meshedge.io/") {
                continue;
            }
            if api.is_match(text) || release.is_match(text) {
                found.push(format!("{module}: \"{text}\""));
            }
        }
    }
    found
}

#[test]
fn no_flavor_match_or_version_literal_outside_the_platform_model() {
    let allowed = BTreeSet::from([
        // Not platform facts: the SARIF format's version and meshedge's own finding schema.
        "report::sarif: \"2.1.0\"",
        "report::sarif: \"meshedgeFinding/v1\"",
        // Examples in the help of a malformed release; the supported ranges are the platform's.
        "values::release: \"1.31\"",
        "values::release: \"4.16\"",
        // The input schema's default for `mesh.controlPlane.version`, a schemars attribute (input
        // cannot use platform, which uses input); held to `platform::DEFAULT_CONTROL_PLANE_VERSION`
        // by `the_schema_default_control_plane_version_is_the_platform_default` (src/platform/mod.rs).
        "input::mesh: \"v2.5\"",
    ]);
    let found: BTreeSet<String> = platform_facts_outside_platform().into_iter().collect();
    let new: Vec<&String> = found.iter().filter(|f| !allowed.contains(f.as_str())).collect();
    assert!(new.is_empty(), "platform facts outside src/platform (ask `platform::Target`): {new:#?}");
}

#[test]
fn the_platform_fact_scan_finds_a_flavor_match_and_version_literals() {
    // The scan reads the sources as the test above does: an allowed literal must be found there,
    // and planted lines in any module but the platform's.
    let found = platform_facts_outside_platform();
    assert!(found.iter().any(|f| f == "input::mesh: \"v2.5\""), "{found:#?}");
    let planted = |module: &str| {
        let code = r#"if ctx.flavor == MeshFlavor::Ossm2 && plan.flavor != Flavor::Istio {
    json!({"apiVersion": "v1", "kind": "Service"});
    policy("networking.k8s.io/v1", "apps/v1", "security.istio.io/v1beta1", "1.22", "v2.5", "meshedge.io/v1");
}
#[cfg(test)]
mod tests {
    const IN_TESTS: &str = "v1";
}"#;
        platform_facts_in(BTreeMap::from([(module.to_string(), code.to_string())]))
    };
    let found = planted("flows::index");
    let expected: Vec<String> = [
        "MeshFlavor::Ossm2",
        "Flavor::Istio",
        "\"v1\"",
        "\"networking.k8s.io/v1\"",
        "\"apps/v1\"",
        "\"security.istio.io/v1beta1\"",
        "\"1.22\"",
        "\"v2.5\"",
    ]
    .iter()
    .map(|f| format!("flows::index: {f}"))
    .collect();
    assert_eq!(found, expected);
    assert!(planted("platform::ossm").is_empty());
}
