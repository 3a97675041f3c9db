//! `check --format github`: GitHub Actions workflow commands, one line per diagnostic:
//! `::error file=F,line=L,col=C,title=T::MESSAGE` (`::warning` for warnings).
//!
//! Sources: github/docs `content/actions/reference/workflows-and-actions/workflow-commands.md`
//! (syntax and parameters) and actions/toolkit `packages/core/src/command.ts` (`escapeData`:
//! `%`, CR, LF become `%25`, `%0D`, `%0A`, `%` first; `escapeProperty`: the same, then `:` and
//! `,` become `%3A` and `%2C`; empty properties are left out). Escaping also keeps a host name or
//! object name from starting a second command.
//!
//! GitHub shows at most 10 error and 10 warning annotations per step (actions/toolkit
//! `docs/problem-matchers.md`, "Limitations"), so errors come first; past that, a notice says
//! how many there are. Another notice counts the suppressed findings. Diagnostics without a file
//! point at their environment's manifest. A finding that is the same in several environments is one
//! annotation whose title names them all (`A601 IST0101 [prod, staging]`).

use std::fmt::Write as _;

use super::{Diagnostic, Environment, place, sorted};
use crate::diagnostic::Severity;

/// Per step, per severity (actions/toolkit docs/problem-matchers.md).
pub const ANNOTATION_LIMIT: usize = 10;

/// Escapes a command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command's property value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(out: &mut String, name: &str, properties: &[(&str, String)], message: &str) {
    let properties: Vec<String> =
        properties.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", escape_property(v))).collect();
    let _ = write!(out, "::{name}");
    if !properties.is_empty() {
        let _ = write!(out, " {}", properties.join(","));
    }
    let _ = writeln!(out, "::{}", escape_data(message));
}

/// `names`: the environments the finding is in, when the run checked several.
fn annotation(out: &mut String, env: &Environment, d: &Diagnostic, names: Option<&[&str]>) {
    let name = d.severity.as_str();
    let (file, line, column) = match place(d) {
        (Some(file), line, column) => (file.to_string(), line.filter(|l| *l > 0), line.and(column).filter(|c| *c > 0)),
        (None, ..) => (env.manifest.clone(), Some(1), None),
    };
    let mut title = d.code.to_string();
    if let Some(istio) = d.istio {
        title.push(' ');
        title.push_str(istio);
    }
    if let Some(names) = names {
        let _ = write!(title, " [{}]", names.join(", "));
    }
    let mut message = d.message.clone();
    if let Some(resource) = &d.resource {
        let _ = write!(message, " ({resource})");
    }
    if let Some(help) = &d.help {
        let _ = write!(message, "\nhelp: {help}");
    }
    let number = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
    command(out, name, &[("file", file), ("line", number(line)), ("col", number(column)), ("title", title)], &message);
}

/// The workflow commands, one per line.
pub fn render(environments: &[Environment]) -> String {
    let several = environments.len() > 1;
    let mut out = String::new();
    let mut counts = [0usize; 2];
    for severity in [Severity::Error, Severity::Warning] {
        // A finding that is the same in several environments (an input of a layer they share)
        // is one annotation naming them all, as it is one SARIF result.
        let mut merged: Vec<(&Environment, &Diagnostic, Vec<&str>)> = Vec::new();
        let mut at: std::collections::BTreeMap<_, usize> = std::collections::BTreeMap::new();
        for env in environments {
            for d in sorted(&env.diagnostics).into_iter().filter(|d| d.severity == severity) {
                let key = (d.code, place(d), &d.message, &d.resource, &d.help);
                match at.get(&key) {
                    Some(i) if merged[*i].2.last() != Some(&env.name.as_str()) => merged[*i].2.push(env.name.as_str()),
                    _ => {
                        at.insert(key, merged.len());
                        merged.push((env, d, vec![env.name.as_str()]));
                    }
                }
            }
        }
        for (env, d, names) in &merged {
            annotation(&mut out, env, d, several.then_some(names.as_slice()));
            counts[severity as usize] += 1;
        }
    }
    let [errors, warnings] = counts;
    if errors > ANNOTATION_LIMIT || warnings > ANNOTATION_LIMIT {
        let message = format!(
            "{errors} errors and {warnings} warnings: GitHub shows at most {ANNOTATION_LIMIT} annotations of each kind per step; this step's log lists them all"
        );
        command(&mut out, "notice", &[("title", "meshedge check".to_string())], &message);
    }
    let suppressed: Vec<String> = environments
        .iter()
        .flat_map(|env| env.suppressed.iter().map(move |s| (env, s)))
        .map(|(env, s)| {
            let place = s.diagnostic.resource.as_ref().map(|r| format!(" on {r}")).unwrap_or_default();
            let env = if several { format!("[{}] ", env.name) } else { String::new() };
            format!("{env}{}{place}, by {}", s.diagnostic.code, s.by)
        })
        .collect();
    if !suppressed.is_empty() {
        let message = format!("{} findings suppressed:\n{}", suppressed.len(), suppressed.join("\n"));
        command(&mut out, "notice", &[("title", "meshedge check".to_string())], &message);
    }
    out
}
