//! `meshedge build -o DIR`: one file per object, and nothing lost that meshedge did not write.
//!
//! DIR must be absent, empty, or an earlier output of meshedge (listed in `.meshedge-output`,
//! unchanged); anything else is refused with exit 2 and leaves every byte on disk as it was —
//! DIR, its parent (no staging directory left behind) and the repository.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

const MARKER: &str = ".meshedge-output";

/// Runs meshedge in `cwd` on the example repository.
fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("meshedge")
        .unwrap()
        .current_dir(cwd)
        .args(args)
        .arg("--root")
        .arg(common::repo_root())
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn ok(output: &Output) {
    assert!(output.status.success(), "exit {:?}: {}", output.status.code(), stderr(output));
    assert!(output.stdout.is_empty(), "stdout stays empty with -o");
}

/// Asserts a refusal: exit 2, nothing on stdout, E903 and every fragment on stderr.
fn refused(output: &Output, fragments: &[&str]) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(output.stdout.is_empty());
    for fragment in std::iter::once("error[E903]: ").chain(fragments.iter().copied()) {
        assert!(text.contains(fragment), "expected {fragment:?} in:\n{text}");
    }
}

/// Every entry under `root` (not following symbolic links): files with their bytes, links with
/// their targets, directories.
fn tree(root: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                out.insert(rel, format!("-> {}", std::fs::read_link(&path).unwrap().display()));
            } else if kind.is_dir() {
                out.insert(rel, "dir".into());
                walk(root, &path, out);
            } else {
                out.insert(rel, String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The files meshedge wrote under `dir` (not the marker).
fn written(dir: &Path) -> BTreeSet<String> {
    tree(dir)
        .into_iter()
        .filter(|(_, content)| content != "dir")
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .filter(|p| p != MARKER)
        .collect()
}

fn stream_documents(env: &str) -> Vec<Value> {
    let output = Command::cargo_bin("meshedge")
        .unwrap()
        .args(["build", env, "--root"])
        .arg(common::repo_root())
        .output()
        .unwrap();
    assert!(output.status.success());
    serde_norway::Deserializer::from_str(&String::from_utf8(output.stdout).unwrap())
        .map(|d| Value::deserialize(d).unwrap())
        .collect()
}

/// `<namespace or _cluster>/<kind>-<name>.<extension>` of a document.
fn file_of(doc: &Value, extension: &str) -> String {
    let namespace = doc["metadata"]["namespace"].as_str().unwrap_or("_cluster");
    let kind = doc["kind"].as_str().unwrap().to_ascii_lowercase();
    format!("{namespace}/{kind}-{}.{extension}", doc["metadata"]["name"].as_str().unwrap())
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn an_absent_directory_gets_one_file_per_object_and_the_list_of_them() {
    let tmp = tempfile::tempdir().unwrap();
    // Its parents are created too.
    ok(&run(tmp.path(), &["build", "prod", "-o", "site/manifests"]));
    let out = tmp.path().join("site/manifests");
    let docs = stream_documents("prod");
    let expected: BTreeSet<String> = docs.iter().map(|d| file_of(d, "yaml")).collect();
    assert_eq!(expected.len(), docs.len(), "one file per object");
    assert_eq!(written(&out), expected);
    for doc in &docs {
        let text = std::fs::read_to_string(out.join(file_of(doc, "yaml"))).unwrap();
        assert_eq!(&serde_norway::from_str::<Value>(&text).unwrap(), doc, "each file is its object");
    }
    // The listing names every file with its SHA-256, and nothing else.
    let marker = std::fs::read_to_string(out.join(MARKER)).unwrap();
    let listed: BTreeMap<String, String> = marker
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (sum, path) = l.split_once("  ").unwrap();
            (path.to_string(), sum.to_string())
        })
        .collect();
    assert_eq!(listed.keys().cloned().collect::<BTreeSet<_>>(), expected);
    for (path, sum) in &listed {
        assert_eq!(&hex(&std::fs::read(out.join(path)).unwrap()), sum, "{path}");
    }
    assert_eq!(tree(&tmp.path().join("site")).keys().filter(|p| p.components().count() == 1).count(), 1);
}

#[test]
fn an_earlier_output_is_replaced_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(&run(tmp.path(), &["build", "prod", "-o", "out"]));
    let prod = written(&out);
    ok(&run(tmp.path(), &["build", "dev", "-o", "out"]));
    let dev: BTreeSet<String> = stream_documents("dev").iter().map(|d| file_of(d, "yaml")).collect();
    assert_eq!(written(&out), dev, "the earlier files are gone, the new ones are there");
    assert!(prod.difference(&dev).next().is_some(), "the two environments differ");
    // Empty too: an empty directory is filled.
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    ok(&run(tmp.path(), &["build", "dev", "-o", "empty/"]));
    assert_eq!(written(&tmp.path().join("empty")), dev);
    let names: Vec<String> =
        std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 2, "no staging or old directories left: {names:?}");
}

