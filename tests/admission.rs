//! The admission rules, evaluated: every engine meshedge can write refuses exactly what the
//! ValidatingAdmissionPolicy refuses, on the same sample objects.
//!
//! - ValidatingAdmissionPolicy and Kyverno `validate.cel`: the CEL expression, evaluated with a
//!   CEL interpreter (`object` bound to the admitted object, as both engines bind it:
//!   kubernetes/apiserver `pkg/admission/plugin/cel` and kyverno/kyverno v1.12.7
//!   `pkg/validation/cel`); an expression that is false refuses.
//! - Gatekeeper: the ConstraintTemplate's Rego (v0, Gatekeeper's default) evaluated with
//!   regorus, with `input = {review: <admission request>, parameters: <constraint parameters>}`
//!   and any `violation` refusing (open-policy-agent/gatekeeper v3.16.3
//!   `vendor/…/constraint/pkg/client/drivers/rego/rego.go:18-45`).
//! - Matching: each engine matches the same kind and the same tenant namespaces.

mod common;

use std::path::Path;

use cel_interpreter::{Context, Program, Value as CelValue};
use meshedge::compiler::Build;
use serde_json::{Value, json};

fn objects<'a>(build: &'a Build, kind: &'a str) -> impl Iterator<Item = Value> + 'a {
    build.objects.iter().filter(move |o| o.kind() == kind).map(|o| o.value())
}

fn cel_admits(expression: &str, object: &Value) -> bool {
    let program = Program::compile(expression).unwrap_or_else(|e| panic!("{expression}: {e:?}"));
    let mut context = Context::default();
    context.add_variable("object", object.clone()).expect("a JSON object is a CEL value");
    match program.execute(&context) {
        Ok(CelValue::Bool(admitted)) => admitted,
        other => panic!("{expression} gave {other:?}"),
    }
}

fn rego_admits(rego: &str, parameters: &Value, kind: &str, object: &Value) -> bool {
    let mut engine = regorus::Engine::new();
    engine.set_rego_v0(true);
    let package = engine.add_policy("template.rego".into(), rego.into()).expect("the template's Rego parses");
    let input = json!({
        "review": {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE",
                   "namespace": object["metadata"]["namespace"], "object": object},
        "parameters": parameters,
    });
    engine.set_input(regorus::Value::from_json_str(&input.to_string()).expect("json"));
    let violations = engine.eval_rule(format!("{package}.violation")).expect("violation evaluates");
    let violations = violations.to_json_str().expect("json");
    let violations: Value = serde_json::from_str(&violations).expect("json");
    match violations {
        Value::Array(list) => list.is_empty(),
        Value::Null => true,
        other => panic!("violation is a set: {other}"),
    }
}

fn pod(containers: &[&str], init: &[&str], labels: Value) -> Value {
    let list = |names: &[&str]| names.iter().map(|n| json!({"name": n, "image": "x"})).collect::<Vec<_>>();
    let mut spec = json!({"containers": list(containers)});
    if !init.is_empty() {
        spec["initContainers"] = json!(list(init));
    }
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "p", "namespace": "shop", "labels": labels}, "spec": spec})
}

/// Pods and whether the sidecar rule admits them. The rule tests the admitted pod (validation
/// runs after injection), so the labels do not matter: a pod that asked for the sidecar and did
/// not get it (host network, `app: istiod` on OSSM, a namespace the injector ignores) is refused.
fn pods() -> Vec<(&'static str, Value, bool)> {
    vec![
        ("injected", pod(&["app", "istio-proxy"], &[], json!({"sidecar.istio.io/inject": "true"})), true),
        ("native sidecar", pod(&["app"], &["istio-proxy"], json!({})), true),
        ("not injected", pod(&["app"], &[], json!({})), false),
        (
            "opted in, skipped by the injector",
            pod(&["app"], &["init"], json!({"sidecar.istio.io/inject": "true"})),
            false,
        ),
        ("label false, annotation true", pod(&["app"], &[], json!({"sidecar.istio.io/inject": "false"})), false),
    ]
}

