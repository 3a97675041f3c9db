//! `check --format json`: SPEC §6's shape,
//! `{"environments":[{"name","diagnostics":[{"severity","code","istio"?,"message","resource"?,
//! "file"?,"line"?}]}]}`, keys in that order. An environment with suppressed findings also has
//! `"suppressed"`: the same objects, each with `"suppressedBy"` (the rule that hid it); the key
//! is absent when nothing was suppressed.

use serde::Serialize;

use super::{Diagnostic, Environment, sorted};
use crate::analyzers::{ObjectRef, Severity};

#[derive(Serialize)]
struct Report<'a> {
    environments: Vec<Env<'a>>,
}

#[derive(Serialize)]
struct Env<'a> {
    name: &'a str,
    diagnostics: Vec<Item<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressed: Vec<Item<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    severity: Severity,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    istio: Option<&'a str>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a ObjectRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed_by: Option<&'a str>,
}

fn item<'a>(d: &'a Diagnostic, suppressed_by: Option<&'a str>) -> Item<'a> {
    Item {
        severity: d.severity,
        code: &d.code,
        istio: d.istio.as_deref(),
        message: &d.message,
        resource: d.resource.as_ref(),
        file: d.file.as_deref(),
        line: d.line,
        suppressed_by,
    }
}

/// The report as pretty-printed JSON, with a final newline.
pub fn render(environments: &[Environment]) -> String {
    let report = Report {
        environments: environments
            .iter()
            .map(|env| {
                let mut suppressed: Vec<_> = env.suppressed.iter().collect();
                suppressed.sort_by(|a, b| a.diagnostic.sort_key().cmp(&b.diagnostic.sort_key()));
                Env {
                    name: &env.name,
                    diagnostics: sorted(&env.diagnostics).into_iter().map(|d| item(d, None)).collect(),
                    suppressed: suppressed.into_iter().map(|s| item(&s.diagnostic, Some(&s.by))).collect(),
                }
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
