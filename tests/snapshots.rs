//! Snapshots of `meshedge build` for every environment of the example repository: any change
//! to what meshedge emits shows up as a reviewed snapshot diff (`cargo insta review`).

mod common;

use assert_cmd::Command;

#[test]
fn build_output_of_every_environment() {
    for env in common::environments() {
        let output = Command::cargo_bin("meshedge")
            .unwrap()
            .args(["build", &format!("environments/{env}"), "--root"])
            .arg(common::repo_root())
            .output()
            .unwrap();
        assert!(output.status.success(), "{env}: {}", String::from_utf8_lossy(&output.stderr));
        insta::assert_snapshot!(format!("build-{env}"), String::from_utf8_lossy(&output.stdout));
    }
}

#[test]
fn graph_of_every_environment_in_mermaid_and_dot() {
    for env in common::environments() {
        for format in ["mermaid", "dot"] {
            let output = Command::cargo_bin("meshedge")
                .unwrap()
                .args(["graph", &env, "--format", format, "--root"])
                .arg(common::repo_root())
                .output()
                .unwrap();
            assert!(output.status.success(), "{env}: {}", String::from_utf8_lossy(&output.stderr));
            insta::assert_snapshot!(format!("graph-{env}-{format}"), String::from_utf8_lossy(&output.stdout));
        }
    }
}

/// `meshedge flows ENV --format json` (SPEC §5.1) for every environment: a change to what any flow
/// gets, or to the objects that decide it, shows up as a reviewed snapshot diff. Every flow of
/// the example must be as the requests ask (exit 0).
#[test]
fn flows_of_every_environment() {
    let mut broken = Vec::new();
    for env in common::environments() {
        let output = Command::cargo_bin("meshedge")
            .unwrap()
            .args(["flows", &format!("environments/{env}"), "--format", "json", "--root"])
            .arg(common::repo_root())
            .output()
            .unwrap();
        insta::assert_snapshot!(format!("flows-{env}"), String::from_utf8_lossy(&output.stdout));
        if !output.status.success() {
            broken.push(format!("{env}:\n{}", String::from_utf8_lossy(&output.stderr)));
        }
    }
    assert!(broken.is_empty(), "flows that break the requests:\n{}", broken.join("\n"));
}
