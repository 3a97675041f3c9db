//! Rendering diagnostics as rustc does: a header, a `-->` line, the source line with a caret,
//! notes, then the help; and the text of the input files they quote ([`SourceText`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::diagnostic::model::{Diagnostic, Diagnostics, Location};

impl Diagnostic {
    /// rustc-style text: header, `-->` location, the source line with a caret, notes, help.
    pub fn render(&self, files: &SourceText) -> String {
        let mut out = String::new();
        let level = self.severity.as_str();
        let code = match self.istio {
            Some(istio) => format!("{}/{}", self.code, istio),
            None => self.code.to_string(),
        };
        let _ = writeln!(out, "{level}[{code}]: {}", printable(&excerpt(&self.message, MESSAGE_CHARS)));
        if let Some(location) = &self.location {
            render_location(&mut out, location, files, "-->");
        }
        if let Some(resource) = &self.resource {
            let _ = writeln!(out, "   = object: {}", printable(&resource.to_string()));
        }
        for (location, text) in &self.notes {
            let note = printable(&excerpt(text, MESSAGE_CHARS)).into_owned();
            let quoted = location.line.is_some_and(|line| files.line(&location.file, line.saturating_sub(1)).is_some());
            if quoted {
                let _ = writeln!(out, "   = note: {note}");
                render_location(&mut out, location, files, "-->");
            } else {
                // No source line to draw under it: the place on the note's own line, so that it
                // cannot be read as the place of what follows.
                let _ = writeln!(out, "   = note: {note}: {}", printable(&location.to_string()));
            }
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "   = help: {}", printable(&excerpt(help, MESSAGE_CHARS)));
        }
        out
    }
}

/// Warnings of one code drawn in a report; the rest are counted.
pub const WARNINGS_PER_CODE: usize = 20;
/// Errors drawn in a report; the rest are counted.
pub const ERRORS_SHOWN: usize = 200;

impl Diagnostics {
    /// The diagnostics, sorted, and a count of errors and warnings: at most
    /// [`WARNINGS_PER_CODE`] warnings of each code and [`ERRORS_SHOWN`] errors are drawn, the
    /// rest counted (`… and 580 more W205`), so the report stays short whatever the input.
    pub fn render(&self, files: &SourceText) -> String {
        let items = self.clone().sorted();
        let mut out = String::new();
        let mut warnings_of: BTreeMap<String, usize> = BTreeMap::new();
        let mut errors_drawn = 0;
        for diagnostic in &items {
            if diagnostic.is_error() {
                errors_drawn += 1;
                if errors_drawn > ERRORS_SHOWN {
                    continue;
                }
            } else {
                let seen = warnings_of.entry(diagnostic.code.to_string()).or_default();
                *seen += 1;
                if *seen > WARNINGS_PER_CODE {
                    continue;
                }
            }
            out.push_str(&diagnostic.render(files));
            out.push('\n');
        }
        if errors_drawn > ERRORS_SHOWN {
            let _ = writeln!(out, "… and {} more errors", errors_drawn - ERRORS_SHOWN);
        }
        for (code, seen) in &warnings_of {
            if *seen > WARNINGS_PER_CODE {
                let _ = writeln!(out, "… and {} more {code}", seen - WARNINGS_PER_CODE);
            }
        }
        let errors = items.iter().filter(|d| d.is_error()).count();
        let warnings = items.len() - errors;
        match (errors, warnings) {
            (0, 0) => {}
            (0, w) => {
                let _ = writeln!(out, "warning: {}", counted(w, "warning", "warnings"));
            }
            (e, w) => {
                let _ = write!(out, "error: {}", counted(e, "error", "errors"));
                if w > 0 {
                    let _ = write!(out, ", {}", counted(w, "warning", "warnings"));
                }
                out.push('\n');
            }
        }
        out
    }
}

