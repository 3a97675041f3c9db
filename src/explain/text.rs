//! An explanation as text for a terminal (JSON is the [`Explanation`]'s own serialisation).

use std::fmt::Write as _;

use serde_json::Value;

use super::{Explanation, Place};
use crate::diagnostic::printable;

/// A value on one line: compact JSON, or `(absent)`.
fn value(value: &Option<Value>) -> String {
    match value {
        None => "(absent)".to_string(),
        Some(v) => printable(&v.to_string()).into_owned(),
    }
}

fn place(place: &Place) -> String {
    let at = match place.line {
        Some(line) => format!("{}:{line}", place.file),
        None => place.file.clone(),
    };
    let what = match (place.kind.as_str(), place.name.as_str()) {
        ("", _) => String::new(),
        (kind, "") => format!("{kind} "),
        (kind, name) => format!("{kind} {name} "),
    };
    printable(&format!("{what}({at})")).into_owned()
}

/// `meshedge explain`'s report: the object, what it was made from, the patches, the flows.
pub fn render_text(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) in {}",
        printable(&e.object.to_string()),
        e.object.api_version,
        printable(&e.environment)
    );
    if let Some(before) = &e.generated_as {
        let _ = writeln!(out, "  generated as {}", printable(&before.to_string()));
    }
    out.push_str("\nmade from\n");
    let list = |out: &mut String, label: &str, items: Vec<String>| {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(out, "  {label}:");
        for item in items {
            let _ = writeln!(out, "    {item}");
        }
    };
    let shown = |items: &[String]| items.iter().map(|i| printable(i).into_owned()).collect::<Vec<_>>();
    let layers = e.layers.iter().map(|l| if l.is_empty() { ".".to_string() } else { printable(l).into_owned() });
    list(&mut out, "layers", layers.collect());
    list(&mut out, "settings", shown(&e.settings));
    list(&mut out, "tenants", e.tenants.iter().map(place).collect());
    list(&mut out, "requests", e.requests.iter().map(place).collect());
    list(&mut out, "plain resources", shown(&e.resources));

    let mut patches: Vec<(&str, Vec<&crate::patch::PatchStep>)> = Vec::new();
    for step in &e.patches {
        match patches.last_mut() {
            Some((name, steps)) if *name == step.patch => steps.push(step),
            _ => patches.push((&step.patch, vec![step])),
        }
    }
    if patches.is_empty() {
        out.push_str("\nno patch changed it\n");
    } else {
        let _ = writeln!(out, "\npatches, in the order applied ({}):", patches.len());
        for (index, (name, steps)) in patches.iter().enumerate() {
            let at = steps.first().map(|s| s.location.to_string()).unwrap_or_default();
            let _ = writeln!(out, "  {}. {} ({})", index + 1, printable(name), printable(&at));
            for step in steps {
                let _ = writeln!(out, "     {} {}", step.op, printable(&step.pointer));
                let _ = writeln!(out, "       before: {}", value(&step.before));
                let _ = writeln!(out, "       after:  {}", value(&step.after));
            }
        }
    }
    out.push_str("\nflows it decides\n");
    if e.flows.is_empty() {
        out.push_str("  none\n");
    }
    for f in &e.flows {
        let _ = write!(out, "  {} {} → {}: {}", f.direction, printable(&f.from), printable(&f.to), f.verdict);
        match &f.violation {
            Some(violation) => {
                let _ = writeln!(out, " — breaks the requests ({})", printable(violation));
            }
            None => out.push('\n'),
        }
    }
    out
}
