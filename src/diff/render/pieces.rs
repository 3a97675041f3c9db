//! What the text and markdown reports share: revisions and diagnostics in one line.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, printable};
use crate::diff::report::EnvironmentDiff;

pub(super) fn commit_label(rev: &str, commit: Option<&str>) -> String {
    let rev = printable(rev);
    match commit {
        Some(c) if !c.starts_with(&*rev) => format!("{rev} ({})", printable(c.get(..12).unwrap_or(c))),
        _ => rev.into_owned(),
    }
}

/// A short diagnostic: `warning[A601/IST0128]: message (file:line)`, no source lines; on one
/// line, with whatever would act on a terminal escaped (see [`printable`]).
pub(super) fn diagnostic_line(d: &Diagnostic) -> String {
    let level = if d.is_error() { "error" } else { "warning" };
    let code = match d.istio {
        Some(istio) => format!("{}/{istio}", d.code),
        None => d.code.to_string(),
    };
    let mut line = format!("{level}[{code}]: {}", d.message);
    if let Some(resource) = &d.resource {
        let _ = write!(line, " [{resource}]");
    }
    if let Some(location) = &d.location {
        let _ = write!(line, " ({location})");
    }
    printable(&line).into_owned()
}

/// The diagnostics of `list` that are not already shown as a revision's errors.
pub(super) fn not_errors_shown<'a>(env: &EnvironmentDiff, list: &'a [Diagnostic]) -> Vec<&'a Diagnostic> {
    list.iter().filter(|d| !env.base_errors.contains(d) && !env.head_errors.contains(d)).collect()
}

/// Inline code that survives backticks in `text`, on one line: a newline or any other control
/// character is escaped (see [`printable`]), so input cannot end the span or start a block.
/// Markdown and HTML inside a code span are shown, not interpreted.
pub(super) fn code_span(text: &str) -> String {
    let text = &*printable(text);
    let ticks = longest_backtick_run(text) + 1;
    let fence = "`".repeat(ticks);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

pub(super) fn longest_backtick_run(text: &str) -> usize {
    let (mut longest, mut current) = (0, 0);
    for c in text.chars() {
        current = if c == '`' { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

/// An environment as the markdown names it: its name in a code span, followed by `at` and its
/// directory when the name alone does not say which one it is — another environment of the
/// report has the name (a directory renamed between the revisions), or the name is not its
/// directory's (`dev2` at `environments/development`, which `meshedge diff dev2` also finds).
pub(super) fn env_label(report: &crate::diff::report::Report, env: &EnvironmentDiff) -> String {
    let shared = report.environments.iter().filter(|e| e.name == env.name).count() > 1;
    let dir_name = env.path.rsplit('/').next().unwrap_or(&env.path);
    match shared || dir_name != env.name {
        true => format!("{} at {}", code_span(&env.name), code_span(&env.path)),
        false => code_span(&env.name),
    }
}
