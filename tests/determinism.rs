//! Determinism and output safety: identical bytes across builds and file-creation orders, the
//! YAML and JSON forms carrying the same objects, and strings that a YAML 1.1 reader
//! (Kubernetes) would take for booleans, numbers or null written quoted.

mod common;

use meshedge::compiler;
use meshedge::render::Form;
use meshedge::source::FsSource;
use regex::Regex;
use serde_json::Value;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

#[test]
fn two_builds_give_identical_bytes() {
    for env in common::environments() {
        let a = common::build(&common::repo_root(), &env).stream();
        let b = common::build(&common::repo_root(), &env).stream();
        assert_eq!(a, b, "{env}");
    }
}

#[test]
fn file_creation_order_does_not_matter() {
    let dir = tempfile::tempdir().unwrap();
    for part in ["base", "environments"] {
        common::copy_tree_reversed(&common::repo_root().join(part), &dir.path().join(part));
    }
    for env in common::environments() {
        let original = common::build(&common::repo_root(), &env);
        let copy = common::build(dir.path(), &env);
        assert_eq!(original.stream(), copy.stream(), "{env}");
    }
}

#[test]
fn yaml_and_json_carry_the_same_objects() {
    for env in common::environments() {
        let options = compiler::Options { form: Form::Json, ..Default::default() };
        let json =
            compiler::compile_with(&FsSource::new(common::repo_root()), &format!("environments/{env}"), &options)
                .unwrap_or_else(|failed| panic!("{}", failed.render()));
        let list: Value = serde_json::from_str(&json.stream()).unwrap();
        assert_eq!(list["kind"], "List");
        let yaml = common::build(&common::repo_root(), &env).stream();
        let from_yaml: Vec<Value> = serde_norway::Deserializer::from_str(&yaml)
            .map(|doc| serde_norway::from_value::<Value>(serde_norway::Value::deserialize(doc).unwrap()).unwrap())
            .collect();
        assert_eq!(list["items"].as_array().unwrap(), &from_yaml, "{env}");
    }
}

use serde::Deserialize;

/// Plain scalars of a YAML text, with their lines.
struct Plain(Vec<(String, usize)>);

impl MarkedEventReceiver for Plain {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if let Event::Scalar(text, TScalarStyle::Plain, _, _) = event {
            self.0.push((text, mark.line()));
        }
    }
}

/// What YAML 1.1 (and Go's yaml.v2, which Kubernetes uses) resolves to a non-string.
fn yaml11_non_string() -> Regex {
    Regex::new(concat!(
        r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
        r"|~|null|Null|NULL|<<|=",
        r"|[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+",
        r"|[-+]?(?:[0-9][0-9_]*)?\.[0-9.]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*",
        r"|[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)$"
    ))
    .unwrap()
}

#[test]
fn no_string_reads_as_something_else_under_yaml_1_1() {
    let dir = tempfile::tempdir().unwrap();
    for part in ["base", "environments"] {
        common::copy_tree_reversed(&common::repo_root().join(part), &dir.path().join(part));
    }
    // A tenant and namespace named `no` (allowed by the platform), and values that YAML 1.1
    // would turn into other types.
    let base = dir.path().join("base/meshedge.yaml");
    let text = std::fs::read_to_string(&base).unwrap().replace("allowedNamespaces: [", "allowedNamespaces: [\"no\", ");
    std::fs::write(&base, text).unwrap();
    let tenant = dir.path().join("base/tenants/no");
    std::fs::create_dir_all(&tenant).unwrap();
    std::fs::write(
        tenant.join("tenant.yaml"),
        "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata: {name: \"no\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("base/resources/tricky.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tricky, namespace: \"no\"}\n\
         data: {a: \"no\", b: \"on\", c: \"yes\", d: \"0777\", e: \"1e3\", f: \"~\", g: \"12:30\", h: \"y\", i: \"0x1F\"}\n",
    )
    .unwrap();
    let pattern = yaml11_non_string();
    // Numbers and booleans meshedge writes on purpose (ports, replicas, flags) are plain; every
    // other plain scalar must stay a string under YAML 1.1.
    let typed = Regex::new(r"^(?:true|false|null|[0-9]+)$").unwrap();
    for env in common::environments() {
        let build = common::build(dir.path(), &env);
        let yaml = build.stream();
        let mut plain = Plain(Vec::new());
        Parser::new_from_str(&yaml).load(&mut plain, true).unwrap();
        let suspicious: Vec<&(String, usize)> =
            plain.0.iter().filter(|(s, _)| pattern.is_match(s) && !typed.is_match(s)).collect();
        assert!(suspicious.is_empty(), "{env}: plain scalars a YAML 1.1 reader misreads: {suspicious:?}");
        let docs: Vec<Value> = serde_norway::Deserializer::from_str(&yaml)
            .map(|d| serde_norway::from_value(serde_norway::Value::deserialize(d).unwrap()).unwrap())
            .collect();
        let tricky = docs.iter().find(|d| d["metadata"]["name"] == "tricky").unwrap();
        for (key, value) in [("a", "no"), ("b", "on"), ("d", "0777"), ("e", "1e3"), ("f", "~"), ("g", "12:30")] {
            assert_eq!(tricky["data"][key], value, "{env}");
            assert!(yaml.contains(&format!("  {key}: \"{value}\"\n")), "{env}: `{value}` must be quoted");
        }
        let generated_in_no =
            docs.iter().filter(|d| d["metadata"]["namespace"] == "no" && d["kind"] == "NetworkPolicy").count();
        assert!(generated_in_no > 0, "{env}: tenant `no` gets its namespace's objects");
        assert!(yaml.contains("  namespace: \"no\"\n"), "{env}: namespace `no` is quoted");
    }
}
