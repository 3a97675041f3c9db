//! Load and locate: YAML and JSON text → documents that remember where every value was written.
//!
//! Each file is parsed once, event by event, into the generic value form
//! (`serde_json::Value`, the form patches and analyses work on). Typed reading
//! ([`Document::typed`]) goes through `serde_path_to_error`, so an unknown field, a missing field
//! or a wrong type is reported at the place it was written. Values are read with YAML 1.2 rules:
//! `no`, `on` and `yes` are strings.
//!
//! Places (line and column of every value) are found only when a diagnostic asks for one: the
//! first request parses the file again, once, for all its documents ([`Document::location`]).
//!
//! Bounded on any input: the parser is driven event by event (nothing recurses on the input's
//! depth), nesting deeper than [`MAX_DEPTH`] is refused before it is built, aliases may copy at
//! most [`ALIAS_FACTOR`] times the file's size, and an anchor copies nothing until an alias uses
//! it. Tags are honoured or refused, never dropped; a byte order mark at the start of a file is
//! skipped; JSON's surrogate-pair escapes (`"\ud83d\ude00"`) are read as the one character they
//! encode.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};
use yaml_rust2::Yaml;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, Scanner, TScalarStyle, TokenType};

use crate::diagnostic::{Diagnostic, Location, excerpt};

mod strict;

/// Deeper documents are refused (E114): no manifest needs them, and later stages recurse.
pub const MAX_DEPTH: usize = 128;
/// Aliases may copy at most this many times the size of the file they are in (E114), a guard
/// against alias bombs that keeps memory proportional to the input. A copy's size is the bytes
/// of its strings and keys plus [`VALUE_BYTES`] per value.
pub const ALIAS_FACTOR: usize = 16;
/// What one value counts for in the alias budget, besides its strings.
pub const VALUE_BYTES: usize = 16;
/// The longest piece of input quoted in a message (longer ones are cut with `…`).
const QUOTE_CHARS: usize = 60;

/// One YAML document of an input file.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: String,
    /// Position of the document in its file, from 0.
    pub index: usize,
    pub value: Value,
    /// What the documents of one file share: its text and, once asked for, its places.
    shared: Arc<FileShared>,
}

#[derive(Debug)]
struct FileShared {
    /// The file's text (without a byte order mark), to locate values when a diagnostic needs a
    /// place, or to read a released value again.
    text: Arc<str>,
    /// The places of every document of the file (by document index), found on first use: only
    /// diagnostics need them, so a build without findings never pays for them, and a file with
    /// many findings is parsed again once, not once per finding.
    places: OnceLock<Vec<Places>>,
}

impl Document {
    fn places(&self) -> Option<&Places> {
        let all = self.shared.places.get_or_init(|| {
            let mut read = Read::new(Mode::Places);
            // The text parsed once already; should it fail now, there are no places to give.
            let _ = run(&self.file, &self.shared.text, &mut read);
            read.places
        });
        all.get(self.index)
    }

    /// The place of the value at `pointer`, or of its nearest written ancestor.
    pub fn location(&self, pointer: &str) -> Location {
        match self.places().and_then(|places| places.find(pointer).1) {
            Some((line, column)) => Location::at(&self.file, line, column),
            None => Location::file(&self.file),
        }
    }

    /// Whether the document writes a value at `pointer`, read from its text (so it also answers
    /// for a document whose value was released).
    pub fn writes(&self, pointer: &str) -> bool {
        self.places().is_some_and(|places| places.find(pointer).0)
    }

    /// Lets the value tree go once its typed form has been taken; [`reload_all`] reads it again
    /// from the text when it is needed after all.
    pub fn release_value(&mut self) {
        self.value = Value::Null;
    }

