//! Load and locate: YAML and JSON text → documents that remember where every value was written.
//!
//! Each file is parsed once, event by event, into the generic value form
//! (`serde_json::Value`, the form patches and analyses work on) plus an index from JSON pointer
//! to line and column. Typed reading ([`Document::typed`]) goes through `serde_path_to_error`,
//! so an unknown field, a missing field or a wrong type is reported at the place it was written.
//! Values are read with YAML 1.2 rules: `no`, `on` and `yes` are strings.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};
use yaml_rust2::Yaml;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diagnostic::{Diagnostic, Location};

mod strict;

type Locations = HashMap<String, (usize, usize)>;

/// One YAML document of an input file.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: String,
    /// Position of the document in its file, from 0.
    pub index: usize,
    pub value: Value,
    /// The file's text, to locate values when a diagnostic needs a place.
    text: Arc<str>,
    /// JSON pointer → line and column, built on first use: only diagnostics need it, so a
    /// build without findings never pays for it.
    locations: OnceLock<Locations>,
}

impl Document {
    /// This document parsed again from its file's text, with its places when `track`.
    fn reread(&self, track: bool) -> Option<Built> {
        let mut builder = Builder::new(&self.file, self.text.clone(), track);
        let _ = Parser::new_from_str(&self.text).load(&mut builder, true);
        builder.documents.into_iter().find(|d| d.document.index == self.index)
    }

    fn locations(&self) -> &Locations {
        self.locations.get_or_init(|| self.reread(true).map(|d| d.tracked).unwrap_or_default())
    }

    /// The place of the value at `pointer`, or of its nearest written ancestor.
    pub fn location(&self, pointer: &str) -> Location {
        let mut pointer = pointer;
        let locations = self.locations();
        loop {
            if let Some(&(line, column)) = locations.get(pointer) {
                return Location::at(&self.file, line, column);
            }
            match pointer.rfind('/') {
                Some(i) => pointer = &pointer[..i],
                None => return Location::file(&self.file),
            }
        }
    }

    /// Whether the document writes a value at `pointer`, read from its text (so it also answers
    /// for a document whose value was released).
    pub fn writes(&self, pointer: &str) -> bool {
        self.locations().contains_key(pointer)
    }

    /// Lets the value tree go once its typed form has been taken; [`Document::reload`] reads it
    /// again from the text when it is needed after all.
    pub fn release_value(&mut self) {
        self.value = Value::Null;
    }

    /// The value, read again from the text (for a document whose value was released).
    pub fn reload(&self) -> Value {
        self.reread(false).map(|d| d.document.value).unwrap_or_default()
    }

    pub fn str_at(&self, pointer: &str) -> Option<&str> {
        self.value.pointer(pointer).and_then(Value::as_str)
    }

    /// `apiVersion` and `kind`, when both are strings.
    pub fn api_kind(&self) -> (Option<&str>, Option<&str>) {
        (self.str_at("/apiVersion"), self.str_at("/kind"))
    }

    /// Reads the document (or the value at `pointer`) as `T`; errors point at the offending field.
    pub fn typed<T: DeserializeOwned>(&self, pointer: &str) -> Result<T, Diagnostic> {
        let value = self.value.pointer(pointer).unwrap_or(&Value::Null);
        typed_value(value).map_err(|(path, message)| {
            let full = format!("{pointer}{path}");
            self.type_error(&full, &message)
        })
    }

    fn type_error(&self, pointer: &str, message: &str) -> Diagnostic {
        let shown = if pointer.is_empty() { "the document".to_string() } else { format!("`{}`", dotted(pointer)) };
        let mut diagnostic = Diagnostic::error("E103", format!("{message} (at {shown})"));
        diagnostic = diagnostic.at(self.location(pointer));
        if let Some(unknown) = message.strip_prefix("unknown field `") {
            let name = unknown.split('`').next().unwrap_or_default();
            let expected: Vec<&str> =
                message.split("expected ").nth(1).unwrap_or_default().split('`').skip(1).step_by(2).collect();
            diagnostic.code = "E102";
            let help = match closest(name, &expected) {
                Some(best) => format!("did you mean `{best}`? unknown fields are errors, never ignored"),
                None => format!("remove `{name}`; this document accepts: {}", expected.join(", ")),
            };
            diagnostic = diagnostic.help(help);
        } else if message.starts_with("missing field") {
            diagnostic.code = "E104";
            diagnostic = diagnostic.help("add the field; see docs/reference.md for the document's fields");
        } else if let Some((refused, help)) = crate::values::split_refusal(message) {
            diagnostic.code = "E110";
            diagnostic.message = format!("{refused} (at {shown})");
            diagnostic = diagnostic.help(help);
        } else {
            diagnostic = diagnostic.help("see docs/reference.md for the field's type and values");
        }
        diagnostic
    }
}