/// A reader never finds the directory missing or half-written while an earlier output is
/// replaced: the new output is swapped in in one step.
#[cfg(target_os = "linux")]
#[test]
fn replacing_an_earlier_output_is_atomic() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(&run(tmp.path(), &["build", "prod", "-o", "out"]));
    let sizes = [written(&out).len(), {
        let dev = tmp.path().join("dev");
        ok(&run(tmp.path(), &["build", "dev", "-o", "dev"]));
        written(&dev).len()
    }];
    let done = AtomicBool::new(false);
    let looks = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut looks = 0;
            while !done.load(Ordering::Acquire) {
                // Whatever the reader sees is one whole output, listing and files alike.
                let marker = std::fs::read_to_string(out.join(MARKER)).expect("the output is always there");
                let listed = marker.lines().filter(|l| !l.starts_with('#')).count();
                assert!(sizes.contains(&listed), "{listed} files listed");
                looks += 1;
            }
            looks
        });
        for env in ["dev", "prod", "dev", "prod"] {
            ok(&run(tmp.path(), &["build", env, "-o", "out"]));
        }
        done.store(true, Ordering::Release);
        reader.join().unwrap()
    });
    assert!(looks > 0);
}

#[test]
fn a_directory_meshedge_did_not_write_is_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    // A checkout: hidden files, a file, a manifest-looking file.
    let checkout = tmp.path().join("checkout");
    for (path, text) in [
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("README.md", "# notes\n"),
        ("prod/configmap-x.yaml", "kind: ConfigMap\n"),
    ] {
        std::fs::create_dir_all(checkout.join(path).parent().unwrap()).unwrap();
        std::fs::write(checkout.join(path), text).unwrap();
    }
    let before = tree(tmp.path());
    let output = run(tmp.path(), &["build", "prod", "-o", "checkout"]);
    refused(&output, &["`checkout` is not empty", ".meshedge-output", "`.git`", "`README.md`", "help:"]);
    assert_eq!(tree(tmp.path()), before, "nothing changed, nothing left behind");

    // The repository's own environments/ directory (a copy of it).
    common::copy_tree_reversed(&common::repo_root().join("environments"), &tmp.path().join("environments"));
    let before = tree(tmp.path());
    refused(&run(tmp.path(), &["build", "prod", "-o", "environments"]), &["`dev`", "`prod`"]);
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn an_earlier_output_that_gained_or_changed_a_file_is_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(&run(tmp.path(), &["build", "prod", "-o", "out"]));
    let some_file = out.join(written(&out).into_iter().next().unwrap());

    // A file added by hand.
    std::fs::write(out.join("istio-system/notes.txt"), "mine\n").unwrap();
    let before = tree(tmp.path());
    refused(&run(tmp.path(), &["build", "dev", "-o", "out"]), &["did not write", "`istio-system/notes.txt`"]);
    assert_eq!(tree(tmp.path()), before);
    std::fs::remove_file(out.join("istio-system/notes.txt")).unwrap();

    // A directory added by hand (a git checkout made of the output).
    std::fs::create_dir(out.join(".git")).unwrap();
    let before = tree(tmp.path());
    refused(&run(tmp.path(), &["build", "dev", "-o", "out"]), &["`.git/`"]);
    assert_eq!(tree(tmp.path()), before);
    std::fs::remove_dir(out.join(".git")).unwrap();

    // A file edited by hand.
    let original = std::fs::read_to_string(&some_file).unwrap();
    std::fs::write(&some_file, format!("{original}# hand-edited\n")).unwrap();
    let before = tree(tmp.path());
    refused(&run(tmp.path(), &["build", "dev", "-o", "out"]), &["changed since meshedge wrote them"]);
    assert_eq!(tree(tmp.path()), before);

    // A listing that is not meshedge's.
    std::fs::write(&some_file, original).unwrap();
    std::fs::write(out.join(MARKER), "../../etc/passwd\n").unwrap();
    let before = tree(tmp.path());
    refused(&run(tmp.path(), &["build", "dev", "-o", "out"]), &["cannot read"]);
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn a_file_is_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("all.yaml"), "precious\n").unwrap();
    let before = tree(tmp.path());
    refused(&run(tmp.path(), &["build", "prod", "-o", "all.yaml"]), &["`all.yaml` is a file", "> file.yaml"]);
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn the_working_directory_is_refused_and_nothing_is_left_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let here = tmp.path().join("work/here");
    std::fs::create_dir_all(&here).unwrap();
    let before = tree(tmp.path());
    for dir in [".", "./", "..", "../.."] {
        refused(&run(&here, &["build", "prod", "-o", dir]), &["working directory", "-o out"]);
        assert_eq!(tree(tmp.path()), before, "-o {dir}: no .out.tmp-* or anything else");
    }
    // An earlier output as the working directory is left as it is too.
    ok(&run(&here, &["build", "prod", "-o", "out"]));
    let before = tree(tmp.path());
    refused(&run(&here.join("out"), &["build", "dev", "-o", "."]), &["working directory"]);
    assert_eq!(tree(tmp.path()), before);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("target")).unwrap();
    std::os::unix::fs::symlink("target", tmp.path().join("link")).unwrap();
    let before = tree(tmp.path());
    for dir in ["link", "link/"] {
        refused(&run(tmp.path(), &["build", "prod", "-o", dir]), &["symbolic link"]);
        assert_eq!(tree(tmp.path()), before);
    }
}

