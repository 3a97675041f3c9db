//! `meshedge diff`: a git repository built commit by commit in a temporary directory (with git2,
//! no `git` binary), compared between revisions and against the work tree.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use git2::{IndexAddOption, Oid, Repository, Signature};
use meshedge::diff::{self, Report, Status};
use meshedge::source::GitSource;
use meshedge::source::{FsSource, Source};

/// A git repository in a temporary directory.
struct Repo {
    dir: tempfile::TempDir,
    git: Repository,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let git = Repository::init(dir.path()).unwrap();
        Repo { dir, git }
    }

    /// A repository holding the example repository (base/, environments/), committed.
    fn example() -> Repo {
        let repo = Repo::new();
        for top in ["base", "environments"] {
            common::copy_tree_reversed(&common::repo_root().join(top), &repo.path().join(top));
        }
        repo.commit("example repository");
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, path: &str, text: &str) {
        common::write(self.path(), path, text);
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).unwrap()
    }

    fn replace(&self, path: &str, from: &str, to: &str) {
        let text = self.read(path);
        assert!(text.contains(from), "{path} does not contain {from:?}");
        self.write(path, &text.replacen(from, to, 1));
    }

    fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).unwrap();
    }

    /// Commits the whole work tree (additions, changes and deletions) on HEAD.
    fn commit(&self, message: &str) -> Oid {
        let mut index = self.git.index().unwrap();
        index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = self.git.find_tree(index.write_tree().unwrap()).unwrap();
        let signature = Signature::now("meshedge tests", "tests@example.com").unwrap();
        let parent = self.git.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.git.commit(Some("HEAD"), &signature, &signature, message, &tree, &parents).unwrap()
    }

    fn at(&self, revision: &str) -> GitSource {
        GitSource::open(self.path(), revision, "").unwrap()
    }

    /// Compares every environment between two sources, through the library.
    fn compare(&self, base: &dyn Source, head: &dyn Source) -> Report {
        let dirs = diff::all_environments(&[base, head]);
        Report {
            base: "base".into(),
            base_commit: None,
            head: "head".into(),
            head_commit: None,
            environments: diff::compare(base, head, &dirs),
        }
    }

    fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::cargo_bin("meshedge").unwrap().current_dir(self.path()).arg("diff").args(args).output().unwrap()
    }

    /// Every file of the work tree (outside `.git`) with its bytes.
    fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut files = BTreeMap::new();
        for entry in walkdir::WalkDir::new(self.path()).into_iter().filter_entry(|e| e.file_name() != ".git") {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                files.insert(entry.path().to_path_buf(), std::fs::read(entry.path()).unwrap());
            }
        }
        files
    }
}

fn environment<'a>(report: &'a Report, name: &str) -> &'a diff::EnvironmentDiff {
    report.environments.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("no environment {name}"))
}

