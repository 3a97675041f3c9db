//! Hostile repositories, end to end: each test copies the example repository into a temporary
//! directory, adds one hostile input (made here, scaled so the suite stays fast), runs
//! `meshedge build` (and `generate` and `diff` where the input reaches them the same way) and
//! checks that it ends with exit 1 and an error naming the file, nothing on stdout and a short
//! stderr — or, for legal input, exit 0. Time and memory bounds are carried by
//! `benches/hostile.rs`, not by timed tests.

mod common;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use common::write;
use git2::{IndexAddOption, Repository, Signature};
use tempfile::TempDir;

const REQ: &str = "apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\n";

/// The most stderr any failure here may print.
const SHORT: usize = 4000;

/// A copy of the example repository (base/, environments/).
fn example() -> TempDir {
    let dir = tempfile::Builder::new().prefix("meshedge-hostile-").tempdir().unwrap();
    for top in ["base", "environments"] {
        common::copy_tree_reversed(&common::repo_root().join(top), &dir.path().join(top));
    }
    dir
}

fn build(root: &Path) -> Output {
    Command::cargo_bin("meshedge").unwrap().args(["build", "environments/prod", "--root"]).arg(root).output().unwrap()
}

/// `meshedge generate` as Argo CD's CMP server runs it for `environments/prod`.
fn generate(root: &Path) -> Output {
    Command::cargo_bin("meshedge")
        .unwrap()
        .env_clear()
        .env("ARGOCD_APP_SOURCE_PATH", "environments/prod")
        .current_dir(root.join("environments/prod"))
        .arg("generate")
        .output()
        .unwrap()
}

/// Commits the work tree as it was before `change`, applies it, and runs `meshedge diff prod
/// --base HEAD` (the work tree against the commit).
fn diff_after(root: &Path, change: impl FnOnce(&Path)) -> Output {
    let git = Repository::init(root).unwrap();
    let mut index = git.index().unwrap();
    index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
    index.write().unwrap();
    let tree = git.find_tree(index.write_tree().unwrap()).unwrap();
    let signature = Signature::now("meshedge tests", "tests@example.com").unwrap();
    git.commit(Some("HEAD"), &signature, &signature, "example", &tree, &[]).unwrap();
    change(root);
    Command::cargo_bin("meshedge")
        .unwrap()
        .current_dir(root)
        .args(["diff", "prod", "--base", "HEAD", "--format", "json", "--color", "never"])
        .output()
        .unwrap()
}

/// A `diff` that reports, for the environment, the head's build failing with `code` in `file`:
/// the comparison itself succeeds (exit 0), the report carries the build's errors.
fn diff_reports(output: &Output, code: &str, file: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "exit status; stderr:\n{}", excerpt(&stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let environment = &report["environments"][0];
    assert_eq!(environment["status"], "error", "{environment}");
    let error = &environment["errors"]["head"][0];
    assert_eq!((error["code"].as_str(), error["file"].as_str()), (Some(code), Some(file)), "{environment}");
    assert!(output.stdout.len() < 2 * SHORT, "a short report: {} bytes", output.stdout.len());
}

/// Exit 1, nothing on stdout, a short stderr naming `file` with `code`; the stderr.
fn fails(output: &Output, code: &str, file: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "exit status; stderr:\n{}", excerpt(&stderr));
    assert!(output.stdout.is_empty(), "nothing on stdout: {}", excerpt(&String::from_utf8_lossy(&output.stdout)));
    assert!(stderr.contains(&format!("[{code}]")), "{code} expected:\n{}", excerpt(&stderr));
    assert!(stderr.contains(file), "{file} named:\n{}", excerpt(&stderr));
    stderr
}

/// `fails`, with a stderr of at most [`SHORT`] characters.
fn fails_short(output: &Output, code: &str, file: &str) -> String {
    let stderr = fails(output, code, file);
    assert!(stderr.chars().count() <= SHORT, "{} characters:\n{}", stderr.chars().count(), excerpt(&stderr));
    stderr
}

