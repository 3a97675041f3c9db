//! The report for tools.

use crate::diagnostic::json::{JsonDiagnostic, with_help as json_diagnostics};
use crate::diff::report::{ObjectRef, Report};

// Serialised in declaration order: the order the documentation shows.

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    base: &'a str,
    base_commit: Option<&'a str>,
    head: &'a str,
    head_commit: Option<&'a str>,
    environments: Vec<JsonEnvironment<'a>>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonEnvironment<'a> {
    name: &'a str,
    path: &'a str,
    status: &'static str,
    inputs_changed: bool,
    /// `{"opened": [...], "closed": [...]}`: the flows the change opens and closes, each named
    /// as `meshedge flows` names it; null when nothing was built or a revision stopped before
    /// the flows stage.
    flows: Option<JsonFlows<'a>>,
    added: Vec<JsonObject<'a>>,
    removed: Vec<JsonObject<'a>>,
    changed: Vec<JsonObject<'a>>,
    diagnostics: JsonDiagnostics<'a>,
    errors: JsonErrors<'a>,
    /// The input files that differ: `{"path", "change": "added|removed|modified"}`.
    inputs: Vec<JsonInput<'a>>,
    /// The changed part of the edge as a mermaid flowchart, or null.
    graph: Option<String>,
}

#[derive(serde::Serialize)]
struct JsonInput<'a> {
    path: &'a str,
    change: &'static str,
}

#[derive(serde::Serialize)]
struct JsonFlows<'a> {
    opened: &'a [String],
    closed: &'a [String],
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonObject<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<&'a str>,
    /// An added object's YAML, or a removed object's last YAML (Secret values masked).
    #[serde(skip_serializing_if = "Option::is_none")]
    yaml: Option<&'a str>,
}

impl<'a> JsonObject<'a> {
    fn new(object: &'a ObjectRef, diff: Option<&'a str>) -> Self {
        JsonObject {
            api_version: &object.api_version,
            kind: &object.kind,
            namespace: object.namespace.as_deref(),
            name: &object.name,
            diff,
            yaml: None,
        }
    }

    fn with_yaml(object: &'a ObjectRef, yaml: Option<&'a String>) -> Self {
        JsonObject { yaml: yaml.map(String::as_str), ..JsonObject::new(object, None) }
    }
}

#[derive(serde::Serialize)]
struct JsonDiagnostics<'a> {
    introduced: Vec<JsonDiagnostic<'a>>,
    fixed: Vec<JsonDiagnostic<'a>>,
}

#[derive(serde::Serialize)]
struct JsonErrors<'a> {
    base: Vec<JsonDiagnostic<'a>>,
    head: Vec<JsonDiagnostic<'a>>,
}

/// The machine-readable report (documented in `docs/diff-preview.md`).
pub fn render_json(report: &Report) -> String {
    let environments = report
        .environments
        .iter()
        .map(|env| JsonEnvironment {
            name: &env.name,
            path: &env.path,
            status: env.status.as_str(),
            inputs_changed: env.inputs_changed,
            flows: env.flows.as_ref().map(|f| JsonFlows { opened: &f.opened, closed: &f.closed }),
            added: env.added.iter().enumerate().map(|(i, o)| JsonObject::with_yaml(o, env.added_yaml.get(i))).collect(),
            removed: env
                .removed
                .iter()
                .enumerate()
                .map(|(i, o)| JsonObject::with_yaml(o, env.removed_yaml.get(i)))
                .collect(),
            changed: env.changed.iter().map(|c| JsonObject::new(&c.object, Some(&c.diff))).collect(),
            diagnostics: JsonDiagnostics {
                introduced: json_diagnostics(&env.introduced),
                fixed: json_diagnostics(&env.fixed),
            },
            errors: JsonErrors { base: json_diagnostics(&env.base_errors), head: json_diagnostics(&env.head_errors) },
            inputs: env.inputs.iter().map(|(path, change)| JsonInput { path, change: change.as_str() }).collect(),
            graph: env.graph.as_ref().map(crate::graph::mermaid::render),
        })
        .collect();
    let value = JsonReport {
        base: &report.base,
        base_commit: report.base_commit.as_deref(),
        head: &report.head,
        head_commit: report.head_commit.as_deref(),
        environments,
    };
    // Pretty JSON's own newlines stay; any other control (DEL, C1, bidirectional) is escaped.
    let mut text = crate::diagnostic::inert_json(serde_json::to_string_pretty(&value).unwrap_or_default());
    text.push('\n');
    text
}
