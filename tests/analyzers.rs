//! The analyzers over the example environments' output, built in-process, and over plain
//! objects end to end (analyse → suppress → report).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use meshedge::analyzers::suppress::{SuppressRule, suppress};
use meshedge::analyzers::{self, Context, Finding, Object, Workload};
use meshedge::diagnostic::{Explain, Location};
use meshedge::report::{self, Environment, Suppression};
use serde_json::{Value, json};

/// The objects of an environment's build, in the value form, with their sources.
fn built(env: &str) -> Vec<(Value, Vec<String>)> {
    let build = common::build(&common::repo_root(), env);
    build.objects.iter().map(|o| (o.value(), o.sources.clone())).collect()
}

fn labels(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

/// What the wiring of `check` is expected to pass: the gateway pods an OSSM control plane
/// declares, and the gateway namespaces as namespaces whose workloads are all known.
fn context_of(objects: &[(Value, Vec<String>)]) -> Context {
    let mut context = Context::default();
    for (value, _) in objects {
        let kind = value["kind"].as_str().unwrap_or_default();
        if kind == "ServiceMeshControlPlane" {
            // The built-in gateways (named by the operator) and the additional ones (by key).
            let mut declared: Vec<(String, &Value)> = Vec::new();
            for (section, name) in [("ingress", "istio-ingressgateway"), ("egress", "istio-egressgateway")] {
                let gateway = &value["spec"]["gateways"][section];
                if gateway["enabled"] == json!(true) {
                    declared.push((name.to_string(), gateway));
                }
            }
            for section in ["additionalIngress", "additionalEgress"] {
                let gateways = value.pointer(&format!("/spec/gateways/{section}")).and_then(Value::as_object);
                declared.extend(gateways.into_iter().flatten().map(|(name, gateway)| (name.clone(), gateway)));
            }
            {
                for (name, gateway) in declared {
                    let namespace = gateway["namespace"].as_str().unwrap_or("istio-system").to_string();
                    context.complete_namespaces.insert(namespace.clone());
                    context.workloads.push(Workload {
                        namespace,
                        name: name.clone(),
                        labels: labels(gateway.pointer("/runtime/pod/metadata/labels")),
                        gateway: true,
                    });
                }
            }
        }
        let tenant = value.pointer("/metadata/annotations/meshedge.io~1tenant").is_some();
        let gateway_pods =
            value.pointer("/spec/template/metadata/annotations/inject.istio.io~1templates") == Some(&json!("gateway"));
        if kind == "Deployment" && gateway_pods && !tenant {
            let namespace = value["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
            context.complete_namespaces.insert(namespace.clone());
            context.service_namespaces.insert(namespace);
        }
    }
    context
}

fn analyse(objects: &[(Value, Vec<String>)], context: &Context) -> Vec<Finding> {
    let list: Vec<Object> = objects.iter().map(|(v, s)| Object::new(v, s)).collect();
    analyzers::analyse(&list, context)
}

fn show(env: &str, label: &str, findings: &[Finding]) {
    println!("--- {env} ({label}): {} findings", findings.len());
    for f in findings {
        println!("{} {:?} {} {} @ {}: {}", f.code(), f.istio(), f.severity().as_str(), f.object, f.path, f.message);
    }
}

#[test]
fn example_environments_findings_are_located_and_stable() {
    for env in common::environments() {
        let objects = built(&env);
        let context = context_of(&objects);
        for (label, ctx) in [("no context", Context::default()), ("gateway context", context.clone())] {
            let findings = analyse(&objects, &ctx);
            show(&env, label, &findings);
            assert_eq!(findings, analyse(&objects, &ctx), "deterministic");
            let reversed: Vec<_> = objects.iter().rev().cloned().collect();
            assert_eq!(findings, analyse(&reversed, &ctx), "the order of the objects does not matter");
            for f in &findings {
                let (value, sources) = objects
                    .iter()
                    .find(|(v, _)| analyzers::ResourceRef::of(v) == f.object)
                    .unwrap_or_else(|| panic!("{} names an object of the build", f.object));
                assert!(
                    value.pointer(&f.path).is_some(),
                    "{} {}: {} is a field of the object",
                    f.code(),
                    f.object,
                    f.path
                );
                assert_eq!(&f.trace.sources, sources, "the finding carries the object's input files");
            }
        }
    }
}

#[test]
fn prod_egress_tls_without_ca_is_ist0129_as_istio_reports_it() {
    let objects = built("prod");
    let findings = analyse(&objects, &context_of(&objects));
    let port_level: BTreeSet<String> =
        findings.iter().filter(|f| f.istio() == Some("IST0129")).map(|f| f.object.to_string()).collect();
    assert_eq!(
        port_level,
        BTreeSet::from([
            "DestinationRule/istio-egress/api-partner-example".to_string(),
            "DestinationRule/istio-egress/api-stripe-com".to_string(),
            "DestinationRule/istio-egress/feeds-partner-example".to_string(),
        ])
    );
    // The generated shape (a Gateway per host, with 443 and 80 servers) has no IST0145: the
    // false positives of Istio 1.24.x are not reproduced.
    assert!(findings.iter().all(|f| f.istio() != Some("IST0145")), "{findings:#?}");
    // The partner credential is exported to the egress gateway's namespace only, which holds
    // gateway pods only: no A615.
    assert!(findings.iter().all(|f| f.code() != "A615"), "{findings:#?}");
}

fn gateway(name: &str, host: &str, annotations: Value) -> Value {
    json!({"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
        "metadata": {"name": name, "namespace": "istio-ingress", "annotations": annotations},
        "spec": {"selector": {"istio": "ingressgateway"}, "servers": [
            {"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": [host],
             "tls": {"mode": "SIMPLE", "credentialName": "shop-tls"}}]}})
}

#[test]
fn plain_objects_end_to_end_with_suppression_and_reports() {
    let sources = vec!["resources/gateways.yaml".to_string()];
    let values = [
        gateway("a", "shop.example.com", json!({"meshedge.io/check-suppress": "IST0145"})),
        gateway("b", "shop.example.com", json!({})),
        gateway("c", "*.example.com", json!({})),
        json!({"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
            "metadata": {"name": "wild", "namespace": "istio-egress"},
            "spec": {"hosts": ["*.partner.example"], "resolution": "DNS", "ports": [{"number": 443, "name": "https", "protocol": "TLS"}]}}),
    ];
    let objects: Vec<Object> = values.iter().map(|v| Object::new(v, &sources)).collect();
    let findings = analyzers::analyse(&objects, &Context::default());
    let reversed: Vec<Object> = objects.iter().rev().copied().collect();
    assert_eq!(findings, analyzers::analyse(&reversed, &Context::default()), "order-independent");
    let codes: Vec<(&str, &str)> = findings.iter().map(|f| (f.code(), f.object.name.as_str())).collect();
    assert_eq!(
        codes,
        [
            ("A604", "a"),
            ("A604", "b"),
            ("A614", "wild"),
            ("A613", "a"),
            ("A613", "b"),
            ("A613", "c"),
            ("A619", "a"),
            ("A619", "b"),
            ("A619", "c"),
        ]
    );
    let outcome = suppress(findings, &[SuppressRule { code: "A619".into(), ..SuppressRule::default() }]);
    // A604 is an error: its annotation on `a` cannot hide it; the three A619 (one per Gateway
    // sharing the certificate) go by the settings.
    assert_eq!(outcome.suppressed.len(), 3, "three A619 by the settings");
    assert!(outcome.kept.iter().any(|f| f.code() == "A604" && f.object.name == "a"), "errors are never suppressed");
    assert!(outcome.unused.is_empty());
    // The caller locates each finding; here every object is on line 1 of its file.
    let locate = |f: &Finding| f.trace.sources.first().map(|file| Location::at(file.as_str(), 1, 1));
    let env = Environment {
        name: "plain".into(),
        manifest: "meshedge.yaml".into(),
        diagnostics: outcome.kept.iter().map(|f| f.clone().at_opt(locate(f)).resource(f.object.clone())).collect(),
        suppressed: outcome
            .suppressed
            .iter()
            .map(|s| Suppression {
                diagnostic: s.finding.clone().at_opt(locate(&s.finding)).resource(s.finding.object.clone()),
                by: s.by.to_string(),
            })
            .collect(),
    };
    let json: Value = serde_json::from_str(&report::json::render(std::slice::from_ref(&env))).unwrap();
    let diagnostics = json["environments"][0]["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 6);
    assert_eq!(diagnostics[0]["code"], "A604", "errors first");
    assert_eq!(json["environments"][0]["suppressed"].as_array().unwrap().len(), 3);
    let github = report::github::render(&[env]);
    assert!(github.starts_with("::error file=resources/gateways.yaml,line=1,col=1,title=A604 IST0145::"), "{github}");
    assert!(github.contains("::notice title=meshedge check::3 findings suppressed:%0A"), "{github}");
}

mod arbitrary {
    //! Any input, however malformed, is analysed without a panic, and the same way twice.

    use super::*;
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "",
        "*",
        "mesh",
        "SIMPLE",
        "MUTUAL",
        "DNS",
        "istio-ingress/g",
        "g",
        "a.com",
        "*.a.com",
        "./a.com",
        "*/*",
        "x/a.com",
        "@request.auth.claims.sub",
        "@request.auth.claims[",
        "r.ns.svc.cluster.local",
        "istio-system",
        ".",
        "~",
        "configmap://ca",
        "gateway",
    ];
    const FIELDS: &[&str] = &[
        "hosts",
        "gateways",
        "servers",
        "port",
        "number",
        "tls",
        "mode",
        "credentialName",
        "credentialNames",
        "selector",
        "matchLabels",
        "http",
        "tcp",
        "tls",
        "route",
        "destination",
        "host",
        "subset",
        "mirror",
        "mirrors",
        "match",
        "headers",
        "withoutHeaders",
        "exportTo",
        "subsets",
        "name",
        "trafficPolicy",
        "portLevelSettings",
        "workloadSelector",
        "resolution",
        "endpoints",
        "ports",
        "targetPort",
        "protocol",
        "template",
        "metadata",
        "labels",
        "annotations",
        "bind",
        "namespace",
        "istio",
        "caCertificates",
        "secretName",
        "items",
        "spec",
    ];
    const KINDS: &[(&str, &str)] = &[
        ("networking.istio.io/v1", "Gateway"),
        ("networking.istio.io/v1", "VirtualService"),
        ("networking.istio.io/v1", "DestinationRule"),
        ("networking.istio.io/v1", "ServiceEntry"),
        ("security.istio.io/v1", "RequestAuthentication"),
        ("security.istio.io/v1", "AuthorizationPolicy"),
        ("v1", "Service"),
        ("v1", "Secret"),
        ("v1", "Pod"),
        ("v1", "List"),
        ("apps/v1", "Deployment"),
        ("batch/v1", "CronJob"),
        ("cert-manager.io/v1", "Certificate"),
    ];

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (0u64..70000).prop_map(Value::from),
            (-3i64..0).prop_map(Value::from),
            proptest::sample::select(WORDS).prop_map(Value::from),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map(proptest::sample::select(FIELDS).prop_map(String::from), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn object() -> impl Strategy<Value = Value> {
        (
            proptest::sample::select(KINDS),
            proptest::sample::select(WORDS),
            proptest::sample::select(WORDS),
            value(),
            value(),
        )
            .prop_map(|((api, kind), ns, name, spec, items)| {
                json!({"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": ns,
                    "annotations": {"meshedge.io/check-suppress": name}}, "spec": spec, "items": items})
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        #[test]
        fn malformed_objects_never_panic(values in proptest::collection::vec(object(), 0..12)) {
            let sources = vec!["x.yaml".to_string()];
            let objects: Vec<Object> = values.iter().map(|v| Object::new(v, &sources)).collect();
            let mut context = Context::default();
            context.workloads.push(Workload { namespace: "istio-system".into(), name: "g".into(),
                labels: BTreeMap::from([("istio".to_string(), "gateway".to_string())]), gateway: true });
            context.complete_namespaces.insert("istio-system".into());
            context.service_namespaces.insert("istio-system".into());
            let findings = analyzers::analyse(&objects, &context);
            prop_assert_eq!(&findings, &analyzers::analyse(&objects, &context));
            let outcome = suppress(findings.clone(), &[SuppressRule { code: "*".into(), name: Some("*.a*".into()), ..SuppressRule::default() }]);
            prop_assert_eq!(outcome.kept.len() + outcome.suppressed.len(), findings.len());
        }
    }
}

#[test]
fn every_rule_is_documented_with_its_istio_code_and_severity() {
    let row = |rule: &analyzers::Rule| {
        let istio = rule.istio.map_or(" ".to_string(), |c| format!(" {c} "));
        format!("| {} |{istio}| {} |", rule.code, rule.id.severity().as_str())
    };
    for doc in ["docs/analyses.md", "docs/errors.md"] {
        let text = std::fs::read_to_string(common::repo_root().join(doc)).unwrap();
        for rule in analyzers::RULES {
            assert!(text.contains(&row(rule)), "{doc} has no row `{}`", row(rule));
        }
    }
    let analyses = std::fs::read_to_string(common::repo_root().join("docs/analyses.md")).unwrap();
    for rule in analyzers::RULES {
        assert!(analyses.contains(&format!("{} {} |", row(rule), rule.title)), "{}: title", rule.code);
    }
}