fn identities(objects: &[diff::ObjectRef]) -> Vec<String> {
    objects.iter().map(|o| o.to_string()).collect()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

const NEWS: &str = "\
apiVersion: meshedge.io/v1alpha1
kind: EdgeRequest
metadata:
  name: news
spec:
  ingress:
    - host: news
      gateway: internal
      routes:
        - {path: /, service: news, port: 8080}
";

#[test]
fn changing_one_request_shows_exactly_the_objects_it_affects() {
    let repo = Repo::example();
    repo.replace("base/tenants/blog/blog.yaml", "port: 80", "port: 8080");
    repo.commit("blog listens on 8080");
    let report = repo.compare(&repo.at("HEAD~1"), &repo.at("HEAD"));
    assert_eq!(report.environments.len(), 3);
    for name in ["dev", "prod", "staging"] {
        let env = environment(&report, name);
        assert_eq!(env.status, Status::Changed);
        assert!(env.inputs_changed);
        assert!(env.added.is_empty() && env.removed.is_empty(), "{name}: {env:?}");
        let changed: Vec<String> = env.changed.iter().map(|c| c.object.to_string()).collect();
        assert_eq!(changed, [format!("VirtualService/blog/blog-internal-{name}-example-com")]);
        let diff = &env.changed[0].diff;
        assert!(diff.contains("\n-          number: 80\n+          number: 8080\n"), "{diff}");
        assert!(diff.starts_with("--- a/blog/virtualservice-blog-internal-"), "{diff}");
        assert!(env.introduced.is_empty() && env.fixed.is_empty());
    }
    assert!(report.has_differences());
}

#[test]
fn adding_and_deleting_requests_show_added_and_removed() {
    let repo = Repo::example();
    repo.write("base/tenants/blog/news.yaml", NEWS);
    repo.commit("news");
    repo.remove("base/tenants/blog/news.yaml");
    repo.commit("no news");
    let added = repo.compare(&repo.at("HEAD~2"), &repo.at("HEAD~1"));
    let removed = repo.compare(&repo.at("HEAD~1"), &repo.at("HEAD"));
    for name in ["dev", "prod"] {
        let (after, before) = (environment(&added, name), environment(&removed, name));
        let host = format!("news-internal-{name}-example-com");
        let expected = [
            format!("Certificate/istio-internal/{host}"),
            format!("Gateway/istio-internal/internal-{host}"),
            format!("VirtualService/blog/{host}"),
        ];
        assert_eq!(after.status, Status::Changed);
        assert_eq!(identities(&after.added), expected);
        assert!(after.removed.is_empty(), "{:?}", after.removed);
        assert_eq!(identities(&before.removed), expected);
        assert!(before.added.is_empty(), "{:?}", before.added);
        // The internal gateway's own objects (its workload, and in prod the policy opening it to
        // its clients) name their sources, which now include news.yaml.
        for env in [after, before] {
            for changed in &env.changed {
                let object = changed.object.to_string();
                assert!(
                    object.contains("internal-ingressgateway") || object.contains("meshedge-gateway-internal"),
                    "{}",
                    changed.object.to_string()
                );
                assert!(changed.diff.contains("base/tenants/blog/news.yaml"), "{}", changed.diff);
            }
        }
    }
}

#[test]
fn an_environment_whose_inputs_did_not_change_is_reported_unchanged_without_building() {
    let repo = Repo::example();
    // dev does not build at either revision: reporting it unchanged proves it was not built.
    repo.replace("environments/dev/meshedge.yaml", "metadata:\n", "bogus: 1\nmetadata:\n");
    repo.commit("dev is broken");
    repo.replace("environments/prod/tenants/blog/status.yaml", "port: 8080", "port: 8081");
    repo.write("README.md", "not an input\n");
    repo.write("environments/dev/NOTES.txt", "not an input either\n");
    repo.commit("prod status on 8081");
    let report = repo.compare(&repo.at("HEAD~1"), &repo.at("HEAD"));
    let dev = environment(&report, "dev");
    assert_eq!(dev.status, Status::Unchanged);
    assert!(!dev.inputs_changed);
    assert!(dev.base_errors.is_empty() && dev.head_errors.is_empty());
    let prod = environment(&report, "prod");
    assert_eq!(prod.status, Status::Changed);
    assert_eq!(prod.changed.len(), 1, "{:?}", prod.changed);

    // A change to an input that leaves the output as it was: built, and unchanged.
    repo.replace("base/tenants/blog/blog.yaml", "# The engineering blog", "# The blog");
    repo.commit("comment");
    let report = repo.compare(&repo.at("HEAD~1"), &repo.at("HEAD"));
    let prod = environment(&report, "prod");
    assert_eq!(prod.status, Status::Unchanged);
    assert!(prod.inputs_changed);
    // dev reads blog.yaml too, and does not build: now it is built, and says so.
    let dev = environment(&report, "dev");
    assert_eq!(dev.status, Status::Error);
    assert!(!dev.base_errors.is_empty() && !dev.head_errors.is_empty());
}

#[test]
fn the_fingerprint_covers_every_file_a_build_reads() {
    let source = FsSource::new(common::repo_root());
    for env in common::environments() {
        let dir = format!("environments/{env}");
        let build = common::build(&common::repo_root(), &env);
        let fingerprint = diff::fingerprint(&source, &dir).unwrap();
        let missing: Vec<&String> = build.inputs.difference(&fingerprint.files).collect();
        assert!(missing.is_empty(), "{env}: read but not fingerprinted: {missing:?}");
        assert_eq!(fingerprint.name.as_deref(), Some(env.as_str()));
    }
    assert!(diff::fingerprint(&source, "base/tenants").is_none());
}

#[test]
fn head_defaults_to_the_work_tree_which_is_left_untouched() {
    let repo = Repo::example();
    // Uncommitted: a changed request, a new one and a new untracked directory.
    repo.replace("base/tenants/blog/blog.yaml", "port: 80", "port: 8080");
    repo.write("base/tenants/blog/news.yaml", NEWS);
    let before = repo.snapshot();
    let index_before = std::fs::read(repo.path().join(".git/index")).unwrap();
    let head_before = repo.git.head().unwrap().target();

    let output = repo.cli(&["--base", "HEAD", "--format", "json", "--exit-code"]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["head"], "work tree");
    assert_eq!(json["headCommit"], serde_json::Value::Null);
    let prod = json["environments"].as_array().unwrap().iter().find(|e| e["name"] == "prod").unwrap();
    assert_eq!(prod["status"], "changed");
    assert_eq!(prod["added"].as_array().unwrap().len(), 3);
    assert!(prod["changed"].as_array().unwrap().iter().any(|c| c["name"] == "blog-internal-prod-example-com"));

    assert_eq!(repo.snapshot(), before, "the work tree changed");
    assert_eq!(std::fs::read(repo.path().join(".git/index")).unwrap(), index_before, "the index changed");
    assert_eq!(repo.git.head().unwrap().target(), head_before);
    let statuses = repo.git.statuses(None).unwrap();
    assert_eq!(statuses.len(), 2, "one modified and one untracked file, as before");
}

#[test]
fn a_revision_compared_with_itself_has_no_differences() {
    let repo = Repo::example();
    repo.replace("base/tenants/blog/blog.yaml", "port: 80", "port: 8080");
    repo.commit("second");
    for args in [
        &["--all", "--base", "HEAD", "--head", "HEAD", "--exit-code"][..],
        &["--all", "--base", "HEAD~1", "--head", "HEAD~1", "--exit-code", "--format", "json"],
        &["--base", "HEAD", "--exit-code", "--format", "markdown"],
    ] {
        let output = repo.cli(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        let text = stdout(&output);
        assert!(!text.contains("changed:") && !text.contains("\"status\": \"changed\""), "{text}");
    }
    let output = repo.cli(&["--all", "--base", "HEAD", "--head", "HEAD"]);
    assert!(stdout(&output).contains("3 environments: 0 with differences, 3 unchanged"), "{}", stdout(&output));

    // With differences: 1 under --exit-code, 0 without.
    let output = repo.cli(&["--base", "HEAD~1", "--exit-code"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("~ changed VirtualService/blog/blog-internal-prod-example-com"));
    let output = repo.cli(&["--base", "HEAD~1"]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn secret_values_never_appear_in_any_format() {
    let secrets = |a: &str, b: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: partner-ca\n  namespace: istio-egress\n\
             data:\n  ca.crt: {a}\n  unchanged.key: c3RheXMtdGhlLXNhbWUtdmFsdWU=\n\
             stringData:\n  token: {b}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: gone\n  namespace: istio-egress\n\
             stringData:\n  password: removed-secret-value-7\n"
        )
    };
    let repo = Repo::example();
    repo.write("base/resources/secrets.yaml", &secrets("b2xkLWNhLWJ1bmRsZS12YWx1ZQ==", "old-token-value-3"));
    repo.commit("secrets");
    let head = secrets("bmV3LWNhLWJ1bmRsZS12YWx1ZQ==", "new-token-value-4")
        + "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: fresh\n  namespace: istio-egress\n\
           stringData:\n  password: added-secret-value-5\n";
    repo.write("base/resources/secrets.yaml", &head.replace("name: gone", "name: renamed"));
    repo.commit("rotate");
    let values = [
        "b2xkLWNhLWJ1bmRsZS12YWx1ZQ==",
        "bmV3LWNhLWJ1bmRsZS12YWx1ZQ==",
        "c3RheXMtdGhlLXNhbWUtdmFsdWU=",
        "old-token-value-3",
        "new-token-value-4",
        "removed-secret-value-7",
        "added-secret-value-5",
    ];
    for format in ["text", "markdown", "json"] {
        let output = repo.cli(&["--base", "HEAD~1", "--head", "HEAD", "--format", format, "--color", "always"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let text = stdout(&output);
        for value in values {
            assert!(!text.contains(value), "{format} shows the secret value {value}:\n{text}");
        }
        assert!(text.contains("partner-ca"), "{format}: the changed Secret is listed");
        assert!(text.contains("(secret value, changed)"), "{format}: says the value changed");
    }
    let report = repo.compare(&repo.at("HEAD~1"), &repo.at("HEAD"));
    let prod = environment(&report, "prod");
    let diff = &prod.changed.iter().find(|c| c.object.name == "partner-ca").unwrap().diff;
    assert!(diff.contains("-  ca.crt: \"(secret value)\"\n+  ca.crt: \"(secret value, changed)\"\n"), "{diff}");
    assert!(diff.contains("   unchanged.key: \"(secret value)\"\n"), "{diff}");
    assert!(diff.contains("-  token: \"(secret value)\"\n+  token: \"(secret value, changed)\"\n"), "{diff}");
    assert!(identities(&prod.added).contains(&"Secret/istio-egress/fresh".to_string()));
    assert!(identities(&prod.removed).contains(&"Secret/istio-egress/gone".to_string()));
}

#[test]
fn a_revision_that_does_not_build_is_reported_with_its_errors() {
    let repo = Repo::example();
    repo.replace("environments/prod/tenants/blog/status.yaml", "routes:", "gateway: nowhere\n      routes:");
    repo.commit("prod status on an unknown gateway");
    let output = repo.cli(&["--base", "HEAD~1", "--head", "HEAD", "--format", "json"]);
    assert!(output.status.success(), "a failed build is a finding of the report, not of the command");
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let envs = json["environments"].as_array().unwrap();
    let prod = envs.iter().find(|e| e["name"] == "prod").unwrap();
    assert_eq!(prod["status"], "error");
    assert_eq!(prod["errors"]["base"].as_array().unwrap().len(), 0);
    let errors = prod["errors"]["head"].as_array().unwrap();
    assert!(!errors.is_empty());
    assert!(errors.iter().all(|e| e["severity"] == "error" && e["file"].is_string()), "{errors:?}");
    assert!(errors.iter().any(|e| e["file"] == "environments/prod/tenants/blog/status.yaml"), "{errors:?}");
    // Each error is counted once: as the head revision's error, not also as introduced.
    assert_eq!(prod["diagnostics"]["introduced"], serde_json::json!([]), "{prod}");
    let dev = envs.iter().find(|e| e["name"] == "dev").unwrap();
    assert_eq!(dev["status"], "unchanged", "the other environment is still compared");

    // Fixing it: the base revision's errors, and the fix.
    let report = repo.compare(&repo.at("HEAD"), &repo.at("HEAD~1"));
    let prod = environment(&report, "prod");
    assert_eq!(prod.status, Status::Error);
    assert!(!prod.base_errors.is_empty() && prod.head_errors.is_empty());
    assert!(prod.fixed.is_empty(), "the base's errors are its errors, not also fixed: {:?}", prod.fixed);
    let text = diff::render_text(&report, false);
    assert!(text.contains("the base revision does not build"), "{text}");
    let markdown = diff::render_markdown(&report);
    assert!(markdown.contains("**The base revision does not build**"), "{markdown}");
}

/// Shuts every requested host of the public gateway: the flows stage finds each requested route
/// blocked (E801).
const DENY_PUBLIC: &str = common::DENY_SHOP;

#[test]
fn a_revision_that_fails_on_its_flows_counts_each_error_once() {
    let repo = Repo::example();
    repo.write("base/resources/deny-shop.yaml", DENY_PUBLIC);
    repo.commit("deny the shop");
    let output = repo.cli(&["prod", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let prod = &json["environments"][0];
    assert_eq!(prod["status"], "error", "{prod}");
    let errors = prod["errors"]["head"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["code"] == "E801"), "{prod}");
    let introduced = prod["diagnostics"]["introduced"].as_array().unwrap();
    assert!(introduced.iter().all(|d| d["code"] != "E801"), "E801 counted twice: {prod}");
    assert!(introduced.iter().all(|d| d["severity"] != "error"), "{prod}");
    // The flows are still compared: the blocked route is closed.
    assert!(!prod["flows"]["closed"].as_array().unwrap().is_empty(), "{prod}");
    // The summary table counts the same.
    let markdown = stdout(&repo.cli(&["prod", "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown"]));
    let row = markdown.lines().find(|l| l.starts_with("| `prod` |")).unwrap();
    assert!(row.ends_with(&format!("| {} | 0 |", introduced.len())), "{row}");
}

/// A revision that fails only on its flows (E801, E802) went through every stage: the preview
/// shows the objects it adds, with their YAML and the graph, next to the errors.
#[test]
fn a_revision_that_fails_on_its_flows_still_shows_its_objects() {
    let repo = Repo::example();
    repo.write("base/resources/deny-shop.yaml", DENY_PUBLIC);
    repo.commit("deny the shop");
    let output = repo.cli(&["prod", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let prod = &json["environments"][0];
    assert_eq!(prod["status"], "error", "{prod}");
    let added = prod["added"].as_array().unwrap();
    let policy = added.iter().find(|o| o["kind"] == "AuthorizationPolicy").unwrap_or_else(|| panic!("{prod}"));
    assert!(policy["yaml"].as_str().is_some_and(|y| y.contains("DENY")), "{policy}");
    assert!(prod["errors"]["head"].as_array().unwrap().iter().any(|e| e["code"] == "E801"), "{prod}");

    let markdown = stdout(&repo.cli(&["prod", "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown"]));
    let row = markdown.lines().find(|l| l.starts_with("| `prod` |")).unwrap();
    assert!(row.starts_with(&format!("| `prod` | **error** | {} |", added.len())), "{row}");
    assert!(markdown.contains("**The head revision does not build**"), "{markdown}");
    assert!(markdown.contains("E801"), "{markdown}");
    assert!(markdown.contains("<code>AuthorizationPolicy/"), "{markdown}");
    assert!(markdown.contains("action: DENY"), "{markdown}");
}

#[test]
fn environments_added_and_removed_between_revisions() {
    let repo = Repo::example();
    let dev = repo.read("environments/dev/meshedge.yaml");
    // The whole layer moves (its manifest and its tenants), renamed.
    std::fs::rename(repo.path().join("environments/dev"), repo.path().join("environments/qa")).unwrap();
    repo.write("environments/qa/meshedge.yaml", &dev.replace("name: dev\n", "name: qa\n"));
    repo.commit("dev becomes qa");
    let output = repo.cli(&["--all", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", "--exit-code"]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let status: Vec<(String, String)> = json["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["path"].as_str().unwrap().to_string(), e["status"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        status,
        [
            ("environments/dev".to_string(), "removed".to_string()),
            ("environments/prod".to_string(), "unchanged".to_string()),
            ("environments/qa".to_string(), "added".to_string()),
            ("environments/staging".to_string(), "unchanged".to_string()),
        ]
    );
    let envs = json["environments"].as_array().unwrap();
    let (removed, added) = (&envs[0], &envs[2]);
    assert_eq!(removed["removed"].as_array().unwrap().len(), common::build(&common::repo_root(), "dev").objects.len());
    assert_eq!(added["added"].as_array().unwrap().len(), removed["removed"].as_array().unwrap().len());
    assert_eq!(added["name"], "qa");

    // Naming environments: only those, found at either revision; an unknown name is a usage error.
    let output = repo.cli(&["dev", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["environments"].as_array().unwrap().len(), 1);
    assert_eq!(json["environments"][0]["status"], "removed");
    let output = repo.cli(&["uat", "--base", "HEAD~1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no environment `uat`"));
    let output = repo.cli(&["--base", "no-such-revision"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown revision `no-such-revision`"));
}

#[cfg(unix)]
#[test]
fn a_root_inside_the_repository_and_symlinks_at_a_revision() {
    // The meshedge root is `platform/` inside a larger repository.
    let repo = Repo::new();
    for top in ["base", "environments"] {
        common::copy_tree_reversed(&common::repo_root().join(top), &repo.path().join("platform").join(top));
    }
    repo.write("outside/news.yaml", NEWS);
    repo.commit("platform");
    // A symlink inside the root is followed; one leaving it is an error at that revision.
    let link = repo.path().join("platform/base/tenants/blog/news.yaml");
    std::os::unix::fs::symlink("../../../../outside/news.yaml", &link).unwrap();
    repo.commit("news through a link leaving the root");
    repo.write("platform/feeds/news.yaml", NEWS);
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("../../../feeds/news.yaml", &link).unwrap();
    repo.commit("news through a link inside the root");

    let at = |rev: &str| GitSource::open(repo.path(), rev, "platform").unwrap();
    let report = repo.compare(&at("HEAD~2"), &at("HEAD~1"));
    let prod = environment(&report, "prod");
    assert_eq!(prod.status, Status::Error);
    assert!(prod.head_errors.iter().any(|d| d.code == "E105"), "{:?}", prod.head_errors);
    let report = repo.compare(&at("HEAD~2"), &at("HEAD"));
    let prod = environment(&report, "prod");
    assert_eq!(prod.status, Status::Changed);
    assert_eq!(prod.added.len(), 3, "{:?}", prod.added);

    // The same through the command line, from inside the root.
    let output = Command::cargo_bin("meshedge")
        .unwrap()
        .current_dir(repo.path().join("platform/environments"))
        .args(["diff", "prod", "--root", "..", "--base", "HEAD~2", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["environments"][0]["path"], "environments/prod");
    assert_eq!(json["environments"][0]["added"].as_array().unwrap().len(), 3);
}

#[test]
fn markdown_stays_under_the_comment_limit_on_a_change_touching_thousands_of_objects() {
    let repo = Repo::new();
    meshedge_testkit::synth::write_repo(repo.path(), 220).unwrap();
    repo.commit("synthetic repository");
    // A patch that touches every object of the environment.
    let path = format!("{}/meshedge.yaml", meshedge_testkit::synth::ENVIRONMENT);
    let text = repo.read(&path);
    repo.write(
        &path,
        &format!(
            "{text}  - target: {{name: \".*\"}}\n    json:\n      \
             - {{op: add, path: /metadata/annotations/example.com~1revision, value: \"2\"}}\n"
        ),
    );
    repo.commit("annotate everything");
    let report = repo.compare(&repo.at("HEAD~1"), &repo.at("HEAD"));
    let env = &report.environments[0];
    assert_eq!(env.status, Status::Changed);
    assert!(env.changed.len() >= 2000, "{} objects changed", env.changed.len());

    let markdown = diff::render_markdown(&report);
    let length = markdown.chars().count();
    assert!(length <= diff::MARKDOWN_LIMIT, "{length} characters");
    assert!(length > diff::MARKDOWN_LIMIT - 5000, "the budget is used: {length} characters");
    let shown = markdown.matches("<details>").count();
    assert!(shown > 10 && shown < env.changed.len(), "{shown} objects shown");
    let note = &markdown[markdown.find("**Cut at 65,000 characters**").expect("the note")..];
    let omitted = format!("`prod` ({} changed)", env.changed.len() - shown);
    assert!(note.contains(&omitted), "the note says what was left out ({omitted}):\n{note}");
    // The summary table comes first and counts everything.
    assert!(markdown.contains(&format!("| `prod` | **changed** | 0 | {} | 0 |", env.changed.len())), "{markdown:.600}");
    // Every section that was started is closed.
    assert_eq!(markdown.matches("<details>").count(), markdown.matches("</details>").count());
    assert_eq!(markdown.matches("```").count() % 2, 0);
}

#[test]
fn secrets_inside_a_list_never_appear_in_any_format() {
    let list = |value: &str| {
        format!(
            "apiVersion: v1\nkind: List\nmetadata:\n  name: bundle\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: plain\n      namespace: istio-egress\n    data:\n      a: b\n\
             \x20 - apiVersion: v1\n    kind: Secret\n    metadata:\n      name: listed\n      namespace: istio-egress\n    stringData:\n      token: {value}\n"
        )
    };
    let repo = Repo::example();
    repo.write("base/resources/list.yaml", &list("listed-old-value-1"));
    repo.commit("list");
    repo.write("base/resources/list.yaml", &list("listed-new-value-2"));
    repo.commit("rotate");
    for format in ["text", "markdown", "json"] {
        let output = repo.cli(&["--base", "HEAD~1", "--head", "HEAD", "--format", format]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let text = stdout(&output);
        assert!(text.contains("List"), "{format}: the List is shown as changed:\n{text}");
        for value in ["listed-old-value-1", "listed-new-value-2"] {
            assert!(!text.contains(value), "{format} shows the secret value {value}:\n{text}");
        }
        assert!(text.contains("(secret value, changed)"), "{format}: says the value changed");
    }
}

#[test]
fn file_names_cannot_act_on_a_terminal_or_break_out_of_markdown() {
    let repo = Repo::example();
    repo.commit("base");
    let name = "base/resources/x\x1b]0;owned\x07\x1b[2J\n# Injected ![i](https:example.png) <img src=x> `|.txt";
    repo.write(name, "junk\n");
    repo.commit("junk");
    for format in ["text", "markdown", "json"] {
        let output = repo.cli(&["--base", "HEAD~1", "--head", "HEAD", "--format", format, "--color", "never"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let text = stdout(&output);
        assert!(text.contains("owned"), "{format}: the file is named:\n{text}");
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{format}: a raw control character:\n{text}");
        assert!(!text.lines().any(|l| l.starts_with("# Injected")), "{format}: the name starts a line:\n{text}");
        if format == "markdown" {
            // The whole diagnostic is one code span: markdown and HTML in it are shown as text.
            let line = text.lines().find(|l| l.contains("owned")).unwrap();
            assert!(line.starts_with("- ``") && line.ends_with("``"), "markdown: not one code span:\n{line}");
        }
    }
}

const DENY_ADMIN: &str = "\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-admin
  namespace: shop
spec:
  action: DENY
  rules:
    - from:
        - source: {notPrincipals: [cluster.local/ns/shop/sa/admin]}
      to:
        - operation: {paths: [/admin/*]}
";

#[test]
fn the_markdown_preview_shows_an_added_authorization_policy_with_its_rules() {
    let repo = Repo::example();
    repo.write("base/resources/deny-admin.yaml", DENY_ADMIN);
    repo.commit("deny admin");
    let output = repo.cli(&["prod", "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let markdown = stdout(&output);
    let start = markdown
        .find("<details><summary><code>AuthorizationPolicy/shop/deny-admin</code> (security.istio.io/v1)</summary>")
        .unwrap_or_else(|| panic!("the added policy is a collapsed section:\n{markdown}"));
    let section = &markdown[start..];
    let section = &section[..section.find("</details>").unwrap()];
    for shown in ["```yaml\n", "action: DENY", "rules:", "notPrincipals:", "cluster.local/ns/shop/sa/admin", "/admin/*"]
    {
        assert!(section.contains(shown), "{shown} missing from\n{section}");
    }
    assert!(
        markdown.contains("**Input files changed** (1):\n\n- `base/resources/deny-admin.yaml` (added)\n"),
        "{markdown}"
    );
    assert!(!markdown.contains("```mermaid"), "a plain policy does not change the drawn edge:\n{markdown}");

    let json: serde_json::Value =
        serde_json::from_str(&stdout(&repo.cli(&["prod", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"])))
            .unwrap();
    let prod = &json["environments"][0];
    assert_eq!(prod["added"][0]["kind"], "AuthorizationPolicy");
    assert!(prod["added"][0]["yaml"].as_str().unwrap().contains("/admin/*"), "{prod}");
    assert_eq!(prod["inputs"], serde_json::json!([{"path": "base/resources/deny-admin.yaml", "change": "added"}]));
    assert!(prod["graph"].is_null(), "{prod}");
    // The policy denies a path no flow probes: both revisions' flows are the same.
    assert_eq!(prod["flows"], serde_json::json!({"opened": [], "closed": []}), "{prod}");
    assert!(markdown.contains("### Flows opened / closed by this change\n\nNo flow changes.\n"), "{markdown}");

    let text = stdout(&repo.cli(&["prod", "--base", "HEAD~1", "--head", "HEAD", "--color", "never"]));
    assert!(text.contains("      +  action: DENY\n"), "{text}");
    assert!(text.contains("  input files changed:\n    added base/resources/deny-admin.yaml\n"), "{text}");
    assert!(text.contains("\n  no flow changes\n"), "{text}");
}

/// The shop's egress to Stripe, as the flows stage names it (the shop speaks plain HTTP, the
/// egress gateway originates TLS).
const SHOP_TO_STRIPE: &str = "namespace/shop → api.stripe.com:80";

#[test]
fn the_preview_names_the_flows_a_change_opens_and_closes_before_anything_else() {
    let repo = Repo::example();
    let stripe = repo.read("base/tenants/shop/stripe.yaml");
    repo.remove("base/tenants/shop/stripe.yaml");
    repo.commit("the shop stops calling stripe");
    repo.write("base/tenants/shop/stripe.yaml", &stripe);
    repo.commit("the shop calls stripe again");
    let run = |base: &str, head: &str, format: &str| {
        let output = repo.cli(&["prod", "--base", base, "--head", head, "--format", format]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        stdout(&output)
    };
    for (base, head, word) in [("HEAD~2", "HEAD~1", "closed"), ("HEAD~1", "HEAD", "opened")] {
        // Removing the request closes the flow; adding it back opens it. Nothing else changes.
        let text = run(base, head, "text");
        let expected =
            format!("\n  flows opened / closed by this change:\n    {SHOP_TO_STRIPE} {word}\n  input files changed:\n");
        assert!(text.contains(&expected), "{word}: the flows come first in the block:\n{text}");

        let markdown = run(base, head, "markdown");
        let word_md = if word == "opened" { "**opened**" } else { "closed" };
        let line = format!("- `{SHOP_TO_STRIPE}` {word_md} (`prod`)\n");
        let flows = markdown.find("### Flows opened / closed by this change").expect(&markdown);
        assert!(
            markdown[flows..].starts_with(&format!("### Flows opened / closed by this change\n\n{line}\n")),
            "{markdown}"
        );
        assert!(flows < markdown.find("| Environment |").unwrap(), "the flows come before the table:\n{markdown}");

        let json: serde_json::Value = serde_json::from_str(&run(base, head, "json")).unwrap();
        let prod = &json["environments"][0];
        let (opened, closed) =
            if word == "opened" { (vec![SHOP_TO_STRIPE], vec![]) } else { (vec![], vec![SHOP_TO_STRIPE]) };
        assert_eq!(prod["flows"], serde_json::json!({"opened": opened, "closed": closed}), "{prod}");
    }
    // Nothing built, nothing compared: no section at all.
    let markdown = run("HEAD", "HEAD", "markdown");
    assert!(!markdown.contains("Flows opened"), "{markdown}");
    let json: serde_json::Value = serde_json::from_str(&run("HEAD", "HEAD", "json")).unwrap();
    assert!(json["environments"][0]["flows"].is_null(), "{json}");
}

#[test]
fn the_preview_draws_the_part_of_the_edge_a_change_touches_and_shows_what_was_removed() {
    let repo = Repo::example();
    repo.write("base/tenants/blog/news.yaml", NEWS);
    repo.commit("news");
    repo.remove("base/tenants/blog/news.yaml");
    repo.commit("no news");
    let markdown = |base: &str, head: &str| {
        let output = repo.cli(&["dev", "--base", base, "--head", head, "--format", "markdown"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        stdout(&output)
    };
    let graph = |text: &str| -> String {
        let start = text.find("```mermaid\n").unwrap_or_else(|| panic!("no graph:\n{text}"));
        let rest = &text[start + "```mermaid\n".len()..];
        rest[..rest.find("```").unwrap()].to_string()
    };
    let added = markdown("HEAD~2", "HEAD~1");
    let drawn = graph(&added);
    assert!(drawn.starts_with("flowchart LR\n"), "{drawn}");
    assert!(drawn.contains("\"news.internal.dev.example.com<br/>(added)\""), "{drawn}");
    assert!(drawn.contains("igw_internal{{"), "the gateway it hangs off: {drawn}");
    assert!(drawn.contains("igw_internal --> host_news_internal_dev_example_com"), "{drawn}");
    assert!(!drawn.contains("shop.apps"), "only the part that changed: {drawn}");

    let removed = markdown("HEAD~1", "HEAD");
    let drawn = graph(&removed);
    assert!(drawn.contains("\"news.internal.dev.example.com<br/>(removed)\""), "{drawn}");
    assert!(drawn.contains("igw_internal --x host_news_internal_dev_example_com"), "{drawn}");
    // A removed object's last YAML.
    let start =
        removed.find("<details><summary><code>VirtualService/blog/news-internal-dev-example-com</code>").unwrap();
    assert!(removed[start..].contains("- news.internal.dev.example.com\n"), "{removed}");
    assert!(removed.contains("- `base/tenants/blog/news.yaml` (removed)\n"), "{removed}");
}

#[test]
fn adding_a_tenant_egress_host_draws_the_namespace_calling_it_through_the_gateway() {
    let repo = Repo::example();
    repo.replace(
        "base/tenants/blog/blog.yaml",
        "    - host: feeds.partner.example\n",
        "    - host: api.stripe.com\n      port: 443\n      tls: originate\n    - host: feeds.partner.example\n",
    );
    repo.commit("the blog calls stripe");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&repo.cli(&["prod", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"])))
            .unwrap();
    let prod = &json["environments"][0];
    assert_eq!(prod["flows"]["opened"], serde_json::json!(["namespace/blog → api.stripe.com:80"]), "{prod}");
    let graph = prod["graph"].as_str().unwrap_or_else(|| panic!("no changed-edge graph: {prod}"));
    // The namespace's edge to the gateway names the host and port it calls (as the flows do),
    // and the gateway's edge to the host is drawn with the port it opens TLS to.
    // Drawn once, the added host marked: a changed label is not a removed edge.
    assert!(
        graph.contains("  ns_blog -->|\"api.stripe.com:80 (added), feeds.partner.example:80\"| egw_egress\n"),
        "{graph}"
    );
    assert!(!graph.contains("ns_blog --x"), "a label change is not drawn as a removed edge: {graph}");
    assert!(graph.contains("ext_api_stripe_com_443[\"api.stripe.com:443\"]"), "{graph}");
    assert!(
        graph.contains("  egw_egress -->|\"TLS originated to port 443; sla: bronze, gold\"| ext_api_stripe_com_443\n"),
        "{graph}"
    );
    assert!(!graph.contains("ns_shop"), "only the part that changed: {graph}");
}

#[test]
fn an_environment_at_neither_revision_is_a_usage_error_exiting_2_as_documented() {
    let repo = Repo::example();
    let output = repo.cli(&["nosuch", "--base", "HEAD", "--head", "HEAD"]);
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("E901"), "{}", String::from_utf8_lossy(&output.stderr));
    let doc = std::fs::read_to_string(common::repo_root().join("docs/diff-preview.md")).unwrap();
    let row = doc.lines().find(|l| l.contains("exists at neither revision")).expect("documented");
    assert!(row.starts_with("| 2 |") && row.contains("E901"), "{row}");
    assert!(!doc.contains("listed by identity only"), "added objects' YAML is shown, masked");
}

#[test]
fn secret_values_copied_elsewhere_stay_masked() {
    // A value copied by a patch into an annotation, quoted by last-applied-configuration, shared
    // by a YAML alias, and a Secret a patch turns into a ConfigMap.
    let secrets = |n: u8| {
        format!(
            "apiVersion: v1\nkind: Secret\n\
             stringData:\n  pw: &a aliased-secret-{n}\n  other: copied-secret-{n}\n  quoted: quoted-secret-{n}\n\
             metadata:\n  name: leaky\n  namespace: istio-egress\n  annotations:\n    \
             kubectl.kubernetes.io/last-applied-configuration: '{{\"kind\":\"Secret\",\"stringData\":{{\"pw\":\"quoted-secret-{n}\"}}}}'\n    \
             alias: *a\n\
             ---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: turned\n  namespace: istio-egress\n\
             data:\n  key: dHVybmVkLXNlY3JldC17bn0={n}\n"
        )
    };
    let repo = Repo::example();
    repo.write("base/resources/leaky.yaml", &secrets(1));
    repo.replace(
        "environments/prod/meshedge.yaml",
        "patches:\n",
        "patches:\n  - target: {kind: Secret, name: leaky}\n    json:\n      \
         - {op: copy, from: /stringData/other, path: /metadata/annotations/leak}\n  \
         - target: {kind: Secret, name: turned}\n    json:\n      - {op: replace, path: /kind, value: ConfigMap}\n",
    );
    repo.commit("secrets");
    repo.write("base/resources/leaky.yaml", &secrets(2));
    repo.commit("rotate");
    let mut values: Vec<String> = Vec::new();
    for n in [1, 2] {
        for prefix in ["aliased-secret-", "copied-secret-", "quoted-secret-"] {
            values.push(format!("{prefix}{n}"));
        }
        values.push(format!("dHVybmVkLXNlY3JldC17bn0={n}"));
    }
    for format in ["text", "markdown", "json"] {
        let output = repo.cli(&["--base", "HEAD~1", "--head", "HEAD", "--format", format]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let text = stdout(&output);
        assert!(text.contains("leaky") && text.contains("turned"), "{format}: both are listed:\n{text}");
        for value in &values {
            assert!(!text.contains(value.as_str()), "{format} shows the secret value {value}:\n{text}");
        }
    }
    // Added at head: the whole object shown, masked too.
    let output = repo.cli(&["--base", "HEAD~2", "--head", "HEAD", "--format", "markdown"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = stdout(&output);
    for value in &values {
        assert!(!text.contains(value.as_str()), "an added object shows the secret value {value}:\n{text}");
    }
}

#[test]
fn an_unknown_revision_and_no_repository_are_usage_errors_with_a_code_and_help() {
    let repo = Repo::example();
    repo.git.branch("feature", &repo.git.head().unwrap().peel_to_commit().unwrap(), false).unwrap();
    for args in [&["--base", "nope"][..], &["--base", "HEAD", "--head", "nope"]] {
        let output = repo.cli(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(stderr.contains("error[E910]") && stderr.contains("unknown revision `nope`"), "{stderr}");
        assert!(stderr.contains("help:") && stderr.contains("`feature`"), "names the branches: {stderr}");
    }
    std::fs::remove_dir_all(repo.path().join(".git")).unwrap();
    let output = repo.cli(&["--base", "HEAD"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(stderr.contains("error[E911]") && stderr.contains("not inside a git repository"), "{stderr}");
    assert!(stderr.contains("help:") && stderr.contains("--root"), "{stderr}");
}

#[test]
fn a_file_over_the_size_limit_is_compared_by_content() {
    let repo = Repo::example();
    let size = meshedge::source::MAX_FILE_BYTES as usize + 1024;
    let big = "environments/dev/resources/big.yaml";
    repo.write(big, &"a".repeat(size));
    repo.commit("a file too large");
    // The same size, other bytes: a change, between commits and against the work tree.
    repo.write(big, &"b".repeat(size));
    for args in
        [&["dev", "--base", "HEAD", "--exit-code"][..], &["dev", "--base", "HEAD", "--exit-code", "--format", "json"]]
    {
        let output = repo.cli(args);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {text}");
        assert!(!text.contains("unchanged (same inputs"), "{text}");
        assert!(text.contains("E114") && text.contains(big), "the error is shown: {text}");
    }
    repo.commit("other bytes");
    let report = repo.compare(&repo.at("HEAD~1"), &repo.at("HEAD"));
    let dev = environment(&report, "dev");
    assert_eq!(dev.status, Status::Error);
    assert_eq!(dev.inputs, vec![(big.to_string(), diff::FileChange::Modified)]);
    assert!(dev.head_errors.iter().any(|d| d.code == "E114"), "{:?}", dev.head_errors);
    // The same bytes again: unchanged.
    let report = repo.compare(&repo.at("HEAD"), &FsSource::new(repo.path()));
    assert_eq!(environment(&report, "dev").status, Status::Unchanged);
}

#[test]
fn bad_links_among_the_inputs_list_only_the_files_that_changed() {
    let repo = Repo::example();
    let resources = repo.path().join("base/resources");
    std::os::unix::fs::symlink("/etc/passwd", resources.join("passwd.yaml")).unwrap();
    std::os::unix::fs::symlink("loop.yaml", resources.join("loop.yaml")).unwrap();
    std::os::unix::fs::symlink("../../.git/config", resources.join("config.yaml")).unwrap();
    repo.write("base/resources/pw.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: pw, namespace: shop}\n");
    let added: Vec<(String, diff::FileChange)> = ["config.yaml", "loop.yaml", "passwd.yaml", "pw.yaml"]
        .iter()
        .map(|name| (format!("base/resources/{name}"), diff::FileChange::Added))
        .collect();
    let check = |report: &Report| {
        for env in &report.environments {
            assert_eq!(env.status, Status::Error, "{}", env.name);
            assert_eq!(env.inputs, added, "{}: no directory, no unchanged file removed", env.name);
            assert!(env.base_errors.is_empty());
            assert!(
                env.head_errors
                    .iter()
                    .any(|d| d.location.as_ref().is_some_and(|l| l.file.starts_with("base/resources/"))),
                "{:?}",
                env.head_errors
            );
        }
    };
    check(&repo.compare(&repo.at("HEAD"), &FsSource::new(repo.path())));
    let output = repo.cli(&["prod", "--base", "HEAD"]);
    let text = stdout(&output);
    assert!(text.contains("added base/resources/pw.yaml") && text.contains("error[E10"), "{text}");
    assert!(!text.contains("removed ") && !text.contains("modified base/resources\n"), "{text}");
    repo.commit("bad links");
    check(&repo.compare(&repo.at("HEAD~1"), &repo.at("HEAD")));
}

#[test]
fn a_file_name_that_is_not_utf8_is_refused_by_name_from_the_work_tree_and_from_git() {
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::example();
    let name = std::ffi::OsStr::from_bytes(b"r\xff.yaml");
    std::fs::write(repo.path().join("base/resources").join(name), "apiVersion: v1\nkind: ConfigMap\n").unwrap();
    let shown = "base/resources/r\\xff.yaml";
    let build = Command::cargo_bin("meshedge")
        .unwrap()
        .current_dir(repo.path())
        .args(["build", "environments/prod"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert_eq!(build.status.code(), Some(1), "{stderr}");
    assert!(build.stdout.is_empty());
    assert!(stderr.contains("error[E912]") && stderr.contains(&format!("--> {shown}")), "{stderr}");
    assert!(stderr.contains("help: rename it"), "{stderr}");
    repo.commit("a name that is not UTF-8");
    // From git: the same error; the work tree against HEAD: nothing changed, nothing removed.
    let report = repo.compare(&repo.at("HEAD~1"), &repo.at("HEAD"));
    let prod = environment(&report, "prod");
    assert_eq!(prod.inputs, vec![(shown.to_string(), diff::FileChange::Added)]);
    assert!(prod.head_errors.iter().any(|d| d.code == "E912"), "{:?}", prod.head_errors);
    let output = repo.cli(&["--all", "--base", "HEAD", "--exit-code"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(!stdout(&output).contains("removed"), "{}", stdout(&output));
}

#[test]
fn a_renamed_environment_directory_is_named_with_its_directory_and_found_by_the_name_shown() {
    let repo = Repo::example();
    std::fs::rename(repo.path().join("environments/dev"), repo.path().join("environments/development")).unwrap();
    repo.commit("dev moves to environments/development");
    let output = repo.cli(&["--all", "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown"]);
    let markdown = stdout(&output);
    for path in ["environments/dev", "environments/development"] {
        let label = format!("`dev` at `{path}`");
        assert!(markdown.contains(&format!("| {label} |")), "a row for {path}: {markdown}");
        assert!(markdown.contains(&format!("### {label} — ")), "a section for {path}: {markdown}");
    }
    assert!(!markdown.contains("| `dev` |") && !markdown.contains("### `dev` —"), "{markdown}");
    for line in markdown.lines().filter(|l| l.starts_with("- `") && (l.contains(" closed (") || l.contains("opened**")))
    {
        assert!(line.contains(" at `environments/dev"), "{line}");
    }

    // A name that is not its directory's: the reports show it, every command finds it by it.
    repo.replace("environments/development/meshedge.yaml", "name: dev\n", "name: dev2\n");
    let output = repo.cli(&["dev2", "--base", "HEAD", "--format", "markdown"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout(&output).contains("`dev2` at `environments/development`"), "{}", stdout(&output));
    for args in [&["graph", "dev2"][..], &["explain", "dev2", "Namespace/istio-ingress"], &["build", "dev2"]] {
        let output = common::meshedge(repo.path(), args);
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
}
