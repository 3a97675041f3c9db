//! The report as text for a terminal.

use std::fmt::Write as _;

use crate::diagnostic::counted;
use crate::diagnostic::{SourceText, printable};
use crate::diff::render::pieces::{commit_label, diagnostic_line, not_errors_shown};
use crate::diff::report::{Report, Status};

struct Paint(bool);

impl Paint {
    fn code(&self, code: &str, text: &str) -> String {
        if self.0 { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

/// Human-readable report; ANSI colours when `color`.
pub fn render_text(report: &Report, color: bool) -> String {
    let paint = Paint(color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint.code(
            "1",
            &format!(
                "meshedge diff: {} -> {}",
                commit_label(&report.base, report.base_commit.as_deref()),
                commit_label(&report.head, report.head_commit.as_deref())
            )
        )
    );
    for env in &report.environments {
        out.push('\n');
        let header = printable(&format!("{} ({})", env.path, env.name)).into_owned();
        let summary = match env.status {
            Status::Unchanged if !env.inputs_changed => "unchanged (same inputs, not built)".to_string(),
            Status::Unchanged => "unchanged (inputs changed, same output)".to_string(),
            Status::Error => {
                let side = match (env.base_errors.is_empty(), env.head_errors.is_empty()) {
                    (false, false) => "neither revision builds",
                    (false, true) => "the base revision does not build",
                    _ => "the head revision does not build",
                };
                // A revision that fails only on its flows was built: its objects are compared.
                match env.added.len() + env.changed.len() + env.removed.len() {
                    0 => side.to_string(),
                    _ => format!(
                        "{side}: {} added, {} changed, {} removed",
                        env.added.len(),
                        env.changed.len(),
                        env.removed.len()
                    ),
                }
            }
            status => format!(
                "{}: {} added, {} changed, {} removed; {} introduced, {} fixed",
                status.as_str(),
                env.added.len(),
                env.changed.len(),
                env.removed.len(),
                counted(env.introduced.len(), "diagnostic", "diagnostics"),
                env.fixed.len()
            ),
        };
        let status_color = match env.status {
            Status::Unchanged => "2",
            Status::Error => "31;1",
            _ => "33;1",
        };
        let _ = writeln!(out, "{}: {}", paint.code("1", &header), paint.code(status_color, &summary));
        // First: what a security reviewer reads before anything else.
        match &env.flows {
            Some(flows) if !flows.is_empty() => {
                let _ = writeln!(out, "  flows opened / closed by this change:");
                for (list, word, code) in [(&flows.opened, "opened", "31;1"), (&flows.closed, "closed", "32")] {
                    for flow in list {
                        let _ = writeln!(out, "    {} {}", printable(flow), paint.code(code, word));
                    }
                }
            }
            Some(_) if env.status != Status::Unchanged => {
                let _ = writeln!(out, "  no flow changes");
            }
            _ => {}
        }
        for (side, errors) in [("base", &env.base_errors), ("head", &env.head_errors)] {
            if errors.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {side} errors:");
            for d in errors {
                for line in d.render(&SourceText::default()).lines() {
                    let _ = writeln!(out, "    {}", paint.code("31", line));
                }
            }
        }
        if !env.inputs.is_empty() {
            let _ = writeln!(out, "  input files changed:");
            for (path, change) in &env.inputs {
                let _ = writeln!(out, "    {} {}", change.as_str(), printable(path));
            }
        }
        for (index, object) in env.added.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {} {} ({})",
                paint.code("32", "+ added  "),
                printable(&object.to_string()),
                printable(&object.api_version)
            );
            for line in env.added_yaml.get(index).map_or("", String::as_str).lines() {
                let _ = writeln!(out, "      {}", paint.code("32", &format!("+{}", printable(line))));
            }
        }
        for (index, object) in env.removed.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {} {} ({})",
                paint.code("31", "- removed"),
                printable(&object.to_string()),
                printable(&object.api_version)
            );
            for line in env.removed_yaml.get(index).map_or("", String::as_str).lines() {
                let _ = writeln!(out, "      {}", paint.code("31", &format!("-{}", printable(line))));
            }
        }
        for changed in &env.changed {
            let object = &changed.object;
            let _ = writeln!(
                out,
                "  {} {} ({})",
                paint.code("33", "~ changed"),
                printable(&object.to_string()),
                printable(&object.api_version)
            );
            for line in changed.diff.lines() {
                let line = &*printable(line);
                let painted = if line.starts_with("+++") || line.starts_with("---") {
                    paint.code("1", line)
                } else if line.starts_with('+') {
                    paint.code("32", line)
                } else if line.starts_with('-') {
                    paint.code("31", line)
                } else if line.starts_with("@@") {
                    paint.code("36", line)
                } else {
                    line.to_string()
                };
                let _ = writeln!(out, "      {painted}");
            }
        }
        for (label, list, code) in [("introduced", &env.introduced, "33"), ("fixed", &env.fixed, "32")] {
            for d in not_errors_shown(env, list) {
                let _ = writeln!(out, "  {} {}", paint.code(code, &format!("{label}:")), diagnostic_line(d));
            }
        }
    }
    let changed = report.environments.iter().filter(|e| e.status != Status::Unchanged).count();
    let _ = writeln!(
        out,
        "\n{}: {} with differences, {} unchanged",
        counted(report.environments.len(), "environment", "environments"),
        changed,
        report.environments.len() - changed
    );
    out
}