/// `1 error`, `2 errors`: a number and the word that goes with it.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn render_location(out: &mut String, location: &Location, files: &SourceText, arrow: &str) {
    let source_line =
        location.line.and_then(|line| files.line(&location.file, line.saturating_sub(1)).map(|l| (line, l)));
    let gutter = source_line.map_or(1, |(line, _)| line.to_string().len());
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}{arrow} {}", printable(&location.to_string()));
    let Some((line, text)) = source_line else { return };
    let column = location.column.unwrap_or(1).max(1);
    let (shown, caret) = window(text, column - 1);
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {}", shown.chars().map(one_column).collect::<String>());
    let _ = writeln!(out, "{pad} | {}^", " ".repeat(caret));
}

/// The most characters of a source line a diagnostic quotes.
pub const EXCERPT_CHARS: usize = 100;
/// How many of them come before the column shown, when the line is cut.
const EXCERPT_BEFORE: usize = 40;
/// The most characters of a message, note or help line (input quoted in a message is cut
/// shorter where the message is made; this is the last guard).
pub const MESSAGE_CHARS: usize = 1000;

/// The part of `line` shown around the character at `column` (from 0): the whole line when it
/// has at most [`EXCERPT_CHARS`] characters, else a window of that many with `…` where it is
/// cut; and the caret's offset in what is shown. Cuts fall on character boundaries.
fn window(line: &str, column: usize) -> (Cow<'_, str>, usize) {
    if line.len() <= EXCERPT_CHARS {
        return (Cow::Borrowed(line), column);
    }
    let chars = line.chars().count();
    if chars <= EXCERPT_CHARS {
        return (Cow::Borrowed(line), column);
    }
    let start = column.saturating_sub(EXCERPT_BEFORE).min(chars - EXCERPT_CHARS);
    let end = start + EXCERPT_CHARS;
    let byte = |n: usize| line.char_indices().nth(n).map_or(line.len(), |(i, _)| i);
    let (from, to) = (byte(start), byte(end));
    let mut shown = String::with_capacity(to - from + 8);
    if start > 0 {
        shown.push('…');
    }
    shown.push_str(&line[from..to]);
    if end < chars {
        shown.push('…');
    }
    (Cow::Owned(shown), column - start + usize::from(start > 0))
}

