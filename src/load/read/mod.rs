//! Reading a file event by event: the parser is driven one event at a time (nothing recurses
//! on the input's depth) into values, or into the places of values, within the bounds of
//! [`crate::load::limits`]; scalars resolve by YAML 1.2 core rules and by their tags.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use serde_json::{Map, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::Marker;

mod anchors;

use crate::diagnostic::{Diagnostic, Explain, Location};
use crate::load::error::LoadError;
use crate::load::limits::{ALIAS_FACTOR, MAX_DEPTH, VALUE_BYTES};
use crate::load::places::{Children, PlaceNode, Places};
use crate::load::scalars::{core_tag, scalar, scalar_key, tag_text};
use crate::load::surrogates;
use anchors::{Anchor, Link, Step};

/// What a read of a file keeps.
pub(super) enum Mode {
    /// The value of every non-empty document.
    Values,
    /// The values of these documents only (by index).
    Pick(BTreeSet<usize>),
    /// The places of every document; values are dropped as each document ends.
    Places,
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

/// An error found while reading, and where.
struct Failure {
    error: LoadError,
    mark: Marker,
}

impl Failure {
    fn new(mark: Marker, error: LoadError) -> Self {
        Failure { error, mark }
    }
}

/// The state of one read of a file.
pub(super) struct Read {
    mode: Mode,
    /// How many bytes aliases may still copy.
    budget: usize,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchor>,
    /// The index of the document being read.
    index: usize,
    pub(super) documents: Vec<(usize, Value)>,
    /// Where each of `documents` starts (its first key or value), in the same order
    /// ([`Mode::Values`]).
    pub(super) starts: Vec<(usize, usize)>,
    /// Where the document being read starts, once its first value is seen.
    start: Option<(usize, usize)>,
    pub(super) places: Vec<Places>,
    /// The places of the document being read.
    current: Places,
}

/// Reads `text` event by event into `read`; the parser itself never recurses.
pub(super) fn run(file: &str, text: &str, read: &mut Read) -> Result<(), Diagnostic> {
    let prepared = surrogates::prepare(text);
    let shifts = &prepared.shifts;
    let at = |mark: Marker| Location::at(file, mark.line(), shifts.column(mark.line(), mark.col()) + 1);
    read.budget = ALIAS_FACTOR.saturating_mul(text.len());
    match drive(&prepared.text, shifts, read) {
        Ok(()) => Ok(()),
        Err(Stop::Event(failure)) => Err(failure.error.at(at(failure.mark))),
        // The scanner looks ahead through flow collections (`[[[[…`) and stops at its own limit of
        // 255 levels before the parser reaches ours, and where the scanner stopped is not the
        // collection that crossed ours. Read again up to where it stopped, where the parser, no
        // longer held back by the look-ahead, reaches our limit at that collection.
        Err(Stop::Scanner(mark)) => {
            let before: String = prepared.text.chars().take(mark.index()).collect();
            let mut again = Read::new(Mode::Values);
            again.budget = read.budget;
            let mark = match drive(&before, shifts, &mut again) {
                Err(Stop::Event(Failure { error: LoadError::TooDeep, mark })) => mark,
                _ => mark,
            };
            Err(LoadError::TooDeep.at(at(mark)))
        }
    }
}

/// Why a read stopped early.
enum Stop {
    /// The scanner's own nesting limit, where it stopped.
    Scanner(Marker),
    /// A malformed document or a refused value.
    Event(Failure),
}

/// Feeds the events of `text` to `read`.
fn drive(text: &str, shifts: &surrogates::Shifts, read: &mut Read) -> Result<(), Stop> {
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|err| {
            if err.info() == "recursion limit exceeded" {
                return Stop::Scanner(*err.marker());
            }
            Stop::Event(Failure::new(*err.marker(), LoadError::Malformed { info: err.info().to_string() }))
        })?;
        if event == Event::StreamEnd {
            return Ok(());
        }
        let mapping = matches!(event, Event::MappingStart(..));
        match read.on_event(event, mark, shifts) {
            // The parser marks a block mapping's start at its first `:`; the mapping begins at
            // its first key, the next event (a flow mapping's `{` comes before its key).
            Err(Failure { error: LoadError::TooDeep, mark }) if mapping => {
                let key = parser.next_token().ok().map(|(_, key)| key).filter(|key| key.index() < mark.index());
                return Err(Stop::Event(Failure::new(key.unwrap_or(mark), LoadError::TooDeep)));
            }
            done => done.map_err(Stop::Event)?,
        }
    }
}

impl Read {
    pub(super) fn new(mode: Mode) -> Self {
        Read {
            mode,
            budget: 0,
            stack: Vec::new(),
            anchors: HashMap::new(),
            index: 0,
            documents: Vec::new(),
            starts: Vec::new(),
            start: None,
            places: Vec::new(),
            current: Places::default(),
        }
    }

    fn tracking(&self) -> bool {
        matches!(self.mode, Mode::Places)
    }

    fn on_event(&mut self, event: Event, mark: Marker, shifts: &surrogates::Shifts) -> Result<(), Failure> {
        let place = (mark.line(), shifts.column(mark.line(), mark.col()) + 1);
        if matches!(event, Event::Scalar(..) | Event::Alias(_) | Event::SequenceStart(..) | Event::MappingStart(..)) {
            self.note_start(place);
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(text, style, tag.as_ref()).map_err(|error| Failure::new(mark, error))?;
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
                Err(Failure::new(mark, LoadError::TooDeep))
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

    /// Records where the document starts: its root value, or the root collection's first item
    /// when that comes first (the parser marks a block mapping at its first `:`).
    fn note_start(&mut self, place: (usize, usize)) {
        let first_item = match self.stack.as_slice() {
            [] => {
                self.start = Some(place);
                return;
            }
            [root] => match &root.content {
                Content::Seq(items) => items.is_empty(),
                Content::Map(map, key) => map.is_empty() && key.is_none(),
            },
            _ => false,
        };
        if first_item && self.start.is_none_or(|start| place < start) {
            self.start = Some(place);
        }
    }

    /// Starts a sequence or mapping at the place the next value goes.
    fn open(&mut self, content: Content, anchor: usize, mark: Marker, at: (usize, usize)) -> Result<(), Failure> {
        if let Some(Frame { content: Content::Map(_, None), .. }) = self.stack.last() {
            return Err(Failure::new(mark, LoadError::KeyNotScalar));
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
                        return Err(Failure::new(mark, LoadError::KeyNotScalar));
                    };
                    if map.contains_key(&k) {
                        return Err(Failure::new(mark, LoadError::DuplicateKey { key: k }));
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
        let start = self.start.take().unwrap_or((1, 1));
        match &mut self.mode {
            Mode::Values if !value.is_null() => {
                self.documents.push((index, value));
                self.starts.push(start);
            }
            Mode::Pick(wanted) if wanted.contains(&index) => self.documents.push((index, value)),
            Mode::Places => self.places.push(std::mem::take(&mut self.current)),
            _ => {}
        }
    }
}

fn size_of_scalar(value: &Value) -> usize {
    VALUE_BYTES + value.as_str().map_or(0, str::len)
}

fn check_collection_tag(tag: Option<&Tag>, kind: &str, mark: Marker) -> Result<(), Failure> {
    let Some(tag) = tag else { return Ok(()) };
    match core_tag(tag) {
        Some("!") => Ok(()),
        Some(name) if name == kind => Ok(()),
        _ => Err(Failure::new(mark, LoadError::TagOnCollection { tag: tag_text(tag), mapping: kind == "map" })),
    }
}
