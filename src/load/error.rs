//! What reading a file can refuse ([`LoadError`]), and the error of typed reading
//! ([`ReadError`]), classified as serde reports it: an unknown field, a missing one, a value its
//! type refuses, or a value of the wrong shape.

use std::borrow::Cow;
use std::fmt;

use serde::de;

use crate::diagnostic::{Code, Explain, excerpt};
use crate::load::limits::{ALIAS_FACTOR, MAX_DEPTH, QUOTE_CHARS};
use crate::pointer::dotted;

/// Why a file, or a document in it, cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The parser's complaint.
    Malformed {
        info: String,
    },
    /// A mapping key that is a mapping or a sequence.
    KeyNotScalar,
    DuplicateKey {
        key: String,
    },
    AliasInsideItself,
    AliasToAnotherDocument,
    AliasNotFound,
    /// Aliases past [`ALIAS_FACTOR`] times the file's size.
    AliasesTooLarge,
    /// Nesting past [`MAX_DEPTH`].
    TooDeep,
    /// A tag meshedge does not read (`!Ref`), quoted as written.
    UnsupportedTag {
        tag: String,
    },
    /// A core tag on the wrong kind of node (`!!map [a]`).
    TagOnCollection {
        tag: String,
        mapping: bool,
    },
    /// A scalar that is not what its tag says (`!!int x`): the value, what it is not, the tag.
    NotAsTagged {
        value: String,
        what: &'static str,
        tag: String,
    },
    /// Typed reading: an unknown field, its name and the fields the document accepts.
    UnknownField {
        message: String,
        at: String,
        field: String,
        expected: &'static [&'static str],
    },
    MissingField {
        message: String,
        at: String,
    },
    /// A value its type refuses ([`crate::values`]): why, and what it must look like.
    Refused {
        refusal: String,
        at: String,
        help: String,
    },
    /// A value of the wrong type or shape; the fix when the value says it.
    WrongType {
        message: String,
        at: String,
        fix: Option<String>,
    },
}

const TAG_HELP: &str = "remove the tag: meshedge reads plain YAML and JSON values";
const ALIAS_HELP: &str = "define the anchor before the alias, in the same document, outside the node it names";

impl LoadError {
    /// The error of a typed read of the value at `pointer` (of the document).
    pub(crate) fn typed(pointer: &str, error: ReadError) -> LoadError {
        let at = if pointer.is_empty() {
            "the document".to_string()
        } else {
            format!("`{}`", excerpt(&dotted(pointer), QUOTE_CHARS))
        };
        let message = shorten_quotes(&error.message);
        match error.kind {
            ReadKind::UnknownField { field, expected } => LoadError::UnknownField { message, at, field, expected },
            ReadKind::MissingField => LoadError::MissingField { message, at },
            ReadKind::Refused { refusal, help } => LoadError::Refused { refusal, at, help },
            ReadKind::InvalidType { fix } => LoadError::WrongType { message, at, fix: Some(fix) },
            ReadKind::Other => LoadError::WrongType { message, at, fix: None },
        }
    }
}

impl Explain for LoadError {
    fn code(&self) -> Code {
        match self {
            LoadError::Malformed { .. }
            | LoadError::KeyNotScalar
            | LoadError::DuplicateKey { .. }
            | LoadError::AliasInsideItself
            | LoadError::AliasToAnotherDocument
            | LoadError::AliasNotFound => Code::E101,
            LoadError::UnknownField { .. } => Code::E102,
            LoadError::WrongType { .. } => Code::E103,
            LoadError::MissingField { .. } => Code::E104,
            LoadError::Refused { .. } => Code::E110,
            LoadError::AliasesTooLarge | LoadError::TooDeep => Code::E114,
            LoadError::UnsupportedTag { .. } | LoadError::TagOnCollection { .. } | LoadError::NotAsTagged { .. } => {
                Code::E115
            }
        }
    }

