use super::*;

#[test]
fn ids_are_unique_and_safe_whatever_the_names() {
    let mut graph = Graph::new("dev");
    let a = graph.node(NodeKind::Host, "a.b", vec!["a.b".into()]);
    let b = graph.node(NodeKind::Host, "a-b", vec!["a-b".into()]);
    let again = graph.node(NodeKind::Host, "a.b", vec!["ignored".into()]);
    let end = graph.node(NodeKind::Namespace, "end", vec!["end".into()]);
    assert_eq!(
        (a.as_str(), b.as_str(), again.as_str(), end.as_str()),
        ("host_a_b", "host_a_b_2", "host_a_b", "ns_end")
    );
    graph.edge(&a, &b, "/api", Line::Solid);
    graph.edge(&a, &b, "/", Line::Solid);
    graph.edge(&a, &b, "/api", Line::Solid);
    assert_eq!(graph.edges.len(), 1);
    assert_eq!(graph.edges[0].label, "/api, /");
}

#[test]
fn labels_cannot_break_out_of_mermaid_or_dot() {
    let mut graph = Graph::new("dev");
    let evil = "x\"]; y[\"<script>#1`&\\\n";
    let a = graph.node(NodeKind::Host, evil, vec![evil.into()]);
    let b = graph.node(NodeKind::IngressGateway, "g", vec!["{a|b}".into()]);
    graph.edge(&b, &a, evil, Line::Solid);
    graph.blocked("shop", "evil.example:443");
    let mermaid = mermaid::render(&graph);
    for line in mermaid.lines().skip(1) {
        assert_eq!(line.matches('"').count() % 2, 0, "{line}");
        assert!(!line.contains("<script>") && !line.contains('`'), "{line}");
    }
    assert!(mermaid.contains("#quot;") && mermaid.contains("#lt;script#gt;") && mermaid.contains("#35;1"), "{mermaid}");
    assert!(mermaid.contains("ns_shop -.->|\"blocked\"| ext_evil_example_443"), "blocked flows are dashed: {mermaid}");
    let dot = dot::render(&graph);
    assert!(dot.contains(r#"label="x\"]; y[\"<script>#1`&\\\\n""#), "{dot}");
    assert!(dot.contains("label=\" a b \", shape=Mrecord"), "record syntax is removed: {dot}");
    assert!(dot.contains("style=dashed"), "{dot}");
    let svg = dot::svg(&graph).unwrap();
    assert!(svg.contains("&lt;script&gt;"), "{svg}");
}

#[test]
fn bidirectional_controls_and_what_xml_refuses_are_escaped_in_every_rendering() {
    let mut graph = Graph::new("dev");
    let spoof = "/api\u{202e}nimda\u{2066}\u{200f}\u{61c}";
    let invalid = "/p\u{fffe}\u{ffff}\u{1}\u{1b}";
    let host = graph.node(NodeKind::Host, "shop.example.com", vec!["shop\u{202e}.example.com".into()]);
    let service = graph.node(NodeKind::Service, "web", vec!["web".into()]);
    graph.edge(&host, &service, &format!("{spoof}, {invalid}"), Line::Solid);
    let raw = ['\u{202e}', '\u{2066}', '\u{200f}', '\u{61c}', '\u{fffe}', '\u{ffff}', '\u{1}', '\u{1b}'];
    let svg = dot::svg(&graph).unwrap();
    for (name, text) in [("mermaid", mermaid::render(&graph)), ("dot", dot::render(&graph)), ("svg", svg.clone())] {
        assert!(!text.contains(raw), "{name}: {text:?}");
        assert!(text.contains("u{202e}") && text.contains("u{fffe}"), "{name}: {text}");
    }
    roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
}

#[test]
fn a_subgraph_keeps_ids_and_the_edges_inside_it() {
    let mut graph = Graph::new("dev");
    let a = graph.node(NodeKind::Host, "a", vec!["a".into()]);
    let b = graph.node(NodeKind::Service, "b", vec!["b".into()]);
    let c = graph.node(NodeKind::Service, "c", vec!["c".into()]);
    graph.edge(&a, &b, "", Line::Solid);
    graph.edge(&a, &c, "", Line::Solid);
    let part = graph.only(|n| n.id != c);
    assert_eq!(part.nodes.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), [a.as_str(), b.as_str()]);
    assert_eq!(part.edges.len(), 1);
}

#[test]
fn an_empty_graph_is_an_empty_drawing() {
    let graph = Graph::new("dev");
    assert_eq!(mermaid::render(&graph), "flowchart LR\n");
    assert!(dot::svg(&graph).unwrap().starts_with("<svg"));
}

#[test]
fn svg_refuses_a_graph_beyond_its_limit_before_laying_it_out() {
    let mut graph = Graph::new("big");
    let clients = graph.node(NodeKind::Clients, "", vec!["clients".into()]);
    for i in 0..dot::SVG_LIMIT / 2 {
        let host = graph.node(NodeKind::Host, &format!("h{i}"), vec![format!("h{i}")]);
        graph.edge(&clients, &host, "", Line::Solid);
    }
    // 1 + 100 nodes and 100 edges: one over.
    let error = dot::svg(&graph).unwrap_err();
    assert!(matches!(error, crate::error::UsageError::GraphTooLarge { nodes: 101, edges: 100, .. }), "{error:?}");
    use crate::diagnostic::Explain as _;
    assert!(error.help().unwrap().contains("--tenant"), "the whole graph: draw one tenant");
    let crate::error::UsageError::GraphTooLarge { environment, nodes, edges, limit, .. } = error else {
        unreachable!()
    };
    let one = crate::error::UsageError::GraphTooLarge { environment, tenant: Some("shop".into()), nodes, edges, limit };
    let help = one.help().unwrap();
    assert!(!help.contains("--tenant") && help.contains("`shop`") && help.contains("--format dot"), "{help}");
    // What the limit lets through lays out.
    let smaller = graph.only(|n| n.id != "host_h0");
    assert!(dot::svg(&smaller).unwrap().contains("<svg"));
}

#[test]
fn mermaid_limits_are_the_renderers_defaults() {
    let mut graph = Graph::new("prod");
    let from = graph.node(NodeKind::Clients, "clients", vec!["clients".into()]);
    for i in 0..super::mermaid::MAX_EDGES {
        let to = graph.node(NodeKind::Host, &format!("h{i}"), vec![format!("h{i}")]);
        graph.edge(&from, &to, "", Line::Solid);
    }
    let text = super::mermaid::render(&graph);
    assert!(text.len() < super::mermaid::MAX_TEXT);
    assert_eq!(super::mermaid::over_limits(&graph, &text), None, "500 edges are drawn");
    let to = graph.node(NodeKind::Host, "one-more", vec!["one more".into()]);
    graph.edge(&from, &to, "", Line::Solid);
    let text = super::mermaid::render(&graph);
    assert!(super::mermaid::over_limits(&graph, &text).is_some_and(|why| why.contains("501 edges")));
    let mut long = Graph::new("prod");
    long.node(NodeKind::Host, "long", vec!["é".repeat(super::mermaid::MAX_TEXT)]);
    let text = super::mermaid::render(&long);
    assert!(super::mermaid::over_limits(&long, &text).is_some_and(|why| why.contains("characters")));
}
