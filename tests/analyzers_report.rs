//! The report formats of `check`: the JSON shape of SPEC §6, SARIF 2.1.0 validated against the
//! vendored schema, GitHub workflow commands and their escaping.

mod common;

use meshedge::diagnostic::{Code, Location, ResourceRef as ObjectRef, Severity};
use meshedge::report::{self, Diagnostic, Environment, Suppression};
use serde_json::{Value, json};

fn object(kind: &str, namespace: Option<&str>, name: &str) -> ObjectRef {
    ObjectRef {
        api_version: "networking.istio.io/v1".into(),
        kind: kind.into(),
        namespace: namespace.map(Into::into),
        name: name.into(),
    }
}

fn diagnostic(severity: Severity, code: Code, istio: Option<&'static str>, message: &str) -> Diagnostic {
    assert_eq!(code.severity(), severity, "{code}");
    Diagnostic {
        severity,
        code,
        istio,
        message: message.into(),
        location: None,
        resource: None,
        notes: Vec::new(),
        help: None,
    }
}

fn at(file: &str, line: usize, column: Option<usize>) -> Option<Location> {
    Some(Location { file: file.into(), line: Some(line), column })
}

/// Two environments with every kind of diagnostic: located or not, with and without an object
/// and an Istio code, an analysis code and others, awkward characters, a suppression.
fn sample() -> Vec<Environment> {
    let warning = Diagnostic {
        resource: Some(object("DestinationRule", Some("istio-egress"), "api-stripe-com")),
        location: at("base/tenants/shop/stripe.yaml", 7, Some(5)),
        help: Some("set `caCertificates`".into()),
        ..diagnostic(
            Severity::Warning,
            Code::A608,
            Some("IST0129"),
            "SIMPLE TLS to `api.stripe.com` at port 443 has no caCertificates",
        )
    };
    let error = Diagnostic {
        resource: Some(object("Gateway", Some("istio-ingress"), "public-shop")),
        location: at("base/resources/dir with space/gäteway.yaml", 3, None),
        ..diagnostic(
            Severity::Error,
            Code::A604,
            Some("IST0145"),
            "host `shop.example.com` on port 443 is also served by Gateway istio-ingress/other",
        )
    };
    let build_error = Diagnostic {
        location: at("environments/prod/meshedge.yaml", 12, Some(9)),
        help: Some("pick a host under the gateway's `allowedHosts`".into()),
        ..diagnostic(Severity::Error, Code::E415, None, "host `shop.example.org` is not allowed on gateway `public`")
    };
    let unlocated = Diagnostic {
        resource: Some(object("Namespace", None, "shop")),
        ..diagnostic(Severity::Warning, Code::W702, None, "object of kind Namespace has no schema")
    };
    let suppressed = Suppression {
        diagnostic: Diagnostic {
            resource: Some(object("DestinationRule", Some("istio-system"), "feeds")),
            location: at("base/tenants/blog/blog.yaml", 20, None),
            ..diagnostic(
                Severity::Warning,
                Code::A608,
                Some("IST0129"),
                "SIMPLE TLS to `feeds.partner.example` at port 80 has no caCertificates",
            )
        },
        by: "annotation meshedge.io/check-suppress: IST0129".into(),
    };
    vec![
        Environment {
            name: "dev".into(),
            manifest: "environments/dev/meshedge.yaml".into(),
            diagnostics: vec![warning.clone(), unlocated],
            suppressed: vec![],
        },
        Environment {
            name: "prod".into(),
            manifest: "environments/prod/meshedge.yaml".into(),
            diagnostics: vec![warning, error, build_error],
            suppressed: vec![suppressed],
        },
    ]
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default()
}

