//! The report as a pull-request comment.

use std::fmt::Write as _;

use crate::diagnostic::counted;
use crate::diagnostic::{SourceText, printable};
pub use crate::diff::render::cut::MARKDOWN_LIMIT;
use crate::diff::render::cut::{Kind, Piece, fit};
use crate::diff::render::pieces::{code_span, diagnostic_line, env_label, longest_backtick_run, not_errors_shown};
use crate::diff::report::{Report, Status, WORK_TREE};

/// Diagnostics listed per environment and list in markdown before "and N more".
const MARKDOWN_DIAGNOSTICS: usize = 50;

/// Text for HTML: on one line (controls escaped, see [`printable`]), markup characters as entities.
fn html_escape(text: &str) -> String {
    printable(text).replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Code spans in a table cell: `|` escaped, or it would end the cell (GitHub Flavored
/// Markdown reads `\|` as `|` inside a cell's code span).
fn table_cell(spans: &str) -> String {
    spans.replace('|', "\\|")
}

/// A collapsed section: the summary (HTML-escaped) and a fenced block of `body` in `language`,
/// each line made printable, the fence longer than any backtick run in it.
fn collapsed(summary: &str, language: &str, body: &str) -> String {
    let body: String = body.lines().map(|line| format!("{}\n", printable(line))).collect();
    let fence = "`".repeat(3.max(longest_backtick_run(&body) + 1));
    format!("<details><summary>{summary}</summary>\n\n{fence}{language}\n{body}{fence}\n\n</details>\n\n")
}

/// The flows each environment's change opens and closes, first in the comment: at most
/// [`MARKDOWN_DIAGNOSTICS`] per environment and direction, then a count of the rest. Nothing when
/// no environment's flows were compared; one line saying so when none changed.
fn flows_section(report: &Report, out: &mut String) {
    let compared: Vec<_> = report.environments.iter().filter_map(|e| e.flows.as_ref().map(|f| (e, f))).collect();
    if compared.is_empty() {
        return;
    }
    out.push_str("### Flows opened / closed by this change\n\n");
    if compared.iter().all(|(_, f)| f.is_empty()) {
        out.push_str("No flow changes.\n\n");
        return;
    }
    for (env, flows) in compared {
        for (list, word) in [(&flows.opened, "**opened**"), (&flows.closed, "closed")] {
            for flow in list.iter().take(MARKDOWN_DIAGNOSTICS) {
                let _ = writeln!(out, "- {} {word} ({})", code_span(flow), env_label(report, env));
            }
            if list.len() > MARKDOWN_DIAGNOSTICS {
                let more = list.len() - MARKDOWN_DIAGNOSTICS;
                let _ = writeln!(out, "- …and {more} more {} ({})", word.trim_matches('*'), env_label(report, env));
            }
        }
    }
    out.push('\n');
}

/// A pull-request comment: the flows opened and closed, a summary table, then per environment its errors, diagnostics, added
/// and removed objects, and a collapsible section with a diff per changed object. Cut at
/// [`MARKDOWN_LIMIT`] characters with a note saying what was left out.
pub fn render_markdown(report: &Report) -> String {
    let mut pieces = Vec::new();
    let mut title = String::from("## meshedge diff\n\n");
    let revision = |rev: &str, commit: Option<&str>| match commit {
        Some(c) if !c.starts_with(rev) => format!("{} ({})", code_span(rev), code_span(c.get(..12).unwrap_or(c))),
        _ => code_span(rev),
    };
    let head = if report.head == WORK_TREE {
        "the work tree".to_string()
    } else {
        revision(&report.head, report.head_commit.as_deref())
    };
    let _ = writeln!(title, "Base: {} → head: {head}\n", revision(&report.base, report.base_commit.as_deref()));
    flows_section(report, &mut title);
    title.push_str(
        "| Environment | Status | Added | Changed | Removed | Diagnostics introduced | Diagnostics fixed |\n",
    );
    title.push_str("|---|---|--:|--:|--:|--:|--:|\n");
    for env in &report.environments {
        let status = match env.status {
            Status::Unchanged if !env.inputs_changed => "unchanged".to_string(),
            Status::Unchanged => "unchanged (same output)".to_string(),
            Status::Error => "**error**".to_string(),
            s => format!("**{}**", s.as_str()),
        };
        let _ = writeln!(
            title,
            "| {} | {status} | {} | {} | {} | {} | {} |",
            table_cell(&env_label(report, env)),
            env.added.len(),
            env.changed.len(),
            env.removed.len(),
            env.introduced.len(),
            env.fixed.len()
        );
    }
    if report.environments.is_empty() {
        title.push_str("| *(no environments)* | | | | | | |\n");
    }
    pieces.push(Piece::Keep(title));

    for (index, env) in report.environments.iter().enumerate() {
        if env.status == Status::Unchanged {
            continue;
        }
        let mut head =
            format!("\n### {} — {}\n\n{}\n", env_label(report, env), env.status.as_str(), code_span(&env.path));
        for (side, errors) in [("base", &env.base_errors), ("head", &env.head_errors)] {
            if errors.is_empty() {
                continue;
            }
            let _ = writeln!(
                head,
                "\n**The {side} revision does not build** ({}):\n",
                counted(errors.len(), "error", "errors")
            );
            let shown: Vec<String> =
                errors.iter().take(MARKDOWN_DIAGNOSTICS).map(|d| d.render(&SourceText::default())).collect();
            let text = shown.join("\n");
            let fence = "`".repeat(3.max(longest_backtick_run(&text) + 1));
            let _ = writeln!(head, "{fence}text\n{}{fence}", text);
            if errors.len() > MARKDOWN_DIAGNOSTICS {
                let _ = writeln!(head, "\n…and {} more.", errors.len() - MARKDOWN_DIAGNOSTICS);
            }
        }
        for (label, list) in [("Diagnostics introduced", &env.introduced), ("Diagnostics fixed", &env.fixed)] {
            let list = not_errors_shown(env, list);
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(head, "\n**{label}** ({}):\n", list.len());
            for d in list.iter().take(MARKDOWN_DIAGNOSTICS) {
                let _ = writeln!(head, "- {}", code_span(&diagnostic_line(d)));
            }
            if list.len() > MARKDOWN_DIAGNOSTICS {
                let _ = writeln!(head, "- …and {} more", list.len() - MARKDOWN_DIAGNOSTICS);
            }
        }
        pieces.push(Piece::Keep(head));
        if !env.inputs.is_empty() {
            let text = format!("\n**Input files changed** ({}):\n\n", env.inputs.len());
            pieces.push(Piece::Heading(text));
            for (path, change) in &env.inputs {
                let text = format!("- {} ({})\n", code_span(path), change.as_str());
                pieces.push(Piece::Detail { text, env: index, kind: Kind::Input });
            }
        }
        if let Some(graph) = &env.graph {
            // The graph has its own heading: the input files' heading does not come with it.
            pieces.push(Piece::Heading(String::new()));
            let flowchart = crate::graph::mermaid::render(graph);
            // Past mermaid's default limits GitHub draws an error box: a note says so instead.
            let text = match crate::graph::mermaid::over_limits(graph, &flowchart) {
                None => format!("\n**The edge where it changed:**\n\n```mermaid\n{flowchart}```\n"),
                Some(why) => format!(
                    "\n**The edge where it changed:** too large to draw here ({why}); run {} for a picture.\n",
                    code_span(&format!("meshedge graph {} --format dot", env.path))
                ),
            };
            pieces.push(Piece::Detail { text, env: index, kind: Kind::Graph });
        }
        for (label, list, yaml, kind) in [
            ("Added", &env.added, &env.added_yaml, Kind::Added),
            ("Removed", &env.removed, &env.removed_yaml, Kind::Removed),
        ] {
            if list.is_empty() {
                continue;
            }
            pieces.push(Piece::Heading(format!("\n**{label}** ({}):\n\n", list.len())));
            for (position, object) in list.iter().enumerate() {
                let summary =
                    format!("<code>{}</code> ({})", html_escape(&object.to_string()), html_escape(&object.api_version));
                let text = match yaml.get(position) {
                    Some(yaml) => collapsed(&summary, "yaml", yaml),
                    None => format!("- {} ({})\n", code_span(&object.to_string()), code_span(&object.api_version)),
                };
                pieces.push(Piece::Detail { text, env: index, kind });
            }
        }
        if !env.changed.is_empty() {
            pieces.push(Piece::Heading(format!("\n**Changed** ({}):\n\n", env.changed.len())));
        }
        for changed in &env.changed {
            let summary = format!(
                "<code>{}</code> ({})",
                html_escape(&changed.object.to_string()),
                html_escape(&changed.object.api_version)
            );
            pieces.push(Piece::Detail {
                text: collapsed(&summary, "diff", &changed.diff),
                env: index,
                kind: Kind::Changed,
            });
        }
    }

    // Everything kept first; each detail where it fits in what is left.
    fit(report, pieces)
}

#[cfg(test)]
mod tests;