    /// The value, read again from the text (for a document whose value was released). To read
    /// several, [`reload_all`] parses each file once.
    pub fn reload(&self) -> Value {
        reload_all(&[self]).pop().unwrap_or_default()
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
        let shown = if pointer.is_empty() {
            "the document".to_string()
        } else {
            format!("`{}`", excerpt(&dotted(pointer), QUOTE_CHARS))
        };
        let mut diagnostic = Diagnostic::error("E103", format!("{} (at {shown})", shorten_quotes(message)));
        diagnostic = diagnostic.at(self.location(pointer));
        if let Some(unknown) = message.strip_prefix("unknown field `") {
            let name = unknown.split('`').next().unwrap_or_default();
            let expected: Vec<&str> =
                message.split("expected ").nth(1).unwrap_or_default().split('`').skip(1).step_by(2).collect();
            diagnostic.code = "E102";
            let help = match closest(name, &expected) {
                Some(best) => format!("did you mean `{best}`? unknown fields are errors, never ignored"),
                None => {
                    format!("remove `{}`; this document accepts: {}", excerpt(name, QUOTE_CHARS), expected.join(", "))
                }
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

/// The values of `docs` (released or not), read again from their files' texts: each file is
/// parsed once whatever the number of its documents asked for. In the order of `docs`.
pub fn reload_all(docs: &[&Document]) -> Vec<Value> {
    // Documents grouped by the file they share, in order of first appearance.
    let mut files: Vec<(&Document, BTreeSet<usize>)> = Vec::new();
    let mut by_file: HashMap<*const FileShared, usize> = HashMap::new();
    for doc in docs {
        let at = *by_file.entry(Arc::as_ptr(&doc.shared)).or_insert_with(|| {
            files.push((doc, BTreeSet::new()));
            files.len() - 1
        });
        if let Some((_, wanted)) = files.get_mut(at) {
            wanted.insert(doc.index);
        }
    }
    let mut values: HashMap<(*const FileShared, usize), Value> = HashMap::new();
    for (first, wanted) in files {
        let mut read = Read::new(Mode::Pick(wanted));
        // The text parsed once already; should it fail now, the values are null.
        let _ = run(&first.file, &first.shared.text, &mut read);
        for (index, value) in read.documents {
            values.insert((Arc::as_ptr(&first.shared), index), value);
        }
    }
    docs.iter().map(|doc| values.get(&(Arc::as_ptr(&doc.shared), doc.index)).cloned().unwrap_or_default()).collect()
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
                    pointer.push_str(&escape(key));
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
            out.push_str(&unescape(part));
        }
    }
    out
}

/// A key as a JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer segment as the key it stands for.
fn unescape(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') {
        Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// A message with every backquoted piece of input cut to a readable length.
fn shorten_quotes(message: &str) -> String {
    message
        .split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { excerpt(part, QUOTE_CHARS) } else { Cow::Borrowed(part) })
        .collect::<Vec<_>>()
        .join("`")
}

fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if name.chars().count() > QUOTE_CHARS {
        return None;
    }
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(name, c), *c))
        .filter(|(distance, c)| *distance <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

/// The text without the UTF-8 byte order mark some editors write at the start of a file.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// [`strip_bom`] for an owned text.
pub fn without_bom(mut text: String) -> String {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    text
}

/// Parses every document of a YAML (or JSON) file. Empty documents are dropped.
pub fn parse(file: &str, text: &str) -> Result<Vec<Document>, Diagnostic> {
    let shared = Arc::new(FileShared { text: Arc::from(strip_bom(text)), places: OnceLock::new() });
    let mut read = Read::new(Mode::Values);
    run(file, &shared.text, &mut read)?;
    Ok(read
        .documents
        .into_iter()
        .map(|(index, value)| Document { file: file.to_string(), index, value, shared: shared.clone() })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Places

/// Where each value of one document was written: a tree shaped like the value, so that its
/// size follows the input's (a table of full pointers would grow with depth × keys).
#[derive(Debug, Default)]
struct Places {
    nodes: Vec<PlaceNode>,
}

#[derive(Debug)]
struct PlaceNode {
    at: (usize, usize),
    children: Children,
}

#[derive(Debug)]
enum Children {
    None,
    Seq(Vec<usize>),
    /// Sorted by key once the mapping is complete (keys are unique).
    Map(Vec<(Box<str>, usize)>),
}

impl Places {
    /// Whether `pointer` is written, and the place of it or of its nearest written ancestor.
    fn find(&self, pointer: &str) -> (bool, Option<(usize, usize)>) {
        let Some(mut node) = self.nodes.first() else { return (false, None) };
        for segment in pointer.split('/').skip(1) {
            let next = match &node.children {
                Children::Seq(items) => index_segment(segment).and_then(|i| items.get(i)),
                Children::Map(entries) => {
                    let key = unescape(segment);
                    entries.binary_search_by(|(k, _)| k.as_ref().cmp(key.as_ref())).ok().map(|i| &entries[i].1)
                }
                Children::None => None,
            };
            match next.and_then(|&i| self.nodes.get(i)) {
                Some(child) => node = child,
                None => return (false, Some(node.at)),
            }
        }
        (true, Some(node.at))
    }
}

/// A JSON pointer array index (`0`, `17`; not `01` or `-`).
fn index_segment(segment: &str) -> Option<usize> {
    let valid = !segment.is_empty()
        && segment.bytes().all(|b| b.is_ascii_digit())
        && (segment == "0" || !segment.starts_with('0'));
    if valid { segment.parse().ok() } else { None }
}

// ---------------------------------------------------------------------------------------------
// Reading events

/// What a read of a file keeps.
enum Mode {
    /// The value of every non-empty document.
    Values,
    /// The values of these documents only (by index).
    Pick(BTreeSet<usize>),
    /// The places of every document; values are dropped as each document ends.
    Places,
}

/// A step from a mapping or sequence to one of its values.
#[derive(Debug, Clone)]
enum Step {
    Index(usize),
    Key(String),
}

/// Where an open mapping or sequence sits, built only when an anchor needs it: anchored values
/// are not copied when they are defined, only found again (by this path) when an alias uses
/// them. Frames share their parents' links, so a path costs one link per frame.
#[derive(Debug)]
struct Link {
    parent: Option<Rc<Link>>,
    step: Option<Step>,
}

enum Anchor {
    /// A scalar, kept as it is (its copy costs no more than its text).
    Scalar(Value, usize),
    /// A mapping or sequence: where it is in the document being built, and its size.
    Node { parent: Rc<Link>, step: Step, size: usize },
}

enum Content {
    Seq(Vec<Value>),
    /// The entries so far and the key waiting for its value.
    Map(Map<String, Value>, Option<String>),
}

struct Frame {
    content: Content,
    anchor: usize,
    /// The size of the value so far, for the alias budget.
    size: usize,
    link: Option<Rc<Link>>,
    /// Its node in the places being built ([`Mode::Places`]).
    place: usize,
}

/// An error found while reading: the diagnostic's code, message, place and help.
struct Failure {
    code: &'static str,
    message: String,
    mark: Marker,
    help: &'static str,
}

impl Failure {
    fn new(code: &'static str, mark: Marker, message: impl Into<String>, help: &'static str) -> Self {
        Failure { code, message: message.into(), mark, help }
    }
}

/// The state of one read of a file.
struct Read {
    mode: Mode,
    /// How many bytes aliases may still copy.
    budget: usize,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchor>,
    /// The index of the document being read.
    index: usize,
    documents: Vec<(usize, Value)>,
    places: Vec<Places>,
    /// The places of the document being read.
    current: Places,
}

/// Reads `text` event by event into `read`; the parser itself never recurses.
fn run(file: &str, text: &str, read: &mut Read) -> Result<(), Diagnostic> {
    let prepared = surrogates::prepare(text);
    let shifts = &prepared.shifts;
    let at = |mark: Marker| Location::at(file, mark.line(), shifts.column(mark.line(), mark.col()) + 1);
    read.budget = ALIAS_FACTOR.saturating_mul(text.len());
    let mut parser = Parser::new_from_str(&prepared.text);
    loop {
        let (event, mark) = parser.next_token().map_err(|err| {
            // The scanner looks ahead through flow collections (`[[[[…`) and stops at its own
            // limit of 255 levels before the parser reaches ours.
            if err.info() == "recursion limit exceeded" {
                return depth_error().at(at(*err.marker()));
            }
            Diagnostic::error("E101", format!("malformed YAML: {}", err.info()))
                .at(at(*err.marker()))
                .help("fix the YAML syntax at this place (indentation, quotes, a missing `:`)")
        })?;
        if event == Event::StreamEnd {
            return Ok(());
        }
        read.on_event(event, mark, shifts).map_err(|failure| {
            Diagnostic::error(failure.code, failure.message).at(at(failure.mark)).help(failure.help)
        })?;
    }
}

impl Read {
    fn new(mode: Mode) -> Self {
        Read {
            mode,
            budget: 0,
            stack: Vec::new(),
            anchors: HashMap::new(),
            index: 0,
            documents: Vec::new(),
            places: Vec::new(),
            current: Places::default(),
        }
    }

    fn tracking(&self) -> bool {
        matches!(self.mode, Mode::Places)
    }

    fn on_event(&mut self, event: Event, mark: Marker, shifts: &surrogates::Shifts) -> Result<(), Failure> {
        let place = (mark.line(), shifts.column(mark.line(), mark.col()) + 1);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(text, style, tag.as_ref()).map_err(|message| {
                    Failure::new("E115", mark, message, "remove the tag: meshedge reads plain YAML and JSON values")
                })?;
                let size = size_of_scalar(&value);
                if anchor > 0 {
                    self.anchors.insert(anchor, Anchor::Scalar(value.clone(), size));
                }
                self.push(value, size, mark, place)
            }
            Event::Alias(id) => {
                let (value, size) = self.resolve(id, mark)?;
                self.push(value, size, mark, place)
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if self.stack.len() >= MAX_DEPTH => {
                Err(Failure::new("E114", mark, depth_error().message, DEPTH_HELP))
            }
            Event::SequenceStart(anchor, tag) => {
                check_collection_tag(tag.as_ref(), "seq", mark)?;
                self.open(Content::Seq(Vec::new()), anchor, mark, place)
            }
            Event::MappingStart(anchor, tag) => {
                check_collection_tag(tag.as_ref(), "map", mark)?;
                self.open(Content::Map(Map::new(), None), anchor, mark, place)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else { return Ok(()) };
                let value = match frame.content {
                    Content::Seq(items) => Value::Array(items),
                    Content::Map(map, _) => Value::Object(map),
                };
                if self.tracking() {
                    if let Some(PlaceNode { children: Children::Map(entries), .. }) =
                        self.current.nodes.get_mut(frame.place)
                    {
                        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                    }
                }
                if frame.anchor > 0 {
                    if let Some(parent) = self.stack.len().checked_sub(1) {
                        let link = self.link(parent);
                        let step = match &self.stack[parent].content {
                            Content::Seq(items) => Some(Step::Index(items.len())),
                            Content::Map(_, Some(key)) => Some(Step::Key(key.clone())),
                            // A mapping as a key is refused as it is added.
                            Content::Map(_, None) => None,
                        };
                        if let Some(step) = step {
                            self.anchors.insert(frame.anchor, Anchor::Node { parent: link, step, size: frame.size });
                        }
                    }
                }
                self.add(value, frame.size, mark, place)
            }
            Event::DocumentStart => {
                // Anchors belong to their document.
                self.anchors.clear();
                Ok(())
            }
            Event::DocumentEnd => Ok(()),
            Event::StreamStart | Event::StreamEnd | Event::Nothing => Ok(()),
        }
    }

    /// The link of the open frame at `depth`, made (with its ancestors') on first use.
    fn link(&mut self, depth: usize) -> Rc<Link> {
        for i in 0..=depth {
            if self.stack[i].link.is_some() {
                continue;
            }
            let (parent, step) = match i.checked_sub(1).map(|p| &self.stack[p]) {
                None => (None, None),
                Some(parent) => {
                    let step = match &parent.content {
                        Content::Seq(items) => Some(Step::Index(items.len())),
                        Content::Map(_, key) => key.clone().map(Step::Key),
                    };
                    (parent.link.clone(), step)
                }
            };
            self.stack[i].link = Some(Rc::new(Link { parent, step }));
        }
        self.stack[depth].link.clone().unwrap_or_else(|| Rc::new(Link { parent: None, step: None }))
    }

    /// A copy of the value anchor `id` stands for, within the alias budget.
    fn resolve(&mut self, id: usize, mark: Marker) -> Result<(Value, usize), Failure> {
        let help = "define the anchor before the alias, in the same document, outside the node it names";
        let Some(anchor) = self.anchors.get(&id) else {
            let message = if self.stack.iter().any(|f| f.anchor == id) {
                "an alias refers to a node that contains it"
            } else {
                "an alias refers to an anchor of another document"
            };
            return Err(Failure::new("E101", mark, message, help));
        };
        let size = match anchor {
            Anchor::Scalar(_, size) | Anchor::Node { size, .. } => *size,
        };
        if size > self.budget {
            return Err(Failure::new(
                "E114",
                mark,
                format!("aliases copy more than {ALIAS_FACTOR} times the file's size"),
                "use fewer aliases, or aliases of smaller values",
            ));
        }
        self.budget -= size;
        let value = match anchor {
            Anchor::Scalar(value, _) => Some(value.clone()),
            Anchor::Node { parent, step, .. } => self.find(parent, step).cloned(),
        };
        match value {
            Some(value) => Ok((value, size)),
            None => Err(Failure::new("E101", mark, "an alias refers to an anchor that cannot be found", help)),
        }
    }

    /// The complete value at `step` under the frame (open or complete) that `parent` links to.
    fn find(&self, parent: &Rc<Link>, step: &Step) -> Option<&Value> {
        let mut chain = vec![parent.clone()];
        while let Some(up) = chain.last().and_then(|l| l.parent.clone()) {
            chain.push(up);
        }
        chain.reverse();
        // The deepest frame of the path still open; the rest of the path is in complete values.
        let mut depth = 0;
        if !self.stack.first().and_then(|f| f.link.as_ref()).is_some_and(|l| Rc::ptr_eq(l, &chain[0])) {
            return None;
        }
        while depth + 1 < chain.len()
            && self.stack.get(depth + 1).and_then(|f| f.link.as_ref()).is_some_and(|l| Rc::ptr_eq(l, &chain[depth + 1]))
        {
            depth += 1;
        }
        let steps = chain[depth + 1..].iter().filter_map(|l| l.step.as_ref()).chain(std::iter::once(step));
        let mut current: Option<&Value> = None;
        for step in steps {
            current = match (current, step) {
                (None, Step::Index(i)) => match &self.stack[depth].content {
                    Content::Seq(items) => items.get(*i),
                    Content::Map(..) => None,
                },
                (None, Step::Key(key)) => match &self.stack[depth].content {
                    Content::Map(map, _) => map.get(key),
                    Content::Seq(_) => None,
                },
                (Some(value), Step::Index(i)) => value.get(*i),
                (Some(value), Step::Key(key)) => value.get(key),
            };
            current?;
        }
        current
    }

    /// Starts a sequence or mapping at the place the next value goes.
    fn open(&mut self, content: Content, anchor: usize, mark: Marker, at: (usize, usize)) -> Result<(), Failure> {
        if let Some(Frame { content: Content::Map(_, None), .. }) = self.stack.last() {
            return Err(Failure::new(
                "E101",
                mark,
                "malformed YAML: a mapping key must be a scalar",
                "write the key as a plain string",
            ));
        }
        let place = if self.tracking() {
            let children = match content {
                Content::Seq(_) => Children::Seq(Vec::new()),
                Content::Map(..) => Children::Map(Vec::new()),
            };
            let place = self.place_for_value(at);
            if let Some(node) = self.current.nodes.get_mut(place) {
                node.children = children;
            }
            place
        } else {
            0
        };
        self.stack.push(Frame { content, anchor, size: VALUE_BYTES, link: None, place });
        Ok(())
    }

    /// A scalar or an alias's copy, at the place the next value goes.
    fn push(&mut self, value: Value, size: usize, mark: Marker, at: (usize, usize)) -> Result<(), Failure> {
        if self.tracking() && !matches!(self.stack.last(), Some(Frame { content: Content::Map(_, None), .. })) {
            self.place_for_value(at);
        }
        self.add(value, size, mark, at)
    }

    /// The node of the value about to be added (a key's node serves its value); `at` when new.
    fn place_for_value(&mut self, at: (usize, usize)) -> usize {
        let nodes = &mut self.current.nodes;
        let new = nodes.len();
        match self.stack.last() {
            None => {
                nodes.push(PlaceNode { at, children: Children::None });
                new
            }
            Some(frame) => match (&frame.content, nodes.get_mut(frame.place)) {
                (Content::Seq(_), Some(PlaceNode { children: Children::Seq(items), .. })) => {
                    items.push(new);
                    nodes.push(PlaceNode { at, children: Children::None });
                    new
                }
                // The key was added last.
                (Content::Map(_, Some(_)), Some(PlaceNode { children: Children::Map(entries), .. })) => {
                    entries.last().map_or(new, |(_, i)| *i)
                }
                _ => new,
            },
        }
    }

    /// Adds a complete value to the open frame, or ends the document with it; `at` is the
    /// value's place, recorded when it is a key.
    fn add(&mut self, value: Value, size: usize, mark: Marker, at: (usize, usize)) -> Result<(), Failure> {
        let tracking = self.tracking();
        let Some(frame) = self.stack.last_mut() else {
            self.end_document(value);
            return Ok(());
        };
        frame.size = frame.size.saturating_add(size);
        match &mut frame.content {
            Content::Seq(items) => items.push(value),
            Content::Map(map, key) => match key.take() {
                Some(k) => {
                    map.insert(k, value);
                }
                None => {
                    let Some(k) = scalar_key(value) else {
                        return Err(Failure::new(
                            "E101",
                            mark,
                            "malformed YAML: a mapping key must be a scalar",
                            "write the key as a plain string",
                        ));
                    };
                    if map.contains_key(&k) {
                        return Err(Failure::new(
                            "E101",
                            mark,
                            format!("duplicate key `{}`", excerpt(&k, QUOTE_CHARS)),
                            "remove one of the two entries",
                        ));
                    }
                    frame.size = frame.size.saturating_add(k.len());
                    if tracking {
                        let place = frame.place;
                        let nodes = &mut self.current.nodes;
                        let new = nodes.len();
                        if let Some(node) = nodes.get_mut(place) {
                            if let Children::Map(entries) = &mut node.children {
                                // A block mapping is reported where its first key starts (the
                                // parser marks the first `:`).
                                if entries.is_empty() && at < node.at {
                                    node.at = at;
                                }
                                entries.push((k.clone().into_boxed_str(), new));
                            }
                        }
                        nodes.push(PlaceNode { at, children: Children::None });
                    }
                    *key = Some(k);
                }
            },
        }
        Ok(())
    }

    fn end_document(&mut self, value: Value) {
        let index = self.index;
        self.index += 1;
        match &mut self.mode {
            Mode::Values if !value.is_null() => self.documents.push((index, value)),
            Mode::Pick(wanted) if wanted.contains(&index) => self.documents.push((index, value)),
            Mode::Places => self.places.push(std::mem::take(&mut self.current)),
            _ => {}
        }
    }
}

const DEPTH_HELP: &str = "flatten the document; no manifest needs this depth";

fn depth_error() -> Diagnostic {
    Diagnostic::error("E114", format!("nesting deeper than {MAX_DEPTH} levels")).help(DEPTH_HELP)
}

fn size_of_scalar(value: &Value) -> usize {
    VALUE_BYTES + value.as_str().map_or(0, str::len)
}

/// A mapping key as a string: scalars only (`null` is the empty key, numbers and booleans their text).
fn scalar_key(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        Value::Null => Some(String::new()),
        Value::Bool(_) | Value::Number(_) => Some(value.to_string()),
        _ => None,
    }
}

/// The YAML 1.2 core tags meshedge honours, by the name the parser resolves them to.
const CORE: &str = "tag:yaml.org,2002:";

/// A tag as it is usually written (`!!binary`, `!Ref`), cut to a readable length.
fn tag_text(tag: &Tag) -> String {
    let text = if tag.handle == CORE {
        format!("!!{}", tag.suffix)
    } else if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else if tag.handle.is_empty() && tag.suffix == "!" {
        "!".to_string()
    } else {
        format!("!<{}{}>", tag.handle, tag.suffix)
    };
    excerpt(&text, QUOTE_CHARS).into_owned()
}

/// The core tag a tag names (`str`, `int`, …), or `None` for any other tag. The non-specific
/// tag `!` counts as `!` ("take the node as its kind says").
fn core_tag(tag: &Tag) -> Option<&str> {
    if tag.handle == CORE {
        Some(tag.suffix.as_str())
    } else if tag.handle.is_empty() {
        // `!` alone, or a verbatim tag `!<tag:yaml.org,2002:str>`.
        if tag.suffix == "!" { Some("!") } else { tag.suffix.strip_prefix(CORE) }
    } else {
        None
    }
}

fn check_collection_tag(tag: Option<&Tag>, kind: &str, mark: Marker) -> Result<(), Failure> {
    let Some(tag) = tag else { return Ok(()) };
    match core_tag(tag) {
        Some("!") => Ok(()),
        Some(name) if name == kind => Ok(()),
        _ => Err(Failure::new(
            "E115",
            mark,
            format!(
                "unsupported YAML tag `{}` on a {}",
                tag_text(tag),
                if kind == "map" { "mapping" } else { "sequence" }
            ),
            "remove the tag: meshedge reads plain YAML and JSON values",
        )),
    }
}

/// A scalar's value: by its tag when it has one (`!!str`, `!!int`, `!!float`, `!!bool`,
/// `!!null`, or `!` for a string), else by YAML 1.2 core resolution of a plain scalar. Any other
/// tag is an error (the message), not silently dropped.
fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let Some(tag) = tag else {
        return Ok(if style == TScalarStyle::Plain { resolve_plain(text) } else { Value::String(text) });
    };
    let unsupported = || format!("unsupported YAML tag `{}`", tag_text(tag));
    let Some(name) = core_tag(tag) else { return Err(unsupported()) };
    let wrong = |what: &str| format!("`{}` is not {what} (tagged `{}`)", excerpt(&text, QUOTE_CHARS), tag_text(tag));
    match name {
        "!" | "str" => Ok(Value::String(text)),
        "int" => match resolve_plain(text.clone()) {
            value @ Value::Number(_) if !value.is_f64() => Ok(value),
            _ => Err(wrong("an integer")),
        },
        "float" => match resolve_plain(text.clone()).as_f64().and_then(Number::from_f64) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(wrong("a finite number")),
        },
        "bool" => match resolve_plain(text.clone()) {
            value @ Value::Bool(_) => Ok(value),
            _ => Err(wrong("a boolean")),
        },
        "null" => match resolve_plain(text.clone()) {
            Value::Null => Ok(Value::Null),
            _ => Err(wrong("null")),
        },
        _ => Err(unsupported()),
    }
}

