//! The flows of a [`Report`] as `meshedge flows` prints them: a table by tenant, SPEC §5.1's
//! JSON, or a Mermaid picture of the allowed flows.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::stage::{Evaluated, Report, Violation};
use super::{ObjectRef, Outcome};
use crate::diagnostic::Code;

/// A table per tenant: `✓` a flow that gets through, `✗` one that is blocked, `↪` one sent to a
/// login flow or a redirect; whether it was requested; the first object that decides it (and how
/// many more); the code of the error when the flow breaks what the requests ask for.
pub fn text(report: &Report) -> String {
    let mut out = format!("flows of {}\n", report.environment);
    for tenant in report.tenants() {
        let mut rows: Vec<[String; 5]> = Vec::new();
        report.each_of(tenant, |e| rows.push(row(e)));
        let widths: Vec<usize> = (0..4).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
        let _ = writeln!(out, "\ntenant {}", crate::diagnostic::printable(tenant));
        for row in rows {
            let mut line = String::from("  ");
            for (i, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if let Some(width) = widths.get(i) {
                    line.push_str(&" ".repeat(width.saturating_sub(cell.chars().count()) + 2));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

fn row(e: &Evaluated) -> [String; 5] {
    let mark = match e.verdict.verdict {
        Outcome::Allowed => "✓ allowed",
        Outcome::Blocked => "✗ blocked",
        Outcome::Redirected => "↪ redirected",
    };
    let mut flow = format!("{:<7} {}", e.flow.direction.as_str(), super::stage::describe(&e.flow));
    if e.flow.direction == super::requests::Direction::Ingress && e.flow.credential.is_none() {
        flow = flow.trim_end().to_string();
    }
    let requested = if e.flow.requested { "requested" } else { "not requested" };
    let decided = match e.verdict.decided_by.split_first() {
        None => "-".to_string(),
        Some((first, [])) => first.to_string(),
        Some((first, rest)) => format!("{first} (+{})", rest.len()),
    };
    let decided = match e.violation() {
        Some(Violation::Blocked | Violation::Misrouted(_)) => format!("{decided}  {}", Code::E801),
        Some(Violation::Open) => format!("{decided}  {}", Code::E802),
        None => decided,
    };
    // Input text (hosts, paths, names) shown inert: no control or bidirectional character.
    let shown = |text: String| crate::diagnostic::printable(&text).into_owned();
    [mark.to_string(), shown(flow), requested.to_string(), shown(decided), String::new()]
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonRef<'a> {
    api_version: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    name: &'a str,
}

#[derive(Serialize)]
struct JsonRequest {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFlow<'a> {
    direction: &'static str,
    from: &'a str,
    to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    backend: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential: Option<&'static str>,
    requested: bool,
    verdict: Outcome,
    decided_by: Vec<JsonRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<JsonRequest>,
}

fn json_ref(r: &ObjectRef) -> JsonRef<'_> {
    JsonRef { api_version: &r.api_version, kind: &r.kind, namespace: r.namespace.as_deref(), name: &r.name }
}

/// SPEC §5.1: `{"environment", "flows": [{"direction", "from", "to", "backend"?, "credential"?,
/// "requested", "verdict", "decidedBy": [{"apiVersion", "kind", "namespace", "name"}],
/// "request": {"file", "line"}?}]}`, pretty-printed, one flow after the other.
pub fn json(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing to memory does not fail.
    let _ = write_json(report, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// [`json`], written flow by flow to `out`: the flows of every namespace to every external host
/// it did not request grow with namespaces × hosts, and are never held at once.
pub fn write_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write!(out, "{{\n  \"environment\": {},\n  \"flows\": [", serde_json::to_string(&report.environment)?)?;
    let mut first = true;
    let mut failed = None;
    report.each(|e| {
        if failed.is_some() {
            return;
        }
        let flow = &e.flow;
        let request = flow.requested.then_some(flow.place.as_ref()).flatten().map(|place| {
            let at = place.location();
            JsonRequest { file: at.file, line: at.line }
        });
        let item = JsonFlow {
            direction: flow.direction.as_str(),
            from: &flow.from,
            to: &flow.to,
            backend: flow.backend.as_deref(),
            credential: flow.credential.map(|c| c.as_str()),
            requested: flow.requested,
            verdict: e.verdict.verdict,
            decided_by: e.verdict.decided_by.iter().map(json_ref).collect(),
            request,
        };
        let text = serde_json::to_string_pretty(&item).unwrap_or_default();
        let written = out
            .write_all(if first { b"\n    " } else { b",\n    " })
            .and_then(|()| out.write_all(text.replace('\n', "\n    ").as_bytes()));
        if let Err(e) = written {
            failed = Some(e);
        }
        first = false;
    });
    if let Some(e) = failed {
        return Err(e);
    }
    out.write_all(if first { b"]\n}\n" } else { b"\n  ]\n}\n" })
}

/// A Mermaid flowchart of the allowed flows: the internet and tenant namespaces on the left,
/// hosts, backends and external hosts on the right; each edge once.
pub fn mermaid(report: &Report) -> String {
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut nodes = String::new();
    let mut edges: Vec<(usize, usize, String)> = Vec::new();
    let mut id = |label: &str, nodes: &mut String| -> usize {
        if let Some(id) = ids.get(label) {
            return *id;
        }
        let next = ids.len();
        ids.insert(label.to_string(), next);
        let _ = writeln!(nodes, "  n{next}[\"{}\"]", crate::diagnostic::printable(label).replace('"', "#quot;"));
        next
    };
    report.each(|e| {
        if e.verdict.verdict != Outcome::Allowed {
            return;
        }
        let flow = &e.flow;
        let from = id(&flow.from, &mut nodes);
        let to = id(&flow.to, &mut nodes);
        let label = match flow.credential {
            Some(c) => format!("{} {}", flow.path.as_deref().unwrap_or(""), c.as_str()).trim().to_string(),
            None => flow.path.clone().unwrap_or_default(),
        };
        edges.push((from, to, label));
        if let Some(backend) = &flow.backend {
            let b = id(backend, &mut nodes);
            edges.push((to, b, String::new()));
        }
    });
    edges.sort();
    edges.dedup();
    let mut out = String::from("flowchart LR\n");
    out.push_str(&nodes);
    for (from, to, label) in edges {
        if label.is_empty() {
            let _ = writeln!(out, "  n{from} --> n{to}");
        } else {
            let _ = writeln!(
                out,
                "  n{from} -->|\"{}\"| n{to}",
                crate::diagnostic::printable(&label).replace('"', "#quot;")
            );
        }
    }
    out
}
