//! `meshedge generate` as Argo CD's CMP server runs it, and the files under `plugin/`.
//!
//! The CMP server receives the repository as a tarball of its regular files (usually without
//! `.git`), extracts it to a fresh `…/_cmp_server/<uuid>/` and runs the plugin in
//! `<that dir>/<spec.source.path>` with the build environment, the plugin env
//! (`ARGOCD_ENV_*`) and the parameters (`ARGOCD_APP_PARAMETERS`, `PARAM_*`). Before Argo CD 3.0
//! variables with empty values are not passed at all.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde::Deserialize;
use serde_json::Value;

use meshedge::argocd::{OPTIONS, OptionKind, REVISION_ANNOTATION};
use meshedge::stages::{SchemaSet, Validation};

const REVISION: &str = "8d2e5500c7c0ae7aaf13835dbfb6343a2b7c9e01";
const REPO_URL: &str = "https://git.example.com/platform/mesh-edge.git";

fn meshedge() -> Command {
    Command::cargo_bin("meshedge").unwrap()
}

/// An extracted request: `<tmp>/_cmp_server/<uuid>/` holding base/ and environments/.
struct Extracted {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Extracted {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("_cmp_server").join(pseudo_uuid());
        for top in ["base", "environments"] {
            copy_files(&common::repo_root().join(top), &root.join(top));
        }
        assert!(!root.join(".git").exists());
        Extracted { _dir: dir, root }
    }

    fn app_dir(&self, source_path: &str) -> PathBuf {
        self.root.join(source_path)
    }
}