#[test]
fn json_has_the_spec_shape() {
    let text = report::json::render(&sample());
    assert!(text.ends_with("}\n"));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(keys(&v), ["environments"]);
    let envs = v["environments"].as_array().unwrap();
    assert_eq!(envs.len(), 2);
    let mut dev_keys = keys(&envs[0]);
    dev_keys.sort();
    assert_eq!(dev_keys, ["diagnostics", "name"], "no `suppressed` key when nothing was suppressed");
    let allowed = ["severity", "code", "istio", "message", "resource", "file", "line"];
    for env in envs {
        for d in env["diagnostics"].as_array().unwrap() {
            for k in keys(d) {
                assert!(allowed.contains(&k), "{k} is not in SPEC §6");
            }
            assert!(d["severity"] == "error" || d["severity"] == "warning");
            assert!(d["code"].is_string() && d["message"].is_string());
            if let Some(r) = d.get("resource") {
                let mut rk = keys(r);
                rk.sort();
                assert!(
                    rk == ["apiVersion", "kind", "name", "namespace"] || rk == ["apiVersion", "kind", "name"],
                    "{rk:?}"
                );
            }
        }
    }
    let prod = &envs[1]["diagnostics"];
    let codes: Vec<&str> = prod.as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["A604", "E415", "A608"], "errors first, then by file");
    assert_eq!(
        prod[0],
        json!({"severity": "error", "code": "A604", "istio": "IST0145",
            "message": "host `shop.example.com` on port 443 is also served by Gateway istio-ingress/other",
            "resource": {"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "namespace": "istio-ingress", "name": "public-shop"},
            "file": "base/resources/dir with space/gäteway.yaml", "line": 3})
    );
    assert_eq!(prod[1].get("istio"), None, "absent, not null");
    assert_eq!(envs[0]["diagnostics"][0].get("file"), None, "unlocated first");
    let suppressed = &envs[1]["suppressed"];
    assert_eq!(suppressed[0]["suppressedBy"], "annotation meshedge.io/check-suppress: IST0129");
    // Key order as SPEC §6 writes it, in prod's first diagnostic (which has them all).
    let prod_text = &text[text.find("\"name\": \"prod\"").unwrap()..];
    let order: Vec<usize> =
        ["\"severity\"", "\"code\"", "\"istio\"", "\"message\"", "\"resource\"", "\"file\"", "\"line\""]
            .iter()
            .map(|k| prod_text.find(k).unwrap())
            .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert_eq!(text, report::json::render(&sample()), "deterministic");
}

fn sarif_validator() -> jsonschema::Validator {
    let path = common::repo_root().join("data/sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).expect("the SARIF schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_validates_against_the_schema_and_meets_github_rules() {
    let validator = sarif_validator();
    for envs in
        [sample(), vec![], vec![Environment { name: "dev".into(), manifest: "m.yaml".into(), ..Default::default() }]]
    {
        let text = report::sarif::render(&envs);
        let log: Value = serde_json::from_str(&text).unwrap();
        assert_valid(&validator, &log);
        assert_eq!(log["runs"].as_array().unwrap().len(), 1, "one run");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for rule in rules {
            for field in ["/shortDescription/text", "/fullDescription/text", "/help/text"] {
                let text = rule.pointer(field).and_then(Value::as_str).unwrap_or_default();
                assert!(
                    !text.is_empty() && text.len() <= 1024 || field == "/help/text" && !text.is_empty(),
                    "{field} of {}",
                    rule["id"]
                );
            }
        }
        for code in ["A601", "A613", "A621"] {
            assert!(rules.iter().any(|r| r["id"] == code), "every analysis rule is declared: {code}");
        }
        for result in run["results"].as_array().unwrap() {
            let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], result["ruleId"]);
            let location = &result["locations"][0]["physicalLocation"];
            assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            assert!(
                location["region"]["startLine"].as_u64().unwrap() >= 1,
                "the region requirement of the OASIS schema"
            );
            assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        }
    }
    let log: Value = serde_json::from_str(&report::sarif::render(&sample())).unwrap();
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let uris: Vec<&str> = results
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        [
            "environments/dev/meshedge.yaml",
            "base/tenants/shop/stripe.yaml",
            "base/resources/dir%20with%20space/g%C3%A4teway.yaml",
            "environments/prod/meshedge.yaml",
        ],
        "per environment, a finding the same in both once; a diagnostic without a file points at its manifest"
    );
    assert_eq!(results[1]["level"], "warning");
    assert_eq!(results[2]["level"], "error");
    assert!(results[2]["message"]["text"].as_str().unwrap().starts_with("[prod] host `shop.example.com`"));
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"], json!({"startLine": 1}));
    assert_eq!(results[1]["locations"][0]["physicalLocation"]["region"], json!({"startLine": 7, "startColumn": 5}));
    assert_eq!(results[1]["properties"]["istio"], "IST0129");
    assert_eq!(results[1]["properties"]["environment"], "dev, prod", "one alert for the shared input");
    assert!(results[1]["message"]["text"].as_str().unwrap().starts_with("[dev, prod] SIMPLE TLS"));
    assert_ne!(results[1]["partialFingerprints"], results[2]["partialFingerprints"]);
    let e415 = run["tool"]["driver"]["rules"].as_array().unwrap().iter().find(|r| r["id"] == "E415").unwrap();
    assert_eq!(e415["help"]["text"], "pick a host under the gateway's `allowedHosts`");
    assert_eq!(run["properties"]["suppressedCount"], 1);
    assert_eq!(run["properties"]["suppressed"][0]["suppressedBy"], "annotation meshedge.io/check-suppress: IST0129");
    assert_eq!(report::sarif::render(&sample()), report::sarif::render(&sample()), "deterministic");
}

