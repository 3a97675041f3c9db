//! `check --format text`: the diagnostics as `build` prints its own, rustc-style (a header with
//! the code and the Istio code, `-->` file:line:column, the source line with a caret, the object,
//! the help), environment by environment, then the suppressed findings counted and a total.

use std::fmt::Write as _;

use super::{Diagnostic, Environment, sorted};
use crate::analyzers::Severity;
use crate::diagnostic::render::render_location;
use crate::diagnostic::{Location, MESSAGE_CHARS, SourceText, counted, excerpt};

fn render_one(out: &mut String, d: &Diagnostic, texts: &SourceText) {
    let code = match &d.istio {
        Some(istio) => format!("{}/{istio}", d.code),
        None => d.code.clone(),
    };
    let _ = writeln!(out, "{}[{code}]: {}", d.severity.as_str(), excerpt(&d.message, MESSAGE_CHARS));
    if let Some(file) = &d.file {
        let location = Location { file: file.clone(), line: d.line, column: d.line.and(d.column) };
        render_location(out, &location, texts, "-->");
    }
    if let Some(resource) = &d.resource {
        let _ = writeln!(out, "   = object: {resource}");
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "   = help: {}", excerpt(help, MESSAGE_CHARS));
    }
    out.push('\n');
}

/// The report; `texts` are the input files quoted.
pub fn render(environments: &[Environment], texts: &SourceText) -> String {
    let mut out = String::new();
    let (mut errors, mut warnings, mut suppressed) = (0, 0, 0);
    for env in environments {
        for d in sorted(&env.diagnostics) {
            render_one(&mut out, d, texts);
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
        }
        if !env.suppressed.is_empty() {
            let _ = writeln!(
                out,
                "note: {}: {} suppressed",
                env.name,
                counted(env.suppressed.len(), "finding", "findings")
            );
            let mut list: Vec<_> = env.suppressed.iter().collect();
            list.sort_by(|a, b| a.diagnostic.sort_key().cmp(&b.diagnostic.sort_key()));
            for s in list {
                let on = s.diagnostic.resource.as_ref().map(|r| format!(" on {r}")).unwrap_or_default();
                let _ = writeln!(out, "   = {}{on}, by {}", s.diagnostic.code, s.by);
            }
            out.push('\n');
            suppressed += env.suppressed.len();
        }
    }
    let checked = counted(environments.len(), "environment", "environments");
    let _ = write!(
        out,
        "{checked} checked: {}, {}",
        counted(errors, "error", "errors"),
        counted(warnings, "warning", "warnings")
    );
    if suppressed > 0 {
        let _ = write!(out, ", {suppressed} suppressed");
    }
    out.push('\n');
    out
}
