//! JSON writes a character outside the Basic Multilingual Plane as two `\u` escapes, a UTF-16
//! surrogate pair (`"\ud83d\ude00"`); YAML's `\u` takes one code point, and the parser refuses
//! a surrogate. Inside double-quoted scalars (found by the scanner itself, so that a `\u` in a
//! comment, a plain or a block scalar is left alone), each pair is rewritten as the one escape
//! YAML reads (`\U0001F600`) before parsing; a lone surrogate stays, and is a located error.

use std::borrow::Cow;

use yaml_rust2::scanner::{Scanner, TScalarStyle, TokenType};

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