#[test]
fn the_sarif_schema_check_can_fail() {
    let validator = sarif_validator();
    let good: Value = serde_json::from_str(&report::sarif::render(&sample())).unwrap();
    let tamper = |pointer: &str, value: Value| {
        let mut log = good.clone();
        match log.pointer_mut(pointer) {
            Some(slot) => *slot = value,
            None => {
                let (parent, key) = pointer.rsplit_once('/').unwrap();
                log.pointer_mut(parent).unwrap().as_object_mut().unwrap().insert(key.to_string(), value);
            }
        }
        log
    };
    for bad in [
        tamper("/version", json!("2.2.0")),
        tamper("/runs/0/results/0/level", json!("fatal")),
        tamper("/runs/0/results/0/locations/0/physicalLocation/region/startLine", json!(0)),
        tamper("/runs/0/results/0/message", json!({})),
        tamper("/runs/0/tool/driver/rules/0/shortDescription", json!({"markdown": "x"})),
        tamper("/runs/0/results/0/partialFingerprints", json!({"x": 1})),
        tamper("/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri", json!("a b\\c")),
        tamper("/runs/0/results/0/ruleIndex", json!(-2)),
        tamper("/runs/0/results/0/extra", json!(true)),
    ] {
        assert!(!validator.is_valid(&bad), "{bad:#}");
    }
}

#[test]
fn github_commands_escape_and_order() {
    assert_eq!(report::github::escape_data("100% done\r\n::error::x"), "100%25 done%0D%0A::error::x");
    assert_eq!(report::github::escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    let text = report::github::render(&sample());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines.iter().all(|l| l.starts_with("::")), "one command per line: {text}");
    let kinds: Vec<&str> = lines.iter().map(|l| l.split([' ', ':']).nth(2).unwrap()).collect();
    assert_eq!(kinds, ["error", "error", "warning", "warning", "notice"], "errors first");
    assert_eq!(
        lines[0],
        "::error file=base/resources/dir with space/gäteway.yaml,line=3,title=A604 IST0145 [prod]::host `shop.example.com` on port 443 is also served by Gateway istio-ingress/other (Gateway/istio-ingress/public-shop)"
    );
    assert_eq!(
        lines[1],
        "::error file=environments/prod/meshedge.yaml,line=12,col=9,title=E415 [prod]::host `shop.example.org` is not allowed on gateway `public`%0Ahelp: pick a host under the gateway's `allowedHosts`"
    );
    assert!(
        lines[2].starts_with("::warning file=environments/dev/meshedge.yaml,line=1,title=W702 [dev]::"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with(
            "::warning file=base/tenants/shop/stripe.yaml,line=7,col=5,title=A608 IST0129 [dev%2C prod]::"
        ),
        "{}",
        lines[3]
    );
    assert_eq!(
        lines[4],
        "::notice title=meshedge check::1 findings suppressed:%0A[prod] A608 on DestinationRule/istio-system/feeds, by annotation meshedge.io/check-suppress: IST0129"
    );
}

#[test]
fn github_values_cannot_inject_commands_and_the_limit_is_announced() {
    let hostile = Diagnostic {
        location: at("a,b:c.yaml", 2, None),
        ..diagnostic(Severity::Error, Code::A601, Some("IST0101"), "gateway `x\n::error::injected` is not defined")
    };
    let env = Environment {
        name: "dev".into(),
        manifest: "m.yaml".into(),
        diagnostics: vec![hostile; 11],
        suppressed: vec![],
    };
    let text = report::github::render(&[env]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 12, "11 errors, one notice: {text}");
    assert_eq!(
        lines[0],
        "::error file=a%2Cb%3Ac.yaml,line=2,title=A601 IST0101::gateway `x%0A::error::injected` is not defined"
    );
    assert!(
        lines[11].starts_with("::notice title=meshedge check::11 errors and 0 warnings: GitHub shows at most 10"),
        "{}",
        lines[11]
    );
    let ten = Environment {
        name: "dev".into(),
        manifest: "m.yaml".into(),
        diagnostics: vec![diagnostic(Severity::Warning, Code::A602, None, "w"); 10],
        suppressed: vec![],
    };
    assert!(!report::github::render(&[ten]).contains("::notice"), "10 fit");
    assert_eq!(report::github::render(&[]), "");
}
