//! `meshedge schema`, `meshedge completions` and `meshedge man`: what editors, shells and `man`
//! read, made from the same descriptions the loader and the command line use.

use std::collections::BTreeSet;
use std::path::Path;

use regex::Regex;

use assert_cmd::Command;

fn meshedge() -> Command {
    Command::cargo_bin("meshedge").unwrap()
}

fn stdout(args: &[&str]) -> String {
    let output = meshedge().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

const SUBCOMMANDS: &[&str] =
    &["build", "check", "diff", "flows", "generate", "explain", "graph", "schema", "completions", "man"];

#[test]
fn schema_prints_the_schemas_the_repository_keeps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (args, file) in [
        (&["schema"][..], "docs/schema/meshedge.schema.json"),
        (&["schema", "--kind", "all"][..], "docs/schema/meshedge.schema.json"),
        (&["schema", "--kind", "patch"][..], "docs/schema/patch.schema.json"),
    ] {
        let committed = std::fs::read_to_string(root.join(file)).unwrap();
        assert_eq!(stdout(args), committed, "{args:?}");
    }
    for kind in ["Environment", "Layer", "Tenant", "EdgeRequest"] {
        let schema: serde_json::Value = serde_json::from_str(&stdout(&["schema", "--kind", kind])).unwrap();
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema", "{kind}");
        assert!(schema.to_string().contains(&format!("\"const\":\"{kind}\"")), "{kind}: {schema}");
    }
    // Any casing names the same documents.
    for (given, kind) in
        [("Patch", "patch"), ("environment", "Environment"), ("EDGEREQUEST", "EdgeRequest"), ("ALL", "all")]
    {
        assert_eq!(stdout(&["schema", "--kind", given]), stdout(&["schema", "--kind", kind]), "{given}");
    }
}

#[test]
fn schema_refuses_an_unknown_kind_as_a_usage_error() {
    let output = meshedge().args(["schema", "--kind", "Gateway"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("EdgeRequest"), "the possible values are listed: {stderr}");
}

#[test]
fn bash_completion_is_a_valid_script_that_completes_every_subcommand() {
    let script = stdout(&["completions", "bash"]);
    for sub in SUBCOMMANDS {
        assert!(script.contains(sub), "{sub} missing from the bash completion");
    }
    // `bash -n` parses without running.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("meshedge.bash");
    std::fs::write(&file, &script).unwrap();
    if let Ok(status) = std::process::Command::new("bash").arg("-n").arg(&file).status() {
        assert!(status.success(), "bash -n refused the completion script");
    }
}

#[test]
fn zsh_and_fish_completions_name_every_subcommand() {
    let zsh = stdout(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef meshedge"), "{}", &zsh[..80.min(zsh.len())]);
    let fish = stdout(&["completions", "fish"]);
    for sub in SUBCOMMANDS {
        assert!(zsh.contains(&format!("'{sub}:")), "{sub} missing from the zsh completion");
        assert!(fish.contains(&format!("-a \"{sub}\"")), "{sub} missing from the fish completion");
    }
}

#[test]
fn man_page_has_a_section_per_subcommand() {
    let page = stdout(&["man"]);
    assert!(page.starts_with(".TH MESHEDGE 1 "), "{page}");
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("meshedge\\-{sub}")) || page.contains(&format!("meshedge {sub}")), "{sub}");
    }
    // The flags of a subcommand are in the page: `build -o`, `graph --tenant`, `explain --format`.
    assert!(page.contains("\\-\\-output"), "{page}");
    assert!(page.contains("\\-\\-tenant"), "{page}");
    assert!(page.contains("mermaid"), "graph's formats: {page}");
}

