//! `meshedge completions` and `meshedge man`: scripts and a manual page made from the command
//! line's own description (clap_complete, clap_mangen), so they cannot drift from it.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use meshedge::error::Error;

use super::write_stdout;
use crate::cli::{Shell, describe};

/// Prints the completion script of `shell`.
pub fn completions(shell: Shell) -> Result<ExitCode, Error> {
    let mut command = describe();
    write_stdout(|out| {
        match shell {
            Shell::Bash => clap_complete::generate(clap_complete::Shell::Bash, &mut command, "meshedge", out),
            Shell::Zsh => clap_complete::generate(clap_complete::Shell::Zsh, &mut command, "meshedge", out),
            Shell::Fish => clap_complete::generate(clap_complete::Shell::Fish, &mut command, "meshedge", out),
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the manual page `meshedge.1`: one NAME and one SYNOPSIS (a line per subcommand), the
/// global options, a subsection per subcommand under COMMANDS (in this one page: there is no
/// `meshedge-<subcommand>(1)`), then EXIT STATUS, ENVIRONMENT and SEE ALSO.
pub fn man() -> Result<ExitCode, Error> {
    write_stdout(|out| {
        let page = man_page()?;
        out.write_all(page.as_bytes())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn man_page() -> std::io::Result<String> {
    let command = describe();
    let subcommands: Vec<&clap::Command> = command.get_subcommands().filter(|s| !s.is_hide_set()).collect();
    let version = command.get_version().unwrap_or_default();
    // man-pages(7): `.TH title section date source manual`; no date, so the page is the same
    // whenever it is made.
    let mut text = format!(".TH MESHEDGE 1 \"\" \"meshedge {version}\" \"User Commands\"\n");
    let about = command.get_about().map(ToString::to_string).unwrap_or_default();
    let _ = write!(text, ".SH NAME\nmeshedge \\- {}\n.SH SYNOPSIS\n", roff_text(&about));
    let _ = writeln!(text, "{}", synopsis("meshedge", &command));
    for sub in &subcommands {
        let _ = writeln!(text, ".br\n{}", synopsis(&format!("meshedge {}", sub.get_name()), sub));
    }
    text.push_str(".SH OPTIONS\n");
    text.push_str(&options(&command)?);
    text.push_str(".SH COMMANDS\n");
    for sub in &subcommands {
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        let _ = write!(text, ".SS \"meshedge {}\"\n{}\n", sub.get_name(), roff_text(&about));
        let _ = write!(text, ".PP\n{}\n", synopsis(&format!("meshedge {}", sub.get_name()), sub));
        text.push_str(&options(sub)?);
    }
    text.push_str(&closing_sections());
    Ok(plain_roff(&text))
}

/// One synopsis line: the command in bold, each option with its value (`[--format FORMAT]`),
/// then the positional arguments and the subcommand.
fn synopsis(name: &str, command: &clap::Command) -> String {
    let mut line = format!("\\fB{}\\fR", roff_text(name));
    let mut positionals = Vec::new();
    for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
        let value = arg.get_value_names().and_then(|names| names.first()).map(ToString::to_string);
        let value = value.unwrap_or_else(|| arg.get_id().as_str().to_ascii_uppercase());
        let many = matches!(arg.get_action(), clap::ArgAction::Append | clap::ArgAction::Count);
        let dots = if many { "..." } else { "" };
        if arg.is_positional() {
            let shown = format!("\\fI{}\\fR{dots}", roff_text(&value));
            positionals.push(if arg.is_required_set() { shown } else { format!("[{shown}]") });
            continue;
        }
        let flag = match (arg.get_long(), arg.get_short()) {
            (Some(long), _) => format!("\\fB\\-\\-{}\\fR", roff_text(long)),
            (None, Some(short)) => format!("\\fB\\-{short}\\fR"),
            (None, None) => continue,
        };
        let shown = match arg.get_action().takes_values() {
            true => format!("{flag} \\fI{}\\fR", roff_text(&value)),
            false => flag,
        };
        let _ = write!(line, " {}", if arg.is_required_set() { shown } else { format!("[{shown}]{dots}") });
    }
    for positional in positionals {
        let _ = write!(line, " {positional}");
    }
    if command.has_subcommands() {
        line.push_str(" \\fICOMMAND\\fR");
    }
    line
}

/// The options of `command` as clap_mangen describes them (`.TP` entries with their values,
/// defaults and possible values), without its section heading.
fn options(command: &clap::Command) -> std::io::Result<String> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render_options_section(&mut out)?;
    let text = String::from_utf8_lossy(&out);
    Ok(text
        .lines()
        .filter(|line| !line.starts_with(".SH ") && !is_preamble(line))
        .map(|line| format!("{}\n", line.replace("\\*(Aq", "\\(aq")))
        .collect())
}

/// clap_mangen's definition of the `\*(Aq` string, which it repeats before each section; the
/// page uses `\(aq` directly.
fn is_preamble(line: &str) -> bool {
    line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq")
}

/// `text` for a roff text line: backslashes and hyphens escaped, a leading `.` or `'` (a request)
/// made literal.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') { format!("\\&{escaped}") } else { escaped }
}

/// The sections after the subcommands: how meshedge exits, the variables it reads, and where to
/// read more.
fn closing_sections() -> String {
    let mut out = String::from(
        ".SH \"EXIT STATUS\"\n\
         .TP\n0\nSuccess. With \\fBdiff \\-\\-exit\\-code\\fR: no environment differs.\n\
         .TP\n1\nErrors in the input: invalid documents, rule violations, failing patches, paths \
         leaving the root, flows that break the requests (E801, E802; \\fBexplain\\fR and \\fBgraph\\fR still \
         exit 0 and show them on stderr, ending with \\(lqnote: the build would fail\\(rq); \\fBcheck\\fR: any error \
         finding (warnings too with \\fB\\-\\-strict\\fR); \\fBdiff \\-\\-exit\\-code\\fR: at least \
         one environment differs.\n\
         .TP\n2\nUsage or I/O trouble: a bad argument, an unknown environment, object or tenant, \
         an output directory meshedge may not replace, an unknown git revision.\n\
         .SH ENVIRONMENT\n\
         \\fBmeshedge generate\\fR runs as an Argo CD Config Management Plugin and reads its request \
         from the variables Argo CD sets. The plugin env of an Application \
         (\\fBspec.source.plugin.env\\fR) reaches it prefixed with ARGOCD_ENV_:\n",
    );
    for option in meshedge::argocd::OPTIONS {
        let default = match option.default {
            "" => String::new(),
            default => format!(" (default: {default})"),
        };
        let _ = write!(
            out,
            ".TP\n\\fB{}{}\\fR\nThe \\fB{}\\fR option: {}{default}.\n",
            meshedge::argocd::ENV_PREFIX,
            roff_text(option.variable),
            option.parameter,
            roff_text(option.help),
        );
    }
    for (variable, what) in [
        (
            "ARGOCD_APP_PARAMETERS",
            "The Application's plugin parameters as JSON; they win over the plugin env. When it is \
             absent, the PARAM_<NAME> variables (PARAM_ENV, PARAM_STRICT, PARAM_PROVENANCE, \
             PARAM_SHARD) carry them.",
        ),
        ("ARGOCD_APP_NAME", "The Application's name, in messages."),
        ("ARGOCD_APP_NAMESPACE", "The Application's namespace; read, it does not change the output."),
        ("ARGOCD_APP_REVISION", "The revision being rendered: in messages and in the meshedge.io/revision annotation."),
        ("ARGOCD_APP_REVISION_SHORT", "The short revision, in messages."),
        (
            "ARGOCD_APP_SOURCE_PATH",
            "The Application's path in the repository: the repository root is the working \
             directory without it.",
        ),
        (
            "ARGOCD_APP_SOURCE_REPO_URL",
            "The repository, in the meshedge.io/revision annotation (credentials left out).",
        ),
        ("ARGOCD_APP_SOURCE_TARGET_REVISION", "The branch or tag the Application follows, in messages."),
        (
            "KUBE_VERSION",
            "The cluster's Kubernetes version, as Argo CD reports it; read, it does not change the output.",
        ),
    ] {
        let _ = write!(out, ".TP\n\\fB{}\\fR\n{}\n", roff_text(variable), roff_text(what));
    }
    out.push_str(
        ".PP\nEvery command reads:\n\
         .TP\n\\fBNO_COLOR\\fR\nWhen set, no colour in \\fBdiff\\fR's text; when set and not empty, none in diagnostics either.\n\
         .TP\n\\fBCLICOLOR_FORCE\\fR\nWhen set and not empty, colour in diagnostics even when stderr is not a terminal.\n\
         .TP\n\\fBRUST_LOG\\fR\nWhat \\fB\\-v\\fR shows on stderr, as a tracing filter (\\fBmeshedge=debug\\fR).\n\
         .SH \"SEE ALSO\"\n\
         \\fBgit\\fR(1). The documentation of meshedge: README.md \
         and the docs/ directory of its repository (docs/reference.md for the input, docs/errors.md \
         for every diagnostic code).\n",
    );
    out
}

/// The page as plain roff: Markdown code spans (`` `x` ``) set in bold, the flow marks as words
/// (`✓` allowed), arrows and dashes as groff's glyphs, and any other character outside ASCII as
/// a roff escape (`\[u00E9]`), so no terminal or `man` needs UTF-8.
fn plain_roff(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    // A mark and its word (`✓ allowed`) say it once.
    let page = page.replace("✓ allowed", "✓").replace("✗ blocked", "✗").replace("↪ redirected", "↪");
    for line in page.lines() {
        let ticks = line.matches('`').count();
        let mut open = false;
        for c in line.chars() {
            match c {
                '`' if ticks % 2 == 0 => {
                    out.push_str(if open { "\\fR" } else { "\\fB" });
                    open = !open;
                }
                '`' => out.push_str("\\(aq"),
                c if c.is_ascii() => out.push(c),
                // Words where groff has no glyph (and a C locale no character).
                '✓' => out.push_str("allowed"),
                '✗' => out.push_str("blocked"),
                '↪' => out.push_str("redirected"),
                '→' => out.push_str("\\(->"),
                '—' => out.push_str("\\(em"),
                '…' => out.push_str("..."),
                c => {
                    let _ = write!(out, "\\[u{:04X}]", u32::from(c));
                }
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_become_bold_and_other_characters_escapes() {
        assert_eq!(plain_roff("a `b` c ✓ → d é\n"), "a \\fBb\\fR c allowed \\(-> d \\[u00E9]\n");
        assert_eq!(plain_roff("odd ` tick\n"), "odd \\(aq tick\n");
        assert_eq!(plain_roff("✓ allowed, ✗ blocked, ↪ redirected\n"), "allowed, blocked, redirected\n");
        assert_eq!(roff_text(".x-y\\"), "\\&.x\\-y\\e");
    }
}
