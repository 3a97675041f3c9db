//! The short report Argo CD shows in its UI: a headline, the first diagnostics (errors first),
//! and a count of the rest, under [`REPORT_LIMIT`] bytes.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Diagnostics, Severity, SourceText, counted};

/// Upper bound of the failure report on stderr, in bytes (what the Argo CD UI shows).
pub const REPORT_LIMIT: usize = 1900;
/// Diagnostics shown in a failure report; the rest are counted.
const REPORT_DIAGNOSTICS: usize = 3;
/// Longest line of a failure report (longer source lines are cut).
const REPORT_LINE: usize = 200;

/// A failure report short enough for the Argo CD UI: the headline, the first diagnostics
/// (errors first), a count of the rest, under [`REPORT_LIMIT`] bytes.
pub fn report(headline: &str, diagnostics: &Diagnostics, texts: &SourceText, env_dir: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str(&cut_line(headline));
    out.push('\n');
    // Errors first, then in file order (line by line), so the first problem in a file leads.
    let mut all = diagnostics.clone().sorted();
    all.sort_by(|a, b| (a.severity, &a.location).cmp(&(b.severity, &b.location)));
    let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
    // With errors, only errors are shown; warnings are counted.
    let candidates: Vec<&Diagnostic> =
        if errors > 0 { all.iter().filter(|d| d.is_error()).collect() } else { all.iter().collect() };
    let footer_room = 240;
    let mut shown = 0;
    for diagnostic in candidates.iter().take(REPORT_DIAGNOSTICS) {
        let text: String = diagnostic.render(texts).lines().map(|l| cut_line(l) + "\n").collect();
        let room = REPORT_LIMIT.saturating_sub(out.len() + footer_room);
        if text.len() <= room {
            out.push_str(&text);
        } else if shown == 0 {
            // The first diagnostic is always shown, cut at a line boundary.
            for line in text.lines() {
                if out.len() + line.len() + 1 > REPORT_LIMIT - footer_room {
                    break;
                }
                out.push_str(line);
                out.push('\n');
            }
        } else {
            break;
        }
        shown += 1;
    }
    let rest = all.len() - shown;
    if rest > 0 {
        let warnings = all.len() - errors;
        let mut counts = Vec::new();
        if errors > 0 {
            counts.push(counted(errors, "error", "errors"));
        }
        if warnings > 0 {
            counts.push(counted(warnings, "warning", "warnings"));
        }
        let _ = write!(out, "... {rest} more not shown ({} in all)", counts.join(", "));
        match env_dir {
            Some(env) => {
                let _ = writeln!(out, "; `meshedge build {env}` in a checkout shows them all");
            }
            None => out.push('\n'),
        }
    }
    if out.len() > REPORT_LIMIT {
        let mut end = REPORT_LIMIT;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('\n');
    }
    out
}

fn cut_line(line: &str) -> String {
    if line.len() <= REPORT_LINE {
        return line.to_string();
    }
    let mut end = REPORT_LINE - 3;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &line[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Code, Explain};

    #[test]
    fn reports_stay_short() {
        let mut texts = SourceText::default();
        texts.insert("a.yaml", format!("key: {}\n", "x".repeat(5000)));
        let diagnostics: Diagnostics = (0..50)
            .map(|i| {
                crate::diagnostic::Made(Code::E401, format!("problem {i} {}", "y".repeat(300)), Some("z".repeat(1000)))
                    .at(crate::diagnostic::Location::at("a.yaml", 1, 6))
            })
            .collect();
        let text = report("meshedge generate: cannot build x", &diagnostics, &texts, Some("x"));
        assert!(text.len() < REPORT_LIMIT + 2, "{}", text.len());
        assert!(text.contains("a.yaml:1:6"), "{text}");
        assert!(text.contains("more not shown (50 errors in all)"), "{text}");
    }
}
