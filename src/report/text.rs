//! `check --format text`: the diagnostics as `build` prints its own, rustc-style (a header with
//! the code and the Istio code, `-->` file:line:column, the source line with a caret, the object,
//! the help), environment by environment (each under its name when there are several), then the
//! suppressed findings counted and a total.

use std::fmt::Write as _;

use super::{Environment, sorted};
use crate::diagnostic::{Severity, SourceText, counted};

/// The report; `texts` are the input files quoted.
pub fn render(environments: &[Environment], texts: &SourceText) -> String {
    render_with(environments, texts, false, false)
}

/// The report; with `quiet` (`-q`) only what fails the check — the errors, and with `strict`
/// the warnings too — and the total only when something fails: no suppressed finding is listed.
pub fn render_with(environments: &[Environment], texts: &SourceText, quiet: bool, strict: bool) -> String {
    let mut out = String::new();
    let (mut errors, mut warnings, mut suppressed) = (0, 0, 0);
    // Several environments: each one's findings under its name (a base's finding may be in each).
    let several = environments.len() > 1;
    for env in environments {
        let mut named = !several;
        for d in sorted(&env.diagnostics) {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            if quiet && !strict && d.severity != Severity::Error {
                continue;
            }
            if !named {
                if env.manifest.ends_with("meshedge.yaml") {
                    let _ = writeln!(out, "environment `{}` ({}):\n", env.name, env.manifest);
                } else {
                    let _ = writeln!(out, "directory `{}`:\n", env.name);
                }
                named = true;
            }
            out.push_str(&d.render(texts));
            out.push('\n');
        }
        if !env.suppressed.is_empty() && !quiet {
            let _ = writeln!(
                out,
                "note: {}: {} suppressed",
                env.name,
                counted(env.suppressed.len(), "finding", "findings")
            );
            for s in env.suppressed_sorted() {
                let on = s.diagnostic.resource.as_ref().map(|r| format!(" on {r}")).unwrap_or_default();
                let _ = writeln!(out, "   = {}{on}, by {}", s.diagnostic.code, s.by);
            }
            out.push('\n');
            suppressed += env.suppressed.len();
        }
    }
    if quiet && errors == 0 && (!strict || warnings == 0) {
        return out;
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