/// The page is plain roff: no Markdown, no character outside ASCII, no page it points to that
/// does not exist; it says how meshedge exits and which variables it reads.
#[test]
fn man_page_is_plain_roff_with_exit_status_environment_and_real_references() {
    let page = stdout(&["man"]);
    assert!(!page.contains('`'), "Markdown code spans: {}", page.lines().find(|l| l.contains('`')).unwrap_or(""));
    let wide = page.lines().find(|l| !l.is_ascii());
    assert!(wide.is_none(), "characters outside ASCII (✓, ✗, → …): {wide:?}");
    assert!(page.contains("allowed, blocked, redirected"), "flows' marks as words");
    assert!(!page.contains("\\[u"), "a character groff may have no glyph for");
    let references = Regex::new(r"([A-Za-z0-9\\-]+)\(1\)").unwrap();
    for found in references.captures_iter(&page) {
        let page_name = found[1].replace("\\fB", "").replace("\\fR", "");
        assert_eq!(page_name, "git", "a page that does not exist: {}", &found[0]);
    }
    assert!(!page.contains("meshedge\\-build"), "no meshedge-build(1) page");
    for section in [".SH COMMANDS", ".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH \"SEE ALSO\""] {
        assert!(page.contains(section), "{section} missing");
    }
    for code in ["\n0\n", "\n1\n", "\n2\n"] {
        let status = &page[page.find(".SH \"EXIT STATUS\"").unwrap()..page.find(".SH ENVIRONMENT").unwrap()];
        assert!(status.contains(&format!(".TP{code}")), "exit status {code:?}: {status}");
    }
    // Every variable the plugin reads (its string literals in src/argocd/, tests aside) is listed.
    let variable = Regex::new(r#""((?:ARGOCD|MESHEDGE|KUBE)_[A-Z_]+)""#).unwrap();
    let mut read = BTreeSet::new();
    for entry in walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/argocd")) {
        if entry.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&entry).unwrap();
        read.extend(variable.captures_iter(&text).map(|c| c[1].to_string()));
    }
    assert!(read.len() >= 10, "{read:?}");
    let environment = &page[page.find(".SH ENVIRONMENT").unwrap()..page.find(".SH \"SEE ALSO\"").unwrap()];
    for name in &read {
        let shown = name.replace('-', "\\-");
        let listed = environment.contains(&format!("\\fB{shown}\\fR"))
            || environment.contains(&format!("\\fBARGOCD_ENV_{shown}\\fR"));
        assert!(listed || name == "ARGOCD_ENV_", "{name} missing from ENVIRONMENT:\n{environment}");
    }
    for name in ["NO_COLOR", "RUST_LOG", "PARAM_"] {
        assert!(environment.contains(name), "{name}");
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The README's install line for the man page works on an account that has no man directory yet.
#[test]
fn readme_installs_the_man_page_into_a_directory_it_creates() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let line = readme.lines().find(|l| l.contains("meshedge man >")).expect("the README shows how to install the page");
    let mkdir = line.find("mkdir -p ~/.local/share/man/man1").expect(line);
    assert!(mkdir < line.find("meshedge man >").unwrap(), "{line}");
}

/// One page, one NAME and one SYNOPSIS: the subcommands are subsections; `.TH` has its five
/// fields (man-pages(7): title, section, date, source, manual) with no date and the version in
/// the source; the synopsis shows each option's value. groff, where installed, warns of nothing.
#[test]
fn man_page_has_one_name_and_one_synopsis_and_the_title_fields_in_place() {
    let page = stdout(&["man"]);
    let count = |line: &str| page.lines().filter(|l| *l == line).count();
    assert_eq!(count(".SH NAME"), 1, "{page}");
    assert_eq!(count(".SH SYNOPSIS"), 1, "{page}");
    assert_eq!(page.lines().filter(|l| l.starts_with(".TH ")).count(), 1);
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        page.lines().next(),
        Some(format!(".TH MESHEDGE 1 \"\" \"meshedge {version}\" \"User Commands\"").as_str())
    );
    let synopsis = &page[page.find(".SH SYNOPSIS").unwrap()..page.find(".SH OPTIONS").unwrap()];
    for sub in SUBCOMMANDS {
        assert!(synopsis.contains(&format!("\\fBmeshedge {sub}\\fR")), "{sub} in SYNOPSIS: {synopsis}");
        assert!(page.contains(&format!(".SS \"meshedge {sub}\"\n")), "{sub} a subsection");
    }
    for option in [
        "[\\fB\\-\\-format\\fR \\fIFORMAT\\fR]",
        "[\\fB\\-\\-tenant\\fR \\fITENANT\\fR]",
        "\\fB\\-\\-base\\fR \\fIREV\\fR",
    ] {
        assert!(synopsis.contains(option), "{option}: {synopsis}");
    }
    assert!(!page.contains(".SH DESCRIPTION\nCompile"), "DESCRIPTION repeats NAME");
    assert!(page.is_ascii());
    assert!(!page.contains("\\*(Aq"), "a string the page does not define");
    let Ok(groff) = std::process::Command::new("groff")
        .args(["-man", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        return;
    };
    use std::io::Write as _;
    let mut groff = groff;
    groff.stdin.take().unwrap().write_all(page.as_bytes()).unwrap();
    let output = groff.wait_with_output().unwrap();
    assert!(output.stderr.is_empty(), "groff: {}", String::from_utf8_lossy(&output.stderr));
}

/// Tenants, revisions, shards and object names are not files: the shells offer no file names
/// there; the environment, `--root` and `-o` are directories.
#[test]
fn completions_offer_files_only_where_a_path_is_asked_for() {
    let zsh = stdout(&["completions", "zsh"]);
    for flag in ["--tenant", "--base", "--head", "--shard"] {
        let lines: Vec<&str> = zsh.lines().filter(|l| l.contains(&format!("'{flag}="))).collect();
        assert!(!lines.is_empty(), "{flag} in the zsh script");
        for line in lines {
            assert!(!line.contains("_files") && !line.contains("_default"), "{line}");
        }
    }
    for flag in ["--root", "--output"] {
        let lines: Vec<&str> = zsh.lines().filter(|l| l.contains(&format!("'{flag}="))).collect();
        assert!(!lines.is_empty(), "{flag} in the zsh script");
        for line in lines {
            assert!(line.contains("_files -/"), "{line}");
        }
    }
    let fish = stdout(&["completions", "fish"]);
    let lines: Vec<&str> = fish.lines().filter(|l| l.contains("-l tenant")).collect();
    assert!(!lines.is_empty());
    for line in lines {
        assert!(line.contains(" -f"), "fish offers files for --tenant: {line}");
    }
}
