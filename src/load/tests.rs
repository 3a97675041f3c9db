//! Tests of loading.

use std::sync::Arc;

use serde_json::Value;
use yaml_rust2::scanner::TScalarStyle;

use crate::diagnostic::Explain;
use crate::load::scalars::scalar;
use crate::load::*;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Route {
    path: String,
    service: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Spec {
    routes: Vec<Route>,
}

#[test]
fn a_released_value_is_read_again_from_the_text() {
    let text = "a: 1\n---\nkind: EdgeRequest\nspec:\n  hosts: [x, y]\n";
    let mut docs = parse("t.yaml", text).unwrap();
    let original = docs[1].value.clone();
    docs[1].release_value();
    assert_eq!(docs[1].value, Value::Null);
    assert_eq!(docs[1].reload(), original);
    assert!(docs[1].writes("/spec/hosts/1") && !docs[1].writes("/spec/hosts/2"));
    assert_eq!(docs[1].location("/spec/hosts").to_string(), "t.yaml:5:3");
}

#[test]
fn plain_scalars_resolve_as_yaml_1_2_core() {
    let plain = |text: &str| scalar(text.to_string(), TScalarStyle::Plain, None).unwrap();
    for (text, expected) in [
        ("web", Value::String("web".into())),
        ("Off", Value::String("Off".into())),
        ("yes", Value::String("yes".into())),
        ("inf", Value::String("inf".into())),
        ("e5", Value::String("e5".into())),
        ("null", Value::Null),
        ("~", Value::Null),
        ("True", Value::Bool(true)),
        ("false", Value::Bool(false)),
        ("nothing", Value::String("nothing".into())),
        ("8080", Value::Number(8080.into())),
        ("0x1F", Value::Number(31.into())),
    ] {
        assert_eq!(plain(text), expected, "{text}");
    }
    assert_eq!(plain("1e3").as_f64(), Some(1000.0));
    assert_eq!(scalar("8080".into(), TScalarStyle::DoubleQuoted, None), Ok(Value::String("8080".into())));
}

#[test]
fn values_follow_yaml_1_2_and_keep_places() {
    let docs = parse("f.yaml", "a: no\nb: on\nc: 0777\nd: [1, x]\n---\n---\ne: {f: ~}\n").unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].value["a"], "no");
    assert_eq!(docs[0].value["b"], "on");
    assert_eq!(docs[0].value["c"], 777);
    assert_eq!(docs[0].location("/d/1").to_string(), "f.yaml:4:8");
    assert_eq!(docs[1].index, 2);
    assert_eq!(docs[1].location("/e/f").to_string(), "f.yaml:7:5");
    let items = parse("m.yaml", "items:\n  - name: a\n    value: 1\n").unwrap();
    assert_eq!(items[0].location("/items/0").to_string(), "m.yaml:2:5", "a block mapping starts at its first key");
    assert!(docs[1].value["e"]["f"].is_null());
}

#[test]
fn places_fall_back_to_the_nearest_written_ancestor() {
    let docs = parse("p.yaml", "a:\n  b/c: [x, {d: 1}]\n  \"~e\": 2\n").unwrap();
    let doc = &docs[0];
    assert_eq!(doc.location("/a/b~1c/1/d").to_string(), "p.yaml:2:13");
    assert_eq!(doc.location("/a/b~1c/1").to_string(), "p.yaml:2:12");
    assert_eq!(doc.location("/a/~0e").to_string(), "p.yaml:3:3");
    assert!(doc.writes("/a/b~1c/0") && !doc.writes("/a/b~1c/01") && !doc.writes("/a/b~1c/2"));
    assert_eq!(doc.location("/a/b~1c/7/z").to_string(), "p.yaml:2:3", "the nearest written ancestor");
    assert_eq!(doc.location("/nothing").to_string(), "p.yaml:1:1");
    assert_eq!(doc.location("").to_string(), "p.yaml:1:1");
}

#[test]
fn unknown_field_points_at_the_key_with_a_suggestion() {
    let docs = parse("r.yaml", "routes:\n  - path: /\n    servce: web\n").unwrap();
    let err = docs[0].typed::<Spec>("").unwrap_err();
    assert_eq!(err.code, "E102");
    assert_eq!(err.location.as_ref().unwrap().to_string(), "r.yaml:3:5");
    assert!(err.help.as_deref().unwrap().contains("did you mean `service`?"), "{err:?}");
}

