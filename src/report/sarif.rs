//! `check --format sarif`: a SARIF 2.1.0 log for code-scanning uploads.
//!
//! Sources: the SARIF 2.1.0 schema (data/sarif/, validated against in the tests) and
//! GitHub's "SARIF support for code scanning" (docs.github.com/en/code-security/
//! code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning): per rule
//! `id`, `shortDescription.text`, `fullDescription.text` and `help.text` (each description
//! ≤ 1024 characters); per result `message.text` and a first location with a repo-relative
//! `artifactLocation.uri` and `region.startLine`.
//!
//! - One run for all environments. `tool.driver.rules` holds every analysis rule (so that code
//!   scanning can tell "ran and found nothing" from "unknown rule"), then any other code that
//!   occurs, by code.
//! - Each result points at its input file, relative to `%SRCROOT%` (the repository root, whose
//!   absolute location the log does not record, so the same inputs give the same bytes); a
//!   diagnostic without a file points at its environment's manifest, line 1, since GitHub
//!   shows no result without a location. `result.properties` carries the environment, the
//!   Istio code and the object; with several environments the message starts with
//!   `[environment]`. A finding that is the same in several environments (same code, object,
//!   message and place: an input of a layer they share) is one result naming them all
//!   (`[dev, prod]`, `"environment": "dev, prod"`). `partialFingerprints."meshedgeFinding/v1"` is
//!   a hash of those environments, code, object and message (GitHub computes its own
//!   `primaryLocationLineHash` on upload).
//! - Suppressed findings are not results: GitHub's documentation does not promise that it
//!   honours `result.suppressions`, and an open alert for a suppressed finding would defeat the
//!   suppression. They are listed in `run.properties.suppressed` (with the rule that hid each)
//!   and counted in `run.properties.suppressedCount`.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Diagnostic, Environment, place, sorted};
use crate::analyzers::{RULES, Rule};
use crate::diagnostic::Severity;

/// The `$schema` GitHub's documentation gives for SARIF 2.1.0.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    severity.as_str()
}

/// A repo-relative path as a URI reference: every byte outside the unreserved set and `/`
/// percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn istio_docs(istio: &str) -> String {
    // istio/istio 1.28.10 pkg/url/url.go (ConfigAnalysis) and pkg/config/analysis/diag/message.go
    // (documentationUrl): <docs>/reference/config/analysis/<code in lower case>/
    format!("https://istio.io/latest/docs/reference/config/analysis/{}/", istio.to_ascii_lowercase())
}

fn analysis_rule(rule: &Rule) -> Value {
    let mut tags = vec![json!("meshedge"), json!("service-mesh")];
    if let Some(istio) = rule.istio {
        tags.push(json!(istio));
    }
    let istio_line = rule.istio.map(|c| format!(" (`istioctl analyze` {c})")).unwrap_or_default();
    let mut value = json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "help": {
            "text": format!("{}\n\nHow to fix: {}", rule.description, rule.help),
            "markdown": format!("**{}**{istio_line}\n\n{}\n\n**How to fix:** {}", rule.title, rule.description, rule.help),
        },
        "defaultConfiguration": {"level": level(rule.id.severity())},
        "properties": {"tags": tags},
    });
    if let Some(istio) = rule.istio {
        value["helpUri"] = json!(istio_docs(istio));
    }
    value
}

/// A rule for a code that is not an analysis (a schema or build diagnostic), described by the
/// first diagnostic that carries it.
fn other_rule(d: &Diagnostic) -> Value {
    let title = format!("meshedge diagnostic {}", d.code);
    let help = d.help.clone().unwrap_or_else(|| "see docs/errors.md for the code".to_string());
    json!({
        "id": d.code.as_str(),
        "shortDescription": {"text": title},
        "fullDescription": {"text": truncate(&d.message, 1024)},
        "help": {"text": help, "markdown": help},
        "defaultConfiguration": {"level": level(d.severity)},
        "properties": {"tags": ["meshedge"]},
    })
}

/// `text` cut to at most `max` bytes (at a character boundary, ending in `...`).
fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max.saturating_sub(3);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

