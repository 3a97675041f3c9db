//! `meshedge build` from the command line: environment names and paths (and unknown ones), formats,
//! stamping, stderr (colour, `-q`, `-v`), the warnings for files meshedge leaves unread, where
//! analysis findings point, and `settings.tenants.createNamespaces`. `-o DIR` is in output.rs.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use assert_cmd::Command;
use common::write;
use serde_json::Value;

fn meshedge() -> Command {
    Command::cargo_bin("meshedge").unwrap()
}

fn build_stdout(args: &[&str]) -> String {
    let output = meshedge().args(args).arg("--root").arg(common::repo_root()).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn an_environment_is_named_by_path_or_name() {
    let by_path = build_stdout(&["build", "environments/prod"]);
    assert_eq!(by_path, build_stdout(&["build", "prod"]));
    assert_eq!(by_path, build_stdout(&["build", "environments/prod/"]));
    assert!(by_path.starts_with("apiVersion: v1\nkind: Namespace\n"), "Namespaces come first");
}

#[test]
fn the_env_directory_form_is_found_too() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree_reversed(&common::repo_root().join("base"), &dir.path().join("base"));
    common::copy_tree_reversed(&common::repo_root().join("environments/dev"), &dir.path().join("env/dev"));
    let output = meshedge().args(["build", "dev", "--root"]).arg(dir.path()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let output = meshedge().args(["build", "env/dev", "--root"]).arg(dir.path()).output().unwrap();
    assert!(output.status.success());
}

#[test]
fn json_is_one_list_of_the_same_objects() {
    let json: Value = serde_json::from_str(&build_stdout(&["build", "prod", "--format", "json"])).unwrap();
    assert_eq!(json["apiVersion"], "v1");
    assert_eq!(json["kind"], "List");
    let yaml = build_stdout(&["build", "prod"]);
    assert_eq!(json["items"].as_array().unwrap().len(), yaml.matches("\n---\n").count() + 1);
}

#[test]
fn every_object_is_stamped() {
    let json: Value = serde_json::from_str(&build_stdout(&["build", "prod", "--format", "json"])).unwrap();
    for item in json["items"].as_array().unwrap() {
        let metadata = &item["metadata"];
        assert_eq!(metadata["labels"]["app.kubernetes.io/managed-by"], "meshedge", "{metadata}");
        let sources = metadata["annotations"]["meshedge.io/source"].as_str().unwrap();
        assert!(!sources.is_empty(), "{metadata}");
        let mut sorted: Vec<&str> = sources.split(',').collect();
        sorted.sort();
        assert_eq!(sorted.join(","), sources, "sources are sorted");
        assert!(sorted.iter().all(|s| common::repo_root().join(s).is_file()), "{sources}");
    }
    // The tenant is a label, so that `kubectl get -l meshedge.io/tenant=shop` selects its objects.
    let items = json["items"].as_array().unwrap();
    let shop = items.iter().filter(|i| i["metadata"]["labels"]["meshedge.io/tenant"] == "shop");
    assert!(shop.count() > 5);
    assert!(items.iter().all(|i| i["metadata"]["annotations"].get("meshedge.io/tenant").is_none()));
    // Every object in a tenant namespace is the tenant's.
    let shop_namespace = items.iter().filter(|i| i["metadata"]["namespace"] == "shop");
    assert!(shop_namespace.clone().count() > 3);
    assert!(shop_namespace.clone().all(|i| i["metadata"]["labels"]["meshedge.io/tenant"] == "shop"), "{items:?}");
}

#[test]
fn verbose_tracing_goes_to_stderr() {
    let output = meshedge().args(["-v", "build", "prod", "--root"]).arg(common::repo_root()).output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("stage"));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), build_stdout(&["build", "prod"]));
}

#[cfg(unix)]
#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command as Process, Stdio};
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("meshedge"))
        .args(["build", "prod", "--root"])
        .arg(common::repo_root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed here, with most of the output unread.
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("cannot write"));
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_environment_can_be_named_by_its_manifest() {
    let by_name = build_stdout(&["build", "prod"]);
    assert_eq!(build_stdout(&["build", "environments/prod/meshedge.yaml"]), by_name);
    // From inside the environment directory too.
    let output = meshedge()
        .current_dir(common::repo_root().join("environments/prod"))
        .args(["build", "meshedge.yaml", "--root"])
        .arg(common::repo_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), by_name);
}