/// Pods and whether the rule against going around the sidecar admits them: every pod carries
/// the proxy, so only the opt-outs decide (istio/api `annotation/annotations.yaml` @1.24.3).
fn bypass_pods() -> Vec<(&'static str, Value, bool)> {
    let injected = || pod(&["app", "istio-proxy"], &[], json!({"app": "web"}));
    let annotated = |key: &str, value: &str| {
        let mut p = injected();
        p["metadata"]["annotations"] = json!({key: value, "prometheus.io/scrape": "true"});
        p
    };
    let mut host_network = injected();
    host_network["spec"]["hostNetwork"] = json!(true);
    let mut pod_network = injected();
    pod_network["spec"]["hostNetwork"] = json!(false);
    let mut label_false = injected();
    label_false["metadata"]["labels"]["sidecar.istio.io/inject"] = json!("false");
    vec![
        ("a normal pod", injected(), true),
        ("hostNetwork: false", pod_network, true),
        ("an unrelated annotation", annotated("example.com/owner", "shop"), true),
        ("inject annotation true", annotated("sidecar.istio.io/inject", "true"), true),
        ("all outbound ranges", annotated("traffic.sidecar.istio.io/includeOutboundIPRanges", "*"), true),
        ("excludeOutboundPorts", annotated("traffic.sidecar.istio.io/excludeOutboundPorts", "443"), false),
        ("excludeOutboundIPRanges", annotated("traffic.sidecar.istio.io/excludeOutboundIPRanges", "0.0.0.0/0"), false),
        ("excludeInboundPorts", annotated("traffic.sidecar.istio.io/excludeInboundPorts", "8080"), false),
        ("excludeInterfaces", annotated("traffic.sidecar.istio.io/excludeInterfaces", "eth0"), false),
        ("an empty exclusion", annotated("traffic.sidecar.istio.io/excludeOutboundPorts", ""), false),
        (
            "narrowed outbound ranges",
            annotated("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/8"),
            false,
        ),
        ("inject annotation false", annotated("sidecar.istio.io/inject", "false"), false),
        ("inject label false", label_false, false),
        ("hostNetwork", host_network, false),
    ]
}

fn route() -> Value {
    json!({"apiVersion": "route.openshift.io/v1", "kind": "Route",
           "metadata": {"name": "r", "namespace": "shop"}, "spec": {"to": {"kind": "Service", "name": "s"}}})
}

fn rule_of_vap(build: &Build, name: &str) -> String {
    let vap = objects(build, "ValidatingAdmissionPolicy").find(|v| v["metadata"]["name"] == name).expect(name);
    vap["spec"]["validations"][0]["expression"].as_str().unwrap().to_string()
}

#[test]
fn validating_admission_policy_refuses_pods_without_the_proxy_and_tenant_routes() {
    let staging = common::build(&common::repo_root(), "staging");
    let sidecar = rule_of_vap(&staging, "meshedge-require-sidecar");
    for (case, pod, admitted) in pods() {
        assert_eq!(cel_admits(&sidecar, &pod), admitted, "{case}");
    }
    let routes = rule_of_vap(&staging, "meshedge-deny-tenant-routes");
    assert!(!cel_admits(&routes, &route()));
    let bypass = rule_of_vap(&staging, "meshedge-deny-sidecar-bypass");
    for (case, pod, admitted) in bypass_pods() {
        assert_eq!(cel_admits(&bypass, &pod), admitted, "{case}");
    }
    // Dev (Istio 1.24 on Kubernetes 1.31) gets the same rule.
    let dev = common::build(&common::repo_root(), "dev");
    assert_eq!(rule_of_vap(&dev, "meshedge-require-sidecar"), sidecar);
}

#[test]
fn gatekeeper_refuses_what_the_policy_refuses() {
    let prod = common::build(&common::repo_root(), "prod");
    let staging = common::build(&common::repo_root(), "staging");
    assert_eq!(objects(&prod, "ValidatingAdmissionPolicy").count(), 0, "openshift 4.16 serves no VAP");
    for (name, kind, samples) in [
        ("meshedge-require-sidecar", "Pod", pods()),
        ("meshedge-deny-sidecar-bypass", "Pod", bypass_pods()),
        ("meshedge-deny-tenant-routes", "Route", vec![("route", route(), false)]),
    ] {
        let vap = rule_of_vap(&staging, name);
        let constraint = prod
            .objects
            .iter()
            .map(|o| o.value())
            .find(|v| v["metadata"]["name"] == name && v["apiVersion"] == "constraints.gatekeeper.sh/v1beta1")
            .expect(name);
        let template_kind = constraint["kind"].as_str().unwrap();
        let template = objects(&prod, "ConstraintTemplate")
            .find(|t| t["spec"]["crd"]["spec"]["names"]["kind"] == template_kind)
            .expect("template of the constraint");
        let rego = template["spec"]["targets"][0]["rego"].as_str().unwrap();
        assert_eq!(constraint["spec"]["enforcementAction"], "deny");
        assert_eq!(constraint["spec"]["match"]["kinds"][0]["kinds"][0], kind);
        for (case, object, admitted) in samples {
            assert_eq!(cel_admits(&vap, &object), admitted, "vap {case}");
            assert_eq!(rego_admits(rego, &constraint["spec"]["parameters"], kind, &object), admitted, "rego {case}");
        }
    }
    // Same namespaces as the policy's selector (tenant namespaces of prod).
    let constraint = objects(&prod, "MeshedgeRequireSidecar").next().unwrap();
    let namespaces = constraint["spec"]["match"]["namespaces"].as_array().unwrap().clone();
    assert!(namespaces.contains(&json!("shop")) && !namespaces.contains(&json!("istio-system")), "{namespaces:?}");
}

