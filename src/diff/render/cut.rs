//! Fitting the markdown comment into [`MARKDOWN_LIMIT`] characters: what is always kept, then
//! each detail where it fits, and the note that says what was left out.

use crate::diff::render::markdown::{MARKDOWN_LIMIT, code_span};
use crate::diff::report::{Report, WORK_TREE};

/// What a detail of an environment is, for the note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Added,
    Removed,
    Changed,
    Input,
    Graph,
}

/// One piece of the markdown comment.
pub(super) enum Piece {
    /// Always kept: the title, the flows, the table, each environment's status and diagnostics.
    Keep(String),
    /// The heading of the details that follow it (`**Changed** (3):`): shown with the first of
    /// them that is shown, not at all when none is.
    Heading(String),
    /// Kept when it fits.
    Detail { text: String, env: usize, kind: Kind },
}

/// What the markdown leaves out of one environment when it is cut.
#[derive(Default, Clone, Copy)]
pub(super) struct Omitted {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub inputs: usize,
    pub graph: usize,
}

impl Omitted {
    fn count(&mut self, kind: Kind) {
        match kind {
            Kind::Added => self.added += 1,
            Kind::Removed => self.removed += 1,
            Kind::Changed => self.changed += 1,
            Kind::Input => self.inputs += 1,
            Kind::Graph => self.graph += 1,
        }
    }
}

pub(super) fn count(text: &str) -> usize {
    text.chars().count()
}

/// The note that ends a cut comment: per environment, what is not shown. An environment whose
/// name another one of the report shares (a directory renamed: removed at one path, added at the
/// other) is named with its directory too.
pub(super) fn omission_note(report: &Report, omitted: &[Omitted]) -> String {
    let mut parts = Vec::new();
    for (env, o) in report.environments.iter().zip(omitted) {
        let mut what = Vec::new();
        for (n, one, many) in [
            (o.changed, "changed", "changed"),
            (o.added, "added", "added"),
            (o.removed, "removed", "removed"),
            (o.inputs, "input file", "input files"),
            (o.graph, "edge graph", "edge graph"),
        ] {
            if n > 0 {
                what.push(crate::diagnostic::counted(n, one, many));
            }
        }
        if what.is_empty() {
            continue;
        }
        let shared = report.environments.iter().filter(|e| e.name == env.name).count() > 1;
        let name = match shared {
            true => format!("{} at {}", code_span(&env.name), code_span(&env.path)),
            false => code_span(&env.name),
        };
        parts.push(format!("{name} ({})", what.join(", ")));
    }
    let head = if report.head == WORK_TREE { String::new() } else { format!(" --head {}", report.head) };
    format!(
        "\n---\n\n> **Cut at {} characters** to fit a pull-request comment. Not shown: {}. \
         Run `meshedge diff --base {}{head}` for the full diff, or `--format json` for all of it.\n",
        "65,000",
        parts.join("; "),
        report.base
    )
}

/// The comment made of `pieces`: every kept piece, then each detail in order when it fits in
/// what is left (one that does not is left out, and the next ones still get their turn), with
/// the note when anything was left out. Should the kept pieces alone be too long, the text is cut
/// at a line boundary with any code block and collapsed section it leaves open closed.
pub(super) fn fit(report: &Report, pieces: Vec<Piece>) -> String {
    let all: Vec<Omitted> = report
        .environments
        .iter()
        .map(|e| Omitted {
            added: e.added.len(),
            removed: e.removed.len(),
            changed: e.changed.len(),
            inputs: e.inputs.len(),
            graph: usize::from(e.graph.is_some()),
        })
        .collect();
    let note_bound = count(&omission_note(report, &all));
    let kept: usize = pieces.iter().map(|p| if let Piece::Keep(t) = p { count(t) } else { 0 }).sum();
    let mut budget = MARKDOWN_LIMIT.saturating_sub(kept + note_bound);
    let mut omitted = vec![Omitted::default(); report.environments.len()];
    let mut cut = false;
    let mut out = String::new();
    let mut heading: Option<String> = None;
    for piece in pieces {
        match piece {
            Piece::Keep(text) => {
                heading = None;
                out.push_str(&text);
            }
            Piece::Heading(text) => heading = Some(text),
            Piece::Detail { text, env, kind } => {
                let n = count(&text) + heading.as_deref().map_or(0, count);
                if n <= budget {
                    budget -= n;
                    out.push_str(&heading.take().unwrap_or_default());
                    out.push_str(&text);
                } else {
                    cut = true;
                    if let Some(o) = omitted.get_mut(env) {
                        o.count(kind);
                    }
                }
            }
        }
    }
    if cut {
        out.push_str(&omission_note(report, &omitted));
    }
    if count(&out) > MARKDOWN_LIMIT {
        // Only when the parts always kept are too long by themselves (hundreds of environments).
        let note = "\n\n> **Cut at 65,000 characters** to fit a pull-request comment; run `meshedge diff` \
                    with `--format text` or `--format json` for the full report.\n";
        let mut keep = MARKDOWN_LIMIT - count(note);
        loop {
            let mut end = out.char_indices().nth(keep).map_or(out.len(), |(i, _)| i);
            if let Some(newline) = out[..end].rfind('\n') {
                end = newline + 1;
            }
            let closing = closing(&out[..end]);
            let over = (count(&out[..end]) + count(&closing) + count(note)).saturating_sub(MARKDOWN_LIMIT);
            if over == 0 || keep == 0 {
                out.truncate(end);
                out.push_str(&closing);
                break;
            }
            keep = keep.saturating_sub(over);
        }
        out.push('\n');
        out.push_str(note.trim_start_matches('\n'));
    }
    out
}

/// What closes the fenced code block and the `<details>` sections `text` leaves open, each on a
/// line of its own (`text` ends with a newline).
pub(super) fn closing(text: &str) -> String {
    let mut fence: Option<usize> = None;
    let mut details = 0usize;
    for line in text.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match fence {
            Some(open) if ticks >= open && line.trim_end().chars().all(|c| c == '`') => fence = None,
            Some(_) => {}
            None if ticks >= 3 => fence = Some(ticks),
            None if line.starts_with("<details>") => details += 1,
            None if line.starts_with("</details>") => details = details.saturating_sub(1),
            None => {}
        }
    }
    let mut out = String::new();
    if let Some(open) = fence {
        out.push_str(&"`".repeat(open));
        out.push('\n');
    }
    for _ in 0..details {
        out.push_str("\n</details>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Code, Diagnostic, Severity};
    use crate::diff::render::render_markdown;
    use crate::diff::report::{ChangedObject, EnvironmentDiff, FileChange, ObjectRef, Status};

    fn object(name: &str) -> ObjectRef {
        ObjectRef {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: Some("shop".into()),
            name: name.into(),
        }
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
        Report {
            base: "origin/main".into(),
            base_commit: None,
            head: WORK_TREE.into(),
            head_commit: None,
            environments,
        }
    }

    fn shown(markdown: &str, name: &str) -> bool {
        markdown.contains(&format!("<code>ConfigMap/shop/{name}</code>"))
    }

    /// A diff of about 70,000 characters: more than the whole comment.
    const HUGE: usize = 2_000;

    #[test]
    fn details_after_one_too_big_still_fill_the_budget() {
        let report =
            report(vec![env("prod", "environments/prod", &[HUGE, 5, 5]), env("dev", "environments/dev", &[5])]);
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
}