/// Deserializes a generic value (a struct only from a mapping: [`strict`]); on failure returns
/// the JSON pointer (relative) and the message. A value refused by its type
/// ([`crate::values`]) carries its help in the message: see [`crate::values::split_refusal`].
pub fn typed_value<T: DeserializeOwned>(value: &Value) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(strict::Strict(value)).map_err(|err| {
        let mut pointer = String::new();
        for segment in err.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                }
                serde_path_to_error::Segment::Map { key } => {
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                }
                serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
            }
        }
        (pointer, err.into_inner().to_string())
    })
}

/// `/spec/ingress/0/host` → `spec.ingress[0].host`
pub fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').skip(1) {
        if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part.replace("~1", "/").replace("~0", "~"));
        }
    }
    out
}

fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(name, c), *c))
        .filter(|(distance, c)| *distance <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

/// Parses every document of a YAML (or JSON) file. Empty documents are dropped.
pub fn parse(file: &str, text: &str) -> Result<Vec<Document>, Diagnostic> {
    let mut builder = Builder::new(file, Arc::from(text), false);
    let mut parser = Parser::new_from_str(text);
    if let Err(err) = parser.load(&mut builder, true) {
        let mark = err.marker();
        return Err(Diagnostic::error("E101", format!("malformed YAML: {}", err.info()))
            .at(Location::at(file, mark.line(), mark.col() + 1))
            .help("fix the YAML syntax at this place (indentation, quotes, a missing `:`)"));
    }
    if let Some(err) = builder.error {
        return Err(err);
    }
    Ok(builder.documents.into_iter().map(|d| d.document).collect())
}

/// A document as built, with the places recorded when tracking.
struct Built {
    document: Document,
    tracked: Locations,
}

/// Deeper documents are refused: no manifest needs them, and later stages recurse.
const MAX_DEPTH: usize = 128;
/// How many values aliases may copy in one file (a guard against alias bombs).
const MAX_ALIAS_NODES: usize = 1_000_000;

fn nodes(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(nodes).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(nodes).sum::<usize>(),
        _ => 1,
    }
}

enum Frame {
    Map { map: Map<String, Value>, key: Option<String>, pointer: String, anchor: usize },
    Seq { items: Vec<Value>, pointer: String, anchor: usize },
}

struct Builder {
    file: String,
    text: Arc<str>,
    /// Whether to record places (only when a diagnostic asks for one).
    track: bool,
    documents: Vec<Built>,
    stack: Vec<Frame>,
    locations: Locations,
    anchors: HashMap<usize, Value>,
    error: Option<Diagnostic>,
    index: usize,
    /// Values copied by aliases so far.
    expanded: usize,
}

impl Builder {
    fn new(file: &str, text: Arc<str>, track: bool) -> Self {
        Builder {
            file: file.to_string(),
            text,
            track,
            documents: Vec::new(),
            stack: Vec::new(),
            locations: HashMap::new(),
            anchors: HashMap::new(),
            error: None,
            index: 0,
            expanded: 0,
        }
    }

    fn fail(&mut self, mark: Marker, message: String, help: &str) {
        if self.error.is_none() {
            self.error = Some(
                Diagnostic::error("E101", message).at(Location::at(&self.file, mark.line(), mark.col() + 1)).help(help),
            );
        }
    }

    /// The pointer the next value will have, or `None` when it is a mapping key. Without
    /// tracking, pointers are not built (`Some("")` stands for any value).
    fn next_pointer(&self) -> Option<String> {
        if !self.track {
            return match self.stack.last() {
                Some(Frame::Map { key: None, .. }) => None,
                _ => Some(String::new()),
            };
        }
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Seq { items, pointer, .. }) => Some(format!("{pointer}/{}", items.len())),
            Some(Frame::Map { key: Some(key), pointer, .. }) => {
                Some(format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")))
            }
            Some(Frame::Map { key: None, .. }) => None,
        }
    }

    /// Starts a sequence or mapping at the place the next value goes.
    fn open(&mut self, mark: Marker, frame: impl FnOnce(String) -> Frame) {
        let Some(pointer) = self.next_pointer() else {
            return self.fail(
                mark,
                "malformed YAML: a mapping key must be a scalar".into(),
                "write the key as a plain string",
            );
        };
        if self.track {
            self.locations.entry(pointer.clone()).or_insert((mark.line(), mark.col() + 1));
        }
        self.stack.push(frame(pointer));
    }

    fn push_value(&mut self, value: Value, mark: Marker) {
        match self.stack.last_mut() {
            None => {
                if !value.is_null() {
                    let document = Document {
                        file: self.file.clone(),
                        index: self.index,
                        value,
                        text: self.text.clone(),
                        locations: OnceLock::new(),
                    };
                    let tracked = std::mem::take(&mut self.locations);
                    self.documents.push(Built { document, tracked });
                }
                self.locations.clear();
                self.index += 1;
            }
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { map, key, .. }) => match key.take() {
                Some(k) => {
                    map.insert(k, value);
                }
                None => {
                    let Value::String(k) = scalar_key(&value) else {
                        self.fail(
                            mark,
                            "malformed YAML: a mapping key must be a scalar".into(),
                            "write the key as a plain string",
                        );
                        return;
                    };
                    if map.contains_key(&k) {
                        self.fail(mark, format!("duplicate key `{k}`"), "remove one of the two entries");
                        return;
                    }
                    // The key's own place is where the entry is reported; a block mapping is
                    // reported where its first key starts (the parser marks the first `:`).
                    if let (true, Some(Frame::Map { pointer, map, .. })) = (self.track, self.stack.last()) {
                        let at = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                        self.locations.insert(at, (mark.line(), mark.col() + 1));
                        if map.is_empty() {
                            let start = self.locations.entry(pointer.clone()).or_insert((mark.line(), mark.col() + 1));
                            if (mark.line(), mark.col() + 1) < *start {
                                *start = (mark.line(), mark.col() + 1);
                            }
                        }
                    }
                    if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                        *key = Some(k);
                    }
                }
            },
        }
    }
}

