//! `meshedge schema`, `meshedge completions` and `meshedge man`: what editors, shells and `man`
//! read, made from the same descriptions the loader and the command line use.

use std::path::Path;

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
    assert!(page.contains(".TH meshedge 1"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("meshedge\\-{sub}")) || page.contains(&format!("meshedge {sub}")), "{sub}");
    }
    // The flags of a subcommand are in the page: `build -o`, `graph --tenant`, `explain --format`.
    assert!(page.contains("\\-\\-output"), "{page}");
    assert!(page.contains("\\-\\-tenant"), "{page}");
    assert!(page.contains("mermaid"), "graph's formats: {page}");
}

/// The README's install line for the man page works on an account that has no man directory yet.
#[test]
fn readme_installs_the_man_page_into_a_directory_it_creates() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let line = readme.lines().find(|l| l.contains("meshedge man >")).expect("the README shows how to install the page");
    let mkdir = line.find("mkdir -p ~/.local/share/man/man1").expect(line);
    assert!(mkdir < line.find("meshedge man >").unwrap(), "{line}");
}