fn fingerprint(environment: &str, d: &Diagnostic) -> String {
    let resource = d.resource.as_ref().map(ToString::to_string).unwrap_or_default();
    let text = format!("{environment}\n{}\n{resource}\n{}", d.code, d.message);
    Sha256::digest(text.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn location(env: &Environment, d: &Diagnostic) -> Value {
    let (file, line, column) = match place(d) {
        (Some(file), line, column) => (file, line.unwrap_or(1).max(1), line.and(column)),
        (None, ..) => (env.manifest.as_str(), 1, None),
    };
    let mut region = json!({"startLine": line});
    if let Some(column) = column.filter(|c| *c >= 1) {
        region["startColumn"] = json!(column);
    }
    // A file outside the repository (a bare directory named by an absolute path elsewhere) is
    // an absolute `file:` URI, with no base.
    let artifact = if file.starts_with('/') {
        json!({"uri": format!("file://{}", uri(file))})
    } else {
        json!({"uri": uri(file), "uriBaseId": "%SRCROOT%"})
    };
    json!({"physicalLocation": {"artifactLocation": artifact, "region": region}})
}

fn properties(env: &Environment, d: &Diagnostic) -> Value {
    let mut properties = json!({"environment": env.name});
    if let Some(istio) = d.istio {
        properties["istio"] = json!(istio);
    }
    if let Some(resource) = &d.resource {
        properties["resource"] = json!(resource);
    }
    properties
}

/// The SARIF log, pretty-printed, with a final newline.
pub fn render(environments: &[Environment]) -> String {
    let mut rules: Vec<Value> = RULES.iter().map(|r| analysis_rule(r)).collect();
    let mut index: BTreeMap<String, usize> = RULES.iter().enumerate().map(|(i, r)| (r.code.to_string(), i)).collect();
    let mut others: BTreeMap<&str, &Diagnostic> = BTreeMap::new();
    for env in environments {
        for d in &env.diagnostics {
            if !index.contains_key(d.code.as_str()) {
                others.entry(d.code.as_str()).or_insert(d);
            }
        }
    }
    for (code, d) in others {
        index.insert(code.to_string(), rules.len());
        rules.push(other_rule(d));
    }
    let several = environments.len() > 1;
    // One result per cause: a finding of a shared layer's input, the same in several
    // environments (same code, object, message and place), is one alert naming them all.
    let mut causes: Vec<(&Environment, &Diagnostic, Value, Vec<&str>)> = Vec::new();
    let mut seen: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    for env in environments {
        for d in sorted(&env.diagnostics) {
            let at = location(env, d);
            let resource = d.resource.as_ref().map(ToString::to_string).unwrap_or_default();
            let key = (d.code.as_str().to_string(), resource, d.message.clone(), at.to_string());
            match seen.get(&key) {
                Some(&i) => causes[i].3.push(&env.name),
                None => {
                    seen.insert(key, causes.len());
                    causes.push((env, d, at, vec![&env.name]));
                }
            }
        }
    }
    let mut results = Vec::new();
    for (env, d, at, names) in causes {
        let names = names.join(", ");
        let mut text = if several { format!("[{names}] {}", d.message) } else { d.message.clone() };
        if let Some(resource) = &d.resource {
            text.push_str(&format!(" ({resource})"));
        }
        let mut properties = properties(env, d);
        properties["environment"] = json!(names);
        results.push(json!({
            "ruleId": d.code.as_str(),
            "ruleIndex": index.get(d.code.as_str()).copied().unwrap_or_default(),
            "level": level(d.severity),
            "message": {"text": text},
            "locations": [at],
            "partialFingerprints": {"meshedgeFinding/v1": fingerprint(&names, d)},
            "properties": properties,
        }));
    }
    let mut suppressed = Vec::new();
    for env in environments {
        for s in env.suppressed_sorted() {
            let d = &s.diagnostic;
            let mut entry = properties(env, d);
            entry["ruleId"] = json!(d.code.as_str());
            entry["message"] = json!(d.message);
            entry["location"] = location(env, d);
            entry["suppressedBy"] = json!(s.by);
            suppressed.push(entry);
        }
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "meshedge",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The root of the repository meshedge checked."}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"suppressedCount": suppressed.len(), "suppressed": suppressed},
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
