//! Free strings with a rule: a route's path prefix and a text that must say something.

use super::refusal::{Refusal, shown};

string_type!(
    /// A path prefix of a route: starts with `/`; no glob characters (`*`, `?`, `[`, `]`), no
    /// whitespace or control characters — Istio matches it as a literal prefix.
    PathPrefix,
    |v| {
        let refuse = |reason: &str| {
            Refusal::new(
                v,
                "a valid path prefix",
                reason,
                "a path prefix starts with `/` and is matched literally: no `*`, `?`, `[`, `]`, spaces or control characters (e.g. `/api`)",
            )
        };
        if !v.starts_with('/') {
            return Err(refuse("it must start with `/`"));
        }
        if let Some(c) = v.chars().find(|c| matches!(c, '*' | '?' | '[' | ']')) {
            return Err(refuse(&format!("{} is a glob character, and prefixes are literal", shown(&c.to_string()))));
        }
        if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse("it holds whitespace or a control character"));
        }
        Ok(())
    }
);

string_type!(
    /// A string that must say something: not empty, not only whitespace, no control characters.
    Text,
    |v| {
        let refuse = |reason: &str| {
            Refusal::new(v, "a valid value", reason, "write a non-empty value without control characters")
        };
        if v.trim().is_empty() {
            return Err(refuse("it is empty"));
        }
        if v.chars().any(char::is_control) {
            return Err(refuse("it holds a control character"));
        }
        Ok(())
    }
);
