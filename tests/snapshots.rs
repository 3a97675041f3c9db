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
