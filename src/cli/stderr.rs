//! Where diagnostics go: stderr, coloured on a terminal, warnings left out under `-q`; and the
//! tracing of `-v`.

use anstyle::{AnsiColor, Style};
use meshedge::argocd;
use meshedge::diagnostic::{Diagnostic, Diagnostics, SourceText};
use meshedge::error::{Diagnosed, Trouble};

/// How reports go to stderr: set once from `-q` and the terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stderr {
    quiet: bool,
    colour: bool,
}

impl Stderr {
    /// Decides colour and starts tracing (`-v`, `-vv`, `RUST_LOG`).
    pub fn new(quiet: bool, verbose: u8) -> Stderr {
        // anstream's choice: NO_COLOR (non-empty) turns colour off, CLICOLOR_FORCE on; otherwise
        // colour only when stderr is a terminal that supports it.
        let colour = anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
        init_tracing(verbose, quiet, colour);
        Stderr { quiet, colour }
    }

    /// Prints a report, coloured on a terminal.
    fn print(&self, text: &str) {
        let text = if self.colour { colourize(text) } else { text.to_string() };
        eprint!("{text}");
    }

    /// Diagnostics with errors: warnings among them are left out under `-q`.
    pub fn errors(&self, diagnostics: &Diagnostics, texts: &SourceText) {
        if self.quiet {
            let errors: Diagnostics = diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
            self.print(&errors.render(texts));
        } else {
            self.print(&diagnostics.render(texts));
        }
    }

    /// Errors in the input: in full, or in short under their headline.
    pub fn diagnosed(&self, diagnosed: &Diagnosed) {
        match &diagnosed.summary {
            Some(summary) => self.print(&argocd::report(
                &summary.headline,
                &diagnosed.diagnostics,
                &diagnosed.texts,
                summary.environment.as_deref(),
            )),
            None => self.errors(&diagnosed.diagnostics, &diagnosed.texts),
        }
    }

    /// Warnings, unless `-q`.
    pub fn warn(&self, diagnostics: &Diagnostics, texts: &SourceText) {
        if !self.quiet && !diagnostics.is_empty() {
            self.print(&diagnostics.render(texts));
        }
    }

    /// Errors a view reports without failing (the flows that break the requests, for `explain`
    /// and `graph`), unless `-q`: in full, their count as a note that the build would fail, so
    /// the last line does not read as the command's own failure.
    pub fn would_fail(&self, diagnostics: &Diagnostics, texts: &SourceText) {
        if self.quiet || diagnostics.is_empty() {
            return;
        }
        let text = diagnostics.render(texts);
        let body = text.trim_end_matches('\n');
        let (before, last) = body.rsplit_once('\n').map_or(("", body), |(before, last)| (before, last));
        match last.strip_prefix("error: ") {
            Some(count) => self.print(&format!("{before}\nnote: the build would fail: {count}\n")),
            None => self.print(&text),
        }
    }

    /// Warnings in the form of `diagnosed` (in short under a headline), unless `-q`.
    pub fn warnings(&self, diagnosed: &Diagnosed) {
        if !self.quiet && !diagnosed.diagnostics.is_empty() {
            self.diagnosed(diagnosed);
        }
    }

    /// One warning, unless `-q`.
    pub fn warning(&self, warning: Diagnostic) {
        self.warn(&warning.into(), &SourceText::default());
    }

    /// Whether `-q` asked for errors only.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// A report that is the command's output (`check --format text`), coloured on a terminal.
    pub fn report(&self, text: &str) {
        self.print(text);
    }

    /// Trouble outside the input, in a sentence.
    pub fn trouble(&self, trouble: &Trouble) {
        self.print(&format!("error: {trouble}\n"));
    }
}

/// Styles the parts of a rendered report a reader looks for first: the `error[E…]` and
/// `warning[W…]` headers with their codes, the `-->` places and gutters, `help:` and `note:`.
fn colourize(text: &str) -> String {
    let error = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
    let warning = Style::new().bold().fg_color(Some(AnsiColor::Yellow.into()));
    let accent = Style::new().bold().fg_color(Some(AnsiColor::Blue.into()));
    let help = Style::new().bold().fg_color(Some(AnsiColor::Cyan.into()));
    let bold = Style::new().bold();
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for line in text.split_inclusive('\n') {
        let (body, end) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        let header = |level: &str, style: Style| {
            let rest = body.strip_prefix(level)?;
            let code_end = if rest.starts_with('[') { rest.find("]:").map(|i| i + 1)? } else { 0 };
            let (code, message) = rest.split_at(code_end);
            let message = message.strip_prefix(':')?;
            Some(format!("{style}{level}{code}:{style:#}{bold}{message}{bold:#}"))
        };
        let styled = header("error", error).or_else(|| header("warning", warning)).or_else(|| {
            let trimmed = body.trim_start();
            let indent = &body[..body.len() - trimmed.len()];
            if let Some(rest) = trimmed.strip_prefix("= help:") {
                Some(format!("{indent}{help}= help:{help:#}{rest}"))
            } else if let Some(rest) = trimmed.strip_prefix("= note:") {
                Some(format!("{indent}{bold}= note:{bold:#}{rest}"))
            } else if let Some(rest) = trimmed.strip_prefix("--> ") {
                Some(format!("{indent}{accent}-->{accent:#} {rest}"))
            } else {
                // A source line's gutter: `12 | text`, ` | ^`.
                let (gutter, rest) = body.split_once(" |")?;
                gutter.trim().bytes().all(|b| b.is_ascii_digit()).then(|| format!("{accent}{gutter} |{accent:#}{rest}"))
            }
        });
        out.push_str(styled.as_deref().unwrap_or(body));
        out.push_str(end);
    }
    out
}

fn init_tracing(verbose: u8, quiet: bool, colour: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "meshedge=debug",
        (false, _) => "meshedge=trace",
    };
    // `-q` wins over RUST_LOG: errors only means no tracing at all.
    let from_env = if quiet { None } else { tracing_subscriber::EnvFilter::try_from_default_env().ok() };
    let filter = from_env.unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Each stage is a span: its time is printed when it closes. Lines are stamped with the
        // time since start, not the wall clock (a wall-clock-free timer would also drop the
        // spans' `time.busy`).
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_marks_headers_codes_places_and_help() {
        let text = "error[E102]: unknown field `hots`\n --> a.yaml:2:1\n  |\n2 | hots: x\n  | ^\n   = help: did you mean `host`?\nwarning: 1 warning\n";
        let styled = colourize(text);
        assert_ne!(styled, text);
        // Only escape codes were added.
        let stripped: String = anstream::adapter::strip_str(&styled).to_string();
        assert_eq!(stripped, text);
        for part in ["error[E102]:", "-->", "= help:", "warning:", "2 |"] {
            let at = styled.find(part).unwrap_or_else(|| panic!("{part} in {styled:?}"));
            assert!(styled[..at].ends_with('m'), "{part} is styled: {styled:?}");
        }
    }
}