fn scalar_key(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(s.clone()),
        Value::Null => Value::String(String::new()),
        Value::Bool(_) | Value::Number(_) => Value::String(value.to_string()),
        _ => Value::Null,
    }
}

fn scalar(text: String, style: TScalarStyle, tag: Option<&yaml_rust2::parser::Tag>) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    if let Some(tag) = tag {
        if tag.suffix == "str" || tag.handle == "!" {
            return Value::String(text);
        }
    }
    // A plain scalar that starts with a letter other than those of `null`, `true` and `false` is
    // a string (no number starts with a letter): most are, and they need no resolving.
    if text.as_bytes().first().is_some_and(|b| b.is_ascii_alphabetic() && !b"nNtTfF".contains(b)) {
        return Value::String(text);
    }
    match Yaml::from_str(&text) {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::Number(i.into()),
        Yaml::Real(r) => match r.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Value::Number(n),
            None => Value::String(r),
        },
        _ => Value::String(text),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(text, style, tag.as_ref());
                if let (true, Some(pointer)) = (self.track, self.next_pointer()) {
                    // A key's own place, recorded first, wins over its value's.
                    self.locations.entry(pointer).or_insert((mark.line(), mark.col() + 1));
                }
                if anchor > 0 {
                    self.anchors.insert(anchor, value.clone());
                }
                self.push_value(value, mark);
            }
            Event::Alias(id) => {
                let value = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                self.expanded += nodes(&value);
                if self.expanded > MAX_ALIAS_NODES {
                    return self.fail(mark, "aliases expand to too many values".into(), "use fewer nested aliases");
                }
                self.push_value(value, mark);
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if self.stack.len() >= MAX_DEPTH => {
                self.fail(mark, format!("nesting deeper than {MAX_DEPTH} levels"), "flatten the document");
            }
            Event::SequenceStart(anchor, _) => {
                self.open(mark, |pointer| Frame::Seq { items: Vec::new(), pointer, anchor });
            }
            Event::MappingStart(anchor, _) => {
                self.open(mark, |pointer| Frame::Map { map: Map::new(), key: None, pointer, anchor });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { items, anchor, .. }) => (Value::Array(items), anchor),
                    Some(Frame::Map { map, anchor, .. }) => (Value::Object(map), anchor),
                    None => return,
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, value.clone());
                }
                self.push_value(value, mark);
            }
            Event::DocumentStart | Event::DocumentEnd => {}
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let plain = |text: &str| scalar(text.to_string(), TScalarStyle::Plain, None);
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
        assert_eq!(scalar("8080".into(), TScalarStyle::DoubleQuoted, None), Value::String("8080".into()));
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
    fn unknown_field_points_at_the_key_with_a_suggestion() {
        let docs = parse("r.yaml", "routes:\n  - path: /\n    servce: web\n").unwrap();
        let err = docs[0].typed::<Spec>("").unwrap_err();
        assert_eq!(err.code, "E102");
        assert_eq!(err.location.as_ref().unwrap().to_string(), "r.yaml:3:5");
        assert!(err.help.as_deref().unwrap().contains("did you mean `service`?"), "{err:?}");
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
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse("deep.yaml", &text).unwrap_err();
        assert_eq!(err.code, "E101");
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, name) in ["b", "c", "d", "e", "f", "g", "h"].iter().enumerate() {
            let prev = ["a", "b", "c", "d", "e", "f", "g"][i];
            bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert_eq!(parse("bomb.yaml", &bomb).unwrap_err().code, "E101");
    }

    #[test]
    fn duplicate_keys_and_aliases() {
        assert!(parse("d.yaml", "a: 1\na: 2\n").is_err());
        let docs = parse("a.yaml", "x: &v {k: 1}\ny: *v\n").unwrap();
        assert_eq!(docs[0].value["y"]["k"], 1);
        let docs = parse("j.json", "{\"a\": [true, null, 1.5]}").unwrap();
        assert_eq!(docs[0].value["a"][2], 1.5);
    }
}
