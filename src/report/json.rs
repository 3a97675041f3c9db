//! `check --format json`: the shape docs/ci.md gives ("Output formats"),
//! `{"environments":[{"name","diagnostics":[{"severity","code","istio"?,"message","resource"?,
//! "file"?,"line"?}]}]}`, keys in that order (each diagnostic as [`JsonDiagnostic`] writes it,
//! as `diff --format json` does). An environment with suppressed findings also has
//! `"suppressed"`: the same objects, each with `"suppressedBy"` (the rule that hid it); the key
//! is absent when nothing was suppressed.

use serde::Serialize;

use super::{Environment, sorted};
use crate::diagnostic::json::JsonDiagnostic;

#[derive(Serialize)]
struct Report<'a> {
    environments: Vec<Env<'a>>,
}

#[derive(Serialize)]
struct Env<'a> {
    name: &'a str,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressed: Vec<JsonDiagnostic<'a>>,
}

/// The report as pretty-printed JSON, with a final newline.
pub fn render(environments: &[Environment]) -> String {
    let report = Report {
        environments: environments
            .iter()
            .map(|env| Env {
                name: &env.name,
                diagnostics: sorted(&env.diagnostics).into_iter().map(JsonDiagnostic::new).collect(),
                suppressed: env
                    .suppressed_sorted()
                    .into_iter()
                    .map(|s| JsonDiagnostic::new(&s.diagnostic).suppressed_by(&s.by))
                    .collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
