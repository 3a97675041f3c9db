//! Fitting the markdown comment into [`MARKDOWN_LIMIT`] characters: what is always kept, then
//! each detail where it fits, and the note that says what was left out.

use crate::diff::render::pieces::env_label;
use crate::diff::report::{Report, WORK_TREE};

/// GitHub refuses comments longer than 65,536 characters; the markdown report stays under this.
pub const MARKDOWN_LIMIT: usize = 65_000;

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
        let name = env_label(report, env);
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
