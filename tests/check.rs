//! `meshedge check` end to end: per analysis a case that fires and one that does not, with exit
//! codes (in bare directories of plain manifests, and in a copy of the example repository);
//! schema validation of plain and patched generated objects; suppression; the report formats.

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::{check_repo, example, meshedge, write_file};
use serde_json::Value;
use tempfile::TempDir;

/// One diagnostic of a JSON report: code, istio, file, line.
type Found = (String, Option<String>, Option<String>, Option<u64>);

/// The diagnostics of every environment of a JSON report.
fn findings(output: &Output) -> Vec<Found> {
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    let mut out = Vec::new();
    for env in report["environments"].as_array().unwrap() {
        for d in env["diagnostics"].as_array().unwrap() {
            out.push((
                d["code"].as_str().unwrap().to_string(),
                d["istio"].as_str().map(str::to_string),
                d["file"].as_str().map(str::to_string),
                d["line"].as_u64(),
            ));
        }
    }
    out
}

fn codes(output: &Output) -> Vec<String> {
    findings(output).into_iter().map(|(c, ..)| c).collect()
}

/// A bare directory holding one file of plain manifests.
fn bare(manifests: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("manifests/edge.yaml"), manifests);
    dir
}

fn check_bare(manifests: &str, extra: &[&str]) -> Output {
    let dir = bare(manifests);
    let mut args = vec!["check", "manifests", "--format", "json"];
    args.extend(extra);
    meshedge(dir.path(), &args)
}

const GATEWAY: &str = "apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: [\"*.example.com\"]
      tls: {mode: SIMPLE, credentialName: wild-tls}
";

fn vs(name: &str, hosts: &str, gateways: &str, destination: &str) -> String {
    format!(
        "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n  hosts: {hosts}\n  gateways: {gateways}\n  http:\n    - route:\n        - destination: {destination}\n"
    )
}

const SERVICE: &str = "---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 80}]
";

/// One analysis: the manifests that make it fire, those that do not, its code, Istio code and
/// whether it is an error (exit 1) or a warning (exit 0, 1 with `--strict`).
struct Case {
    code: &'static str,
    istio: Option<&'static str>,
    error: bool,
    positive: String,
    negative: String,
}