fn pseudo_uuid() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let n = nanos ^ (u128::from(std::process::id()) << 64);
    let hex = format!("{:032x}", n);
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// Copies the regular files under `from` (as the CMP tarball holds them: files only, parents
/// created on extraction).
fn copy_files(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let file_type = entry.file_type().unwrap();
        if file_type.is_dir() {
            copy_files(&entry.path(), &to.join(entry.file_name()));
        } else if file_type.is_file() {
            std::fs::create_dir_all(to).unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Every entry under `root`: its kind, and the bytes of files.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let file_type = entry.file_type().unwrap();
            if file_type.is_dir() {
                out.insert(rel, None);
                walk(root, &path, out);
            } else {
                out.insert(rel, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Every variable Argo CD 3.x passes for an Application of `source_path`, empty ones included.
fn full_environment(source_path: &str) -> Vec<(&'static str, String)> {
    let name = source_path.rsplit('/').next().unwrap();
    vec![
        ("ARGOCD_APP_NAME", format!("mesh-edge-{name}")),
        // The ApplicationSet leaves the destination namespace empty.
        ("ARGOCD_APP_NAMESPACE", String::new()),
        ("ARGOCD_APP_PROJECT_NAME", "default".into()),
        ("ARGOCD_APP_REVISION", REVISION.into()),
        ("ARGOCD_APP_REVISION_SHORT", REVISION[..7].into()),
        ("ARGOCD_APP_REVISION_SHORT_8", REVISION[..8].into()),
        ("ARGOCD_APP_SOURCE_PATH", source_path.into()),
        ("ARGOCD_APP_SOURCE_REPO_URL", REPO_URL.into()),
        ("ARGOCD_APP_SOURCE_TARGET_REVISION", "HEAD".into()),
        ("KUBE_VERSION", "1.31.4".into()),
        ("KUBE_API_VERSIONS", "v1,apps/v1,networking.istio.io/v1,networking.istio.io/v1beta1".into()),
        ("ARGOCD_ENV_MESHEDGE_STRICT", "false".into()),
        ("ARGOCD_ENV_MESHEDGE_ENV", String::new()),
        ("ARGOCD_APP_PARAMETERS", r#"[{"name":"provenance","string":"true"},{"name":"env","string":""}]"#.into()),
        ("PARAM_PROVENANCE", "true".into()),
        ("PARAM_ENV", String::new()),
    ]
}

/// The same request as Argo CD before 3.0 sends it: empty variables are left out, and no
/// parameters are set.
fn sparse_environment(source_path: &str) -> Vec<(&'static str, String)> {
    full_environment(source_path)
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && !k.starts_with("PARAM_") && *k != "ARGOCD_APP_PARAMETERS")
        .collect()
}

fn generate(dir: &Path, env: &[(&str, String)], args: &[&str]) -> Output {
    let mut cmd = meshedge();
    cmd.env_clear().current_dir(dir).arg("generate").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn documents(yaml: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(yaml).map(|d| Value::deserialize(d).unwrap()).collect()
}

/// `meshedge build` of the environment, from the project's own checkout.
fn build_documents(env: &str) -> Vec<Value> {
    let output = meshedge().args(["build", env, "--root"]).arg(common::repo_root()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    documents(&String::from_utf8(output.stdout).unwrap())
}

/// The objects without the provenance annotation, after checking that each carried `expected`.
fn without_provenance(mut docs: Vec<Value>, expected: Option<&str>) -> Vec<Value> {
    for doc in &mut docs {
        let annotations = doc["metadata"]["annotations"].as_object_mut().expect("annotations");
        let found = annotations.remove(REVISION_ANNOTATION);
        assert_eq!(found.as_ref().and_then(Value::as_str), expected, "{}", doc["metadata"]);
    }
    docs
}

fn success(output: &Output) -> String {
    assert!(output.status.success(), "exit {:?}: {}", output.status.code(), String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn failure(output: &Output) -> String {
    assert!(!output.status.success(), "must fail");
    assert!(output.stdout.is_empty(), "nothing on stdout: {}", String::from_utf8_lossy(&output.stdout));
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert!(!stderr.is_empty());
    assert!(stderr.chars().count() < 2000, "{} characters:\n{stderr}", stderr.chars().count());
    stderr
}

#[test]
fn generate_equals_build_as_the_cmp_server_runs_it() {
    let provenance = format!("{REPO_URL}@{REVISION}");
    for env in common::environments() {
        let source_path = format!("environments/{env}");
        let expected = build_documents(&source_path);
        assert!(!expected.is_empty());
        let extracted = Extracted::new();
        let before = snapshot(&extracted.root);
        for (label, vars) in
            [("every variable", full_environment(&source_path)), ("before 3.0", sparse_environment(&source_path))]
        {
            let output = generate(&extracted.app_dir(&source_path), &vars, &[]);
            let stdout = success(&output);
            let objects = without_provenance(documents(&stdout), Some(&provenance));
            assert_eq!(objects, expected, "{env}, {label}: generate must equal build");
        }
        assert_eq!(snapshot(&extracted.root), before, "{env}: the extracted tree must not change");
    }
}

#[test]
fn without_a_revision_or_with_provenance_off_there_is_no_annotation() {
    let extracted = Extracted::new();
    let expected = build_documents("environments/prod");
    let app = extracted.app_dir("environments/prod");
    let vars = vec![("ARGOCD_APP_SOURCE_PATH", "environments/prod".to_string())];
    let output = generate(&app, &vars, &[]);
    assert_eq!(without_provenance(documents(&success(&output)), None), expected);

    let mut vars = sparse_environment("environments/prod");
    vars.push(("ARGOCD_APP_PARAMETERS", r#"[{"name":"provenance","string":"false"}]"#.into()));
    let output = generate(&app, &vars, &[]);
    assert_eq!(without_provenance(documents(&success(&output)), None), expected);
}

#[test]
fn credentials_in_the_repository_url_stay_out_of_the_annotation() {
    let extracted = Extracted::new();
    let mut vars = sparse_environment("environments/dev");
    vars.retain(|(k, _)| *k != "ARGOCD_APP_SOURCE_REPO_URL");
    vars.push(("ARGOCD_APP_SOURCE_REPO_URL", "https://deploy:t0ken@git.example.com/platform/mesh-edge.git".into()));
    let stdout = success(&generate(&extracted.app_dir("environments/dev"), &vars, &[]));
    assert!(!stdout.contains("t0ken"));
    assert!(stdout.contains(&format!("{REVISION_ANNOTATION}: {REPO_URL}@{REVISION}")), "{stdout}");
}

#[test]
fn four_concurrent_runs_on_one_tree_agree() {
    let extracted = Extracted::new();
    let before = snapshot(&extracted.root);
    let app = extracted.app_dir("environments/prod");
    let vars = full_environment("environments/prod");
    let outputs: Vec<Output> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4).map(|_| scope.spawn(|| generate(&app, &vars, &[]))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let first = success(&outputs[0]);
    assert!(!first.is_empty());
    for output in &outputs[1..] {
        assert_eq!(success(output), first, "concurrent runs must print the same bytes");
    }
    assert_eq!(snapshot(&extracted.root), before);
}

#[test]
fn the_environment_can_be_named_by_option() {
    let extracted = Extracted::new();
    let expected = build_documents("environments/dev");
    // An Application on the repository root (path `.`), the environment named by parameter.
    let mut vars = full_environment(".");
    vars.retain(|(k, _)| *k != "ARGOCD_APP_PARAMETERS");
    vars.push(("ARGOCD_APP_PARAMETERS", r#"[{"name":"env","string":"dev"}]"#.into()));
    let output = generate(&extracted.root, &vars, &[]);
    assert_eq!(without_provenance(documents(&success(&output)), Some(&format!("{REPO_URL}@{REVISION}"))), expected);
    // The same through the plugin env, without ARGOCD_APP_SOURCE_PATH (empty before 3.0).
    let vars = vec![("ARGOCD_ENV_MESHEDGE_ENV", "environments/dev".to_string())];
    let output = generate(&extracted.root, &vars, &[]);
    assert_eq!(without_provenance(documents(&success(&output)), None), expected);
}

#[test]
fn discovery_matches_environment_directories() {
    let extracted = Extracted::new();
    let vars = sparse_environment("environments/prod");
    let output = generate(&extracted.app_dir("environments/prod"), &vars, &["--discover"]);
    assert_eq!(success(&output).trim(), "environments/prod/meshedge.yaml");

    let vars = sparse_environment("environments");
    let output = generate(&extracted.app_dir("environments"), &vars, &["--discover"]);
    assert_eq!(success(&output), "", "a directory without meshedge.yaml does not match");

    let mut vars = sparse_environment("environments");
    vars.push(("ARGOCD_ENV_MESHEDGE_ENV", "dev".into()));
    let output = generate(&extracted.app_dir("environments"), &vars, &["--discover"]);
    assert_eq!(success(&output).trim(), "environments/dev/meshedge.yaml");
}

#[test]
fn a_broken_request_fails_short_and_names_the_file() {
    let extracted = Extracted::new();
    let before = snapshot(&extracted.root);
    let broken = "environments/prod/tenants/shop/broken.yaml";
    let mut text = String::from(
        "apiVersion: meshedge.io/v1alpha1\nkind: EdgeRequest\nmetadata:\n  name: broken\nspec:\n  ingress:\n",
    );
    for i in 0..40 {
        text.push_str(&format!(
            "    - host: intruder{i}.elsewhere.example\n      gateway: no-such-gateway-{i}\n      routes:\n        - {{path: /, service: web, port: 8080}}\n"
        ));
    }
    std::fs::write(extracted.root.join(broken), &text).unwrap();
    let before_broken = snapshot(&extracted.root);
    let output = generate(&extracted.app_dir("environments/prod"), &full_environment("environments/prod"), &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = failure(&output);
    assert!(stderr.contains(broken), "{stderr}");
    assert!(stderr.contains("environments/prod") && stderr.contains(&REVISION[..7]), "{stderr}");
    assert!(stderr.contains("more not shown"), "{stderr}");
    assert_eq!(snapshot(&extracted.root), before_broken);

    // A typo in a field.
    std::fs::remove_file(extracted.root.join(broken)).unwrap();
    assert_eq!(snapshot(&extracted.root), before);
    let storefront = extracted.root.join("environments/prod/tenants/shop/storefront.yaml");
    let original = std::fs::read_to_string(&storefront).unwrap();
    std::fs::write(&storefront, original.replacen("spec:", "spec:\n  ingres: []", 1)).unwrap();
    let output = generate(&extracted.app_dir("environments/prod"), &sparse_environment("environments/prod"), &[]);
    let stderr = failure(&output);
    assert!(stderr.contains("environments/prod/tenants/shop/storefront.yaml"), "{stderr}");
}

#[test]
fn bad_options_and_paths_fail_with_a_hint() {
    let extracted = Extracted::new();
    let app = extracted.app_dir("environments/prod");
    let mut vars = sparse_environment("environments/prod");
    vars.push(("ARGOCD_APP_PARAMETERS", r#"[{"name":"strcit","string":"true"}]"#.into()));
    let stderr = failure(&generate(&app, &vars, &[]));
    assert!(stderr.contains("`strcit`") && stderr.contains("`strict`"), "{stderr}");

    let mut vars = sparse_environment("environments/prod");
    vars.push(("ARGOCD_ENV_MESHEDGE_STRICT", "sometimes".into()));
    let stderr = failure(&generate(&app, &vars, &[]));
    assert!(stderr.contains("MESHEDGE_STRICT") && stderr.contains("sometimes"), "{stderr}");

    // An application on a directory that is not an environment.
    let stderr = failure(&generate(&extracted.app_dir("environments"), &sparse_environment("environments"), &[]));
    assert!(stderr.contains("holds no meshedge.yaml") && stderr.contains("MESHEDGE_ENV"), "{stderr}");

    // A layer is not buildable.
    let stderr = failure(&generate(&extracted.app_dir("base"), &sparse_environment("base"), &[]));
    assert!(stderr.contains("base"), "{stderr}");
}

/// The variables that select shard `k`.
type ShardVars = fn(u32) -> Vec<(&'static str, String)>;

#[test]
fn the_shards_of_an_environment_are_its_build() {
    let extracted = Extracted::new();
    let source_path = "environments/prod";
    let app = extracted.app_dir(source_path);
    let provenance = format!("{REPO_URL}@{REVISION}");
    let key = |doc: &Value| serde_json::to_string(doc).unwrap();
    let mut expected: Vec<String> = build_documents(source_path).iter().map(key).collect();
    expected.sort();
    // Shard by plugin env, by parameter (which wins over the env), and by --shard (which wins over both).
    let ways: [(&str, ShardVars, Vec<String>); 3] = [
        ("plugin env", |k| vec![("ARGOCD_ENV_MESHEDGE_SHARD", format!("{k}/3"))], vec![]),
        (
            "parameter",
            |k| {
                vec![
                    ("ARGOCD_ENV_MESHEDGE_SHARD", "0/1".into()),
                    ("ARGOCD_APP_PARAMETERS", format!(r#"[{{"name":"shard","string":"{k}/3"}}]"#)),
                ]
            },
            vec![],
        ),
        ("--shard", |_| vec![("ARGOCD_ENV_MESHEDGE_SHARD", "x".into())], vec!["--shard".into()]),
    ];
    for (label, shard_vars, args) in ways {
        let mut union = Vec::new();
        for k in 0..3u32 {
            let mut vars = sparse_environment(source_path);
            vars.extend(shard_vars(k));
            let mut args = args.clone();
            if !args.is_empty() {
                args.push(format!("{k}/3"));
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let stdout = success(&generate(&app, &vars, &args));
            let docs = without_provenance(documents(&stdout), Some(&provenance));
            if k > 0 {
                // Only tenants' objects outside shard 0.
                assert!(docs.iter().all(|d| d["metadata"]["labels"]["meshedge.io/tenant"].is_string()), "{label}");
            }
            union.extend(docs.iter().map(key));
        }
        union.sort();
        assert_eq!(union, expected, "{label}: the union of the shards is the build, each object once");
    }
}

#[test]
fn bad_shard_options_fail_with_e908_and_name_their_source() {
    let extracted = Extracted::new();
    let app = extracted.app_dir("environments/prod");
    for bad in ["0/0", "16/16", "x", "3/", "-2/16", "1/100000"] {
        let mut vars = sparse_environment("environments/prod");
        vars.push(("ARGOCD_ENV_MESHEDGE_SHARD", bad.into()));
        let output = generate(&app, &vars, &[]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = failure(&output);
        assert!(stderr.contains("error[E909]") && stderr.contains("plugin env MESHEDGE_SHARD"), "{stderr}");
        assert!(stderr.contains(&format!("`{bad}`")) && stderr.contains("help:"), "{stderr}");

        let mut vars = sparse_environment("environments/prod");
        vars.push(("ARGOCD_APP_PARAMETERS", format!(r#"[{{"name":"shard","string":"{bad}"}}]"#)));
        let stderr = failure(&generate(&app, &vars, &[]));
        assert!(stderr.contains("error[E909]") && stderr.contains("parameter `shard`"), "{stderr}");
    }
}

#[test]
fn strict_turns_warnings_into_failures() {
    let extracted = Extracted::new();
    for env in common::environments() {
        let source_path = format!("environments/{env}");
        let build = meshedge().args(["build", &source_path, "--root"]).arg(common::repo_root()).output().unwrap();
        let has_warnings = String::from_utf8_lossy(&build.stderr).contains("warning");
        let mut vars = sparse_environment(&source_path);
        vars.push(("ARGOCD_APP_PARAMETERS", r#"[{"name":"strict","string":"true"}]"#.into()));
        let output = generate(&extracted.app_dir(&source_path), &vars, &[]);
        if has_warnings {
            let stderr = failure(&output);
            assert!(stderr.contains("strict"), "{stderr}");
        } else {
            success(&output);
        }
    }
}

// --- plugin/ ------------------------------------------------------------------------------

fn plugin_dir() -> PathBuf {
    common::repo_root().join("plugin")
}

fn load_yaml(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::Deserializer::from_str(&text)
        .map(|d| Value::deserialize(d).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

fn load_one(name: &str) -> Value {
    let mut docs = load_yaml(&plugin_dir().join(name));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

#[test]
fn every_yaml_under_plugin_parses() {
    let mut count = 0;
    for entry in walkdir::WalkDir::new(plugin_dir()) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            let docs = load_yaml(path);
            assert!(!docs.is_empty() && docs.iter().all(Value::is_object), "{}", path.display());
            count += 1;
        }
    }
    assert!(count >= 6, "{count} YAML files");
}

#[test]
fn the_applicationset_is_valid_and_names_the_plugin() {
    let appset = load_one("applicationset.yaml");
    let mut schemas = SchemaSet::new();
    schemas.load_file(&common::schemas_dir().join("argocd-applicationset.crd.yaml")).unwrap();
    assert_eq!(schemas.validate(&appset), Validation::Valid);
    // A field the CRD does not know is caught: the check is real.
    let mut typo = appset.clone();
    typo["spec"]["template"]["spec"]["source"]["plugn"] = Value::Bool(true);
    assert!(matches!(schemas.validate(&typo), Validation::Invalid(_)));

    assert_eq!(appset["kind"], "ApplicationSet");
    let git = &appset["spec"]["generators"][0]["git"];
    assert_eq!(git["directories"][0]["path"], "environments/*");
    let source = &appset["spec"]["template"]["spec"]["source"];
    assert_eq!(source["repoURL"], git["repoURL"]);
    assert_eq!(source["path"], "{{.path.path}}");
    let plugin = load_one("plugin.yaml");
    let expected = match plugin["spec"]["version"].as_str() {
        Some(version) => format!("{}-{version}", plugin["metadata"]["name"].as_str().unwrap()),
        None => plugin["metadata"]["name"].as_str().unwrap().to_string(),
    };
    assert_eq!(source["plugin"]["name"], expected.as_str());
    for entry in source["plugin"]["env"].as_array().unwrap() {
        let name = entry["name"].as_str().unwrap();
        assert!(OPTIONS.iter().any(|o| o.variable == name), "unknown plugin env {name}");
    }
}

/// The environments × shards ApplicationSet: valid against the ApplicationSet CRD (argoproj/argo-cd
/// `manifests/crds/applicationset-crd.yaml`, vendored in data/schemas), a matrix of the git
/// directory generator and a list of shards 0..N (`MatrixGenerator.generators`,
/// `ListGenerator.elements` in `pkg/apis/application/v1alpha1/applicationset_types.go`, v3.5.1),
/// and each Application's `MESHEDGE_SHARD` is `<its element>/N`.
#[test]
fn the_sharded_applicationset_is_a_matrix_of_environments_and_shards() {
    let appset = load_one("applicationset-sharded.yaml");
    let mut schemas = SchemaSet::new();
    schemas.load_file(&common::schemas_dir().join("argocd-applicationset.crd.yaml")).unwrap();
    assert_eq!(schemas.validate(&appset), Validation::Valid);
    let mut typo = appset.clone();
    typo["spec"]["generators"][0]["matrix"]["generatorz"] = Value::Bool(true);
    assert!(matches!(schemas.validate(&typo), Validation::Invalid(_)));

    let generators = appset["spec"]["generators"][0]["matrix"]["generators"].as_array().unwrap();
    assert_eq!(generators.len(), 2, "a matrix combines two generators");
    let git = &generators[0]["git"];
    assert_eq!(git["directories"][0]["path"], "environments/*");
    let elements = generators[1]["list"]["elements"].as_array().unwrap();
    let count = elements.len();
    for (k, element) in elements.iter().enumerate() {
        assert_eq!(element["shard"], k.to_string().as_str(), "the shards are 0..{count}, in order");
    }
    let template = &appset["spec"]["template"];
    let name = template["metadata"]["name"].as_str().unwrap();
    assert!(name.contains("{{.path.basenameNormalized}}") && name.contains("{{.shard}}"), "{name}");
    // A shard may be empty: automated sync with prune refuses an empty target without allowEmpty
    // (argo-cd docs user-guide/auto_sync.md, "Automatic Pruning with Allow-Empty").
    let automated = &template["spec"]["syncPolicy"]["automated"];
    assert_eq!((&automated["prune"], &automated["allowEmpty"]), (&Value::Bool(true), &Value::Bool(true)));
    let source = &template["spec"]["source"];
    assert_eq!(source["repoURL"], git["repoURL"]);
    assert_eq!(source["path"], "{{.path.path}}");
    let env = source["plugin"]["env"].as_array().unwrap();
    for entry in env {
        let name = entry["name"].as_str().unwrap();
        assert!(OPTIONS.iter().any(|o| o.variable == name), "unknown plugin env {name}");
    }
    let shard = env.iter().find(|e| e["name"] == "MESHEDGE_SHARD").expect("MESHEDGE_SHARD");
    assert_eq!(shard["value"], format!("{{{{.shard}}}}/{count}").as_str(), "N is the number of elements");
    for k in 0..count {
        let value = shard["value"].as_str().unwrap().replace("{{.shard}}", &k.to_string());
        assert!(meshedge::shard::Shard::parse(&value).is_ok(), "{value}");
    }
    // The sharded and the unsharded ApplicationSets make different Applications of the same plugin.
    let plain = load_one("applicationset.yaml");
    assert_ne!(plain["metadata"]["name"], appset["metadata"]["name"]);
    assert_eq!(plain["spec"]["template"]["spec"]["source"]["plugin"]["name"], source["plugin"]["name"]);
}

#[test]
fn plugin_yaml_runs_meshedge_and_announces_every_option() {
    let plugin = load_one("plugin.yaml");
    assert_eq!(plugin["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(plugin["kind"], "ConfigManagementPlugin");
    let generate = &plugin["spec"]["generate"]["command"];
    assert_eq!(generate[0], "/usr/local/bin/meshedge");
    assert_eq!(generate[1], "generate");
    let discover = &plugin["spec"]["discover"]["find"]["command"];
    assert_eq!(discover, &serde_json::json!(["/usr/local/bin/meshedge", "generate", "--discover"]));
    let announced = plugin["spec"]["parameters"]["static"].as_array().unwrap();
    assert_eq!(announced.len(), OPTIONS.len());
    for option in OPTIONS {
        let entry = announced.iter().find(|p| p["name"] == option.parameter).expect(option.parameter);
        assert_eq!(entry["string"], option.default, "{}: the announced default is the real one", option.parameter);
        assert_eq!(entry["itemType"].as_str() == Some("boolean"), option.kind == OptionKind::Bool);
    }
    // The ConfigMap carries the same configuration.
    let configmap = load_one("cmp-plugin-configmap.yaml");
    let embedded: Value = serde_norway::from_str(configmap["data"]["plugin.yaml"].as_str().unwrap()).unwrap();
    assert_eq!(embedded, plugin, "cmp-plugin-configmap.yaml must embed plugin.yaml");
    let mut schemas = SchemaSet::new();
    schemas.load_file(&common::schemas_dir().join("k8s-openapi-v3/api__v1_openapi.json")).unwrap();
    assert_eq!(schemas.validate(&configmap), Validation::Valid);
}

#[test]
fn the_sidecar_follows_the_cmp_contract() {
    let patch = load_one("repo-server-patch.yaml");
    assert_eq!(patch["kind"], "Deployment");
    assert_eq!(patch["metadata"]["name"], "argocd-repo-server");
    let pod = &patch["spec"]["template"]["spec"];
    let containers = pod["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 1);
    let sidecar = &containers[0];
    assert_eq!(sidecar["command"], serde_json::json!(["/var/run/argocd/argocd-cmp-server"]));
    assert_eq!(sidecar["securityContext"]["runAsUser"], 999);
    assert_eq!(sidecar["securityContext"]["runAsNonRoot"], true);
    let volumes = pod["volumes"].as_array().unwrap();
    let mounts: BTreeMap<&str, &Value> =
        sidecar["volumeMounts"].as_array().unwrap().iter().map(|m| (m["mountPath"].as_str().unwrap(), m)).collect();
    // The standard install's volumes.
    assert_eq!(mounts["/var/run/argocd"]["name"], "var-files");
    assert_eq!(mounts["/home/argocd/cmp-server/plugins"]["name"], "plugins");
    // The plugin configuration, from this ConfigMap.
    let config = mounts["/home/argocd/cmp-server/config/plugin.yaml"];
    assert_eq!(config["subPath"], "plugin.yaml");
    let volume = volumes.iter().find(|v| v["name"] == config["name"]).expect("the config volume");
    assert_eq!(volume["configMap"]["name"], load_one("cmp-plugin-configmap.yaml")["metadata"]["name"]);
    // Its own /tmp.
    let tmp = volumes.iter().find(|v| v["name"] == mounts["/tmp"]["name"]).expect("the tmp volume");
    assert!(tmp["emptyDir"].is_object());
    assert_ne!(mounts["/tmp"]["name"], "tmp", "not the repo-server's tmp volume");

    // The kustomization is a Component over the admin's own install: it adds the plugin (the
    // ConfigMap and the two patches, the image the patch names) and never brings an Argo CD
    // install of its own, whose CRDs need server-side apply since Argo CD 3.3.
    let kustomization = load_one("kustomization.yaml");
    assert_eq!(kustomization["apiVersion"], "kustomize.config.k8s.io/v1alpha1");
    assert_eq!(kustomization["kind"], "Component");
    assert!(kustomization.get("namespace").is_none(), "the including kustomization's namespace applies");
    let mut local: Vec<String> = Vec::new();
    for item in kustomization["resources"].as_array().unwrap() {
        let item = item.as_str().unwrap();
        assert!(!item.contains("://") && !item.contains("install.yaml"), "no upstream install: {item}");
        local.push(item.to_string());
    }
    for patch in kustomization["patches"].as_array().unwrap() {
        local.push(patch["path"].as_str().unwrap().to_string());
    }
    for file in &local {
        assert!(plugin_dir().join(file).is_file(), "{file}");
    }
    for file in ["cmp-plugin-configmap.yaml", "repo-server-patch.yaml", "repo-server-params-patch.yaml"] {
        assert!(local.iter().any(|l| l == file), "kustomization.yaml must include {file}");
    }
    let images = kustomization["images"].as_array().unwrap();
    assert!(images.iter().any(|i| i["name"] == sidecar["image"]), "the images entry rewrites the sidecar image");
    // Patches, not objects: nothing under plugin/ replaces what the install has.
    let params = load_one("repo-server-params-patch.yaml");
    assert_eq!(params["data"].as_object().unwrap().len(), 1);
    assert!(pod.get("initContainers").is_none() && patch["spec"].get("selector").is_none());
    for entry in walkdir::WalkDir::new(plugin_dir()) {
        let path = entry.unwrap().into_path();
        if path.extension().is_some_and(|e| e == "yaml") {
            for doc in load_yaml(&path) {
                assert_ne!(doc["kind"], "CustomResourceDefinition", "{}", path.display());
            }
        }
    }
}

/// The component built over a stand-in for an existing install, with the kustomize that kubectl
/// embeds (skipped where kubectl is not installed).
#[test]
fn the_component_adds_the_sidecar_to_an_existing_install() {
    let Ok(version) = std::process::Command::new("kubectl").args(["version", "--client"]).output() else {
        eprintln!("kubectl not found: skipped");
        return;
    };
    assert!(version.status.success());
    let dir = tempfile::tempdir().unwrap();
    copy_files(&plugin_dir(), &dir.path().join("plugin"));
    let install = dir.path().join("argocd");
    std::fs::create_dir_all(&install).unwrap();
    // The objects of the standard install that the component patches, as an install has them.
    std::fs::write(
        install.join("install.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: argocd-repo-server\nspec:\n  selector:\n    matchLabels: {app.kubernetes.io/name: argocd-repo-server}\n  template:\n    metadata:\n      labels: {app.kubernetes.io/name: argocd-repo-server}\n    spec:\n      containers:\n        - name: argocd-repo-server\n          image: quay.io/argoproj/argocd:v3.3.9\n      volumes:\n        - name: var-files\n          emptyDir: {}\n        - name: plugins\n          emptyDir: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cmd-params-cm\ndata:\n  server.insecure: \"true\"\n",
    )
    .unwrap();
    std::fs::write(
        install.join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: argocd\nresources: [install.yaml]\ncomponents: [../plugin]\n",
    )
    .unwrap();
    let output = std::process::Command::new("kubectl").arg("kustomize").arg(&install).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let docs = documents(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(docs.len(), 3, "the install's two objects and the plugin's ConfigMap");
    assert!(docs.iter().all(|d| d["metadata"]["namespace"] == "argocd"));
    let deployment = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
    let pod = &deployment["spec"]["template"]["spec"];
    let containers: Vec<(&str, &str)> = pod["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["image"].as_str().unwrap()))
        .collect();
    assert!(containers.contains(&("argocd-repo-server", "quay.io/argoproj/argocd:v3.3.9")), "{containers:?}");
    let image = &load_one("kustomization.yaml")["images"][0];
    let expected = format!("{}:{}", image["newName"].as_str().unwrap(), image["newTag"].as_str().unwrap());
    assert!(containers.contains(&("meshedge", expected.as_str())), "{containers:?}");
    let volumes: Vec<&str> = pod["volumes"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    for volume in ["var-files", "plugins", "meshedge-cmp-plugin", "meshedge-cmp-tmp"] {
        assert!(volumes.contains(&volume), "{volumes:?}");
    }
    let params = docs.iter().find(|d| d["metadata"]["name"] == "argocd-cmd-params-cm").unwrap();
    assert_eq!(params["data"]["server.insecure"], "true", "the install's settings stay");
    assert_eq!(params["data"]["reposerver.plugin.tar.exclusions"], ".git/*");
    assert!(docs.iter().any(|d| d["metadata"]["name"] == "meshedge-cmp-plugin"));
}

#[test]
fn the_install_guide_uses_server_side_apply_where_argo_cd_needs_it() {
    let guide = std::fs::read_to_string(common::repo_root().join("docs/argocd.md")).unwrap();
    // Argo CD 3.3 and later: its CRDs are applied server-side (argoproj/argo-cd
    // docs/operator-manual/upgrading/3.2-3.3.md).
    let install = guide.split("\n## Install\n").nth(1).and_then(|rest| rest.split("\n## ").next()).unwrap();
    assert!(install.contains("kubectl apply --server-side --force-conflicts -k"), "the component with the install");
    assert!(install.contains("components:\n"));
    let patch = "kubectl -n argocd patch deployment argocd-repo-server --patch-file plugin/repo-server-patch.yaml";
    assert!(install.contains(patch));
    assert!(!install.contains("kubectl apply -k plugin/"), "the component is not applied on its own");
}

#[test]
fn the_image_runs_the_cmp_server_as_user_999() {
    let text = std::fs::read_to_string(plugin_dir().join("Dockerfile")).unwrap();
    let instructions: Vec<(String, String)> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once(char::is_whitespace).map(|(i, rest)| (i.to_ascii_uppercase(), rest.trim().to_string()))
        })
        .collect();
    let stages: Vec<usize> =
        instructions.iter().enumerate().filter(|(_, (i, _))| i == "FROM").map(|(n, _)| n).collect();
    assert!(stages.len() >= 2, "multi-stage");
    let first = &instructions[stages[0]].1;
    assert!(first.contains("rust:") && first.contains(" AS build"), "{first}");
    assert!(text.contains("cargo build --release --locked"));
    let last_stage = &instructions[*stages.last().unwrap()..];
    let base = &last_stage[0].1;
    assert!(base.contains("distroless") || base.starts_with("scratch"), "a minimal base: {base}");
    let user: Vec<&String> = last_stage.iter().filter(|(i, _)| i == "USER").map(|(_, r)| r).collect();
    assert_eq!(user.last().map(|u| u.split(':').next().unwrap()), Some("999"), "runs as user 999");
    let entrypoint: Vec<&String> = last_stage.iter().filter(|(i, _)| i == "ENTRYPOINT").map(|(_, r)| r).collect();
    assert_eq!(entrypoint.last().map(|e| e.as_str()), Some(r#"["/var/run/argocd/argocd-cmp-server"]"#));
    // The binary lands where plugin.yaml runs it.
    assert!(
        text.contains("/out/usr/local/bin/meshedge")
            && last_stage.iter().any(|(i, r)| i == "COPY" && r.contains("--from=build"))
    );
}
