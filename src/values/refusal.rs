//! A refused value: what the value types answer when a text does not fit, and how the loader
//! reads that answer back out of serde's error text.

use std::fmt;

/// How many characters of a refused value a message quotes.
pub(crate) const SHOWN: usize = 64;

/// Separates a refusal's parts in the text serde carries; never written by the user (control
/// characters in quoted values are escaped).
const MARK: char = '\u{1f}';

/// Why a value was refused: the message (naming the value) and what it must look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub help: String,
}

impl Refusal {
    pub(super) fn new(value: &str, noun: &str, reason: impl fmt::Display, help: impl Into<String>) -> Self {
        Refusal { message: format!("{} is not {noun}: {reason}", shown(value)), help: help.into() }
    }
}

/// The form serde carries (`de::Error::custom`): read back by [`split_refusal`].
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{MARK}{}{MARK}{}", self.message, self.help)
    }
}

/// A refusal's message and help, when `text` is a refusal as serde carries it.
pub(crate) fn split_refusal(text: &str) -> Option<(&str, &str)> {
    text.strip_prefix(MARK)?.split_once(MARK)
}

/// A value quoted in backticks: at most [`SHOWN`] characters, control characters escaped.
pub(crate) fn shown(value: &str) -> String {
    let mut out = String::from("`");
    for (i, c) in value.chars().enumerate() {
        if i == SHOWN {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}