/// A copy of the example repository (base/ and environments/) in `dir`.
fn copy_repo(dir: &Path) {
    for top in ["base", "environments"] {
        common::copy_tree_reversed(&common::repo_root().join(top), &dir.join(top));
    }
}

fn run_in_repo(repo: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("meshedge").unwrap().current_dir(repo).args(args).arg("--root").arg(repo).output().unwrap()
}

#[test]
fn a_directory_meshedge_reads_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    copy_repo(tmp.path());
    let before = tree(tmp.path());
    for (dir, inside) in [
        ("base/resources/generated", "base/resources"),
        ("environments/prod/tenants/out", "environments/prod/tenants"),
        ("environments/prod/resources", "environments/prod/resources"),
    ] {
        let output = run_in_repo(tmp.path(), &["build", "prod", "-o", dir]);
        refused(&output, &[&format!("inside `{inside}`"), "its own output"]);
        assert_eq!(tree(tmp.path()), before, "-o {dir}");
    }
    // Beside the inputs is fine.
    ok(&run_in_repo(tmp.path(), &["build", "prod", "-o", "environments/prod/out"]));
}

#[test]
fn the_inputs_of_any_layer_and_git_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    copy_repo(tmp.path());
    std::fs::create_dir_all(tmp.path().join(".git/objects")).unwrap();
    std::fs::create_dir_all(tmp.path().join("other/layer")).unwrap();
    std::fs::write(tmp.path().join("other/layer/meshedge.yaml"), "kind: Layer\n").unwrap();
    let before = tree(tmp.path());
    for (dir, inside) in [
        // Layers prod does not read, existing or not.
        ("environments/dev/resources", "environments/dev/resources"),
        ("environments/staging/tenants", "environments/staging/tenants"),
        ("environments/dev/tenants/x/y", "environments/dev/tenants"),
        ("other/layer/resources/out", "other/layer/resources"),
        (".git/out", ".git"),
        (".git/objects/out", ".git"),
    ] {
        let output = run_in_repo(tmp.path(), &["build", "prod", "-o", dir]);
        refused(&output, &[&format!("inside `{inside}`")]);
        assert_eq!(tree(tmp.path()), before, "-o {dir}");
    }
    // A directory named resources outside any layer is fine.
    ok(&run_in_repo(tmp.path(), &["build", "prod", "-o", "other/resources"]));
}