/// A plain scalar by YAML 1.2 core resolution.
fn resolve_plain(text: String) -> Value {
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

// ---------------------------------------------------------------------------------------------
// Surrogate pairs

/// JSON writes a character outside the Basic Multilingual Plane as two `\u` escapes, a UTF-16
/// surrogate pair (`"\ud83d\ude00"`); YAML's `\u` takes one code point, and the parser refuses
/// a surrogate. Inside double-quoted scalars (found by the scanner itself, so that a `\u` in a
/// comment, a plain or a block scalar is left alone), each pair is rewritten as the one escape
/// YAML reads (`\U0001F600`) before parsing; a lone surrogate stays, and is a located error.
mod surrogates {
    use super::*;

    /// Columns removed by rewrites, in text order: the line, the column just past the rewrite
    /// in the rewritten line, and how many columns the line has lost up to there.
    #[derive(Debug, Default)]
    pub(super) struct Shifts(Vec<(usize, usize, usize)>);

    impl Shifts {
        /// The column (from 0) in the original text of column `col` of line `line` of the
        /// rewritten one.
        pub(super) fn column(&self, line: usize, col: usize) -> usize {
            let before = self.0.partition_point(|&(l, c, _)| (l, c) <= (line, col));
            match before.checked_sub(1).and_then(|i| self.0.get(i)) {
                Some(&(l, _, lost)) if l == line => col + lost,
                _ => col,
            }
        }

        fn push(&mut self, line: usize, col: usize, lost: usize) {
            let earlier = self.0.last().filter(|(l, _, _)| *l == line).map_or(0, |(_, _, n)| *n);
            self.0.push((line, col, earlier + lost));
        }
    }

    /// A line (from 1) and column (from 0, in characters), moved along a text as it is written;
    /// lines break as YAML breaks them (a line feed, a carriage return and line feed, a carriage
    /// return alone).
    struct Cursor {
        line: usize,
        column: usize,
        /// Whether the last character was a carriage return (a line feed after it breaks no line).
        after_cr: bool,
    }

    impl Cursor {
        fn advance(&mut self, text: &str) {
            for c in text.chars() {
                match c {
                    '\n' if self.after_cr => {}
                    '\n' | '\r' => {
                        self.line += 1;
                        self.column = 0;
                    }
                    _ => self.column += 1,
                }
                self.after_cr = c == '\r';
            }
        }
    }

    pub(super) struct Prepared<'t> {
        pub(super) text: Cow<'t, str>,
        pub(super) shifts: Shifts,
    }

    /// The four hex digits after `\u` at byte `at`, when they name a surrogate.
    fn surrogate(bytes: &[u8], at: usize) -> Option<u32> {
        let hex = bytes.get(at + 2..at + 6)?;
        if bytes.get(at..at + 2)? != b"\\u" {
            return None;
        }
        let code = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
        (0xD800..=0xDFFF).contains(&code).then_some(code)
    }

    pub(super) fn prepare(text: &str) -> Prepared<'_> {
        let unchanged = || Prepared { text: Cow::Borrowed(text), shifts: Shifts::default() };
        let bytes = text.as_bytes();
        let candidates: Vec<usize> =
            (0..bytes.len()).filter(|&i| bytes[i] == b'\\' && surrogate(bytes, i).is_some()).collect();
        if candidates.is_empty() {
            return unchanged();
        }
        // The scanner finds the double-quoted scalars; surrogates are first made harmless (same
        // length) so that it does not stop at the first one.
        let mut probe = bytes.to_vec();
        for &i in &candidates {
            probe[i + 2] = b'0';
        }
        let Ok(probe) = String::from_utf8(probe) else { return unchanged() };
        let mut starts = Vec::new();
        for token in Scanner::new(probe.chars()) {
            if let TokenType::Scalar(TScalarStyle::DoubleQuoted, _) = token.1 {
                starts.push(token.0.index());
            }
        }
        // Scanner marks count characters: to byte offsets.
        let mut quotes = Vec::with_capacity(starts.len());
        let mut next = starts.iter().peekable();
        for (chars, (byte, _)) in text.char_indices().enumerate() {
            while next.peek().is_some_and(|&&s| s == chars) {
                quotes.push(byte);
                next.next();
            }
            if next.peek().is_none() {
                break;
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut shifts = Shifts::default();
        let mut copied = 0;
        let mut cursor = Cursor { line: 1, column: 0, after_cr: false };
        for quote in quotes {
            if bytes.get(quote) != Some(&b'"') || quote < copied {
                continue;
            }
            let mut i = quote + 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] != b'\\' {
                    i += 1;
                    continue;
                }
                let high = surrogate(bytes, i).filter(|c| *c < 0xDC00);
                let low = surrogate(bytes, i + 6).filter(|c| *c >= 0xDC00);
                match (high, low) {
                    (Some(high), Some(low)) => {
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        out.push_str(&text[copied..i]);
                        cursor.advance(&text[copied..i]);
                        out.push_str(&format!("\\U{code:08X}"));
                        cursor.column += 10;
                        cursor.after_cr = false;
                        shifts.push(cursor.line, cursor.column, 2);
                        i += 12;
                        copied = i;
                    }
                    // Any other escape: the backslash and the character after it.
                    _ => i += 2,
                }
            }
        }
        if shifts.0.is_empty() {
            return unchanged();
        }
        out.push_str(&text[copied..]);
        Prepared { text: Cow::Owned(out), shifts }
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
        let text =
            "{\"a\": \"hi \\ud83d\\ude00 and \\uD83D\\uDE03\", \"b\": \"\\\\ud83d\\\\ude00\", \"c\": 1, \"d\": x}";
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
        let shown = Diagnostic::error("E102", "x").at(docs[0].location("/bogus")).render(&files);
        assert!(shown.contains("4 | bogus: 2\n  | ^\n"), "{shown}");
        let shown = Diagnostic::error("E102", "x").at(docs[0].location("/c/1/d")).render(&files);
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
}