/// `text` with every character that would act on a terminal rather than show on it escaped
/// (`\n`, `\u{1b}`): control characters (a newline in a directory name, an escape sequence
/// in a value) and the bidirectional controls that reorder what a reader sees (U+202A–U+202E,
/// U+2066–U+2069, U+200E, U+200F, U+061C), the line and paragraph separators U+2028 and U+2029
/// (a line break to some terminals and editors, none to others), the invisible U+200B–U+200D,
/// U+2060 and U+FEFF, and the noncharacters U+FFFE and U+FFFF, which XML
/// 1.0 does not allow (with the control characters other than tab, newline and carriage return).
/// A diagnostic quotes input, and its lines stay lines; every view (graph labels in mermaid, dot
/// and SVG, flows, diff's markdown) shows input text through this one function.
pub fn printable(text: &str) -> Cow<'_, str> {
    let escaped = |c: char| acts_on_terminal(c) || matches!(c, '\u{FFFE}' | '\u{FFFF}');
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `c` acts on a terminal rather than showing as itself (see [`printable`]).
pub fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// JSON text with every character that acts on a terminal written as a `\uXXXX` escape: the
/// same JSON value, inert on a terminal. Such characters are only ever inside strings in JSON
/// text, where the escape means the same character.
pub fn inert_json(text: String) -> String {
    if !text.chars().any(acts_on_terminal) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if acts_on_terminal(c) && c != '\n' {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A character of a quoted source line as one column: a tab as a space, anything that acts on
/// a terminal as U+FFFD, so the caret below stays under its column.
fn one_column(c: char) -> char {
    match c {
        '\t' => ' ',
        c if acts_on_terminal(c) => '\u{FFFD}',
        c => c,
    }
}

/// `text` cut to at most `max` characters, `…` marking the cut (on a character boundary).
pub fn excerpt(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// The text of the input files read so far, for rendering source lines.
#[derive(Debug, Default, Clone)]
pub struct SourceText {
    files: BTreeMap<String, FileText>,
}

#[derive(Debug, Default, Clone)]
struct FileText {
    text: String,
    /// Where each line starts, found on first use.
    lines: OnceLock<Vec<usize>>,
}

impl SourceText {
    /// Adds the files of `other` that are not here yet.
    pub fn absorb(&mut self, other: SourceText) {
        for (file, text) in other.files {
            self.files.entry(file).or_insert(text);
        }
    }

    pub fn insert(&mut self, file: &str, text: impl Into<String>) {
        self.files.insert(file.to_string(), FileText { text: text.into(), lines: OnceLock::new() });
    }

    pub fn get(&self, file: &str) -> Option<&str> {
        self.files.get(file).map(|f| f.text.as_str())
    }

    /// Line `index` (from 0) of a file, without its line break. Lines end as YAML ends them: at
    /// a line feed, a carriage return and line feed, or a carriage return alone.
    pub fn line(&self, file: &str, index: usize) -> Option<&str> {
        let file = self.files.get(file)?;
        let text = file.text.as_str();
        let bytes = text.as_bytes();
        let starts = file.lines.get_or_init(|| {
            let mut starts = vec![0];
            for (i, &b) in bytes.iter().enumerate() {
                let ends = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
                if ends && i + 1 < bytes.len() {
                    starts.push(i + 1);
                }
            }
            starts
        });
        let start = *starts.get(index)?;
        let end = starts.get(index + 1).copied().unwrap_or(text.len());
        let line = &text[start..end];
        let line = line.strip_suffix('\n').unwrap_or(line);
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::code::Code;
    use crate::diagnostic::model::{Diagnostics, Explain, Location, Made};

    #[test]
    fn what_acts_on_a_terminal_is_escaped_everywhere_a_diagnostic_quotes_it() {
        let mut files = SourceText::default();
        files.insert("evil\nteam/a.yaml", "host: \u{1b}[2Jx\u{202E}y\n");
        let d = Made(Code::E101, "tenant `evil\nteam` \u{1b}[31m".into(), Some("rename `a\u{202E}b`".into()))
            .at(Location::at("evil\nteam/a.yaml", 1, 7));
        let text = d.render(&files);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202E}'), "{text:?}");
        assert!(text.contains("--> evil\\nteam/a.yaml:1:7"), "{text}");
        assert!(text.contains("tenant `evil\\nteam` \\u{1b}[31m"), "{text}");
        assert!(text.contains("rename `a\\u{202e}b`"), "{text}");
        assert!(text.contains("1 | host: \u{FFFD}[2Jx\u{FFFD}y"), "{text}");
        assert_eq!(text.lines().count(), 6, "{text}");
    }

    #[test]
    fn renders_gutter_caret_and_help() {
        let mut files = SourceText::default();
        files.insert("a.yaml", "kind: Layer\nhots: x\n");
        let d = Made(Code::E102, "unknown field `hots`".into(), Some("did you mean `host`?".into()))
            .at(Location::at("a.yaml", 2, 1));
        let text = d.render(&files);
        assert!(text.starts_with("error[E102]: unknown field `hots`\n"), "{text}");
        assert!(text.contains(" --> a.yaml:2:1\n"), "{text}");
        assert!(text.contains("2 | hots: x\n  | ^\n"), "{text}");
        assert!(text.ends_with("= help: did you mean `host`?\n"), "{text}");
    }

    #[test]
    fn errors_sort_before_warnings_and_summary_counts() {
        let mut all = Diagnostics::new();
        all.push(Made(Code::A602, "w".into(), None).diagnostic());
        all.push(Made(Code::E401, "e".into(), None).diagnostic());
        let text = all.render(&SourceText::default());
        assert!(text.find("error[E401]").unwrap() < text.find("warning[A602]").unwrap());
        assert!(text.ends_with("error: 1 error, 1 warning\n"), "{text}");
    }

    #[test]
    fn a_long_line_is_quoted_as_a_window_around_the_column() {
        let line = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let (shown, caret) = window(&line, 500);
        assert_eq!(shown.chars().count(), EXCERPT_CHARS + 2, "{shown}");
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert_eq!(shown.chars().nth(caret), Some('X'));
        // At either end, one marker only.
        let (shown, caret) = window(&line, 0);
        assert!(!shown.starts_with('…') && shown.ends_with('…') && caret == 0, "{shown}");
        let (shown, caret) = window(&line, 1000);
        assert!(shown.starts_with('…') && !shown.ends_with('…'), "{shown}");
        assert_eq!(shown.chars().nth(caret), Some('b'));
        // A column past the end still gives a caret after the text.
        let (shown, caret) = window(&line, 5000);
        assert!(caret > shown.chars().count(), "{caret}");
        // Short lines are shown whole, the caret where it was.
        assert_eq!(window("kind: x", 6), (Cow::Borrowed("kind: x"), 6));
    }

    #[test]
    fn windows_and_excerpts_cut_on_character_boundaries() {
        for line in ["é".repeat(1000), "名".repeat(1000), "a😀".repeat(500), format!("{}é", "a".repeat(101))] {
            for column in [0, 1, 39, 40, 41, 99, 100, 101, 500, 998, 999, 1000, 1001, 4000] {
                let (shown, caret) = window(&line, column);
                assert!(shown.chars().count() <= EXCERPT_CHARS + 2);
                if column < line.chars().count() {
                    let start = column.saturating_sub(caret - usize::from(shown.starts_with('…')));
                    assert_eq!(shown.chars().nth(caret), line.chars().nth(column), "{line:.20} at {column} ({start})");
                }
            }
            for max in [0, 1, 2, 50, 5000] {
                let cut = excerpt(&line, max);
                assert!(cut.chars().count() <= max + 1);
            }
        }
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(excerpt("abcd", 3), "abc…");
    }

    #[test]
    fn long_messages_are_cut_and_lines_are_found_by_number() {
        let mut files = SourceText::default();
        files.insert("w.yaml", "a\r\nb\n\nd\re\r\r");
        assert_eq!(
            (0..8).map(|i| files.line("w.yaml", i)).collect::<Vec<_>>(),
            [Some("a"), Some("b"), Some(""), Some("d"), Some("e"), Some(""), None, None]
        );
        let d = Made(Code::E101, "x".repeat(100_000), Some("y".repeat(100_000))).diagnostic();
        let text = d.render(&files);
        assert!(text.len() < 3 * MESSAGE_CHARS, "{} bytes", text.len());
    }
}

#[cfg(test)]
mod note_tests {
    use super::*;
    use crate::diagnostic::code::Code;
    use crate::diagnostic::model::{Explain, Location, Made};

    #[test]
    fn a_note_without_its_source_line_carries_its_place_on_its_own_line() {
        let mut d = Made(Code::E101, "requested twice".into(), None).at(Location::at("a.yaml", 14, 7));
        d.notes.push((Location::at("b.yaml", 10, 7), "first requested here".into()));
        let bare = d.render(&SourceText::default());
        assert!(bare.contains(" --> a.yaml:14:7\n   = note: first requested here: b.yaml:10:7\n"), "{bare}");
        assert!(!bare.contains("--> b.yaml"), "{bare}");
        let mut files = SourceText::default();
        files.insert("b.yaml", "\n\n\n\n\n\n\n\n\n      - host: x\n");
        let quoted = d.render(&files);
        assert!(quoted.contains("   = note: first requested here\n  --> b.yaml:10:7\n"), "{quoted}");
    }
}
