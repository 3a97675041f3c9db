//! Kubernetes label selectors (`app=x,tier!=db,env in (a,b),!legacy`), as patch targets use them.

use serde_json::{Map, Value};

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed Kubernetes label selector (`app=x,tier!=db,env in (a,b),!legacy`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selector(Vec<Requirement>);

impl Selector {
    pub(crate) fn parse(text: &str) -> Result<Selector, String> {
        let mut terms = Vec::new();
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in text.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    terms.push(&text[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        terms.push(&text[start..]);
        let mut out = Vec::new();
        for term in terms.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            out.push(Self::requirement(term)?);
        }
        Ok(Selector(out))
    }

    fn requirement(term: &str) -> Result<Requirement, String> {
        let set = |rest: &str| -> Result<Vec<String>, String> {
            let inner = rest
                .trim()
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| format!("`{term}`: a set needs parentheses, e.g. `env in (dev,prod)`"))?;
            Ok(inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect())
        };
        if let Some(key) = term.strip_prefix('!') {
            return Ok(Requirement::NotExists(key.trim().to_string()));
        }
        if let Some((key, value)) = term.split_once("!=") {
            return Ok(Requirement::NotEquals(key.trim().into(), value.trim().into()));
        }
        if let Some((key, value)) = term.split_once("==").or_else(|| term.split_once('=')) {
            return Ok(Requirement::Equals(key.trim().into(), value.trim().into()));
        }
        let words: Vec<&str> = term.splitn(3, char::is_whitespace).collect();
        match words.as_slice() {
            [key] => Ok(Requirement::Exists(key.to_string())),
            [key, "in", rest] => Ok(Requirement::In(key.to_string(), set(rest)?)),
            [key, "notin", rest] => Ok(Requirement::NotIn(key.to_string(), set(rest)?)),
            _ => Err(format!("`{term}` is not a selector requirement")),
        }
    }

    pub(crate) fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let get = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => !get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::NotExists(k) => get(k).is_none(),
        })
    }
}