#[test]
fn an_unknown_environment_is_a_usage_error_that_lists_the_environments() {
    for (arg, suggestion) in
        [("prdo", Some("did you mean `prod`?")), ("environments/dve", Some("did you mean `dev`?")), ("qa", None)]
    {
        let output = meshedge().args(["build", arg, "--root"]).arg(common::repo_root()).output().unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(output.stdout.is_empty());
        assert!(stderr.contains(&format!("error[E901]: no environment `{arg}`")), "{stderr}");
        assert!(stderr.contains("the environments here are `dev`, `prod`"), "{stderr}");
        match suggestion {
            Some(text) => assert!(stderr.contains(text), "{stderr}"),
            None => assert!(!stderr.contains("did you mean"), "{stderr}"),
        }
    }
    // diff looks its ENV arguments up the same way.
    let output =
        meshedge().args(["diff", "prdo", "--base", "HEAD", "--root"]).arg(common::repo_root()).output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[E901]") && stderr.contains("did you mean `prod`?"), "{stderr}");
    let output = meshedge()
        .args(["diff", "environments/prod/meshedge.yaml", "--base", "HEAD", "--format", "json", "--root"])
        .arg(common::repo_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["environments"][0]["path"], "environments/prod");
}

/// Runs a command whose stderr holds errors (`build prdo`) and one whose stderr holds warnings
/// (`build prod`), with `env` set and no colour settings inherited.
fn stderr_with(env: &[(&str, &str)]) -> [String; 2] {
    // One copy for every call, so that the outputs compare.
    static NOISY: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let noisy = NOISY.get_or_init(noisy_example);
    [["build", "prdo"], ["build", "prod"]].map(|args| {
        let mut cmd = meshedge();
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE").env_remove("CLICOLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let output = cmd.args(args).arg("--root").arg(noisy.path()).output().unwrap();
        stderr_of(&output)
    })
}