#[test]
fn kyverno_refuses_what_the_policy_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for part in ["base", "environments/staging"] {
        common::copy_tree_reversed(&common::repo_root().join(part), &root.join(part));
    }
    let manifest = root.join("environments/staging/meshedge.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace("admission: auto", "admission: kyverno");
    std::fs::write(&manifest, text).unwrap();
    let build = common::build(Path::new(root), "staging");
    let staging = common::build(&common::repo_root(), "staging");
    assert_eq!(objects(&build, "ValidatingAdmissionPolicy").count(), 0);
    for (name, kind, samples) in [
        ("meshedge-require-sidecar", "Pod", pods()),
        ("meshedge-deny-sidecar-bypass", "Pod", bypass_pods()),
        ("meshedge-deny-tenant-routes", "route.openshift.io/v1/Route", vec![("route", route(), false)]),
    ] {
        let policy = objects(&build, "ClusterPolicy").find(|p| p["metadata"]["name"] == name).expect(name);
        // Enforced (the default is Audit), only on pods themselves (no rules derived for controllers).
        assert_eq!(policy["spec"]["validationFailureAction"], "Enforce");
        assert_eq!(policy["metadata"]["annotations"]["pod-policies.kyverno.io/autogen-controllers"], "none");
        let rule = &policy["spec"]["rules"][0];
        assert_eq!(rule["match"]["any"][0]["resources"]["kinds"][0], kind);
        let expression = rule["validate"]["cel"]["expressions"][0]["expression"].as_str().unwrap();
        assert_eq!(expression, rule_of_vap(&staging, name), "the policy's own expression");
        for (case, object, admitted) in samples {
            assert_eq!(cel_admits(expression, &object), admitted, "kyverno {case}");
        }
    }
}

/// Argo CD applies the Gatekeeper templates before their constraints, whose kinds Gatekeeper
/// creates only once it has processed a template; the constraints skip the dry run while their
/// kind is missing (argoproj/argo-cd v3.5.1 `docs/user-guide/sync-waves.md`,
/// `docs/user-guide/sync-options.md` "Skip Dry Run for new custom resources types").
#[test]
fn argo_cd_applies_gatekeeper_templates_before_their_constraints() {
    let prod = common::build(&common::repo_root(), "prod");
    let wave = |object: &Value| -> i64 {
        match &object["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] {
            Value::Null => 0, // Argo CD's default wave
            Value::String(text) => text.parse().unwrap_or_else(|_| panic!("a wave is an integer: {text}")),
            other => panic!("an annotation is a string: {other}"),
        }
    };
    let templates: Vec<Value> = objects(&prod, "ConstraintTemplate").collect();
    let constraints: Vec<Value> = prod
        .objects
        .iter()
        .map(|o| o.value())
        .filter(|v| v["apiVersion"] == "constraints.gatekeeper.sh/v1beta1")
        .collect();
    assert_eq!((templates.len(), constraints.len()), (3, 3));
    let last_template = templates.iter().map(wave).max().unwrap();
    for constraint in &constraints {
        assert!(wave(constraint) > last_template, "{} after its template", constraint["metadata"]["name"]);
        let options = constraint["metadata"]["annotations"]["argocd.argoproj.io/sync-options"].as_str();
        assert_eq!(options, Some("SkipDryRunOnMissingResource=true"));
    }
    // Nothing else waits for the templates, nor goes before them.
    for object in prod.objects.iter().map(|o| o.value()) {
        if object["kind"] != "ConstraintTemplate" {
            assert!(wave(&object) > last_template, "{} {}", object["kind"], object["metadata"]["name"]);
        }
    }
}