fn cases() -> Vec<Case> {
    let dest = "{host: web.shop.svc.cluster.local}";
    let ok_vs = vs("web", "[web.example.com]", "[istio-system/gw]", dest);
    vec![
        Case {
            code: "A601",
            istio: Some("IST0101"),
            error: true,
            positive: format!("{GATEWAY}{}", vs("web", "[web.example.com]", "[istio-system/missing]", dest)),
            negative: format!("{GATEWAY}{ok_vs}"),
        },
        Case {
            code: "A602",
            istio: Some("IST0132"),
            error: false,
            positive: format!("{GATEWAY}{}", vs("web", "[web.other.org]", "[istio-system/gw]", dest)),
            negative: format!("{GATEWAY}{ok_vs}"),
        },
        Case {
            code: "A603",
            istio: Some("IST0109"),
            error: true,
            positive: format!("{}{}", vs("a", "[api.example.com]", "[mesh]", dest), vs("b", "[api.example.com]", "[mesh]", dest)),
            negative: format!("{}{}", vs("a", "[api.example.com]", "[mesh]", dest), vs("b", "[web.example.com]", "[mesh]", dest)),
        },
        Case {
            code: "A604",
            istio: Some("IST0145"),
            error: true,
            positive: format!("{GATEWAY}---\n{}", GATEWAY.replace("name: gw,", "name: gw2,")),
            negative: format!("{GATEWAY}---\n{}", GATEWAY.replace("name: gw,", "name: gw2,").replace("number: 443", "number: 8443")),
        },
        Case {
            code: "A613",
            istio: None,
            error: false,
            positive: format!("{GATEWAY}---\n{}", GATEWAY.replace("name: gw,", "name: gw2,").replace("\"*.example.com\"", "foo.example.com")),
            negative: format!("{GATEWAY}---\n{}", GATEWAY.replace("name: gw,", "name: gw2,").replace("\"*.example.com\"", "foo.example.org")),
        },
        Case {
            code: "A605",
            istio: Some("IST0101"),
            error: true,
            positive: format!("{GATEWAY}{}", vs("web", "[web.example.com]", "[istio-system/gw]", "{host: web, subset: v1}")),
            negative: format!(
                "{GATEWAY}{}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: web, namespace: shop}}\nspec:\n  host: web\n  subsets: [{{name: v1, labels: {{version: v1}}}}]\n",
                vs("web", "[web.example.com]", "[istio-system/gw]", "{host: web, subset: v1}")
            ),
        },
        Case {
            code: "A606",
            istio: Some("IST0128"),
            error: false,
            positive: "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: api, namespace: shop}\nspec:\n  host: api.partner.example\n  trafficPolicy:\n    tls: {mode: SIMPLE}\n".into(),
            negative: "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: api, namespace: shop}\nspec:\n  host: api.partner.example\n  trafficPolicy:\n    tls: {mode: SIMPLE, caCertificates: /etc/ca.pem}\n".into(),
        },
        Case {
            code: "A607",
            istio: Some("IST0149"),
            error: true,
            positive: format!("{GATEWAY}---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: web, namespace: shop}}\nspec:\n  hosts: [web.example.com]\n  gateways: [istio-system/gw]\n  http:\n    - match: [{{headers: {{\"@request.auth.claims.group\": {{exact: admin}}}}}}]\n      route: [{{destination: {{host: web.shop.svc.cluster.local}}}}]\n"),
            negative: format!("{GATEWAY}---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: web, namespace: shop}}\nspec:\n  hosts: [web.example.com]\n  gateways: [istio-system/gw]\n  http:\n    - match: [{{headers: {{x-group: {{exact: admin}}}}}}]\n      route: [{{destination: {{host: web.shop.svc.cluster.local}}}}]\n"),
        },
        Case {
            code: "A614",
            istio: Some("IST0106"),
            error: true,
            positive: "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: wild, namespace: shop}\nspec:\n  hosts: [\"*.partner.example\"]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: DNS\n".into(),
            negative: "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: wild, namespace: shop}\nspec:\n  hosts: [\"*.partner.example\"]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: NONE\n".into(),
        },
    ]
    .into_iter()
    .map(|mut c| {
        c.positive.push_str(SERVICE);
        c.negative.push_str(SERVICE);
        c
    })
    .collect()
}

#[test]
fn each_analysis_fires_on_its_case_and_not_on_the_fixed_one() {
    for case in cases() {
        let fired = check_bare(&case.positive, &[]);
        let found = findings(&fired);
        let hits: Vec<_> = found.iter().filter(|(c, ..)| c == case.code).collect();
        assert!(!hits.is_empty(), "{}: {found:?}", case.code);
        for (_, istio, file, line) in &hits {
            assert_eq!(istio.as_deref(), case.istio, "{}", case.code);
            assert_eq!(file.as_deref(), Some("manifests/edge.yaml"), "{}", case.code);
            assert!(line.is_some_and(|l| l > 0), "{}: located", case.code);
        }
        let errors = found.iter().any(|(c, ..)| {
            c.starts_with('E') || matches!(c.as_str(), "A601" | "A603" | "A604" | "A605" | "A607" | "A614")
        });
        assert_eq!(fired.status.code(), Some(if errors { 1 } else { 0 }), "{}: {found:?}", case.code);
        if !case.error {
            let strict = check_bare(&case.positive, &["--strict"]);
            assert_eq!(strict.status.code(), Some(1), "{}: warnings fail with --strict", case.code);
        }
        let fixed = check_bare(&case.negative, &[]);
        assert!(!codes(&fixed).iter().any(|c| c == case.code), "{}: {:?}", case.code, findings(&fixed));
    }
}

#[test]
fn a_clean_bare_directory_exits_zero_and_an_error_exits_one() {
    let case = &cases()[0];
    let secret = "---\napiVersion: v1\nkind: Secret\nmetadata: {name: wild-tls, namespace: istio-system}\ntype: kubernetes.io/tls\n";
    let clean = check_bare(&format!("{}{secret}", case.negative), &[]);
    assert_eq!(clean.status.code(), Some(0), "{:?}", findings(&clean));
    assert!(findings(&clean).is_empty(), "{:?}", findings(&clean));
    let broken = check_bare(&case.positive, &[]);
    assert_eq!(broken.status.code(), Some(1));
}