#[test]
fn a_failing_build_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    copy_repo(tmp.path());
    let storefront = tmp.path().join("environments/prod/tenants/shop/storefront.yaml");
    let text = std::fs::read_to_string(&storefront).unwrap();
    std::fs::write(&storefront, text.replacen("spec:", "spec:\n  ingres: []", 1)).unwrap();
    let before = tree(tmp.path());
    let output = run_in_repo(tmp.path(), &["build", "prod", "-o", "out"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("environments/prod/tenants/shop/storefront.yaml"));
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn json_writes_json_files() {
    let tmp = tempfile::tempdir().unwrap();
    ok(&run(tmp.path(), &["build", "prod", "--format", "json", "-o", "out"]));
    let out = tmp.path().join("out");
    let list = Command::cargo_bin("meshedge")
        .unwrap()
        .args(["build", "prod", "--format", "json", "--root"])
        .arg(common::repo_root())
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    let items = list["items"].as_array().unwrap();
    let expected: BTreeSet<String> = items.iter().map(|d| file_of(d, "json")).collect();
    assert_eq!(written(&out), expected);
    for item in items {
        let text = std::fs::read_to_string(out.join(file_of(item, "json"))).unwrap();
        assert_eq!(&serde_json::from_str::<Value>(&text).unwrap(), item);
        assert!(text.starts_with("{\n  \"apiVersion\"") && text.ends_with("}\n"), "a JSON document of its own");
    }
    // And back to YAML over it: an earlier output in another format is still meshedge's.
    ok(&run(tmp.path(), &["build", "prod", "-o", "out"]));
    assert!(written(&out).iter().all(|f| f.ends_with(".yaml")));
}

#[test]
fn kinds_of_one_name_in_two_groups_get_a_file_each() {
    let tmp = tempfile::tempdir().unwrap();
    copy_repo(tmp.path());
    // Istio's Gateway and the Gateway API's, one name, one namespace.
    let plain = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: public-shop-apps-prod-example-com\n  namespace: istio-ingress\nspec:\n  gatewayClassName: istio\n  listeners: []\n";
    std::fs::write(tmp.path().join("base/resources/gateway-api.yaml"), plain).unwrap();
    ok(&run_in_repo(tmp.path(), &["build", "prod", "-o", "out"]));
    let files = written(&tmp.path().join("out"));
    assert!(files.contains("istio-ingress/gateway.gateway.networking.k8s.io-public-shop-apps-prod-example-com.yaml"));
    assert!(files.contains("istio-ingress/gateway.networking.istio.io-public-shop-apps-prod-example-com.yaml"));
    assert!(!files.contains("istio-ingress/gateway-public-shop-apps-prod-example-com.yaml"));
    let output = run_in_repo(tmp.path(), &["build", "prod"]);
    assert_eq!(files.len(), String::from_utf8_lossy(&output.stdout).matches("\n---\n").count() + 1);
}

#[test]
fn an_object_whose_name_is_not_a_file_name_is_not_written() {
    let tmp = tempfile::tempdir().unwrap();
    copy_repo(tmp.path());
    let resource = "base/resources/odd.yaml";
    std::fs::write(
        tmp.path().join(resource),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"..\"\n  namespace: shop\n",
    )
    .unwrap();
    let before = tree(tmp.path());
    let output = run_in_repo(tmp.path(), &["build", "prod", "-o", "out"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains(resource), "{}", stderr(&output));
    assert_eq!(tree(tmp.path()), before);
}