fn succeeds(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "exit status; stderr:\n{}", excerpt(&stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn excerpt(text: &str) -> String {
    text.chars().take(3000).collect()
}

const DEEP: &str = "base/tenants/shop/deep.yaml";

fn deep_block() -> String {
    format!("{}x\n", "- ".repeat(40_000))
}

#[test]
fn deep_block_nesting_is_an_error_in_build_generate_and_diff() {
    for text in [deep_block(), format!("{}{}", "[".repeat(40_000), "]".repeat(40_000))] {
        let repo = example();
        write(repo.path(), DEEP, &text);
        let stderr = fails_short(&build(repo.path()), "E114", DEEP);
        assert!(stderr.contains("nesting deeper than 128 levels"), "{stderr}");
        assert!(stderr.contains(&format!("--> {DEEP}:1:")), "{stderr}");
        let stderr = fails_short(&generate(repo.path()), "E114", DEEP);
        assert!(stderr.contains("nesting deeper than 128 levels"), "{stderr}");
    }
}

#[test]
fn deep_block_nesting_is_an_error_in_diff() {
    let repo = example();
    let output = diff_after(repo.path(), |root| write(root, DEEP, &deep_block()));
    diff_reports(&output, "E114", DEEP);
}

#[test]
fn deep_nesting_of_a_layer_manifest_is_an_error_in_diff_and_build() {
    // The manifest is read by the fingerprint of `diff` before any build.
    let repo = example();
    let manifest = "environments/prod/meshedge.yaml";
    let output = diff_after(repo.path(), |root| {
        let text = std::fs::read_to_string(root.join(manifest)).unwrap();
        write(root, manifest, &format!("{text}\nx: {}\n", "[".repeat(40_000)));
    });
    diff_reports(&output, "E114", manifest);
    fails_short(&build(repo.path()), "E114", manifest);
}

/// `levels` directories under `tenants/shop/fan`, each linking twice to the next.
#[cfg(unix)]
fn symlink_dag(root: &Path, levels: usize) {
    let top = root.join("base/tenants/shop/fan");
    for i in 0..=levels {
        std::fs::create_dir_all(top.join(format!("n{i}"))).unwrap();
    }
    for i in 0..levels {
        for j in 0..2 {
            std::os::unix::fs::symlink(format!("../n{}", i + 1), top.join(format!("n{i}/l{j}"))).unwrap();
        }
    }
    write(root, &format!("base/tenants/shop/fan/n{levels}/leaf.yaml"), "");
}

#[cfg(unix)]
#[test]
fn a_symlink_dag_is_walked_once_and_refused_in_build_and_diff() {
    let repo = example();
    symlink_dag(repo.path(), 30);
    let stderr = fails_short(&build(repo.path()), "E113", "base/tenants/shop/fan/n0/l0");
    assert!(stderr.contains("`base/tenants/shop/fan/n1`"), "the first path is named too: {stderr}");
    let repo = example();
    let output = diff_after(repo.path(), |root| symlink_dag(root, 30));
    diff_reports(&output, "E113", "base/tenants/shop/fan/n0/l0");
}

#[cfg(unix)]
#[test]
fn a_file_linked_into_another_tenant_is_read_once() {
    let repo = example();
    let name = "stripe.yaml";
    std::fs::create_dir_all(repo.path().join("environments/prod/tenants/blog")).unwrap();
    std::os::unix::fs::symlink(
        format!("../../../../base/tenants/shop/{name}"),
        repo.path().join("environments/prod/tenants/blog/stolen.yaml"),
    )
    .unwrap();
    let stderr = fails_short(&build(repo.path()), "E113", "environments/prod/tenants/blog/stolen.yaml");
    assert!(stderr.contains(&format!("`base/tenants/shop/{name}`")), "{stderr}");
}

#[test]
fn many_documents_with_errors_are_each_reported_once() {
    let repo = example();
    let file = "base/tenants/shop/many.yaml";
    let n = 400;
    let docs: String = (0..n).map(|i| format!("---\n{REQ}metadata: {{name: r{i}}}\nspce: {{}}\n")).collect();
    write(repo.path(), file, &docs);
    let stderr = fails(&build(repo.path()), "E102", file);
    // One error per document: the first 200 drawn, the rest counted.
    assert_eq!(stderr.matches("error[E102]").count(), 200);
    assert!(stderr.contains(&format!("… and {} more errors\n", n - 200)), "{}", excerpt(&stderr));
    assert!(stderr.contains(&format!("error: {n} errors")), "one error per document");
    // Each at its own line: document i's `spce` is on line 5 i + 5.
    for i in [0, 1, 100, 199] {
        assert!(stderr.contains(&format!("--> {file}:{}:1\n", 5 * i + 5)), "document {i}");
    }
}

#[test]
fn many_overlaid_requests_build() {
    let repo = example();
    let n = 400;
    let docs = |tag: &str| -> String {
        (0..n).map(|i| format!("---\n{REQ}metadata: {{name: r{i}}}\nspec: {{}}\n# {tag}\n")).collect()
    };
    write(repo.path(), "base/tenants/shop/many.yaml", &docs("base"));
    write(repo.path(), "environments/prod/tenants/shop/many.yaml", &docs("prod"));
    let plain = example();
    assert_eq!(succeeds(&build(repo.path())), succeeds(&build(plain.path())), "empty requests add no object");
}

#[test]
fn alias_expansion_is_bounded_in_bytes() {
    let repo = example();
    let file = "base/tenants/shop/alias.yaml";
    let big = "x".repeat(64 << 10);
    let uses = "  - *s\n".repeat(200);
    write(repo.path(), file, &format!("{REQ}metadata: {{name: s}}\nspec: {{}}\nbomb: &s \"{big}\"\nmore:\n{uses}"));
    let stderr = fails_short(&build(repo.path()), "E114", file);
    assert!(stderr.contains("aliases copy more than 16 times the file's size"), "{stderr}");
    // The first alias over the budget: 16 times the file's size is 16 of them.
    assert!(stderr.contains(&format!("--> {file}:{}:5", 7 + 16)), "{stderr}");
}

#[test]
fn nested_anchors_copy_nothing() {
    let repo = example();
    let file = "base/tenants/shop/anchors.yaml";
    let depth = 120;
    let body: String = (0..depth).map(|i| format!("{}k{i}: &a{i}\n", "  ".repeat(i))).collect();
    write(repo.path(), file, &format!("{body}{}leaf: \"{}\"\n", "  ".repeat(depth), "y".repeat(1 << 20)));
    // Not a tenant document: refused as such, quickly and in little memory (see the bench).
    fails_short(&build(repo.path()), "E305", file);
}

#[test]
fn files_over_the_size_limits_are_refused() {
    let repo = example();
    let file = "base/tenants/shop/big.yaml";
    write(repo.path(), file, &format!("{REQ}metadata: {{name: big}}\nspec: {{}}\n# {}\n", "y".repeat(8 << 20)));
    let stderr = fails_short(&build(repo.path()), "E114", file);
    assert!(stderr.contains("over the limit of 8388608 bytes"), "{stderr}");

    // Nine files of 7.5 MiB: the ninth goes past the 64 MiB of one build.
    let repo = example();
    let comment = format!("# {}\n", "y".repeat(15 << 19));
    for i in 0..9 {
        write(repo.path(), &format!("base/resources/big{i}.yaml"), &comment);
    }
    let stderr = fails_short(&build(repo.path()), "E114", "base/resources/big8.yaml");
    assert!(stderr.contains("over the limit of 67108864 bytes for one build"), "{stderr}");
    assert_eq!(stderr.matches("error[").count(), 1, "one error, nothing read after it: {stderr}");
}

#[test]
fn a_long_line_is_quoted_as_a_short_excerpt() {
    let repo = example();
    let file = "base/tenants/shop/long.yaml";
    let labels: String = (0..10_000).map(|i| format!("k{i}: v, ")).collect();
    write(repo.path(), file, &format!("{REQ}metadata: {{labels: {{{labels}}}, name: long, bogus: 1}}\nspec: {{}}\n"));
    let stderr = fails_short(&build(repo.path()), "E102", file);
    let column = format!("metadata: {{labels: {{{labels}}}, name: long, ").chars().count() + 1;
    assert!(stderr.contains(&format!("--> {file}:3:{column}\n")), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let quoted = lines.iter().position(|l| l.starts_with("3 | ")).expect("the source line");
    let (source, caret) = (lines[quoted], lines[quoted + 1]);
    assert!(source.chars().count() < 120 && source.starts_with("3 | …") && source.ends_with('}'), "{source}");
    // The caret is under the `b` of `bogus`.
    let at = caret.chars().count() - 1;
    assert_eq!(source.chars().nth(at), Some('b'), "{source}\n{caret}");
}

#[test]
fn a_long_line_of_multibyte_characters_is_cut_on_character_boundaries() {
    let repo = example();
    let file = "base/tenants/shop/wide.yaml";
    let wide = "é".repeat(30_000);
    let tail = "ü".repeat(300);
    write(
        repo.path(),
        file,
        &format!("{REQ}metadata: {{annotations: {{w: \"{wide}\"}}, name: wide, 名前: 1}} # {tail}\nspec: {{}}\n"),
    );
    let stderr = fails_short(&build(repo.path()), "E102", file);
    let lines: Vec<&str> = stderr.lines().collect();
    let quoted = lines.iter().position(|l| l.starts_with("3 | ")).expect("the source line");
    let (source, caret) = (lines[quoted], lines[quoted + 1]);
    assert!(source.starts_with("3 | …") && source.ends_with('…'), "{source}");
    let at = caret.chars().count() - 1;
    assert_eq!(source.chars().nth(at), Some('名'), "{source}\n{caret}");
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let repo = example();
    write(
        repo.path(),
        "base/tenants/shop/bom.yaml",
        &format!(
            "\u{feff}# a request saved by an editor that writes a byte order mark\n{REQ}metadata: {{name: bom}}\nspec: {{}}\n"
        ),
    );
    let plain = example();
    assert_eq!(succeeds(&build(repo.path())), succeeds(&build(plain.path())));
}

#[test]
fn json_surrogate_pairs_load_and_lone_surrogates_are_located() {
    let repo = example();
    let file = "base/resources/emoji.json";
    let doc = |greeting: &str| {
        format!(
            r#"{{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {{"name": "emoji", "namespace": "istio-ingress"}}, "data": {{"greeting": "hi {greeting}"}}}}"#
        )
    };
    write(repo.path(), file, &doc(r"\ud83d\ude00"));
    let stdout = succeeds(&build(repo.path()));
    assert!(stdout.contains("greeting: hi \u{1F600}") || stdout.contains("greeting: \"hi \u{1F600}\""), "{stdout}");
    write(repo.path(), file, &doc(r"\ud83d"));
    let stderr = fails_short(&build(repo.path()), "E101", file);
    assert!(stderr.contains(&format!("--> {file}:1:")), "{stderr}");
}

#[test]
fn unknown_yaml_tags_are_errors() {
    for (tag, shown) in [
        ("!Ref web", "`!Ref`"),
        ("!!binary aGk=", "`!!binary`"),
        ("!!python/object:os.system x", "`!!python/object:os.system`"),
    ] {
        let repo = example();
        let file = "base/tenants/shop/tagged.yaml";
        write(repo.path(), file, &format!("{REQ}metadata: {{name: tagged}}\nspec:\n  note: {tag}\n"));
        let stderr = fails_short(&build(repo.path()), "E115", file);
        assert!(stderr.contains(&format!("unsupported YAML tag {shown}")), "{stderr}");
        assert!(stderr.contains(&format!("--> {file}:5:")), "{stderr}");
    }
}

#[test]
fn a_patch_that_copies_an_object_into_itself_is_bounded() {
    let repo = example();
    let manifest = "environments/prod/meshedge.yaml";
    let ops: String = (0..40).map(|i| format!("      - {{op: copy, from: \"\", path: /x{i}}}\n")).collect();
    let text = std::fs::read_to_string(repo.path().join(manifest)).unwrap().replacen(
        "patches:\n",
        &format!("patches:\n  - target: {{kind: Deployment, name: internal-ingressgateway}}\n    json:\n{ops}"),
        1,
    );
    write(repo.path(), manifest, &text);
    let stderr = fails_short(&build(repo.path()), "E505", manifest);
    assert!(stderr.contains("would grow the object past 16 times the size of the object and the patch"), "{stderr}");
}

#[test]
fn a_file_over_the_size_limit_is_refused_in_diff() {
    // The fingerprints of `diff` keep what they read for the builds: within the same limits.
    let repo = example();
    let file = "base/tenants/shop/big.yaml";
    let output = diff_after(repo.path(), |root| {
        write(root, file, &format!("{REQ}metadata: {{name: big}}\nspec: {{}}\n# {}\n", "y".repeat(8 << 20)));
    });
    diff_reports(&output, "E114", file);
}

/// `depth` nested directories `d` under `root/under`, a file `x.yaml` at the bottom; the
/// path of the deepest directory, relative to `root`.
fn chain(root: &Path, under: &str, depth: usize) -> String {
    let path = format!("{under}/{}", vec!["d"; depth].join("/"));
    write(root, &format!("{path}/x.yaml"), "");
    path
}

#[test]
fn a_path_deeper_than_the_limit_is_refused_in_build_and_diff() {
    let repo = example();
    chain(repo.path(), "base/resources/deep", 80);
    fails_short(&build(repo.path()), "E114", "base/resources/deep/d/d/d");
    let repo = example();
    let output = diff_after(repo.path(), |root| {
        chain(root, "base/resources/deep", 80);
    });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["environments"][0]["errors"]["head"][0]["code"], "E114", "{report}");
    // At the limit's edge, inputs are read.
    let repo = example();
    chain(repo.path(), "base/resources/deep", 50);
    succeeds(&build(repo.path()));
}

/// Symbolic links to the bottom of a chain far deeper than the limit cost a constant each.
#[cfg(unix)]
#[test]
fn symlinks_to_a_deep_directory_are_refused() {
    let repo = example();
    let bottom = chain(repo.path(), "elsewhere", 1000);
    for i in 0..200 {
        std::os::unix::fs::symlink(format!("../../{bottom}"), repo.path().join(format!("base/resources/l{i}")))
            .unwrap();
    }
    fails_short(&build(repo.path()), "E114", "base/resources/l0");
}

#[cfg(unix)]
#[test]
fn a_symlink_into_git_is_never_followed() {
    let repo = example();
    write(repo.path(), ".git/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leak}\n");
    std::os::unix::fs::symlink("../../.git", repo.path().join("base/resources/git")).unwrap();
    let stderr = fails_short(&build(repo.path()), "E105", "base/resources/git");
    assert!(!stderr.contains("config.yaml"), "{stderr}");
}

/// A git symbolic link whose target is a 1 MiB blob: refused from its size, unread.
#[test]
fn a_huge_symlink_target_in_git_is_refused() {
    let repo = example();
    let git = Repository::init(repo.path()).unwrap();
    let signature = Signature::now("meshedge tests", "tests@example.com").unwrap();
    let mut index = git.index().unwrap();
    index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
    let tree = git.find_tree(index.write_tree().unwrap()).unwrap();
    let first = git.commit(Some("HEAD"), &signature, &signature, "example", &tree, &[]).unwrap();
    let first = git.find_commit(first).unwrap();
    let entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o120000,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: git2::Oid::ZERO_SHA1,
        flags: 0,
        flags_extended: 0,
        path: b"base/resources/link".to_vec(),
    };
    index.add_frombuffer(&entry, &vec![b'a'; 1 << 20]).unwrap();
    let tree = git.find_tree(index.write_tree().unwrap()).unwrap();
    git.commit(Some("HEAD"), &signature, &signature, "link", &tree, &[&first]).unwrap();
    let output = Command::cargo_bin("meshedge")
        .unwrap()
        .current_dir(repo.path())
        .args(["diff", "prod", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    diff_reports(&output, "E114", "base/resources/link");
}

#[test]
fn an_object_with_annotations_over_the_cluster_limit_is_an_error() {
    let repo = example();
    let manifest = repo.path().join("environments/prod/meshedge.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let big = "x".repeat(300 << 10);
    std::fs::write(&manifest, text.replacen("value: platform-edge", &format!("value: {big}"), 1)).unwrap();
    let stderr = fails_short(&build(repo.path()), "E704", "Gateway/istio-ingress/");
    assert!(stderr.contains("over Kubernetes' limit of 262144"), "{stderr}");

    let repo = example();
    let file = "base/resources/large.yaml";
    let plain = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: large\n  namespace: istio-ingress\n  annotations:\n    a: {big}\n"
    );
    write(repo.path(), file, &plain);
    let stderr = fails_short(&build(repo.path()), "E704", file);
    assert!(stderr.contains("ConfigMap/istio-ingress/large"), "{stderr}");
}

#[test]
fn the_source_annotation_of_a_shared_object_is_bounded() {
    let repo = example();
    let request = std::fs::read_to_string(repo.path().join("base/tenants/shop/storefront.yaml")).unwrap();
    let long = vec!["d".repeat(200); 16].join("/");
    for i in 0..80 {
        let text =
            request.replace("storefront", &format!("storefront{i}")).replace("host: shop", &format!("host: s{i}shop"));
        write(repo.path(), &format!("base/tenants/shop/{long}/r{i:02}.yaml"), &text);
    }
    let output = Command::cargo_bin("meshedge")
        .unwrap()
        .args(["build", "environments/prod", "--format", "json", "--root"])
        .arg(repo.path())
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&succeeds(&output).into_bytes()).unwrap();
    let sources: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["metadata"]["annotations"]["meshedge.io/source"].as_str())
        .collect();
    let longest = sources.iter().max_by_key(|s| s.len()).unwrap();
    assert!(longest.len() <= 4200, "{} bytes", longest.len());
    assert!(sources.iter().any(|s| s.contains(" more")), "a shared object lists its sources in short");
}

/// `args` run in `root`, killed after a minute: a FIFO waited on fails the test, not the suite.
#[cfg(unix)]
fn bounded(root: &Path, args: &[&str]) -> Output {
    let mut command = Command::cargo_bin("meshedge").unwrap();
    command.current_dir(root).args(args).timeout(std::time::Duration::from_secs(60));
    command.output().unwrap()
}

/// Makes a FIFO at `path`, a special file that blocks whoever opens it for reading.
#[cfg(unix)]
fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_among_the_inputs_is_refused_without_being_opened() {
    // In a layer's resources, as the file itself and through a symbolic link.
    for (file, link) in [("base/resources/fifo.yaml", None), ("base/resources/link.yaml", Some("../fifo"))] {
        let repo = example();
        match link {
            None => mkfifo(&repo.path().join(file)),
            Some(target) => {
                mkfifo(&repo.path().join("base/fifo"));
                std::os::unix::fs::symlink(target, repo.path().join(file)).unwrap();
            }
        }
        let stderr = fails_short(&bounded(repo.path(), &["build", "environments/prod"]), "E100", file);
        assert!(stderr.contains("is not a file"), "{stderr}");
        let output = bounded(repo.path(), &["check", "prod"]);
        assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("[E100]") && stderr.contains(file), "{stderr}");
    }

    // In a bare directory of manifests: refused, not waited on.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "manifests/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
    mkfifo(&dir.path().join("manifests/fifo.yaml"));
    let output = bounded(dir.path(), &["check", "manifests"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(output.stdout.is_empty() || output.status.code() == Some(1), "{stderr}");
    assert!(stderr.contains("manifests/fifo.yaml") && stderr.contains("not a file"), "{stderr}");
}