/// The plain manifests of the schema cases: each breaks the Gateway one way, on line 8.
fn schema_cases() -> Vec<(&'static str, String, &'static str, u64)> {
    let gateway = |server: &str| {
        format!(
            "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {{name: gw, namespace: istio-system}}\nspec:\n  selector: {{istio: ingressgateway}}\n  servers:\n    - hosts: [\"*.example.com\"]\n{server}"
        )
    };
    vec![
        (
            "unknown field",
            gateway("      colour: blue\n      port: {number: 80, name: http, protocol: HTTP}\n"),
            "unknown field",
            8,
        ),
        ("wrong type", gateway("      port: {number: eighty, name: http, protocol: HTTP}\n"), "expected integer", 8),
        (
            "enum value",
            gateway("      port: {number: 443, name: https, protocol: HTTPS}\n      tls: {mode: SOMETIMES}\n"),
            "SOMETIMES",
            9,
        ),
        ("missing required field", gateway("      port: {number: 80, protocol: HTTP}\n"), "required", 8),
    ]
}

#[test]
fn schema_validation_of_plain_manifests_catches_each_kind_of_failure() {
    for (what, manifests, problem, line) in schema_cases() {
        let dir = bare(&manifests);
        let out = meshedge(dir.path(), &["check", "manifests", "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{what}");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let schema: Vec<&Value> = report["environments"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "E701")
            .collect();
        assert_eq!(schema.len(), 1, "{what}: {schema:#?}");
        assert!(schema[0]["message"].as_str().unwrap().contains(problem), "{what}: {}", schema[0]["message"]);
        assert_eq!(schema[0]["file"], "manifests/edge.yaml", "{what}");
        assert_eq!(schema[0]["line"], line, "{what}: the field, or the object holding the missing one");
        // The text format names the code and the file on stderr; nothing on stdout.
        let text = meshedge(dir.path(), &["check", "manifests"]);
        assert_eq!(text.status.code(), Some(1));
        assert!(text.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&text.stderr);
        assert!(
            stderr.contains("error[E701]") && stderr.contains(&format!("--> manifests/edge.yaml:{line}:")),
            "{what}: {stderr}"
        );
    }
}

#[test]
fn the_example_production_environment_checks_clean() {
    let out = meshedge(&common::repo_root(), &["check", "prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", findings(&out));
    assert!(findings(&out).iter().all(|(c, ..)| !c.starts_with('E')));
}

#[test]
fn every_example_environment_checks_clean() {
    let out = meshedge(&common::repo_root(), &["check", "--all", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", findings(&out));
    // No warning either: every emitted kind has its schema (the Sail `Istio` of dev, the
    // Gatekeeper templates and constraints of prod), and no TLS-without-CA finding is reported
    // where the target's proxies verify the server anyway.
    assert_eq!(findings(&out), Vec::<Found>::new());
}

const TEMPLATE: &str = "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {name: denyall}\nspec:\n  crd:\n    spec:\n      names: {kind: DenyAll}\n      validation:\n        openAPIV3Schema:\n          type: object\n          properties:\n            message: {type: string}\n  targets:\n    - target: admission.k8s.gatekeeper.sh\n      rego: \"package denyall\"\n";

/// The kinds meshedge emits from the settings, each valid and then broken once: the Sail
/// operator's `Istio`, a Gatekeeper ConstraintTemplate, a constraint (whose schema comes from
/// that template), a Kyverno ClusterPolicy. (manifests, the invalid one's line)
fn settings_kind_cases() -> Vec<(&'static str, String, String, u64)> {
    let istio = "apiVersion: sailoperator.io/v1\nkind: Istio\nmetadata: {name: default}\nspec:\n  namespace: istio-system\n  version: v1.24.3\n";
    let constraint = "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: DenyAll\nmetadata: {name: deny}\nspec:\n  enforcementAction: deny\n  match:\n    kinds: [{apiGroups: [route.openshift.io], kinds: [Route]}]\n  parameters: {message: no}\n";
    let policy = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  validationFailureAction: Enforce\n  rules:\n    - name: r\n      match: {any: [{resources: {kinds: [Pod]}}]}\n      validate: {message: m, pattern: {metadata: {labels: {app: \"?*\"}}}}\n";
    vec![
        ("Istio", istio.to_string(), istio.replace("  version: v1.24.3", "  version: v1.24.3\n  colour: blue"), 7),
        ("ConstraintTemplate", TEMPLATE.to_string(), TEMPLATE.replace("  targets:", "  colour: blue\n  targets:"), 13),
        (
            "DenyAll",
            format!("{TEMPLATE}---\n{constraint}"),
            format!("{TEMPLATE}---\n{}", constraint.replace("{message: no}", "{message: no, colour: blue}")),
            24,
        ),
        ("ClusterPolicy", policy.to_string(), policy.replace("  rules:", "  colour: blue\n  rules:"), 6),
    ]
}

#[test]
fn the_kinds_made_from_settings_have_schemas_and_refuse_unknown_fields() {
    for (kind, valid, invalid, line) in settings_kind_cases() {
        let out = check_bare(&valid, &[]);
        assert_eq!(out.status.code(), Some(0), "{kind} valid: {:?}", findings(&out));
        assert_eq!(findings(&out), Vec::<Found>::new(), "{kind}: validated, not listed as W702");
        let out = check_bare(&invalid, &[]);
        assert_eq!(out.status.code(), Some(1), "{kind} invalid: {:?}", findings(&out));
        let found = findings(&out);
        assert_eq!(found, [("E701".to_string(), None, Some("manifests/edge.yaml".to_string()), Some(line))], "{kind}");
    }
}

#[test]
fn a_constraint_without_its_template_is_listed_as_without_schema() {
    let (_, _, invalid, _) = settings_kind_cases().swap_remove(2);
    let alone = invalid.split("---\n").nth(1).expect("the constraint");
    let out = check_bare(alone, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(codes(&out), ["W702"]);
}

const PROD_MANIFEST: &str = "environments/prod/meshedge.yaml";

/// The tampered example: a plain DestinationRule without a CA (A606 at its tls, line 8), a plain
/// VirtualService naming a missing Gateway (A601 at line 6), and a patch breaking a generated
/// Gateway's schema three ways and a generated Deployment's once (each E701 at its operation).
///
/// Its prod targets upstream Istio 1.20 with a control plane meshedge does not manage: there
/// proxies verify a server only against a CA the DestinationRule names (meshedge writes the
/// image's bundle into the ones it generates), so a plain DestinationRule without a CA is a
/// finding. On the example's own targets (OSSM 2.5 managed, Istio 1.24) it is not.
fn tampered() -> TempDir {
    let dir = example();
    let manifest = dir.path().join(PROD_MANIFEST);
    let text = std::fs::read_to_string(&manifest).unwrap();
    // prod's own `mesh` section (its federation, which upstream Istio refuses) gives way to this one.
    let text = match (text.find("settings:\n  mesh:\n"), text.find("\n  ingress:\n")) {
        (Some(start), Some(end)) if start < end => format!("{}settings:{}", &text[..start], &text[end..]),
        _ => text,
    };
    for tenant in ["payments", "shop"] {
        let _ = std::fs::remove_file(dir.path().join(format!("environments/prod/tenants/{tenant}/federation.yaml")));
    }
    let text = text.replacen(
        "settings:\n",
        "settings:\n  mesh:\n    flavor: istio\n    controlPlane: {version: v1.20, manage: false}\n",
        1,
    );
    write_file(&manifest, &text);
    write_file(
        &dir.path().join("base/resources/extra.yaml"),
        "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: extra, namespace: istio-egress}\nspec:\n  host: extra.partner.example\n  trafficPolicy:\n    tls:\n      mode: SIMPLE\n---\napiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: extra, namespace: istio-ingress}\nspec:\n  hosts: [extra.apps.prod.example.com]\n  gateways: [istio-ingress/nowhere]\n  http:\n    - route: [{destination: {host: istio-ingressgateway.istio-ingress.svc.cluster.local}}]\n",
    );
    write_file(
        &dir.path().join("environments/prod/patches/broken.yaml"),
        "target: {group: networking.istio.io, kind: Gateway, name: public-legacy-apps-prod-example-com}\njson:\n  - {op: add, path: /spec/servers/0/colour, value: blue}\n  - {op: replace, path: /spec/servers/0/port/number, value: eighty}\n  - {op: replace, path: /spec/servers/0/tls/mode, value: SOMETIMES}\n---\ntarget: {group: apps, kind: Deployment, name: internal-ingressgateway}\njson:\n  - {op: remove, path: /spec/selector}\n",
    );
    let manifest = dir.path().join(PROD_MANIFEST);
    let text = std::fs::read_to_string(&manifest).unwrap();
    write_file(&manifest, &format!("{text}  - file: patches/broken.yaml\n"));
    dir
}

#[test]
fn a_tampered_example_reports_each_finding_once_at_its_cause() {
    let dir = tampered();
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let found = findings(&out);
    let expected = [
        ("A606", "base/resources/extra.yaml", 8),
        ("A601", "base/resources/extra.yaml", 15),
        ("E701", "environments/prod/patches/broken.yaml", 3),
        ("E701", "environments/prod/patches/broken.yaml", 4),
        ("E701", "environments/prod/patches/broken.yaml", 5),
        ("E701", "environments/prod/patches/broken.yaml", 9),
    ];
    for (code, file, line) in expected {
        let hits =
            found.iter().filter(|(c, _, f, l)| c == code && f.as_deref() == Some(file) && *l == Some(line)).count();
        assert_eq!(hits, 1, "{code} at {file}:{line} once: {found:#?}");
    }
    let schema_errors = found.iter().filter(|(c, ..)| c == "E701").count();
    assert_eq!(schema_errors, 4, "{found:#?}");
}

#[test]
fn suppressions_are_counted_in_every_format() {
    let dir = tampered();
    let extra = dir.path().join("base/resources/extra.yaml");
    let text = std::fs::read_to_string(&extra).unwrap();
    let text = text.replacen(
        "metadata: {name: extra, namespace: istio-egress}",
        "metadata: {name: extra, namespace: istio-egress, annotations: {meshedge.io/check-suppress: \"IST0128\"}}",
        1,
    );
    write_file(&extra, &text);
    let manifest = dir.path().join(PROD_MANIFEST);
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replacen("settings:\n", "settings:\n  check:\n    suppress:\n      - {code: IST0101, kind: VirtualService, name: extra}\n      - {code: A999}\n", 1);
    write_file(&manifest, &text);
    let out = check_repo(dir.path(), &["prod", "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let env = &report["environments"][0];
    let suppressed: Vec<(&str, &str)> = env["suppressed"]
        .as_array()
        .expect("suppressed findings are listed")
        .iter()
        .map(|s| (s["code"].as_str().unwrap(), s["suppressedBy"].as_str().unwrap()))
        .collect();
    assert!(suppressed.contains(&("A606", "annotation meshedge.io/check-suppress: IST0128")), "{suppressed:?}");
    // A601 is an error: the rule that names it (by its Istio code) hides nothing.
    assert!(!suppressed.iter().any(|(c, _)| *c == "A601"), "{suppressed:?}");
    let codes = codes(&out);
    assert!(!codes.contains(&"A606".to_string()) && codes.contains(&"A601".to_string()), "{codes:?}");
    assert!(codes.contains(&"W703".to_string()), "the rule that suppresses nothing is a warning: {codes:?}");
    let text = check_repo(dir.path(), &["prod"]);
    assert!(String::from_utf8_lossy(&text.stderr).contains("suppressed"), "text counts them");
    let sarif = check_repo(dir.path(), &["prod", "--format", "sarif"]);
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(log["runs"][0]["properties"]["suppressedCount"], suppressed.len());
    let github = check_repo(dir.path(), &["prod", "--format", "github"]);
    assert!(String::from_utf8_lossy(&github.stdout).contains("findings suppressed"));
}

#[test]
fn json_has_the_shape_ci_md_gives() {
    let dir = tampered();
    let out = check_repo(dir.path(), &["--all", "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let object = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(object(&report), ["environments"]);
    let envs = report["environments"].as_array().unwrap();
    let names: Vec<&str> = envs.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["dev", "prod", "staging"], "all environments at once");
    for env in envs {
        for key in object(env) {
            assert!(["name", "diagnostics", "suppressed"].contains(&key.as_str()), "{key}");
        }
        for d in env["diagnostics"].as_array().unwrap() {
            for key in object(d) {
                assert!(
                    ["severity", "code", "istio", "message", "resource", "file", "line", "notes"]
                        .contains(&key.as_str()),
                    "{key}"
                );
            }
            assert!(["error", "warning"].contains(&d["severity"].as_str().unwrap()));
            assert!(d["code"].is_string() && d["message"].is_string());
            if let Some(resource) = d.get("resource") {
                for key in object(resource) {
                    assert!(["apiVersion", "kind", "namespace", "name"].contains(&key.as_str()), "{key}");
                }
            }
            if let Some(line) = d.get("line") {
                assert!(line.as_u64().is_some_and(|l| l >= 1));
            }
        }
    }
}

fn sarif_validator() -> jsonschema::Validator {
    let path: PathBuf = common::repo_root().join("data/sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).expect("the SARIF schema compiles")
}

#[test]
fn sarif_of_a_tampered_repository_is_valid_and_points_at_the_inputs() {
    let dir = tampered();
    let out = check_repo(dir.path(), &["--all", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> =
        sarif_validator().iter_errors(&log).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(log["runs"].as_array().unwrap().len(), 1, "one run");
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["help"]["text"].as_str().is_some_and(|t| !t.is_empty())), "rules have help text");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let a606 = results.iter().find(|r| r["ruleId"] == "A606").expect("the A606 result");
    let location = &a606["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "base/resources/extra.yaml");
    assert_eq!(location["region"]["startLine"], 8);
}

#[test]
fn github_annotations_name_file_line_and_title() {
    let dir = tampered();
    let out = check_repo(dir.path(), &["prod", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::error file=base/resources/extra.yaml,line=15,")
                && l.contains("title=A601 IST0101::")),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l.starts_with("::warning file=base/resources/extra.yaml,line=8,")), "{stdout}");
}

#[test]
fn extra_schemas_validate_kinds_meshedge_does_not_ship() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n              type: object\n              properties:\n                size: {type: integer}\n";
    let widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec:\n  size: 3\n  colour: blue\n";
    let dir = bare(widget);
    let without = meshedge(dir.path(), &["check", "manifests", "--format", "json"]);
    assert_eq!(without.status.code(), Some(0), "no schema is a warning");
    assert_eq!(codes(&without), ["W702"], "the object is listed, not passed silently");
    assert_eq!(meshedge(dir.path(), &["check", "manifests", "--strict"]).status.code(), Some(1));
    write_file(&dir.path().join("crds/widget.yaml"), crd);
    let with = meshedge(dir.path(), &["check", "manifests", "--schemas", "crds", "--format", "json"]);
    assert_eq!(with.status.code(), Some(1));
    assert_eq!(findings(&with), [("E701".to_string(), None, Some("manifests/edge.yaml".to_string()), Some(6))]);
}

#[test]
fn an_unknown_environment_is_a_usage_error() {
    let out = meshedge(&common::repo_root(), &["check", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("E901"));
}

/// `meshedge check environments` checks each environment of the folder, as `--all` does, not the
/// folder's layer documents as plain manifests.
#[test]
fn a_folder_of_environments_checks_each_environment() {
    let out = meshedge(&common::repo_root(), &["check", "environments", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = json["environments"].as_array().unwrap().iter().filter_map(|e| e["name"].as_str()).collect();
    assert_eq!(names, ["dev", "prod", "staging"]);
    // Any other directory without `meshedge.yaml` is still plain manifests.
    let out = meshedge(&common::repo_root(), &["check", "base/resources", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["environments"].as_array().unwrap().len(), 1, "{json}");
}