    fn message(&self) -> String {
        match self {
            LoadError::Malformed { info } => format!("malformed YAML: {info}"),
            LoadError::KeyNotScalar => "malformed YAML: a mapping key must be a scalar".into(),
            LoadError::DuplicateKey { key } => format!("duplicate key `{}`", excerpt(key, QUOTE_CHARS)),
            LoadError::AliasInsideItself => "an alias refers to a node that contains it".into(),
            LoadError::AliasToAnotherDocument => "an alias refers to an anchor of another document".into(),
            LoadError::AliasNotFound => "an alias refers to an anchor that cannot be found".into(),
            LoadError::AliasesTooLarge => format!("aliases copy more than {ALIAS_FACTOR} times the file's size"),
            LoadError::TooDeep => format!("nesting deeper than {MAX_DEPTH} levels"),
            LoadError::UnsupportedTag { tag } => format!("unsupported YAML tag `{tag}`"),
            LoadError::TagOnCollection { tag, mapping } => {
                format!("unsupported YAML tag `{tag}` on a {}", if *mapping { "mapping" } else { "sequence" })
            }
            LoadError::NotAsTagged { value, what, tag } => {
                format!("`{}` is not {what} (tagged `{tag}`)", excerpt(value, QUOTE_CHARS))
            }
            LoadError::UnknownField { message, at, .. }
            | LoadError::MissingField { message, at }
            | LoadError::WrongType { message, at, .. } => format!("{message} (at {at})"),
            LoadError::Refused { refusal, at, .. } => format!("{refusal} (at {at})"),
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            LoadError::Malformed { .. } => {
                "fix the YAML syntax at this place (indentation, quotes, a missing `:`)".into()
            }
            LoadError::KeyNotScalar => "write the key as a plain string".into(),
            LoadError::DuplicateKey { .. } => "remove one of the two entries".into(),
            LoadError::AliasInsideItself | LoadError::AliasToAnotherDocument | LoadError::AliasNotFound => {
                ALIAS_HELP.into()
            }
            LoadError::AliasesTooLarge => "use fewer aliases, or aliases of smaller values".into(),
            LoadError::TooDeep => "flatten the document; no manifest needs this depth".into(),
            LoadError::UnsupportedTag { .. } | LoadError::TagOnCollection { .. } | LoadError::NotAsTagged { .. } => {
                TAG_HELP.into()
            }
            LoadError::UnknownField { field, expected, .. } => {
                match crate::suggest::nearest(field, expected.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`? unknown fields are errors, never ignored"),
                    None => format!(
                        "remove `{}`; this document accepts: {}",
                        excerpt(field, QUOTE_CHARS),
                        expected.join(", ")
                    ),
                }
            }
            LoadError::MissingField { .. } => "add the field; see docs/reference.md for the document's fields".into(),
            LoadError::Refused { help, .. } => help.clone(),
            LoadError::WrongType { fix: Some(fix), .. } => fix.clone(),
            LoadError::WrongType { fix: None, .. } => "see docs/reference.md for the field's type and values".into(),
        })
    }
}

/// What to write instead of `found` where the field wants `expected` (serde's words for the
/// field's type: `a port number`, `a string`, `a boolean`, `u32`).
fn type_fix(found: de::Unexpected, expected: &str) -> String {
    use de::Unexpected as U;
    let wants_number = ["number", "integer", "u8", "u16", "u32", "u64", "i32", "i64", "usize"]
        .iter()
        .any(|word| expected.contains(word));
    let wants_string = expected.contains("string");
    let wants_bool = expected.contains("bool");
    match found {
        U::Str(text) if wants_number && text.trim().parse::<u64>().is_ok() => {
            format!("write the number without quotes: `{}`", excerpt(text.trim(), QUOTE_CHARS))
        }
        U::Str(text) if wants_bool && matches!(text, "yes" | "no" | "on" | "off" | "y" | "n" | "True" | "False") => {
            "write `true` or `false`: YAML 1.2 reads `yes`, `no`, `on` and `off` as strings".into()
        }
        U::Float(value) if wants_number && value.fract() == 0.0 && value.abs() < 1e15 => {
            format!("write a whole number, without a fraction or an exponent: `{}`", value as i64)
        }
        U::Unsigned(_) | U::Signed(_) | U::Float(_) | U::Bool(_) if wants_string => {
            "this field is a string: quote the value (and give a duration its unit, `10s`)".into()
        }
        U::Seq if !expected.contains("sequence") && !expected.contains("list") => {
            format!("write {expected} here, not a list")
        }
        U::Map if !expected.contains("map") && !expected.contains("struct") => {
            format!("write {expected} here, not a mapping")
        }
        _ => format!("write {expected} here (docs/reference.md gives every field's type)"),
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

/// The error of reading a value typed: what serde says, classified when it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub kind: ReadKind,
    /// serde's message, word for word.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadKind {
    UnknownField {
        field: String,
        expected: &'static [&'static str],
    },
    MissingField,
    /// A value its type refused ([`crate::values::Refusal`]).
    Refused {
        refusal: String,
        help: String,
    },
    /// A value of another type than the field's: the fix, in words.
    InvalidType {
        fix: String,
    },
    Other,
}

impl ReadError {
    fn other(error: serde_json::Error) -> Self {
        ReadError { kind: ReadKind::Other, message: error.to_string() }
    }

    /// The message without a refusal's help (for messages that give their own).
    pub(crate) fn plain(&self) -> &str {
        match &self.kind {
            ReadKind::Refused { refusal, .. } => refusal,
            _ => &self.message,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}

/// Messages as serde_json words them; kinds as the deserializer reports them.
impl de::Error for ReadError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        let message = message.to_string();
        match crate::values::split_refusal(&message) {
            Some((refusal, help)) => {
                let kind = ReadKind::Refused { refusal: refusal.to_string(), help: help.to_string() };
                ReadError { kind, message }
            }
            None => ReadError { kind: ReadKind::Other, message },
        }
    }

    fn invalid_type(unexpected: de::Unexpected, expected: &dyn de::Expected) -> Self {
        let message = <serde_json::Error as de::Error>::invalid_type(unexpected, expected).to_string();
        ReadError { kind: ReadKind::InvalidType { fix: type_fix(unexpected, &expected.to_string()) }, message }
    }

    fn invalid_value(unexpected: de::Unexpected, expected: &dyn de::Expected) -> Self {
        ReadError::other(<serde_json::Error as de::Error>::invalid_value(unexpected, expected))
    }

    fn invalid_length(len: usize, expected: &dyn de::Expected) -> Self {
        ReadError::other(<serde_json::Error as de::Error>::invalid_length(len, expected))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let message = <serde_json::Error as de::Error>::unknown_variant(variant, expected).to_string();
        let fix = match expected.iter().find(|e| e.eq_ignore_ascii_case(variant)) {
            Some(same) => format!("write `{same}`: values are case-sensitive"),
            None => match crate::suggest::nearest(variant, expected.iter().copied()) {
                Some(best) => format!("did you mean `{best}`? accepted: {}", expected.join(", ")),
                None => format!("write one of: {}", expected.join(", ")),
            },
        };
        ReadError { kind: ReadKind::InvalidType { fix }, message }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let message = <serde_json::Error as de::Error>::unknown_field(field, expected).to_string();
        ReadError { kind: ReadKind::UnknownField { field: field.to_string(), expected }, message }
    }

    fn missing_field(field: &'static str) -> Self {
        let message = <serde_json::Error as de::Error>::missing_field(field).to_string();
        ReadError { kind: ReadKind::MissingField, message }
    }

    fn duplicate_field(field: &'static str) -> Self {
        ReadError::other(<serde_json::Error as de::Error>::duplicate_field(field))
    }
}
