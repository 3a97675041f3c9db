//! A graph in Graphviz's dot language, and as SVG laid out in process by `layout-rs` (no
//! Graphviz install needed).

use std::fmt::Write as _;

use super::{Graph, Line, NodeKind};
use crate::error::UsageError;

/// Text inside a quoted dot string: made printable ([`crate::diagnostic::printable`]: control,
/// bidirectional and noncharacters as `\u{..}` text), then `\` and `"` escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::diagnostic::printable(text).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

/// The digraph, left to right; lines of a label separated by `\n`.
pub fn render(graph: &Graph) -> String {
    let mut out = String::from("digraph meshedge {\n  rankdir=LR;\n");
    for node in &graph.nodes {
        let label = node.label.iter().map(|l| escape(l)).collect::<Vec<_>>().join("\\n");
        let shape = match node.kind {
            NodeKind::Clients => "doublecircle",
            NodeKind::Exposure | NodeKind::Service | NodeKind::Namespace => "box",
            NodeKind::IngressGateway | NodeKind::EgressGateway => "Mrecord",
            NodeKind::Host | NodeKind::ExternalHost => "box",
        };
        // A record's label reads `|`, `{`, `}`, `<`, `>` as structure: those become spaces there.
        let label = if shape == "Mrecord" { label.replace(['|', '{', '}', '<', '>'], " ") } else { label };
        let _ = writeln!(out, "  {} [label=\"{label}\", shape={shape}];", node.id);
    }
    for edge in &graph.edges {
        let mut attributes = Vec::new();
        if !edge.label.is_empty() {
            attributes.push(format!("label=\"{}\"", escape(&edge.label)));
        }
        match edge.line {
            Line::Solid => {}
            Line::Dashed => attributes.push("style=dashed".to_string()),
            Line::Removed => attributes.push("style=dotted, arrowhead=tee".to_string()),
        }
        let attributes = if attributes.is_empty() { String::new() } else { format!(" [{}]", attributes.join(", ")) };
        let _ = writeln!(out, "  {} -> {}{attributes};", edge.from, edge.to);
    }
    out.push_str("}\n");
    out
}

/// The most nodes and edges, together, [`svg`] lays out. `layout-rs` places nodes by repeated
/// passes over ranks and crossings whose time grows much faster than the graph: measured with a
/// debug build, the example environments (74 to 101 nodes and edges) take under a second, the
/// synthetic repository of 6 tenants (157) 8 s, of 9 tenants (260) 41 s, of 15 tenants (514)
/// over 5 minutes. Within this bound a drawing takes seconds.
pub const SVG_LIMIT: usize = 200;

/// The graph as an SVG document, laid out from its dot text by `layout-rs`. An empty graph is
/// an empty drawing; a graph of more than [`SVG_LIMIT`] nodes and edges is E908, before any
/// layout work.
pub fn svg(graph: &Graph) -> Result<String, UsageError> {
    let (nodes, edges) = (graph.nodes.len(), graph.edges.len());
    if nodes.saturating_add(edges) > SVG_LIMIT {
        return Err(UsageError::GraphTooLarge {
            environment: graph.environment.clone(),
            tenant: None,
            nodes,
            edges,
            limit: SVG_LIMIT,
        });
    }
    Ok(laid_out(graph))
}

fn laid_out(graph: &Graph) -> String {
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};
    let dot = render(graph);
    let Ok(parsed) = DotParser::new(&dot).process() else {
        return String::from("<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
    };
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&parsed);
    let mut visual = builder.get();
    if visual.num_nodes() == 0 {
        return String::from("<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
    }
    let mut writer = SVGWriter::new();
    visual.do_it(false, false, false, &mut writer);
    let mut text = writer.finalize();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
