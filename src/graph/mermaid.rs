//! A graph as a mermaid flowchart (left to right).
//!
//! Ids are ASCII letters, digits and `_`, never a mermaid keyword (each starts with its kind's
//! prefix); every label is quoted, with `"`, `#`, `<`, `>`, `&` and the backtick written as
//! mermaid entity codes, so no input text can end a label or start markup.

use std::fmt::Write as _;

use super::{Graph, Line, NodeKind};

/// Text inside a quoted mermaid label: made printable ([`crate::diagnostic::printable`]: control,
/// bidirectional and noncharacters as `\u{..}` text), then mermaid's markup characters as codes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::diagnostic::printable(text).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

/// The flowchart, one declaration or edge per line, ending with a newline.
pub fn render(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    for node in &graph.nodes {
        let label = node.label.iter().map(|l| escape(l)).collect::<Vec<_>>().join("<br/>");
        let (open, close) = match node.kind {
            NodeKind::Clients => ("([", "])"),
            NodeKind::Exposure => ("[/", "/]"),
            NodeKind::IngressGateway | NodeKind::EgressGateway => ("{{", "}}"),
            NodeKind::Host | NodeKind::ExternalHost => ("[", "]"),
            NodeKind::Service | NodeKind::Namespace => ("(", ")"),
        };
        let _ = writeln!(out, "  {}{open}\"{label}\"{close}", node.id);
    }
    for edge in &graph.edges {
        let arrow = match edge.line {
            Line::Solid => "-->",
            Line::Dashed => "-.->",
            Line::Removed => "--x",
        };
        if edge.label.is_empty() {
            let _ = writeln!(out, "  {} {arrow} {}", edge.from, edge.to);
        } else {
            let _ = writeln!(out, "  {} {arrow}|\"{}\"| {}", edge.from, escape(&edge.label), edge.to);
        }
    }
    out
}

/// The most edges mermaid draws in a flowchart by default (`maxEdges`; mermaid-js/mermaid
/// mermaid@11.14.0 `packages/mermaid/src/schemas/config.schema.yaml`, enforced in
/// `diagrams/flowchart/flowDb.ts`). GitHub renders with the defaults.
pub const MAX_EDGES: usize = 500;

/// The longest diagram text mermaid renders by default, in UTF-16 code units (`maxTextSize`,
/// `MAX_TEXTLENGTH = 50_000` in mermaid@11.14.0 `packages/mermaid/src/mermaidAPI.ts`).
pub const MAX_TEXT: usize = 50_000;

/// Why mermaid with its default limits refuses `text` (the [`render`] of `graph`), if it does.
pub fn over_limits(graph: &Graph, text: &str) -> Option<String> {
    let length = text.encode_utf16().count();
    if graph.edges.len() > MAX_EDGES {
        Some(format!("{} edges; mermaid draws at most {MAX_EDGES}", graph.edges.len()))
    } else if length > MAX_TEXT {
        Some(format!("{length} characters; mermaid draws at most {MAX_TEXT}"))
    } else {
        None
    }
}
