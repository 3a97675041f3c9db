//! `meshedge check` on inputs a reviewer would try to break it with, and on the ways a user
//! names what to check: schema directories read under the rules of every input, `-q`, nothing
//! to check, one environment named twice, unreadable files of a bare directory.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use common::write_file;
use tempfile::TempDir;

fn meshedge(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("meshedge")
        .expect("the meshedge binary")
        .current_dir(dir)
        .timeout(Duration::from_secs(60))
        .args(args)
        .output()
        .unwrap()
}

/// A copy of the example repository (base/ and environments/) in a temporary directory.
fn example() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for part in ["base", "environments"] {
        common::copy_tree_reversed(&common::repo_root().join(part), &dir.path().join(part));
    }
    dir
}

fn check_repo(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["check"];
    all.extend(args);
    all.extend(["--root", dir.to_str().unwrap()]);
    meshedge(dir, &all)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An input error: exit 1, nothing on stdout, `code` and `file` on stderr.
fn assert_refused(out: &Output, code: &str, file: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(err.contains(&format!("[{code}]")), "{code}: {err}");
    assert!(err.contains(file), "{file}: {err}");
}

#[test]
fn a_schema_file_linked_out_of_the_repository_is_refused() {
    for target in ["/dev/zero", "/etc/passwd"] {
        let dir = example();
        std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
        std::os::unix::fs::symlink(target, dir.path().join("schemas/z.yaml")).unwrap();
        for format in ["text", "json", "sarif"] {
            let out = check_repo(dir.path(), &["prod", "--format", format]);
            assert_refused(&out, "E105", "schemas/z.yaml");
        }
    }
}

#[test]
fn a_schema_directory_outside_the_repository_keeps_its_files_inside_it() {
    let dir = example();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/etc/passwd", outside.path().join("crd.yaml")).unwrap();
    let out = check_repo(dir.path(), &["prod", "--format", "json", "--schemas", outside.path().to_str().unwrap()]);
    assert_refused(&out, "E105", "crd.yaml");
}

#[test]
fn a_schema_file_over_the_size_limit_is_refused() {
    let dir = example();
    let big = format!("# {}\n", "x".repeat(9 << 20));
    write_file(&dir.path().join("schemas/big.yaml"), &big);
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_refused(&out, "E114", "schemas/big.yaml");
}

#[test]
fn a_fifo_among_the_schemas_is_refused_not_waited_for() {
    let dir = example();
    std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
    let made = std::process::Command::new("mkfifo").arg(dir.path().join("schemas/fifo.yaml")).status().unwrap();
    assert!(made.success());
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_refused(&out, "E100", "schemas/fifo.yaml");
}

#[test]
fn quiet_hides_the_warnings_of_a_check() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        &dir.path().join("manifests/widget.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\n",
    );
    let loud = meshedge(dir.path(), &["check", "manifests"]);
    assert!(stderr(&loud).contains("warning[W702]"), "{}", stderr(&loud));
    let quiet = meshedge(dir.path(), &["-q", "check", "manifests"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(!stderr(&quiet).contains("W702"), "{}", stderr(&quiet));
}

#[test]
fn a_check_that_finds_nothing_to_check_is_a_usage_error() {
    let empty = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(empty.path().join("regions")).unwrap();
    write_file(&empty.path().join("notes/README.md"), "nothing here\n");
    for args in [vec!["check"], vec!["check", "--all"], vec!["check", "notes"], vec!["check", "--format", "sarif"]] {
        let mut args = args.clone();
        args.extend(["--root", empty.path().to_str().unwrap()]);
        let out = meshedge(empty.path(), &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(err.contains("[E901]") && err.contains("looked under"), "{args:?}: {err}");
        assert!(!err.contains("0 environments checked"), "{err}");
    }
}

#[test]
fn an_environment_named_several_ways_is_checked_once() {
    let dir = example();
    let out = check_repo(dir.path(), &["prod", "environments/prod", "./environments/prod/"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("1 environment checked"), "{err}");
}