#[test]
fn a_long_unknown_field_is_quoted_short() {
    // Implicit keys are at most 1024 characters (YAML).
    let long = "k".repeat(1000);
    let docs = parse("r.yaml", &format!("routes:\n  - path: /\n    {long}: web\n")).unwrap();
    let err = docs[0].typed::<Spec>("").unwrap_err();
    assert_eq!(err.code, "E102");
    assert!(err.message.len() + err.help.as_deref().unwrap().len() < 600, "{err:?}");
    assert!(err.message.contains('…'), "{}", err.message);
}

#[test]
fn missing_field_and_malformed_yaml_are_located() {
    let docs = parse("r.yaml", "routes:\n  - path: /\n").unwrap();
    let err = docs[0].typed::<Spec>("").unwrap_err();
    assert_eq!(err.code, "E104");
    assert!(err.message.contains("missing field `service`"), "{}", err.message);
    let err = parse("bad.yaml", "a: [1, 2\nb: c\n").unwrap_err();
    assert_eq!(err.code, "E101");
    assert_eq!(err.location.unwrap().file, "bad.yaml");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for text in [
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("{}x\n", "- ".repeat(100_000)),
        (0..10_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect(),
    ] {
        let err = parse("deep.yaml", &text).unwrap_err();
        assert_eq!(err.code, "E114", "{err:?}");
        assert!(err.message.contains("nesting deeper than 128 levels"), "{}", err.message);
    }
    let at_limit = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(parse("ok.yaml", &at_limit).is_ok());
}

#[test]
fn aliases_are_bounded_in_bytes() {
    // Nodes: ten to the eighth power of them.
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (i, name) in ["b", "c", "d", "e", "f", "g", "h"].iter().enumerate() {
        let prev = ["a", "b", "c", "d", "e", "f", "g"][i];
        bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    assert_eq!(parse("bomb.yaml", &bomb).unwrap_err().code, "E114");
    // Bytes: one large string, few aliases.
    let big = "x".repeat(100_000);
    let uses = "  - *s\n".repeat(40);
    let err = parse("alias.yaml", &format!("big: &s \"{big}\"\nmore:\n{uses}")).unwrap_err();
    assert_eq!(err.code, "E114");
    assert!(err.message.contains("16 times"), "{}", err.message);
    assert_eq!(err.location.unwrap().line, Some(2 + 17), "the first alias over the budget");
    // A few uses are fine.
    let docs = parse("alias.yaml", &format!("big: &s \"{big}\"\nmore:\n{}", "  - *s\n".repeat(3))).unwrap();
    assert_eq!(docs[0].value["more"][2], Value::String(big));
}

#[test]
fn anchors_copy_nothing_until_an_alias_uses_them() {
    // Nested anchors around one string, used once each at the end: each alias finds its
    // value where the anchor left it, in open or complete mappings.
    let text =
        "outer: &o\n  mid: &m\n    leaf: &l {v: 1}\n    after: *l\n  again: *m\ncopy: *o\nlist: [&i [1, 2], *i]\n";
    let docs = parse("n.yaml", text).unwrap();
    let value = &docs[0].value;
    assert_eq!(value["outer"]["mid"]["after"], serde_json::json!({"v": 1}));
    assert_eq!(value["outer"]["again"], serde_json::json!({"leaf": {"v": 1}, "after": {"v": 1}}));
    assert_eq!(value["copy"], value["outer"]);
    assert_eq!(value["list"], serde_json::json!([[1, 2], [1, 2]]));
    // A mapping anchored under an anchored key, and an anchored scalar key.
    let docs = parse("k.yaml", "&k key: &v {a: 1}\nother: *v\n*k : 2\n").unwrap_err();
    assert_eq!(docs.code, "E101", "`key` twice: {docs:?}");
    let docs = parse("k.yaml", "&k key: &v {a: 1}\nother: [*k, *v]\n").unwrap();
    assert_eq!(docs[0].value["other"], serde_json::json!(["key", {"a": 1}]));
}

#[test]
fn aliases_stay_inside_their_node_and_document() {
    let err = parse("r.yaml", "a: &a [1, *a]\n").unwrap_err();
    assert_eq!(err.code, "E101");
    assert!(err.message.contains("contains it"), "{}", err.message);
    let err = parse("r.yaml", "a: &a 1\n---\nb: *a\n").unwrap_err();
    assert_eq!(err.code, "E101");
    assert!(err.message.contains("another document"), "{}", err.message);
    assert_eq!(err.location.unwrap().line, Some(3));
}

#[test]
fn duplicate_keys_and_aliases() {
    assert!(parse("d.yaml", "a: 1\na: 2\n").is_err());
    let docs = parse("a.yaml", "x: &v {k: 1}\ny: *v\n").unwrap();
    assert_eq!(docs[0].value["y"]["k"], 1);
    let docs = parse("j.json", "{\"a\": [true, null, 1.5]}").unwrap();
    assert_eq!(docs[0].value["a"][2], 1.5);
}

#[test]
fn core_tags_are_honoured_and_others_refused() {
    let docs = parse(
        "t.yaml",
        "s: !!str 12\ni: !!int \"12\"\nf: !!float 1\nb: !!bool \"true\"\nn: !!null ''\nm: !!map {a: 1}\nq: !!seq [1]\nx: ! 12\nv: !<tag:yaml.org,2002:str> 3\n",
    )
    .unwrap();
    assert_eq!(
        docs[0].value,
        serde_json::json!({"s": "12", "i": 12, "f": 1.0, "b": true, "n": null, "m": {"a": 1}, "q": [1], "x": "12", "v": "3"})
    );
    for (text, shown) in [
        ("a: !Ref x\n", "unsupported YAML tag `!Ref`"),
        ("a: !!binary aGk=\n", "unsupported YAML tag `!!binary`"),
        ("a: !!python/object x\n", "unsupported YAML tag `!!python/object`"),
        ("a: !!timestamp 2001-12-14\n", "unsupported YAML tag `!!timestamp`"),
        ("a: !GetAtt {b: c}\n", "unsupported YAML tag `!GetAtt` on a mapping"),
        ("a: !!set {b: c}\n", "unsupported YAML tag `!!set` on a mapping"),
        ("a: !!map [b]\n", "unsupported YAML tag `!!map` on a sequence"),
        ("a: !!str [b]\n", "unsupported YAML tag `!!str` on a sequence"),
        ("a: !!int x\n", "`x` is not an integer"),
        ("a: !!int 1.5\n", "`1.5` is not an integer"),
        ("a: !!float .inf\n", "`.inf` is not a finite number"),
        ("a: !!bool yes\n", "`yes` is not a boolean"),
        ("a: !!null 0\n", "`0` is not null"),
        ("%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n", "unsupported YAML tag `!<tag:example.com,2000:x>`"),
    ] {
        let err = parse("t.yaml", text).unwrap_err();
        assert_eq!(err.code, "E115", "{text}");
        assert!(err.message.contains(shown), "{text}: {}", err.message);
        assert_eq!(err.location.unwrap().column.map(|c| c > 1), Some(true), "{text}");
    }
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let docs = parse("b.yaml", "\u{feff}a: 1\nb: x\n").unwrap();
    assert_eq!(docs[0].value, serde_json::json!({"a": 1, "b": "x"}));
    assert_eq!(docs[0].location("/a").to_string(), "b.yaml:1:1");
    assert_eq!(without_bom("\u{feff}x".to_string()), "x");
}

#[test]
fn surrogate_pairs_read_as_one_character() {
    let text = "{\"a\": \"hi \\ud83d\\ude00 and \\uD83D\\uDE03\", \"b\": \"\\\\ud83d\\\\ude00\", \"c\": 1, \"d\": x}";
    let docs = parse("s.json", text).unwrap();
    assert_eq!(docs[0].value["a"], "hi \u{1F600} and \u{1F603}");
    assert_eq!(docs[0].value["b"], "\\ud83d\\ude00", "escaped backslashes are not escapes");
    // Places after a rewritten pair are in the original text's columns.
    let column = text.find("\"c\"").unwrap() + 1;
    assert_eq!(docs[0].location("/c").to_string(), format!("s.json:1:{column}"));
    // Outside double quotes, a `\u` is text.
    let docs = parse("s.yaml", "a: \\ud83d\\ude00\nb: '\\ud83d'\nc: |\n  \"\\ud83d\"\n# \"\\ud83d\"\n").unwrap();
    assert_eq!(docs[0].value["a"], "\\ud83d\\ude00");
    assert_eq!(docs[0].value["b"], "\\ud83d");
    assert_eq!(docs[0].value["c"], "\"\\ud83d\"\n");
    // A lone or reversed surrogate is a located error.
    for text in ["{\"a\": \"\\ud83d\"}", "{\"a\": \"\\ude00\\ud83d\"}", "{\"a\": \"x\\ud83dy\"}"] {
        let err = parse("s.json", text).unwrap_err();
        assert_eq!(err.code, "E101", "{text}");
        assert_eq!(err.location.unwrap().line, Some(1), "{text}");
    }
}

#[test]
fn lines_break_at_carriage_returns_as_yaml_says() {
    // Found by fuzzing: a diagnostic quoted another line than the one it named.
    let text = "a: 1\rb: \"\\ud83d\\ude00\"\r\nc: [x, {d: 1}]\rbogus: 2\n";
    let docs = parse("cr.yaml", text).unwrap();
    assert_eq!(docs[0].value["b"], "\u{1F600}");
    assert_eq!(docs[0].location("/c/1/d").to_string(), "cr.yaml:3:9");
    let mut files = crate::diagnostic::SourceText::default();
    files.insert("cr.yaml", text);
    let shown = LoadError::KeyNotScalar.at(docs[0].location("/bogus")).render(&files);
    assert!(shown.contains("4 | bogus: 2\n  | ^\n"), "{shown}");
    let shown = LoadError::KeyNotScalar.at(docs[0].location("/c/1/d")).render(&files);
    assert!(shown.contains("3 | c: [x, {d: 1}]\n  |         ^\n"), "{shown}");
}

#[test]
fn many_documents_are_located_by_one_parse() {
    let text: String = (0..2000).map(|i| format!("---\nname: r{i}\nspce: {{}}\n")).collect();
    let docs = parse("many.yaml", &text).unwrap();
    assert_eq!(docs.len(), 2000);
    for (i, doc) in docs.iter().enumerate() {
        assert_eq!(doc.location("/spce").line, Some(3 * i + 3));
    }
    assert!(Arc::ptr_eq(&docs[0].shared, &docs[1999].shared));
    let picked = reload_all(&[&docs[1999], &docs[3], &docs[1999]]);
    assert_eq!(picked[0]["name"], "r1999");
    assert_eq!(picked[1]["name"], "r3");
    assert_eq!(picked[2], picked[0]);
}

/// Line and column of the error a document nested `depth` levels gets.
fn too_deep_at(text: &str) -> (Option<usize>, Option<usize>) {
    let err = parse("deep.yaml", text).unwrap_err();
    assert_eq!(err.code, "E114", "{err:?}");
    let location = err.location.expect("a location");
    (location.line, location.column)
}

#[test]
fn deep_nesting_points_at_the_collection_that_crosses_the_limit() {
    // The refused collection is level MAX_DEPTH + 1, however deep the document goes on.
    let over = MAX_DEPTH + 1;
    for depth in [over, 200, 254, 255, 256, 257, 300, 1000, 100_000] {
        // `[` per level: the refused `[` is character `over` of the line.
        let flow = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(too_deep_at(&flow), (Some(1), Some(over)), "[ × {depth}");
        // `- ` per level on one line: the refused sequence starts at its `-`.
        let block = format!("{}x\n", "- ".repeat(depth));
        assert_eq!(too_deep_at(&block), (Some(1), Some(2 * MAX_DEPTH + 1)), "- × {depth}");
        // One mapping a line, each indented one more: line `over`, column `over`.
        let map: String = (0..depth.min(2000)).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert_eq!(too_deep_at(&map), (Some(over), Some(over)), "k: × {depth}");
        // Two block mappings, then `[` per level after `  b: `: the refused `[` is the
        // (MAX_DEPTH - 1)th, on line 2.
        let mixed = format!("a:\n  b: {}{}\n", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(too_deep_at(&mixed), (Some(2), Some(5 + MAX_DEPTH - 1)), "a: b: [ × {depth}");
        // Flow mappings: `{a: ` per level, the refused `{` at 4 × MAX_DEPTH + 1.
        let flow_map = format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth));
        assert_eq!(too_deep_at(&flow_map), (Some(1), Some(4 * MAX_DEPTH + 1)), "{{a: × {depth}");
    }
}