#[test]
fn colour_only_on_a_terminal_or_when_forced_and_never_with_no_color() {
    // Captured stderr is not a terminal: plain text.
    let plain = stderr_with(&[]);
    assert!(plain[0].contains("error[E901]: ") && plain[1].contains("warning["), "{plain:?}");
    assert!(plain.iter().all(|text| !text.contains('\u{1b}')), "{plain:?}");
    // CLICOLOR_FORCE asks for colour anyway: headers and codes are styled, the text is the same.
    let forced = stderr_with(&[("CLICOLOR_FORCE", "1")]);
    for (forced, plain) in forced.iter().zip(&plain) {
        assert!(forced.contains("\u{1b}[31merror[E901]:") || forced.contains("\u{1b}[33mwarning["), "{forced:?}");
        let stripped: String = {
            // Drop `ESC [ ... m` sequences.
            let mut out = String::new();
            let mut chars = forced.chars();
            while let Some(c) = chars.next() {
                if c == '\u{1b}' {
                    for d in chars.by_ref() {
                        if d == 'm' {
                            break;
                        }
                    }
                } else {
                    out.push(c);
                }
            }
            out
        };
        assert_eq!(&stripped, plain);
    }
    // NO_COLOR wins, whatever else is set (https://no-color.org).
    let none = stderr_with(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
    assert_eq!(none, plain);
}

#[test]
fn quiet_prints_errors_only() {
    let noisy = noisy_example();
    let loud = meshedge().args(["build", "prod", "--root"]).arg(noisy.path()).output().unwrap();
    assert!(stderr_of(&loud).contains("warning["), "the example has warnings to hide");
    for flag in ["-q", "--quiet"] {
        // RUST_LOG does not bring tracing back: -q means errors only.
        let quiet = meshedge()
            .env("RUST_LOG", "debug")
            .args([flag, "build", "prod", "--root"])
            .arg(noisy.path())
            .output()
            .unwrap();
        assert!(quiet.status.success());
        assert_eq!(stderr_of(&quiet), "", "{flag}");
        assert_eq!(quiet.stdout, loud.stdout);
    }
    // Errors still show, without the warnings.
    let failed = meshedge().args(["build", "-q", "prdo", "--root"]).arg(common::repo_root()).output().unwrap();
    assert_eq!(failed.status.code(), Some(2));
    assert!(stderr_of(&failed).contains("error[E901]"));
    // With -v it makes no sense.
    let both = meshedge().args(["-q", "-v", "build", "prod"]).output().unwrap();
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn very_verbose_names_the_root_the_layers_and_every_file_read() {
    let root = common::repo_root();
    let output =
        meshedge().env_remove("RUST_LOG").args(["-vv", "build", "prod", "--root"]).arg(&root).output().unwrap();
    assert!(output.status.success());
    let stderr = stderr_of(&output);
    for fragment in [
        &format!("repository root root={}", root.display()),
        "environment environment=environments/prod",
        "layer layer=base",
        "layer layer=environments/prod",
        "read file=base/meshedge.yaml",
        "read file=base/resources/namespaces.yaml",
        "read file=environments/prod/patches/hardening.yaml",
        "read file=environments/prod/tenants/shop/storefront.yaml",
    ] {
        assert!(stderr.contains(fragment), "{fragment:?} in:\n{stderr}");
    }
    assert!(stderr.find("layer layer=base").unwrap() < stderr.find("layer layer=environments/prod").unwrap());
    // -v says where, not every file.
    let output = meshedge().env_remove("RUST_LOG").args(["-v", "build", "prod", "--root"]).arg(&root).output().unwrap();
    let stderr = stderr_of(&output);
    assert!(stderr.contains("layer layer=base") && !stderr.contains("read file="), "{stderr}");
}

/// A copy of the example repository (base/ and environments/) in a temporary directory.
/// A copy of the example whose prod names no cluster release: it builds with a warning (W436).
fn noisy_example() -> tempfile::TempDir {
    let repo = example_copy();
    let manifest = repo.path().join("environments/prod/meshedge.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace("  cluster:\n    openshiftVersion: \"4.16\"\n", "");
    assert!(!text.contains("openshiftVersion"));
    std::fs::write(&manifest, text).unwrap();
    repo
}

fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for top in ["base", "environments"] {
        common::copy_tree_reversed(&common::repo_root().join(top), &dir.path().join(top));
    }
    dir
}

#[test]
fn files_and_tenant_directories_meshedge_does_not_read_get_a_warning() {
    let repo = example_copy();
    let root = repo.path();
    let request = std::fs::read_to_string(root.join("base/tenants/shop/storefront.yaml")).unwrap();
    // A tenant directory beside the environments and one at the root, which is not a layer.
    write(root, "environments/tenants/shop/extra.yaml", &request);
    write(root, "tenants/shop/extra.yaml", &request);
    // Files under tenants/ and resources/ with extensions meshedge does not read.
    write(root, "base/tenants/shop/extra.YAML", &request);
    write(root, "base/tenants/shop/storefront.yaml.bak", &request);
    write(root, "environments/prod/resources/notes.txt", "remember\n");
    // Hidden files are skipped, as documented, without a word.
    write(root, "base/tenants/shop/.storefront.yaml.swp", "x");
    let output = meshedge().args(["build", "prod", "--root"]).arg(root).output().unwrap();
    let stderr = stderr_of(&output);
    assert!(output.status.success(), "warnings only: {stderr}");
    for fragment in [
        "warning[W206]: `environments/tenants/` is not read: it is not inside a layer",
        " --> environments/tenants\n",
        "warning[W206]: `tenants/` is not read",
        "warning[W205]: `base/tenants/shop/extra.YAML` is not read",
        "rename it to `extra.yaml`",
        "warning[W205]: `base/tenants/shop/storefront.yaml.bak` is not read",
        "warning[W205]: `environments/prod/resources/notes.txt` is not read",
        " --> environments/prod/resources/notes.txt\n",
    ] {
        assert!(stderr.contains(fragment), "{fragment:?} in:\n{stderr}");
    }
    assert!(!stderr.contains(".swp"), "{stderr}");
    assert_eq!(stderr.matches("warning[W206]").count(), 2, "each stray directory once: {stderr}");
    // The example repository itself has none of these.
    let clean = meshedge().args(["build", "prod", "--root"]).arg(common::repo_root()).output().unwrap();
    assert!(!stderr_of(&clean).contains("[W20"), "{}", stderr_of(&clean));
}

#[test]
fn analysis_findings_point_at_the_file_the_object_came_from() {
    // The example builds without findings (tests/edge.rs); findings on plain resources point
    // at the resource.
    let repo = example_copy();
    let resource = "base/resources/stray-vs.yaml";
    write(
        repo.path(),
        resource,
        "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: stray\n  namespace: shop\nspec:\n  hosts: [stray.example.com]\n  gateways: [istio-ingress/nowhere]\n  http:\n    - route:\n        - destination: {host: web}\n",
    );
    let output = meshedge().args(["build", "prod", "--root"]).arg(repo.path()).output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(stderr.contains(&format!("error[A601/IST0101]: gateway `istio-ingress/nowhere` is not defined: there is no Gateway `istio-ingress/nowhere`\n --> {resource}\n")), "{stderr}");
    // The same analyses as `check`: the Gateway that does not exist serves none of its hosts.
    assert!(stderr.contains(&format!("warning[A602/IST0132]: gateway `istio-ingress/nowhere` serves none of the hosts [stray.example.com] to namespace `shop`\n --> {resource}\n")), "{stderr}");
}

// --- settings.tenants.createNamespaces ------------------------------------------------------

fn build_json(root: &std::path::Path, env: &str) -> Vec<Value> {
    let output = meshedge().args(["build", env, "--format", "json", "--root"]).arg(root).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    list["items"].as_array().unwrap().clone()
}

/// Adds `settings.tenants.createNamespaces: true` (and `extra` settings) to an environment.
fn create_namespaces(root: &std::path::Path, env: &str, extra: &str) {
    let path = root.join(format!("environments/{env}/meshedge.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    let text = if text.contains("\n  tenants:\n") {
        text.replace("\n  tenants:\n", "\n  tenants:\n    createNamespaces: true\n")
    } else {
        text.replace("\nsettings:\n", "\nsettings:\n  tenants:\n    createNamespaces: true\n")
    };
    std::fs::write(&path, format!("{text}{extra}")).unwrap();
}

fn of_kind<'a>(items: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> + Clone + 'a {
    items.iter().filter(move |i| i["kind"] == kind)
}

/// The tenant Namespaces; checks each against the NetworkPolicies in it: the policies select
/// mesh peers by a label, which the namespace must carry (or, with ossm2, get from the member
/// roll). Returns each namespace's labels.
fn tenant_namespaces(items: &[Value]) -> BTreeMap<String, Value> {
    let namespaces: BTreeMap<String, Value> = of_kind(items, "Namespace")
        .filter(|n| n["metadata"]["labels"]["meshedge.io/tenant"].is_string())
        .map(|n| (n["metadata"]["name"].as_str().unwrap().to_string(), n["metadata"]["labels"].clone()))
        .collect();
    // A deployed gateway's own policy lives in its platform namespace, with no tenant.
    let tenant_policies =
        of_kind(items, "NetworkPolicy").filter(|p| p["metadata"]["labels"]["meshedge.io/tenant"].is_string());
    let policy_namespaces: BTreeSet<String> =
        tenant_policies.clone().map(|p| p["metadata"]["namespace"].as_str().unwrap().to_string()).collect();
    assert!(!namespaces.is_empty());
    assert_eq!(namespaces.keys().cloned().collect::<BTreeSet<_>>(), policy_namespaces, "one per tenant namespace");
    for policy in tenant_policies {
        let ns = policy["metadata"]["namespace"].as_str().unwrap();
        assert_eq!(namespaces[ns]["meshedge.io/tenant"], policy["metadata"]["labels"]["meshedge.io/tenant"]);
    }
    namespaces
}

/// The label selector the NetworkPolicies use for mesh namespaces (the same in all of them; a
/// deployed gateway's policy admits its clients, not the mesh).
fn mesh_selector(items: &[Value]) -> serde_json::Map<String, Value> {
    let selectors: BTreeSet<String> = of_kind(items, "NetworkPolicy")
        .filter(|p| p["metadata"]["name"].as_str().is_some_and(|n| !n.starts_with("meshedge-gateway-")))
        .flat_map(|p| {
            let peers = p.pointer("/spec/ingress/0/from").or_else(|| p.pointer("/spec/egress/0/to")).unwrap();
            peers
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|peer| peer.pointer("/namespaceSelector/matchLabels"))
                .map(Value::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(selectors.len(), 1, "{selectors:?}");
    serde_json::from_str(selectors.first().unwrap()).unwrap()
}

#[test]
fn created_namespaces_are_labelled_for_the_mesh_the_policies_and_the_tenant() {
    // Off by default: the example creates only its gateway namespaces, as plain resources.
    for env in ["dev", "prod"] {
        let items = build_json(&common::repo_root(), env);
        assert!(of_kind(&items, "Namespace").all(|n| n["metadata"]["labels"].get("meshedge.io/tenant").is_none()));
    }

    let repo = example_copy();
    create_namespaces(repo.path(), "dev", "");
    create_namespaces(repo.path(), "prod", "");

    // Upstream Istio, the Istio resource named `default`: injection by `istio-injection`.
    let dev = build_json(repo.path(), "dev");
    let namespaces = tenant_namespaces(&dev);
    assert!(namespaces.contains_key("shop") && !namespaces.contains_key("legacy"), "excluded tenants get none");
    let selector = mesh_selector(&dev);
    assert_eq!(Value::Object(selector.clone()), serde_json::json!({"istio-injection": "enabled"}));
    for labels in namespaces.values() {
        assert!(selector.iter().all(|(k, v)| &labels[k] == v), "the policies select {labels}");
        assert!(labels.get("istio.io/rev").is_none(), "istio-injection would win over it anyway");
    }

    // Another name: the sail operator names the revision after the resource; `istio.io/rev`.
    let path = repo.path().join("environments/dev/meshedge.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("      name: default ", "      name: mesh ")).unwrap();
    let dev = build_json(repo.path(), "dev");
    let istio = of_kind(&dev, "Istio").next().expect("the managed Istio resource");
    assert_eq!(istio["metadata"]["name"], "mesh");
    assert!(istio.pointer("/spec/updateStrategy").is_none(), "InPlace: the revision is the resource's name");
    let selector = mesh_selector(&dev);
    assert_eq!(Value::Object(selector.clone()), serde_json::json!({"istio.io/rev": "mesh"}));
    for labels in tenant_namespaces(&dev).values() {
        assert!(selector.iter().all(|(k, v)| &labels[k] == v), "the policies select {labels}");
        assert!(labels.get("istio-injection").is_none(), "it would take the namespace from the revision");
    }

    // OpenShift Service Mesh 2: membership through the member roll, which labels the namespace.
    let prod = build_json(repo.path(), "prod");
    let namespaces = tenant_namespaces(&prod);
    assert!(namespaces.contains_key("legacy"));
    assert_eq!(Value::Object(mesh_selector(&prod)), serde_json::json!({"maistra.io/member-of": "istio-system"}));
    let roll = of_kind(&prod, "ServiceMeshMemberRoll").next().expect("the managed member roll");
    let members: BTreeSet<&str> =
        roll["spec"]["members"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for (name, labels) in &namespaces {
        assert!(members.contains(name.as_str()), "{name} is a member, so the operator labels it");
        let keys: BTreeSet<&str> = labels.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["app.kubernetes.io/managed-by", "meshedge.io/tenant"]), "{name}");
    }
    // Namespaces come first in the output, and each names where it came from.
    let first = prod.iter().position(|i| i["kind"] != "Namespace").unwrap();
    assert!(prod[first..].iter().all(|i| i["kind"] != "Namespace"));
    let shop = of_kind(&prod, "Namespace").find(|n| n["metadata"]["name"] == "shop").unwrap();
    let sources = shop["metadata"]["annotations"]["meshedge.io/source"].as_str().unwrap();
    assert!(
        sources.contains("base/tenants/shop/tenant.yaml") && sources.contains("environments/prod/meshedge.yaml"),
        "{sources}"
    );
}

#[test]
fn warnings_are_capped_per_code_and_errors_in_all() {
    let repo = example_copy();
    let root = repo.path();
    for i in 0..150 {
        write(root, &format!("base/resources/junk/{i:03}.txt"), "");
    }
    let output = meshedge().args(["build", "prod", "--root"]).arg(root).output().unwrap();
    let stderr = stderr_of(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr.matches("warning[W205]").count(), 20, "{stderr}");
    assert!(stderr.contains("… and 130 more W205\n"), "{stderr}");
    let total =
        stderr.lines().find_map(|l| l.strip_prefix("warning: ")?.strip_suffix(" warnings")?.parse::<usize>().ok());
    assert!(total.is_some_and(|n| n >= 150), "the count is of all: {stderr}");

    // Errors: the first 200 are drawn, the rest counted.
    for i in 0..250 {
        write(root, &format!("base/resources/bad/{i:03}.yaml"), "apiVersion: v1\nkind: ConfigMap\n");
    }
    let output = meshedge().args(["build", "prod", "--root"]).arg(root).output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    assert_eq!(stderr.matches("error[E304]").count(), 200, "{}", &stderr[stderr.len().saturating_sub(2000)..]);
    assert!(stderr.contains("… and 50 more errors\n"), "{}", &stderr[stderr.len().saturating_sub(2000)..]);
}
