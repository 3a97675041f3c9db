//! `meshedge check` on hostile inputs: schemas with `$ref` cycles, analyses over many objects
//! sharing one thing.

mod common;

use std::process::Output;

use common::{meshedge, write_file};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_ref_cycle_in_a_schema_is_e484_at_its_file_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        &dir.path().join("s/foo.json"),
        r##"{"components":{"schemas":{"Foo":{"type":"object","x-kubernetes-group-version-kind":[{"group":"example.com","version":"v1","kind":"Foo"}],"allOf":[{"$ref":"#/components/schemas/R"}]},"R":{"allOf":[{"$ref":"#/components/schemas/R"},{"$ref":"#/components/schemas/R"}]}}}}"##,
    );
    write_file(&dir.path().join("m/foo.yaml"), "apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: a}\n");
    let out = meshedge(dir.path(), &["check", "m", "--schemas", "s"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("error[E484]") && err.contains("s/foo.json") && err.contains("`R`"), "{err}");
    assert!(err.contains("= help: "), "{err}");
}
