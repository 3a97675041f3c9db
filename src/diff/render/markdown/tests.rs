//! The markdown comment: code spans, and the cut that fits it into a pull-request comment.

use super::*;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::diff::render::cut::{MARKDOWN_LIMIT, Omitted, closing, count, omission_note};
use crate::diff::report::{ChangedObject, EnvironmentDiff, FileChange, ObjectRef, Report, Status, WORK_TREE};

fn object(name: &str) -> ObjectRef {
    ObjectRef { api_version: "v1".into(), kind: "ConfigMap".into(), namespace: Some("shop".into()), name: name.into() }
}

/// A changed environment whose changed objects have diffs of these many lines.
fn env(name: &str, path: &str, diffs: &[usize]) -> EnvironmentDiff {
    EnvironmentDiff {
        name: name.into(),
        path: path.into(),
        status: Status::Changed,
        inputs_changed: true,
        added: Vec::new(),
        removed: Vec::new(),
        changed: diffs
            .iter()
            .enumerate()
            .map(|(i, lines)| ChangedObject {
                object: object(&format!("{name}-{i}")),
                diff: (0..*lines).map(|l| format!("+  line {l} of a changed object\n")).collect(),
            })
            .collect(),
        introduced: Vec::new(),
        fixed: Vec::new(),
        base_errors: Vec::new(),
        head_errors: Vec::new(),
        added_yaml: Vec::new(),
        removed_yaml: Vec::new(),
        inputs: vec![(format!("{path}/meshedge.yaml"), FileChange::Modified)],
        graph: None,
        flows: None,
    }
}

fn report(environments: Vec<EnvironmentDiff>) -> Report {
    Report { base: "origin/main".into(), base_commit: None, head: WORK_TREE.into(), head_commit: None, environments }
}

fn shown(markdown: &str, name: &str) -> bool {
    markdown.contains(&format!("<code>ConfigMap/shop/{name}</code>"))
}

/// A diff of about 70,000 characters: more than the whole comment.
const HUGE: usize = 2_000;

#[test]
fn details_after_one_too_big_still_fill_the_budget() {
    let report = report(vec![env("prod", "environments/prod", &[HUGE, 5, 5]), env("dev", "environments/dev", &[5])]);
    let markdown = render_markdown(&report);
    assert!(count(&markdown) <= MARKDOWN_LIMIT);
    assert!(!shown(&markdown, "prod-0"), "too big for the comment");
    for name in ["prod-1", "prod-2", "dev-0"] {
        assert!(shown(&markdown, name), "{name}: a small detail after a big one is shown:\n{markdown}");
    }
    // Its heading comes with the first detail shown; the input files of both are there.
    assert_eq!(markdown.matches("**Changed** (3):").count(), 1, "{markdown}");
    assert!(markdown.contains("- `environments/dev/meshedge.yaml` (modified)"), "{markdown}");
    let note = &markdown[markdown.find("**Cut at").expect("a note")..];
    assert!(note.contains("Not shown: `prod` (1 changed)."), "{note}");
}

#[test]
fn many_medium_details_use_the_budget_after_a_big_one() {
    let mut diffs = vec![HUGE];
    diffs.extend([40; 100]);
    let markdown = render_markdown(&report(vec![env("prod", "environments/prod", &diffs)]));
    let length = count(&markdown);
    assert!(length <= MARKDOWN_LIMIT && length > MARKDOWN_LIMIT - 3_000, "{length}");
    assert!(shown(&markdown, "prod-1"));
}

#[test]
fn a_renamed_environment_is_named_with_its_directory_in_the_note() {
    let mut before = env("prod", "environments/prod", &[HUGE]);
    before.status = Status::Removed;
    let after = env("prod", "environments/production", &[HUGE]);
    let markdown = render_markdown(&report(vec![before, after]));
    let note = &markdown[markdown.find("**Cut at").expect("a note")..];
    assert!(
        note.contains("`prod` at `environments/prod` (1 changed); `prod` at `environments/production` (1 changed)"),
        "{note}"
    );
    // A name of its own needs no directory.
    let markdown = render_markdown(&report(vec![env("prod", "environments/prod", &[HUGE])]));
    assert!(markdown.contains("Not shown: `prod` (1 changed)."), "{markdown}");
}

#[test]
fn one_input_file_is_counted_in_the_singular() {
    let report = report(vec![env("prod", "environments/prod", &[])]);
    let one = Omitted { inputs: 1, ..Omitted::default() };
    let note = omission_note(&report, &[one]);
    assert!(note.contains("`prod` (1 input file)."), "{note}");
    let two = Omitted { inputs: 2, ..Omitted::default() };
    assert!(omission_note(&report, &[two]).contains("`prod` (2 input files)."));
}

#[test]
fn a_cut_through_a_code_block_closes_it() {
    // Hundreds of failing environments: their errors alone are longer than a comment.
    let error = Diagnostic {
        severity: Severity::Error,
        code: Code::E801,
        istio: None,
        message: "requested flow blocked ".repeat(20),
        location: None,
        resource: None,
        notes: Vec::new(),
        help: None,
    };
    let environments = (0..400)
        .map(|i| {
            let mut e = env(&format!("env{i}"), &format!("environments/env{i}"), &[]);
            e.status = Status::Error;
            e.head_errors = vec![error.clone(); 3];
            e
        })
        .collect();
    let markdown = render_markdown(&report(environments));
    assert!(count(&markdown) <= MARKDOWN_LIMIT, "{}", count(&markdown));
    assert!(markdown.ends_with("for the full report.\n"), "{}", &markdown[markdown.len() - 300..]);
    assert_eq!(closing(&markdown), "", "every code block and section is closed");
    let fences = markdown.lines().filter(|l| l.starts_with("```")).count();
    assert_eq!(fences % 2, 0, "{}", &markdown[markdown.len() - 600..]);
}

#[test]
fn closing_knows_fences_and_sections() {
    assert_eq!(closing("a\n```text\nb\n"), "```\n");
    assert_eq!(closing("<details><summary>x</summary>\n\n````yaml\n```\nb\n"), "````\n\n</details>\n");
    assert_eq!(closing("<details>\n\n```yaml\nb\n```\n\n</details>\n"), "");
}

#[test]
fn code_spans_survive_backticks() {
    assert_eq!(code_span("a"), "`a`");
    assert_eq!(code_span("a`b"), "``a`b``");
    assert_eq!(code_span("`x"), "`` `x ``");
    assert_eq!(code_span("a\n# b"), "`a\\n# b`");
    assert_eq!(table_cell(&code_span("a|b")), "`a\\|b`");
    assert_eq!(html_escape("<a\u{1b}>"), "&lt;a\\u{1b}&gt;");
}
